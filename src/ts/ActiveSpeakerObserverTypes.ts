/**
 * ActiveSpeakerObserver types, with mediasoup 3.27's names and shapes. The observer
 * is being built under another issue: until it lands, these let an application written
 * for mediasoup compile against mediaplane (router.createActiveSpeakerObserver() does
 * not exist at run time yet). When the class lands, have it implement
 * `ActiveSpeakerObserver` (or export the class under this name from types.ts instead).
 */
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { Producer } from './Producer';
import type { RtpObserver, RtpObserverEvents, RtpObserverObserverEvents } from './RtpObserver';
import type { AppData } from './utils';

export type ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData extends AppData = AppData> = {
	/** Milliseconds between dominant speaker checks (default 300). */
	interval?: number;
	appData?: ActiveSpeakerObserverAppData;
};

export type ActiveSpeakerObserverDominantSpeaker = {
	/** The audio producer now speaking. */
	producer: Producer;
};

export type ActiveSpeakerObserverEvents = RtpObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export type ActiveSpeakerObserverObserverEvents = RtpObserverObserverEvents & {
	dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export type ActiveSpeakerObserverObserver = EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>;

/** Tells which of the audio producers it watches is the dominant speaker. */
export interface ActiveSpeakerObserver<ActiveSpeakerObserverAppData extends AppData = AppData>
	extends RtpObserver<ActiveSpeakerObserverAppData, ActiveSpeakerObserverEvents, ActiveSpeakerObserverObserverEvents> {
	get type(): 'activespeaker';
	get observer(): ActiveSpeakerObserverObserver;
}
