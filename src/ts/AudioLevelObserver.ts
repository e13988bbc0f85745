import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { Producer } from './Producer';
import { RtpObserver, RtpObserverConstructorOptions, RtpObserverEvents, RtpObserverObserverEvents, RtpObserverType } from './RtpObserver';
import { AppData, useMediasoupClassName } from './utils';

export type AudioLevelObserverOptions<T extends AppData = AppData> = {
	/** Most entries in a 'volumes' event (default 1). */
	maxEntries?: number;
	/** Lowest average volume, in dBov (-127..0), reported in 'volumes' (default -80). */
	threshold?: number;
	/** Milliseconds between events (default 1000; clamped to 250..5000). */
	interval?: number;
	appData?: T;
};

export type AudioLevelObserverVolume = {
	producer: Producer;
	/** Average volume over the interval, in dBov (-127..0). */
	volume: number;
};

export type AudioLevelObserverEvents = RtpObserverEvents & {
	volumes: [AudioLevelObserverVolume[]];
	silence: [];
};

export type AudioLevelObserverObserverEvents = RtpObserverObserverEvents & {
	volumes: [AudioLevelObserverVolume[]];
	silence: [];
};

export type AudioLevelObserverObserver = EnhancedEventEmitter<AudioLevelObserverObserverEvents>;

/**
 * Reports, every `interval`, the loudest audio producers it watches (from the
 * ssrc-audio-level header extension, RFC 6464): 'volumes' loudest first, or 'silence'
 * once when none reaches the threshold. Created with router.createAudioLevelObserver().
 */
export class AudioLevelObserver<T extends AppData = AppData> extends RtpObserver<
	T,
	AudioLevelObserverEvents,
	AudioLevelObserverObserverEvents
> {
	/** @private Use router.createAudioLevelObserver(). */
	constructor(options: RtpObserverConstructorOptions<T>) {
		super(options);
	}

	get type(): 'audiolevel' {
		return 'audiolevel';
	}

	protected handleEngineEvent(event: string, data: unknown): void {
		const observer = this.observer as EnhancedEventEmitter<AudioLevelObserverObserverEvents>;
		switch (event) {
			case 'volumes': {
				const volumes: AudioLevelObserverVolume[] = [];
				for (const entry of data as { producerId: string; volume: number }[]) {
					// A producer closed meanwhile is left out.
					const producer = this.getProducer(entry.producerId);
					if (producer) volumes.push({ producer, volume: entry.volume });
				}
				if (volumes.length === 0) return;
				this.safeEmit('volumes', volumes);
				observer.safeEmit('volumes', volumes);
				break;
			}
			case 'silence':
				this.safeEmit('silence');
				observer.safeEmit('silence');
				break;
			default:
				break;
		}
	}
}

useMediasoupClassName(AudioLevelObserver, 'AudioLevelObserverImpl');
