import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { NotFoundError } from './errors';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import * as ortc from './ortc';
import { RtpCapabilities, RtpCodecCapability } from './RtpParameters';
import type { RouterRtpCodecCapability } from './RtpParameters';
import type { DataConsumer } from './DataConsumer';
import type { DataProducer } from './DataProducer';
import { normaliseListenInfos, listenIpsToListenInfos } from './listenInfos';
import { TransportListenInfo, TransportListenIp } from './TransportTypes';
import { AppData, clone, generateUUIDv4, isPlainObject, validateAppData, useMediasoupClassName } from './utils';
import { WebRtcServer } from './WebRtcServer';
import { WebRtcTransport, WebRtcTransportDump, WebRtcTransportOptions } from './WebRtcTransport';
import { NumSctpStreams } from './SctpParameters';
import { Producer } from './Producer';
import { RouterAccess } from './Transport';
import { RtpCapabilities as RouterRtpCapabilities } from './RtpParameters';
import { PlainTransport, PlainTransportOptions, SRTP_CRYPTO_SUITES } from './PlainTransport';
import { PipeTransport, PipeTransportOptions } from './PipeTransport';
import { DirectTransport, DirectTransportOptions } from './DirectTransport';
import { Consumer } from './Consumer';
import { ActiveSpeakerObserver } from './ActiveSpeakerObserver';
import type { ActiveSpeakerObserverOptions } from './ActiveSpeakerObserverTypes';
import { AudioLevelObserver, AudioLevelObserverOptions } from './AudioLevelObserver';
import { RtpObserver, RtpObserverConstructorOptions, validateObserverOptions } from './RtpObserver';
import { normaliseListenInfo } from './listenInfos';

const logger = new Logger('Router');

