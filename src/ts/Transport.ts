import { Channel } from './Channel';
import { Consumer, ConsumerLayers, ConsumerOptions, ConsumerScore, ConsumerType } from './Consumer';
import { NotFoundError, UnsupportedError } from './errors';
import * as ortc from './ortc';
import { Producer, ProducerOptions, ProducerType } from './Producer';
import { RtpCapabilities, RtpParameters } from './RtpParameters';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { DataConsumer } from './DataConsumerTypes';
import type { DataProducer } from './DataProducerTypes';
import type { TransportTraceEventData } from './TransportTypes';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import { TransportTraceEventType, TransportType } from './TransportTypes';
import { AppData, clone, generateUUIDv4, isPlainObject, validateAppData, knownTraceEventTypes } from './utils';

const logger = new Logger('Transport');

const TRACE_EVENT_TYPES: readonly TransportTraceEventType[] = ['probation', 'bwe'];

export type TransportEvents = {
	routerclose: [];
	listenserverclose: [];
	trace: [TransportTraceEventData];
	listenererror: [string, Error];
	'@close': [];
	'@listenserverclose': [];
	'@newproducer': [Producer];
	'@producerclose': [Producer];
	'@newdataproducer': [DataProducer];
	'@dataproducerclose': [DataProducer];
};

export type TransportObserverEvents = {
	close: [];
	newproducer: [Producer];
	newconsumer: [Consumer];
	newdataproducer: [DataProducer];
	newdataconsumer: [DataConsumer];
	trace: [TransportTraceEventData];
};

export type TransportObserver = EnhancedEventEmitter<TransportObserverEvents>;

/** What a transport needs from its router (passed down at creation). */
export type RouterAccess = {
	getRouterRtpCapabilities: () => RtpCapabilities;
	getProducerById: (producerId: string) => Producer | undefined;
};

export type TransportConstructorOptions<T extends AppData> = {
	transportId: string;
	channel: Channel;
	appData: T;
	routerAccess: RouterAccess;
};

const MAX_MID = 100_000_000;

/**
 * What every transport kind has (mediasoup v3 Transport): identity, closing, the
 * bitrate settings, trace events, stats and dump. Subclasses add their protocol.
 */
export abstract class Transport<
	TransportAppData extends AppData = AppData,
	Events extends TransportEvents = TransportEvents,
	ObserverEvents extends TransportObserverEvents = TransportObserverEvents,
