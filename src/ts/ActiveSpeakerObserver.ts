import { RtpObserver, RtpObserverConstructorOptions } from './RtpObserver';
import type {
	ActiveSpeakerObserverDominantSpeaker,
	ActiveSpeakerObserverEvents,
	ActiveSpeakerObserverObserverEvents,
} from './ActiveSpeakerObserverTypes';
import { AppData, useMediasoupClassName } from './utils';

/**
 * Tells which of the audio producers it watches is the dominant speaker: the engine
 * follows their RFC 6464 audio levels with the method of Volfin and Cohen (immediate,
 * medium and long time-scale speech activity, src/cpp/engine/observer/
 * DominantSpeakerDetector), and every `interval` ms emits 'dominantspeaker' when the
 * dominant speaker changed. Created with router.createActiveSpeakerObserver().
 */
export class ActiveSpeakerObserver<T extends AppData = AppData> extends RtpObserver<
	T,
	ActiveSpeakerObserverEvents,
	ActiveSpeakerObserverObserverEvents
> {
	/** @private Use router.createActiveSpeakerObserver(). */
	constructor(options: RtpObserverConstructorOptions<T>) {
		super(options);
	}

	get type(): 'activespeaker' {
		return 'activespeaker';
	}

	protected handleEngineEvent(event: string, data: unknown): void {
		if (event !== 'dominantspeaker') return;
		// A producer closed meanwhile is not announced.
		const producer = this.getProducer((data as { producerId: string }).producerId);
		if (!producer) return;
		const dominantSpeaker: ActiveSpeakerObserverDominantSpeaker = { producer };
		this.safeEmit('dominantspeaker', dominantSpeaker);
		this.observer.safeEmit('dominantspeaker', dominantSpeaker);
	}
}

useMediasoupClassName(ActiveSpeakerObserver, 'ActiveSpeakerObserverImpl');
