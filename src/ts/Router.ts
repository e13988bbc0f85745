import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { InvalidStateError } from './errors';
import { Logger } from './Logger';
import * as ortc from './ortc';
import { RtpCapabilities, RtpCodecCapability } from './RtpParameters';
import { AppData, clone } from './utils';

const logger = new Logger('Router');

export type RouterOptions<RouterAppData extends AppData = AppData> = {
	/** The codecs the router offers; see getSupportedRtpCapabilities(). */
	mediaCodecs?: RtpCodecCapability[];
	appData?: RouterAppData;
};

export type RouterDump = {
	id: string;
	transportIds: string[];
	rtpObserverIds: string[];
	mapProducerIdConsumerIds: { key: string; values: string[] }[];
	mapConsumerIdProducerId: { key: string; value: string }[];
	mapProducerIdObserverIds: { key: string; values: string[] }[];
	mapDataProducerIdDataConsumerIds: { key: string; values: string[] }[];
	mapDataConsumerIdDataProducerId: { key: string; value: string }[];
};

export type RouterEvents = {
	workerclose: [];
	listenererror: [string, Error];
	'@close': [];
};

export type RouterObserverEvents = {
	close: [];
	newtransport: [unknown];
	newrtpobserver: [unknown];
};

type RouterConstructorOptions<RouterAppData extends AppData> = {
	routerId: string;
	rtpCapabilities: RtpCapabilities;
	channel: Channel;
	appData: RouterAppData;
};

/**
 * A Router: a media routing domain on one worker. Producers injected into a router can
 * be consumed by any of its transports. Created with worker.createRouter().
 */
export class Router<RouterAppData extends AppData = AppData> extends EnhancedEventEmitter<RouterEvents> {
	readonly #id: string;
	#rtpCapabilities: RtpCapabilities;
	readonly #channel: Channel;
	readonly #observer = new EnhancedEventEmitter<RouterObserverEvents>();
	#closed = false;
	#appData: RouterAppData;

	/** @private Use worker.createRouter(). */
	constructor({ routerId, rtpCapabilities, channel, appData }: RouterConstructorOptions<RouterAppData>) {
		super();
		logger.debug('constructor()');
		this.#id = routerId;
		this.#rtpCapabilities = rtpCapabilities;
		this.#channel = channel;
		this.#appData = appData;
	}

	get id(): string {
		return this.#id;
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** The router's RTP capabilities (a copy: changing it changes nothing). */
	get rtpCapabilities(): RtpCapabilities {
		return clone(this.#rtpCapabilities);
	}

	get appData(): RouterAppData {
		return this.#appData;
	}

	set appData(appData: RouterAppData) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<RouterObserverEvents> {
		return this.#observer;
	}

	/** Closes the router and everything in it. Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#closed = true;
		this.#channel
			.request('worker.closeRouter', undefined, { routerId: this.#id })
			.catch((error: Error) => logger.debug('worker.closeRouter failed: %s', error.message));
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private Called by the Worker when it closes or dies. */
	workerClosed(): void {
		if (this.#closed) return;
		logger.debug('workerClosed()');
		this.#closed = true;
		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	/**
	 * Replaces the router's media codecs: validates them like createRouter() does and
	 * regenerates `rtpCapabilities` (throws TypeError / UnsupportedError and keeps the
	 * old capabilities on bad input). Existing producers and consumers keep the
	 * parameters they were created with; new ones negotiate against the new codecs.
	 */
	updateMediaCodecs(mediaCodecs: RtpCodecCapability[]): void {
		if (this.#closed) throw new InvalidStateError('Router closed, cannot call updateMediaCodecs()');
		if (!Array.isArray(mediaCodecs)) throw new TypeError('mediaCodecs must be an array');
		this.#rtpCapabilities = ortc.generateRouterRtpCapabilities(clone(mediaCodecs));
	}

	async dump(): Promise<RouterDump> {
		if (this.#closed) throw new InvalidStateError('Router closed, cannot call dump()');
		return this.#channel.request<RouterDump>('router.dump', this.#id);
	}
}