> extends EnhancedEventEmitter<Events> {
	readonly #id: string;
	protected readonly channel: Channel;
	readonly #observer: EnhancedEventEmitter<ObserverEvents>;
	#closed = false;
	#appData: TransportAppData;
	readonly #routerAccess: RouterAccess;
	readonly #producers = new Map<string, Producer>();
	readonly #consumers = new Map<string, Consumer>();
	// RFC 3550 §6.5.1: one CNAME per endpoint; producers that give none share this one.
	#cnameForProducers?: string;
	#nextMidForConsumers = 0;
	// SSRCs of this transport's consumers: random SSRCs collide sometimes (birthday
	// odds reach a few percent at 10,000 consumers), and two streams on one transport
	// must never share one (RFC 3550 §8).
	readonly #consumerSsrcs = new Set<number>();

	protected constructor({ transportId, channel, appData, routerAccess }: TransportConstructorOptions<TransportAppData>) {
		super();
		this.#id = transportId;
		this.channel = channel;
		this.#appData = appData;
		this.#routerAccess = routerAccess;
		this.#observer = new EnhancedEventEmitter<ObserverEvents>();
		this.channel.subscribe(this.#id, (event, data) => this.handleEngineEvent(event, data));
	}

	get id(): string {
		return this.#id;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get appData(): TransportAppData {
		return this.#appData;
	}

	set appData(appData: TransportAppData) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<ObserverEvents> {
		return this.#observer;
	}

	/** Closes the transport. Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.markClosed();
		this.channel
			.request('router.closeTransport', this.routerId, { transportId: this.#id })
			.catch((error: Error) => logger.debug('router.closeTransport failed: %s', error.message));
		(this as EnhancedEventEmitter<TransportEvents>).emit('@close');
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
	}

	/** @private The router closed (and closed this transport in the engine). */
	routerClosed(): void {
		if (this.#closed) return;
		logger.debug('routerClosed()');
		this.markClosed();
		(this as EnhancedEventEmitter<TransportEvents>).safeEmit('routerclose');
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
	}

	/** @private The WebRtcServer this transport listens on closed. */
	listenServerClosed(): void {
		if (this.#closed) return;
		logger.debug('listenServerClosed()');
		this.markClosed();
		this.channel
			.request('router.closeTransport', this.routerId, { transportId: this.#id })
			.catch((error: Error) => logger.debug('router.closeTransport failed: %s', error.message));
		(this as EnhancedEventEmitter<TransportEvents>).emit('@listenserverclose');
		(this as EnhancedEventEmitter<TransportEvents>).safeEmit('listenserverclose');
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
	}

	async dump(): Promise<unknown> {
		this.assertOpen('dump()');
		return this.channel.request('transport.dump', this.#id);
	}

	async getStats(): Promise<unknown[]> {
		this.assertOpen('getStats()');
		return this.channel.request<unknown[]>('transport.getStats', this.#id);
	}

	async setMaxIncomingBitrate(bitrate: number): Promise<void> {
		validateBitrate(bitrate);
		this.assertOpen('setMaxIncomingBitrate()');
		await this.channel.request('transport.setMaxIncomingBitrate', this.#id, { bitrate });
	}

	async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
		validateBitrate(bitrate);
		this.assertOpen('setMaxOutgoingBitrate()');
		await this.channel.request('transport.setMaxOutgoingBitrate', this.#id, { bitrate });
	}

	async setMinOutgoingBitrate(bitrate: number): Promise<void> {
		validateBitrate(bitrate);
		this.assertOpen('setMinOutgoingBitrate()');
		await this.channel.request('transport.setMinOutgoingBitrate', this.#id, { bitrate });
	}

	async enableTraceEvent(types: TransportTraceEventType[] = []): Promise<void> {
		const known = knownTraceEventTypes(types, TRACE_EVENT_TYPES, (type) =>
			logger.warn('enableTraceEvent() | ignoring unknown type "%s"', type)
		);
		this.assertOpen('enableTraceEvent()');
		await this.channel.request('transport.enableTraceEvent', this.#id, { types: known });
	}

	/** Injects media into the router: the endpoint sends RTP with these parameters. */
	async produce<T extends AppData = AppData>(options: ProducerOptions<T>): Promise<Producer<T>> {
		this.assertOpen('produce()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const {
			id, kind, rtpParameters, paused = false, keyFrameRequestDelay = 0, enableMediasoupPacketIdHeaderExtension = false, appData,
		} = options;
		if (id !== undefined && (typeof id !== 'string' || id.length === 0)) throw new TypeError('invalid id');
		if (id !== undefined && this.#producers.has(id)) throw new TypeError(`a Producer with same id "${id}" already exists`);
		if (kind !== 'audio' && kind !== 'video') throw new TypeError(`invalid kind "${String(kind)}"`);
		if (typeof paused !== 'boolean') throw new TypeError('invalid paused: must be a boolean');
		if (typeof enableMediasoupPacketIdHeaderExtension !== 'boolean') {
			throw new TypeError('invalid enableMediasoupPacketIdHeaderExtension: must be a boolean');
		}
		if (typeof keyFrameRequestDelay !== 'number' || !Number.isInteger(keyFrameRequestDelay) || keyFrameRequestDelay < 0) {
			throw new TypeError('invalid keyFrameRequestDelay: must be a non-negative integer (ms)');
		}
		validateAppData(appData);
		if (!isPlainObject(rtpParameters)) throw new TypeError('missing rtpParameters');
		const params = clone(rtpParameters) as RtpParameters;
		ortc.validateRtpParameters(params);
		// As mediasoup: no encodings means one, matched by the MID (or refused by the
		// engine when there is no MID either).
		if (params.encodings!.length === 0) params.encodings = [{}];
		params.rtcp ??= {};
		if (this.keepsProducerCnames) {
			// A pipe carries producers of many senders: each keeps its own CNAME (a
			// shared one would tell the engine they share a clock).
			params.rtcp.cname ||= generateUUIDv4().slice(0, 8);
		} else {
			// One endpoint, one CNAME (RFC 7022): the first one given, or a random one,
			// for every producer of the transport.
			this.#cnameForProducers ??= params.rtcp.cname || generateUUIDv4().slice(0, 8);
			params.rtcp.cname = this.#cnameForProducers;
		}
		const routerRtpCapabilities = this.#routerAccess.getRouterRtpCapabilities();
		// Throws UnsupportedError when the router cannot take these codecs.
		const rtpMapping = ortc.getProducerRtpParametersMapping(params, routerRtpCapabilities);
		const consumableRtpParameters = ortc.getConsumableRtpParameters(kind, params, routerRtpCapabilities, rtpMapping);
		const producerId = id ?? generateUUIDv4();
		const { type } = await this.channel.request<{ type: ProducerType }>('transport.produce', this.#id, {
			producerId,
			kind,
			rtpParameters: params,
			rtpMapping,
			consumableRtpEncodings: consumableRtpParameters.encodings,
			keyFrameRequestDelay,
			paused,
			enableMediasoupPacketIdHeaderExtension,
		});
		const producer = new Producer<T>({
			producerId,
			transportId: this.#id,
			kind,
			rtpParameters: params,
			type,
			consumableRtpParameters,
			paused,
			channel: this.channel,
			appData: (appData ?? {}) as T,
			direct: this.isDirect,
		});
		if (this.#closed) {
			producer.transportClosed();
			throw closedObjectError('Transport', 'produce()', this.channel.closed);
		}
		this.#producers.set(producerId, producer as Producer);
		producer.on('@close', () => {
			this.#producers.delete(producerId);
			(this as EnhancedEventEmitter<TransportEvents>).emit('@producerclose', producer as Producer);
		});
		(this as EnhancedEventEmitter<TransportEvents>).emit('@newproducer', producer as Producer);
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newproducer', producer as Producer);
		return producer;
	}

	/** Sends a producer's media to the endpoint, negotiated against its rtpCapabilities. */
	async consume<T extends AppData = AppData>(options: ConsumerOptions<T>): Promise<Consumer<T>> {
		this.assertOpen('consume()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { producerId, rtpCapabilities, paused = false, mid, preferredLayers, ignoreDtx = false, pipe = false, appData } = options;
		if (typeof producerId !== 'string' || producerId.length === 0) throw new TypeError('missing producerId');
		if (!isPlainObject(rtpCapabilities)) throw new TypeError('missing rtpCapabilities');
		for (const [name, value] of Object.entries({ paused, ignoreDtx, pipe })) {
			if (typeof value !== 'boolean') throw new TypeError(`invalid ${name}: must be a boolean`);
		}
		if (mid !== undefined && (typeof mid !== 'string' || mid.length === 0)) throw new TypeError('invalid mid: must be a non-empty string');
		if (preferredLayers !== undefined) validateLayers(preferredLayers);
		validateAppData(appData);
		const caps = pipe ? (clone(rtpCapabilities) as RtpCapabilities) : ortc.validatedRtpCapabilitiesCopy(rtpCapabilities as RtpCapabilities);
		const producer = this.#routerAccess.getProducerById(producerId);
		if (!producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
		const enableRtx = options.enableRtx ?? producer.kind === 'video';
		if (typeof enableRtx !== 'boolean') throw new TypeError('invalid enableRtx: must be a boolean');
		const consumableRtpParameters = producer.consumableRtpParametersReadonly as RtpParameters;
		if (!pipe && !ortc.canConsume(consumableRtpParameters, caps)) {
			throw new UnsupportedError('cannot consume this Producer with the given rtpCapabilities');
		}
		// As mediasoup: a PipeTransport sends every stream with pipe parameters; consume()
		// with `pipe` elsewhere negotiates against the endpoint's capabilities as usual
		// (codecs, feedback, header extensions) but sends every stream too.
		const rtpParameters =
			this.type === 'pipe'
				? ortc.getPipeConsumerRtpParameters({ consumableRtpParameters, enableRtx })
				: pipe
					? ortc.getConsumerRtpParameters({ consumableRtpParameters, remoteRtpCapabilities: caps, pipe: true, enableRtx })
					: ortc.getSharedConsumerRtpParameters(consumableRtpParameters, caps, enableRtx);
		this.#assignUniqueSsrcs(rtpParameters);
		if (!pipe) {
			if (mid !== undefined) {
				rtpParameters.mid = mid;
			} else {
				rtpParameters.mid = String(this.#nextMidForConsumers++);
				if (this.#nextMidForConsumers === MAX_MID) this.#nextMidForConsumers = 0;
			}
		}
		const consumerId = generateUUIDv4();
		const type: ConsumerType = pipe ? 'pipe' : producer.type;
		const result = await this.channel.request<{
			paused: boolean;
			producerPaused: boolean;
			score: ConsumerScore;
			preferredLayers?: ConsumerLayers;
		}>('transport.consume', this.#id, {
			consumerId,
			producerId,
			kind: producer.kind,
			rtpParameters,
			type,
			consumableRtpEncodings: consumableRtpParameters.encodings,
			paused,
			preferredLayers,
			ignoreDtx,
		});
		const consumer = new Consumer<T>({
			consumerId,
			producerId,
			transportId: this.#id,
			kind: producer.kind,
			rtpParameters,
			consumableRtpEncodings: consumableRtpParameters.encodings,
			type,
			paused: result.paused,
			producerPaused: result.producerPaused,
			// As mediasoup: a PipeTransport's consumer starts at { 10, 10, [] } (its
			// 'score' events then carry the producer's stream scores).
			score: this.type === 'pipe' ? undefined : result.score,
			preferredLayers: result.preferredLayers,
			channel: this.channel,
			appData: (appData ?? {}) as T,
		});
		if (this.#closed) {
			consumer.transportClosed();
			throw closedObjectError('Transport', 'consume()', this.channel.closed);
		}
		this.#consumers.set(consumerId, consumer as Consumer);
		const ssrcs = consumerSsrcs(rtpParameters);
		const forget = (): void => {
			this.#consumers.delete(consumerId);
			for (const ssrc of ssrcs) this.#consumerSsrcs.delete(ssrc);
		};
		consumer.on('@close', forget);
		consumer.on('@producerclose', forget);
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newconsumer', consumer as Consumer);
		return consumer;
	}

	#assignUniqueSsrcs(rtpParameters: RtpParameters): void {
		const encoding = rtpParameters.encodings?.[0];
		if (!encoding || encoding.ssrc === undefined) return;
		for (let attempt = 0; attempt < 100; attempt++) {
			const taken = this.#consumerSsrcs.has(encoding.ssrc!) || (encoding.rtx && this.#consumerSsrcs.has(encoding.rtx.ssrc));
			if (!taken) break;
			encoding.ssrc = 100000000 + Math.floor(Math.random() * 900000000);
			if (encoding.rtx) encoding.rtx.ssrc = encoding.ssrc + 1;
		}
		for (const ssrc of consumerSsrcs(rtpParameters)) this.#consumerSsrcs.add(ssrc);
	}

	/** True for a DirectTransport (its producers take packets from JavaScript). */
	protected get isDirect(): boolean {
		return false;
	}

	/** 'webrtc', 'plain', 'pipe' or 'direct'. */
	abstract get type(): TransportType;

	/** Gives the transport its remote parameters (each subclass takes its own). */
	abstract connect(params: unknown): Promise<void>;

	/** Pipe transports keep each producer's own CNAME (see produce()). */
	private get keepsProducerCnames(): boolean {
		return this.type === 'pipe';
	}

	/** The router this transport belongs to (requests that close it go there). */
	protected abstract get routerId(): string;

	/** Engine events addressed to this transport. */
	protected abstract handleEngineEvent(event: string, data: unknown): void;

	/** Subclasses extend this to reset their own state (ICE/DTLS 'closed'). */
	protected markClosed(): void {
		this.#closed = true;
		this.channel.unsubscribe(this.#id);
		// The engine closed them with the transport.
		for (const producer of this.#producers.values()) {
			producer.transportClosed();
			(this as EnhancedEventEmitter<TransportEvents>).emit('@producerclose', producer);
		}
		this.#producers.clear();
		for (const consumer of this.#consumers.values()) consumer.transportClosed();
		this.#consumers.clear();
	}

	protected assertOpen(method: string): void {
		if (this.#closed) throw closedObjectError('Transport', method, this.channel.closed);
	}
}

function consumerSsrcs(rtpParameters: RtpParameters): number[] {
	const encoding = rtpParameters.encodings?.[0];
	const ssrcs: number[] = [];
	if (encoding?.ssrc !== undefined) ssrcs.push(encoding.ssrc);
	if (encoding?.rtx?.ssrc !== undefined) ssrcs.push(encoding.rtx.ssrc);
	return ssrcs;
}

function validateLayers(layers: unknown): void {
	if (!isPlainObject(layers)) throw new TypeError('invalid preferredLayers: must be an object');
	const { spatialLayer, temporalLayer } = layers as ConsumerLayers;
	if (typeof spatialLayer !== 'number' || !Number.isInteger(spatialLayer) || spatialLayer < 0) {
		throw new TypeError('invalid preferredLayers.spatialLayer');
	}
	if (temporalLayer !== undefined && (typeof temporalLayer !== 'number' || !Number.isInteger(temporalLayer) || temporalLayer < 0)) {
		throw new TypeError('invalid preferredLayers.temporalLayer');
	}
}

function validateBitrate(bitrate: unknown): void {
	if (typeof bitrate !== 'number' || !Number.isInteger(bitrate) || bitrate < 0 || bitrate > 0xffffffff) {
		throw new TypeError('invalid bitrate: must be an unsigned 32-bit integer');
	}
}
