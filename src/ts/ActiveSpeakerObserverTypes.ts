/**
 * ActiveSpeakerObserver types, with mediasoup 3.27's names and shapes.
 */
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { Producer } from './Producer';
import type { RtpObserverEvents, RtpObserverObserverEvents } from './RtpObserver';
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

/** The class (router.createActiveSpeakerObserver()), under mediasoup's type name. */
export type { ActiveSpeakerObserver } from './ActiveSpeakerObserver';
