import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { InvalidStateError } from './errors';
import { Logger } from './Logger';
import * as ortc from './ortc';
import { RtpCapabilities, RtpCodecCapability } from './RtpParameters';
import { normaliseListenInfos, listenIpsToListenInfos } from './listenInfos';
import { TransportListenInfo } from './TransportTypes';
import { AppData, clone, generateUUIDv4, isPlainObject, validateAppData } from './utils';
import { WebRtcServer } from './WebRtcServer';
import { WebRtcTransport, WebRtcTransportDump, WebRtcTransportOptions } from './WebRtcTransport';
import { NumSctpStreams } from './SctpParameters';
import { Producer } from './Producer';
import { RouterAccess } from './Transport';
import { RtpCapabilities as RouterRtpCapabilities } from './RtpParameters';

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
	newtransport: [WebRtcTransport];
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
	readonly #transports = new Map<string, WebRtcTransport>();
	readonly #producers = new Map<string, Producer>();
	readonly #routerAccess: RouterAccess = {
		getRouterRtpCapabilities: () => this.#rtpCapabilities,
		getProducerById: (producerId) => this.#producers.get(producerId),
	};
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
		this.#closeTransports();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private Called by the Worker when it closes or dies. */
	workerClosed(): void {
		if (this.#closed) return;
		logger.debug('workerClosed()');
		this.#closed = true;
		this.#closeTransports();
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

	/** Creates a WebRtcTransport (ICE-lite, DTLS, SRTP) on own ports or a WebRtcServer's. */
	async createWebRtcTransport<T extends AppData = AppData>(
		options: WebRtcTransportOptions<T>
	): Promise<WebRtcTransport<T>> {
		if (this.#closed) throw new InvalidStateError('Router closed, cannot call createWebRtcTransport()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const {
			listenInfos,
			listenIps,
			port,
			webRtcServer,
			enableUdp = true,
			enableTcp = true,
			preferUdp = false,
			preferTcp = false,
			iceConsentTimeout = 30,
			initialAvailableOutgoingBitrate = 600000,
			enableSctp = false,
			numSctpStreams = { OS: 1024, MIS: 1024 },
			maxSctpMessageSize = 262144,
			sctpSendBufferSize = 262144,
			appData,
		} = options;
		validateAppData(appData);
		const given = [webRtcServer, listenInfos, listenIps].filter((v) => v !== undefined).length;
		if (given === 0) throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
		if (given > 1) throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		for (const [name, value] of Object.entries({ enableUdp, enableTcp, preferUdp, preferTcp, enableSctp })) {
			if (typeof value !== 'boolean') throw new TypeError(`invalid ${name}: must be a boolean`);
		}
		if (!enableUdp && !enableTcp) throw new TypeError('enableUdp and enableTcp cannot both be false');
		if (typeof iceConsentTimeout !== 'number' || !Number.isInteger(iceConsentTimeout) || iceConsentTimeout < 1) {
			throw new TypeError('invalid iceConsentTimeout: must be a positive integer (seconds)');
		}
		for (const [name, value] of Object.entries({ initialAvailableOutgoingBitrate, maxSctpMessageSize, sctpSendBufferSize })) {
			if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
				throw new TypeError(`invalid ${name}: must be a positive integer`);
			}
		}
		validateNumSctpStreams(numSctpStreams);

		let infos: TransportListenInfo[] | undefined;
		if (webRtcServer !== undefined) {
			if (!(webRtcServer instanceof WebRtcServer)) throw new TypeError('invalid webRtcServer');
			if (webRtcServer.closed) throw new InvalidStateError('webRtcServer closed');
		} else if (listenInfos !== undefined) {
			infos = normaliseListenInfos(listenInfos).filter((i) => (i.protocol === 'udp' ? enableUdp : enableTcp));
			if (infos.length === 0) throw new TypeError('no listenInfos left with the enabled protocols');
		} else {
			if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new TypeError('invalid port');
			infos = listenIpsToListenInfos(listenIps, { enableUdp, enableTcp, port });
		}

		const transportId = generateUUIDv4();
		const dump = await this.#channel.request<WebRtcTransportDump>('router.createWebRtcTransport', this.#id, {
			transportId,
			webRtcServerId: webRtcServer?.id,
			listenInfos: infos,
			enableUdp,
			enableTcp,
			preferUdp,
			preferTcp,
			iceConsentTimeout,
			initialAvailableOutgoingBitrate,
			enableSctp,
			numSctpStreams,
			maxSctpMessageSize,
			sctpSendBufferSize,
		});
		const transport = new WebRtcTransport<T>({
			transportId,
			routerId: this.#id,
			channel: this.#channel,
			appData: (appData ?? {}) as T,
			dump,
			sctpParameters: enableSctp
				? { port: 5000, OS: numSctpStreams.OS, MIS: numSctpStreams.MIS, maxMessageSize: maxSctpMessageSize }
				: undefined,
			webRtcServer,
			routerAccess: this.#routerAccess,
		});
		if (this.#closed) {
			// The router closed while the engine was creating it (and closed it there).
			transport.routerClosed();
			throw new InvalidStateError('Router closed while creating the transport');
		}
		this.#transports.set(transportId, transport as WebRtcTransport);
		transport.on('@close', () => this.#transports.delete(transportId));
		transport.on('@listenserverclose', () => this.#transports.delete(transportId));
		transport.on('@newproducer', (producer) => this.#producers.set(producer.id, producer));
		transport.on('@producerclose', (producer) => this.#producers.delete(producer.id));
		webRtcServer?.handleWebRtcTransport(transport as WebRtcTransport);
		this.#observer.safeEmit('newtransport', transport as WebRtcTransport);
		return transport;
	}

	#closeTransports(): void {
		for (const transport of this.#transports.values()) transport.routerClosed();
		this.#transports.clear();
		this.#producers.clear();
	}

	/** Whether a consumer with these rtpCapabilities can consume the producer. */
	canConsume({ producerId, rtpCapabilities }: { producerId: string; rtpCapabilities: RouterRtpCapabilities }): boolean {
		const producer = this.#producers.get(producerId);
		if (!producer) {
			logger.error('canConsume() | Producer with id "%s" not found', producerId);
			return false;
		}
		const caps = clone(rtpCapabilities);
		try {
			ortc.validateRtpCapabilities(caps);
		} catch (error) {
			logger.error('canConsume() | invalid rtpCapabilities: %s', (error as Error).message);
			return false;
		}
		try {
			return ortc.canConsume(producer.consumableRtpParameters, caps);
		} catch (error) {
			logger.error('canConsume() | unexpected error: %s', (error as Error).message);
			return false;
		}
	}

	async dump(): Promise<RouterDump> {
		if (this.#closed) throw new InvalidStateError('Router closed, cannot call dump()');
		return this.#channel.request<RouterDump>('router.dump', this.#id);
	}
}

function validateNumSctpStreams(numSctpStreams: unknown): asserts numSctpStreams is NumSctpStreams {
	if (!isPlainObject(numSctpStreams)) throw new TypeError('invalid numSctpStreams: must be an object');
	for (const key of ['OS', 'MIS'] as const) {
		const value = (numSctpStreams as NumSctpStreams)[key];
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
			throw new TypeError(`invalid numSctpStreams.${key}: must be an integer between 1 and 65535`);
		}
	}
}