export type RouterOptions<RouterAppData extends AppData = AppData> = {
	/** The codecs the router offers; see getSupportedRtpCapabilities(). */
	mediaCodecs?: RouterRtpCodecCapability[];
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

type AnyTransport = WebRtcTransport | PlainTransport | PipeTransport | DirectTransport;

export type PipeToRouterOptions = {
	producerId?: string;
	dataProducerId?: string;
	router: Router;
	/**
	 * Keep the producer's id on the other router (default true). Ids are unique per
	 * worker, so with true both routers must be on different workers (as mediasoup).
	 */
	keepId?: boolean;
	listenInfo?: TransportListenInfo;
	/** Deprecated form of listenInfo (an IP, or { ip, announcedIp }). */
	listenIp?: TransportListenIp | string;
	/** SCTP on the pipe pair (default true: DataProducers can be piped). */
	enableSctp?: boolean;
	numSctpStreams?: NumSctpStreams;
	/** mediasoup 3.20+ SCTP options of the pipe pair (see createPipeTransport()). */
	maxSendMessageSize?: number;
	maxReceiveMessageSize?: number;
	sctpPerStreamSendQueueLimit?: number;
	sctpMaxReceiverWindowBufferSize?: number;
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	sctpSendBufferSize?: number;
	enableRtx?: boolean;
	enableSrtp?: boolean;
};

export type PipeToRouterResult = {
	pipeConsumer?: Consumer;
	pipeProducer?: Producer;
	/** With dataProducerId. */
	pipeDataConsumer?: DataConsumer;
	pipeDataProducer?: DataProducer;
};

export type RouterObserverEvents = {
	close: [];
	newtransport: [AnyTransport];
	newrtpobserver: [RtpObserver];
};

export type RouterObserver = EnhancedEventEmitter<RouterObserverEvents>;

/** The pipe transports of a router to others, by the other router's id. */
export type PipeTransportPair = {
	[key: string]: PipeTransport;
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
	readonly #transports = new Map<string, AnyTransport>();
	// One pipe transport pair per destination router, reused for every pipeToRouter().
	readonly #pipeTransportPairs = new Map<Router, Promise<[PipeTransport, PipeTransport]>>();
	readonly #producers = new Map<string, Producer>();
	readonly #dataProducers = new Map<string, DataProducer>();
	readonly #rtpObservers = new Map<string, RtpObserver>();
	readonly #routerAccess: RouterAccess = {
		getRouterRtpCapabilities: () => this.#rtpCapabilities,
		getProducerById: (producerId) => this.#producers.get(producerId),
		getDataProducerById: (dataProducerId) => this.#dataProducers.get(dataProducerId),
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
	/** @private For tests (as mediasoup's `transportsForTesting`): the open transports by id. */
	get transportsForTesting(): Map<string, AnyTransport> {
		return this.#transports;
	}

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
	updateMediaCodecs(mediaCodecs: RouterRtpCodecCapability[]): void {
		if (this.#closed) throw closedObjectError('Router', 'updateMediaCodecs()', this.#channel.closed);
		if (!Array.isArray(mediaCodecs)) throw new TypeError('mediaCodecs must be an array');
		this.#rtpCapabilities = ortc.generateRouterRtpCapabilities(clone(mediaCodecs));
	}

	/** Creates a WebRtcTransport (ICE-lite, DTLS, SRTP) on own ports or a WebRtcServer's. */
	async createWebRtcTransport<T extends AppData = AppData>(
		options: WebRtcTransportOptions<T>
	): Promise<WebRtcTransport<T>> {
		if (this.#closed) throw closedObjectError('Router', 'createWebRtcTransport()', this.#channel.closed);
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
			appData,
		} = options;
		validateAppData(appData);
		const given = [webRtcServer, listenInfos, listenIps].filter((v) => v !== undefined).length;
		if (given === 0) throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
		if (given > 1) throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		for (const [name, value] of Object.entries({ enableUdp, enableTcp, preferUdp, preferTcp })) {
			if (typeof value !== 'boolean') throw new TypeError(`invalid ${name}: must be a boolean`);
		}
		if (!enableUdp && !enableTcp) throw new TypeError('enableUdp and enableTcp cannot both be false');
		if (typeof iceConsentTimeout !== 'number' || !Number.isInteger(iceConsentTimeout) || iceConsentTimeout < 1) {
			throw new TypeError('invalid iceConsentTimeout: must be a positive integer (seconds)');
		}
		if (typeof initialAvailableOutgoingBitrate !== 'number' || !Number.isInteger(initialAvailableOutgoingBitrate) || initialAvailableOutgoingBitrate <= 0) {
			throw new TypeError('invalid initialAvailableOutgoingBitrate: must be a positive integer');
		}
		const sctp = resolveSctp(options);

		let infos: TransportListenInfo[] | undefined;
		if (webRtcServer !== undefined) {
			if (!(webRtcServer instanceof WebRtcServer)) throw new TypeError('invalid webRtcServer');
			if (webRtcServer.closed) throw new NotFoundError('webRtcServer closed');
		} else if (listenInfos !== undefined) {
			infos = normaliseListenInfos(listenInfos).filter((i) => (i.protocol === 'udp' ? enableUdp : enableTcp));
			if (infos.length === 0) throw new TypeError('no listenInfos left with the enabled protocols');
		} else {
			if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new TypeError('invalid port');
			infos = listenIpsToListenInfos(listenIps, { enableUdp, enableTcp, preferUdp, preferTcp, port });
		}

		const transportId = generateUUIDv4();
		const dump = await this.#channel.requestCreating<WebRtcTransportDump>('router.createWebRtcTransport', this.#id, {
			transportId,
			webRtcServerId: webRtcServer?.id,
			listenInfos: infos,
			enableUdp,
			enableTcp,
			preferUdp,
			preferTcp,
			iceConsentTimeout,
			initialAvailableOutgoingBitrate,
			...sctp,
		}, transportId);
		const transport = new WebRtcTransport<T>({
			transportId,
			routerId: this.#id,
			channel: this.#channel,
			appData: (appData ?? {}) as T,
			dump,
			webRtcServer,
			routerAccess: this.#routerAccess,
		});
		if (this.#closed) {
			// The router closed while the engine was creating it (and closed it there).
			transport.routerClosed();
			throw closedObjectError('Router', 'create', this.#channel.closed);
		}
		this.#adoptTransport(transport as WebRtcTransport);
		transport.on('@listenserverclose', () => this.#transports.delete(transportId));
		webRtcServer?.handleWebRtcTransport(transport as WebRtcTransport);
		this.#observer.safeEmit('newtransport', transport as WebRtcTransport);
		return transport;
	}

	#adoptTransport(transport: AnyTransport): void {
		this.#transports.set(transport.id, transport);
		const events = transport as unknown as EnhancedEventEmitter<import('./Transport').TransportEvents>;
		events.on('@close', () => this.#transports.delete(transport.id));
		events.on('@newproducer', (producer) => this.#producers.set(producer.id, producer));
		events.on('@producerclose', (producer) => this.#producers.delete(producer.id));
		events.on('@newdataproducer', (dataProducer) => this.#dataProducers.set(dataProducer.id, dataProducer));
		events.on('@dataproducerclose', (dataProducer) => this.#dataProducers.delete(dataProducer.id));
	}

	/** Creates a PlainTransport: plain RTP/RTCP (optionally SRTP) over UDP. */
	async createPlainTransport<T extends AppData = AppData>(options: PlainTransportOptions<T>): Promise<PlainTransport<T>> {
		if (this.#closed) throw closedObjectError('Router', 'createPlainTransport()', this.#channel.closed);
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { comedia = false, enableSrtp = false, srtpCryptoSuite = 'AES_CM_128_HMAC_SHA1_80', appData } = options;
		let { rtcpMux = true } = options;
		for (const [name, value] of Object.entries({ rtcpMux, comedia, enableSrtp })) {
			if (typeof value !== 'boolean') throw new TypeError(`invalid ${name}: must be a boolean`);
		}
		if (!SRTP_CRYPTO_SUITES.includes(srtpCryptoSuite)) throw new TypeError('invalid srtpCryptoSuite');
		validateAppData(appData);
		const listenInfo = resolveListenInfo(options);
		const rtcpListenInfo = options.rtcpListenInfo !== undefined ? normaliseListenInfo(options.rtcpListenInfo, 'rtcpListenInfo') : undefined;
		if (rtcpMux && rtcpListenInfo) {
			// As mediasoup: a separate RTCP listen info means no RTCP multiplexing.
			logger.warn('createPlainTransport() | rtcpListenInfo given: rtcpMux disabled');
			rtcpMux = false;
		}
		const sctp = resolveSctp(options);
		const transportId = generateUUIDv4();
		const dump = await this.#channel.requestCreating<Record<string, unknown>>('router.createPlainTransport', this.#id, {
			transportId, listenInfo, rtcpListenInfo, rtcpMux, comedia, enableSrtp, srtpCryptoSuite, ...sctp,
		}, transportId);
		const transport = new PlainTransport<T>({
			transportId, routerId: this.#id, channel: this.#channel, appData: (appData ?? {}) as T,
			dump: dump as never, rtcpMux, comedia, routerAccess: this.#routerAccess,
		});
		if (this.#closed) {
			transport.routerClosed();
			throw closedObjectError('Router', 'create', this.#channel.closed);
		}
		this.#adoptTransport(transport as PlainTransport);
		this.#observer.safeEmit('newtransport', transport as PlainTransport);
		return transport;
	}

	/**
	 * Creates an AudioLevelObserver: every `interval` ms, the loudest of the audio
	 * producers added to it ('volumes'), or 'silence'.
	 */
	async createAudioLevelObserver<T extends AppData = AppData>(
		options: AudioLevelObserverOptions<T> = {}
	): Promise<AudioLevelObserver<T>> {
		if (this.#closed) throw closedObjectError('Router', 'createAudioLevelObserver()', this.#channel.closed);
		const { maxEntries = 1, threshold = -80, interval = 1000, appData } = validateObserverOptions(options) as AudioLevelObserverOptions<T>;
		if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1) {
			throw new TypeError('invalid maxEntries: must be a positive integer');
		}
		if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < -127 || threshold > 0) {
			throw new TypeError('invalid threshold: must be a number from -127 to 0');
		}
		if (typeof interval !== 'number' || !Number.isFinite(interval)) throw new TypeError('invalid interval: must be a number');
		validateAppData(appData);
		return this.#createRtpObserver('router.createAudioLevelObserver', { maxEntries, threshold, interval },
			(rtpObserverOptions) => new AudioLevelObserver<T>(rtpObserverOptions), (appData ?? {}) as T);
	}

	/**
	 * Creates an ActiveSpeakerObserver: follows which of the audio producers added to
	 * it is the dominant speaker, checked every `interval` ms (default 300; clamped to
	 * 100..5000 as mediasoup), emitting 'dominantspeaker' when it changes.
	 */
	async createActiveSpeakerObserver<T extends AppData = AppData>(
		options: ActiveSpeakerObserverOptions<T> = {}
	): Promise<ActiveSpeakerObserver<T>> {
		const { interval = 300, appData } = validateObserverOptions(options) as ActiveSpeakerObserverOptions<T>;
		if (typeof interval !== 'number' || !Number.isFinite(interval)) throw new TypeError('invalid interval: must be a number');
		validateAppData(appData);
		if (this.#closed) throw closedObjectError('Router', 'createActiveSpeakerObserver()', this.#channel.closed);
		return this.#createRtpObserver('router.createActiveSpeakerObserver', { interval },
			(rtpObserverOptions) => new ActiveSpeakerObserver<T>(rtpObserverOptions), (appData ?? {}) as T);
	}

	/** Creates an RTP observer in the engine, then its TypeScript object, and adopts it. */
	async #createRtpObserver<T extends AppData, O extends { routerClosed(): void; on(event: '@close', listener: () => void): unknown }>(
		method: string,
		engineOptions: Record<string, unknown>,
		construct: (options: RtpObserverConstructorOptions<T>) => O,
		appData: T
	): Promise<O> {
		const rtpObserverId = generateUUIDv4();
		await this.#channel.requestCreating(method, this.#id, { rtpObserverId, ...engineOptions }, rtpObserverId);
		const rtpObserver = construct({
			rtpObserverId,
			routerId: this.#id,
			channel: this.#channel,
			appData,
			getProducerById: (producerId) => this.#producers.get(producerId),
		});
		if (this.#closed) {
			rtpObserver.routerClosed();
			throw closedObjectError('Router', 'create', this.#channel.closed);
		}
		this.#rtpObservers.set(rtpObserverId, rtpObserver as unknown as RtpObserver);
		rtpObserver.on('@close', () => this.#rtpObservers.delete(rtpObserverId));
		this.#observer.safeEmit('newrtpobserver', rtpObserver as unknown as RtpObserver);
		return rtpObserver;
	}

	/** Creates a DirectTransport: RTP/RTCP to and from JavaScript. */
	async createDirectTransport<T extends AppData = AppData>(options: DirectTransportOptions<T> = {}): Promise<DirectTransport<T>> {
		if (this.#closed) throw closedObjectError('Router', 'createDirectTransport()', this.#channel.closed);
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		// maxSendMessageSize / maxReceiveMessageSize as mediasoup 3.27; maxMessageSize
		// (older) sets both.
		const { maxMessageSize = 262144, appData } = options;
		const { maxSendMessageSize = maxMessageSize, maxReceiveMessageSize = maxMessageSize } = options;
		for (const [name, value] of Object.entries({ maxMessageSize, maxSendMessageSize, maxReceiveMessageSize })) {
			if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
				throw new TypeError(`invalid ${name}: must be a positive integer`);
			}
		}
		validateAppData(appData);
		const transportId = generateUUIDv4();
		await this.#channel.requestCreating('router.createDirectTransport', this.#id, {
			transportId, maxSendMessageSize, maxReceiveMessageSize,
		}, transportId);
		const transport = new DirectTransport<T>({
			transportId, routerId: this.#id, channel: this.#channel, appData: (appData ?? {}) as T, routerAccess: this.#routerAccess,
		});
		if (this.#closed) {
			transport.routerClosed();
			throw closedObjectError('Router', 'create', this.#channel.closed);
		}
		this.#adoptTransport(transport as DirectTransport);
		this.#observer.safeEmit('newtransport', transport as DirectTransport);
		return transport;
	}

	/** Creates a PipeTransport: to pipe producers to a router of another worker, process or host. */
	async createPipeTransport<T extends AppData = AppData>(options: PipeTransportOptions<T>): Promise<PipeTransport<T>> {
		if (this.#closed) throw closedObjectError('Router', 'createPipeTransport()', this.#channel.closed);
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { enableRtx = false, enableSrtp = false, appData } = options;
		for (const [name, value] of Object.entries({ enableRtx, enableSrtp })) {
			if (typeof value !== 'boolean') throw new TypeError(`invalid ${name}: must be a boolean`);
		}
		validateAppData(appData);
		const listenInfo = resolveListenInfo(options);
		const sctp = resolveSctp(options);
		const transportId = generateUUIDv4();
		const dump = await this.#channel.requestCreating<Record<string, unknown>>('router.createPipeTransport', this.#id, {
			transportId, listenInfo, enableSrtp, srtpCryptoSuite: 'AEAD_AES_256_GCM', ...sctp,
		}, transportId);
		const transport = new PipeTransport<T>({
			transportId, routerId: this.#id, channel: this.#channel, appData: (appData ?? {}) as T,
			dump: dump as never, rtcpMux: true, comedia: false, routerAccess: this.#routerAccess,
		});
		transport.setEnableRtx(enableRtx);
		if (this.#closed) {
			transport.routerClosed();
			throw closedObjectError('Router', 'create', this.#channel.closed);
		}
		this.#adoptTransport(transport as PipeTransport);
		this.#observer.safeEmit('newtransport', transport as PipeTransport);
		return transport;
	}

	/**
	 * Makes a producer of this router available in another router (same worker, another
	 * worker): a PipeTransport pair joins the routers (created once per router pair), a
	 * pipe consumer here feeds a producer there. Pause, resume and close follow the
	 * original; key frame requests travel back over the pipe's RTCP.
	 *
	 * keepId: the piped producer keeps the original's id when the routers are on
	 * different workers. Within one worker ids must be unique (they address engine
	 * objects), so there the piped producer always gets a new id.
	 */
	async pipeToRouter({
		producerId,
		dataProducerId,
		router,
		keepId = true,
		listenInfo,
		listenIp,
		enableRtx = false,
		enableSrtp = false,
		...sctpOptions
	}: PipeToRouterOptions): Promise<PipeToRouterResult> {
		// Arguments in mediasoup's order, then state.
		if (listenInfo && listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
		if (!producerId && !dataProducerId) throw new TypeError('missing producerId or dataProducerId');
		if (producerId && dataProducerId) throw new TypeError('just producerId or dataProducerId can be given');
		if (!router) throw new TypeError('missing router');
		if (!(router instanceof Router)) throw new TypeError('invalid router');
		if (router === this) throw new TypeError('cannot use this Router as destination');
		if (typeof keepId !== 'boolean') throw new TypeError('invalid keepId: must be a boolean');
		// As mediasoup: the pipe pair carries SCTP unless told not to.
		const sctp = resolveSctp(sctpOptions, true);
		listenInfo = listenInfo === undefined && listenIp === undefined
			? { protocol: 'udp', ip: '127.0.0.1' }
			: resolveListenInfo({ listenInfo, listenIp });
		if (this.#closed) throw closedObjectError('Router', 'pipeToRouter()', this.#channel.closed);
		if (router.closed) throw new NotFoundError('destination router closed');
		const dataProducer = dataProducerId ? this.#dataProducers.get(dataProducerId) : undefined;
		if (dataProducerId && !dataProducer) throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
		const producer = producerId ? this.#producers.get(producerId) : undefined;
		if (producerId && !producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);

		let pair = this.#pipeTransportPairs.get(router);
		if (!pair) {
			// One pair per two routers, whichever pipes first: the other router sees the
			// same pair, reversed (as mediasoup), so A->B and B->A at once share it.
			pair = this.#createPipePair(router, { listenInfo, enableRtx, enableSrtp, sctp });
			const reversed = pair.then(([local, remote]): [PipeTransport, PipeTransport] => [remote, local]);
			this.#pipeTransportPairs.set(router, pair);
			router.#pipeTransportPairs.set(this, reversed);
			pair.catch(() => {
				if (this.#pipeTransportPairs.get(router) === pair) this.#pipeTransportPairs.delete(router);
				if (router.#pipeTransportPairs.get(this) === reversed) router.#pipeTransportPairs.delete(this);
			});
			reversed.catch(() => undefined);
		}
		const [localPipe, remotePipe] = await pair;
		if (dataProducer) return this.#pipeDataProducer(dataProducer, localPipe, remotePipe, keepId);

		const pipeConsumer = await localPipe.consume({ producerId: producer!.id });
		let pipeProducer: Producer;
		try {
			pipeProducer = await remotePipe.produce({
				// With keepId on the same worker the engine refuses the duplicate id, as
				// mediasoup's worker does.
				id: keepId ? producer!.id : undefined,
				kind: pipeConsumer.kind,
				rtpParameters: pipeConsumer.rtpParameters,
				paused: pipeConsumer.producerPaused,
				appData: producer!.appData,
			});
		} catch (error) {
			pipeConsumer.close();
			throw error;
		}
		// The piped producer follows the original.
		pipeConsumer.observer.on('close', () => pipeProducer.close());
		pipeConsumer.on('producerpause', () => void pipeProducer.pause().catch(() => undefined));
		pipeConsumer.on('producerresume', () => void pipeProducer.resume().catch(() => undefined));
		pipeProducer.observer.on('close', () => pipeConsumer.close());
		return { pipeConsumer, pipeProducer };
	}

	/** pipeToRouter() of a DataProducer: a pipe DataConsumer here feeds a DataProducer there. */
	async #pipeDataProducer(
		dataProducer: DataProducer,
		localPipe: PipeTransport,
		remotePipe: PipeTransport,
		keepId: boolean
	): Promise<PipeToRouterResult> {
		const pipeDataConsumer = await localPipe.consumeData({ dataProducerId: dataProducer.id });
		let pipeDataProducer: DataProducer;
		try {
			pipeDataProducer = await remotePipe.produceData({
				id: keepId ? dataProducer.id : undefined,
				sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
				label: pipeDataConsumer.label,
				protocol: pipeDataConsumer.protocol,
				paused: pipeDataConsumer.dataProducerPaused,
				appData: dataProducer.appData,
			});
		} catch (error) {
			pipeDataConsumer.close();
			throw error;
		}
		// The piped DataProducer follows the original.
		pipeDataConsumer.observer.on('close', () => pipeDataProducer.close());
		pipeDataConsumer.on('dataproducerpause', () => void pipeDataProducer.pause().catch(() => undefined));
		pipeDataConsumer.on('dataproducerresume', () => void pipeDataProducer.resume().catch(() => undefined));
		pipeDataProducer.observer.on('close', () => pipeDataConsumer.close());
		return { pipeDataConsumer, pipeDataProducer };
	}

	async #createPipePair(
		router: Router,
		options: { listenInfo: TransportListenInfo; enableRtx: boolean; enableSrtp: boolean; sctp: Record<string, unknown> }
	): Promise<[PipeTransport, PipeTransport]> {
		const pipeOptions = {
			listenInfo: options.listenInfo, enableRtx: options.enableRtx, enableSrtp: options.enableSrtp, ...options.sctp,
		} as PipeTransportOptions;
		const [local, remote] = await Promise.all([
			this.createPipeTransport(pipeOptions),
			router.createPipeTransport(pipeOptions),
		]);
		try {
			// Both routers live in this process: the pair hands its datagrams over through
			// an in-process link (a ring per direction between the two worker threads)
			// rather than through its UDP sockets, which stay connected for what does not
			// fit a ring slot. See docs/ARCHITECTURE.md, "In-process pipes".
			const linkId = generateUUIDv4();
			await Promise.all([
				this.#channel.request('transport.linkInProcess', local.id, { linkId, side: 0 }),
				router.#channel.request('transport.linkInProcess', remote.id, { linkId, side: 1 }),
			]);
			await Promise.all([
				local.connect({ ip: remote.tuple.localAddress, port: remote.tuple.localPort, srtpParameters: remote.srtpParameters }),
				remote.connect({ ip: local.tuple.localAddress, port: local.tuple.localPort, srtpParameters: local.srtpParameters }),
			]);
		} catch (error) {
			local.close();
			remote.close();
			throw error;
		}
		const forget = (): void => {
			this.#pipeTransportPairs.delete(router);
			router.#pipeTransportPairs.delete(this);
			local.close();
			remote.close();
		};
		local.observer.on('close', forget);
		remote.observer.on('close', forget);
		return [local, remote];
	}

	#closeTransports(): void {
		for (const transport of this.#transports.values()) transport.routerClosed();
		this.#transports.clear();
		for (const rtpObserver of this.#rtpObservers.values()) rtpObserver.routerClosed();
		this.#rtpObservers.clear();
		this.#producers.clear();
		this.#dataProducers.clear();
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
		if (this.#closed) throw closedObjectError('Router', 'dump()', this.#channel.closed);
		return this.#channel.request<RouterDump>('router.dump', this.#id);
	}
}

function resolveListenInfo(options: { listenInfo?: unknown; listenIp?: unknown; port?: number }): TransportListenInfo {
	if (options.listenInfo !== undefined && options.listenIp !== undefined) {
		throw new TypeError('only one of listenInfo and listenIp must be given');
	}
	if (options.listenInfo !== undefined) return normaliseListenInfo(options.listenInfo, 'listenInfo');
	if (options.listenIp === undefined) throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
	const listenIp = typeof options.listenIp === 'string' ? { ip: options.listenIp } : (options.listenIp as { ip: string; announcedIp?: string; announcedAddress?: string });
	if (!isPlainObject(listenIp)) throw new TypeError('invalid listenIp');
	return normaliseListenInfo(
		{ protocol: 'udp', ip: listenIp.ip, announcedAddress: listenIp.announcedAddress ?? listenIp.announcedIp, port: options.port },
		'listenIp'
	);
}

/** SCTP options of a transport (mediasoup 3.27's names and defaults), as the engine takes them. */
export type SctpTransportOptions = {
	enableSctp?: boolean;
	/** @deprecated mediasoup 3.14: stream counts (3.20+ always offers 65535). */
	numSctpStreams?: NumSctpStreams;
	/** @deprecated mediasoup 3.14: the largest message received (maxReceiveMessageSize). */
	maxSctpMessageSize?: number;
	maxSendMessageSize?: number;
	maxReceiveMessageSize?: number;
	sctpSendBufferSize?: number;
	sctpPerStreamSendQueueLimit?: number;
	sctpMaxReceiverWindowBufferSize?: number;
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
};

function resolveSctp(options: SctpTransportOptions, enableSctpByDefault = false): Record<string, unknown> {
	const { enableSctp = enableSctpByDefault, numSctpStreams, maxSctpMessageSize } = options;
	if (typeof enableSctp !== 'boolean') throw new TypeError('invalid enableSctp: must be a boolean');
	if (numSctpStreams !== undefined) validateNumSctpStreams(numSctpStreams);
	const {
		maxSendMessageSize = 262144,
		maxReceiveMessageSize = maxSctpMessageSize ?? 262144,
		sctpSendBufferSize = 2000000,
		sctpPerStreamSendQueueLimit = 2000000,
		sctpMaxReceiverWindowBufferSize = 5242880,
		sctpDefaultStreamBufferedAmountLowThreshold = 1024,
	} = options;
	const sizes = {
		maxSendMessageSize, maxReceiveMessageSize, sctpSendBufferSize, sctpPerStreamSendQueueLimit, sctpMaxReceiverWindowBufferSize,
	};
	if (maxSctpMessageSize !== undefined) Object.assign(sizes, { maxSctpMessageSize });
	for (const [name, value] of Object.entries(sizes)) {
		if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 0xffffffff) {
			throw new TypeError(`invalid ${name}: must be a positive integer`);
		}
	}
	const threshold = sctpDefaultStreamBufferedAmountLowThreshold;
	if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 0 || threshold > 0xffffffff) {
		throw new TypeError('invalid sctpDefaultStreamBufferedAmountLowThreshold: must be a non-negative integer');
	}
	return {
		enableSctp,
		numSctpStreams,
		maxSendMessageSize,
		maxReceiveMessageSize,
		sctpSendBufferSize,
		sctpPerStreamSendQueueLimit,
		sctpMaxReceiverWindowBufferSize,
		sctpDefaultStreamBufferedAmountLowThreshold: threshold,
	};
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

useMediasoupClassName(Router, 'RouterImpl');
