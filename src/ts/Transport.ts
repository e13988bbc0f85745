import { EventEmitter } from 'node:events';
import {
	kAdjustConsumerRtpParameters,
	kDataChannelEvents,
	kOpenDataChannelInBand,
	type AdjustConsumerRtpParameters,
	type OpenDataChannelInBand,
} from './internalHooks';
import { Channel } from './Channel';
import { Consumer, ConsumerLayers, ConsumerOptions, ConsumerScore, ConsumerType } from './Consumer';
import { NotFoundError, UnsupportedError } from './errors';
import * as ortc from './ortc';
import { Producer, ProducerOptions, ProducerType } from './Producer';
import { RtpCapabilities, RtpParameters } from './RtpParameters';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { DataConsumer } from './DataConsumer';
import type { DataConsumerOptions, DataConsumerType } from './DataConsumerTypes';
import { DataProducer, normalizedSubchannels } from './DataProducer';
import type { DataProducerDump, DataProducerOptions } from './DataProducerTypes';
import type { SctpNegotiatedCapabilities, SctpParameters, SctpStreamParameters } from './SctpParameters';
import type { SctpState } from './TransportTypes';
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
	getDataProducerById: (dataProducerId: string) => DataProducer | undefined;
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
	readonly #dataProducers = new Map<string, DataProducer>();
	readonly #dataConsumers = new Map<string, DataConsumer>();
	// SCTP stream ids of this transport's data consumers (outgoing streams), allocated
	// round robin as mediasoup does: 65535 ids, wrapping below the negotiated count.
	#sctpStreamIds?: Uint8Array;
	#nextSctpStreamId = 0;
	#sctpNegotiatedMaxOutboundStreams?: number;
	// The SCTP association of WebRTC, plain and pipe transports created with enableSctp.
	#sctpParameters?: SctpParameters;
	#sctpState?: SctpState;
	#sctpNegotiatedCapabilities?: SctpNegotiatedCapabilities;

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
		const { type } = await this.channel.requestCreating<{ type: ProducerType }>('transport.produce', this.#id, {
			producerId,
			kind,
			rtpParameters: params,
			rtpMapping,
			consumableRtpEncodings: consumableRtpParameters.encodings,
			keyFrameRequestDelay,
			paused,
			enableMediasoupPacketIdHeaderExtension,
		}, producerId);
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
		const adjust = (options as { [kAdjustConsumerRtpParameters]?: unknown })[kAdjustConsumerRtpParameters];
		if (typeof adjust === 'function') (adjust as AdjustConsumerRtpParameters)(rtpParameters);
		const consumerId = generateUUIDv4();
		const type: ConsumerType = pipe ? 'pipe' : producer.type;
		const result = await this.channel.requestCreating<{
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
		}, consumerId);
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

	/** Receives data channel messages from the endpoint (or, on a DirectTransport, from send()). */
	async produceData<T extends AppData = AppData>(options: DataProducerOptions<T> = {}): Promise<DataProducer<T>> {
		this.assertOpen('produceData()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { id, sctpStreamParameters, label = '', protocol = '', paused = false, appData } = options;
		if (id !== undefined && (typeof id !== 'string' || id.length === 0)) throw new TypeError('invalid id');
		if (id !== undefined && this.#dataProducers.has(id)) throw new TypeError(`a DataProducer with same id "${id}" already exists`);
		if (typeof label !== 'string') throw new TypeError('invalid label: must be a string');
		if (typeof protocol !== 'string') throw new TypeError('invalid protocol: must be a string');
		if (typeof paused !== 'boolean') throw new TypeError('invalid paused: must be a boolean');
		validateAppData(appData);
		let params: SctpStreamParameters | undefined;
		const type = this.type === 'direct' ? 'direct' : 'sctp';
		if (type === 'sctp') {
			params = validatedSctpStreamParameters(sctpStreamParameters);
		} else if (sctpStreamParameters !== undefined) {
			logger.warn('produceData() | sctpStreamParameters are ignored when producing data on a DirectTransport');
		}
		const dataProducerId = id ?? generateUUIDv4();
		const dump = await this.channel.request<DataProducerDump>('transport.produceData', this.#id, {
			dataProducerId,
			type,
			sctpStreamParameters: params,
			label,
			protocol,
			paused,
		});
		const dataProducer = new DataProducer<T>({
			dataProducerId,
			transportId: this.#id,
			type: dump.type,
			sctpStreamParameters: dump.sctpStreamParameters,
			label: dump.label,
			protocol: dump.protocol,
			paused,
			channel: this.channel,
			appData: (appData ?? {}) as T,
		});
		if (this.#closed) {
			dataProducer.transportClosed();
			throw closedObjectError('Transport', 'produceData()', this.channel.closed);
		}
		this.#dataProducers.set(dataProducerId, dataProducer as DataProducer);
		dataProducer.on('@close', () => {
			this.#dataProducers.delete(dataProducerId);
			(this as EnhancedEventEmitter<TransportEvents>).emit('@dataproducerclose', dataProducer as DataProducer);
		});
		(this as EnhancedEventEmitter<TransportEvents>).emit('@newdataproducer', dataProducer as DataProducer);
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newdataproducer', dataProducer as DataProducer);
		return dataProducer;
	}

	/** Sends a DataProducer's messages to the endpoint (or, on a DirectTransport, to 'message' events). */
	async consumeData<T extends AppData = AppData>(options: DataConsumerOptions<T>): Promise<DataConsumer<T>> {
		this.assertOpen('consumeData()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { dataProducerId, ordered, maxPacketLifeTime, maxRetransmits, paused = false, subchannels, appData } = options;
		if (typeof dataProducerId !== 'string' || dataProducerId.length === 0) throw new TypeError('missing dataProducerId');
		if (ordered !== undefined && typeof ordered !== 'boolean') throw new TypeError('invalid ordered: must be a boolean');
		for (const [name, value] of Object.entries({ maxPacketLifeTime, maxRetransmits })) {
			if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)) {
				throw new TypeError(`invalid ${name}: must be an integer between 0 and 65535`);
			}
		}
		if (typeof paused !== 'boolean') throw new TypeError('invalid paused: must be a boolean');
		const engineSubchannels = subchannels === undefined ? undefined : normalizedSubchannels(subchannels, 'subchannels');
		validateAppData(appData);
		const dataProducer = this.#routerAccess.getDataProducerById(dataProducerId);
		if (!dataProducer) throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
		const inBand = (options as { [kOpenDataChannelInBand]?: OpenDataChannelInBand })[kOpenDataChannelInBand];
		let type: DataConsumerType;
		let sctpStreamParameters: SctpStreamParameters | undefined;
		let sctpStreamId: number | undefined;
		if (this.type === 'direct') {
			type = 'direct';
			if (ordered !== undefined || maxPacketLifeTime !== undefined || maxRetransmits !== undefined) {
				logger.warn('consumeData() | ordered, maxPacketLifeTime and maxRetransmits are ignored when consuming data on a DirectTransport');
			}
		} else {
			type = 'sctp';
			// As mediasoup: the DataProducer's reliability unless overridden here; a
			// direct DataProducer's consumers are ordered and reliable by default.
			sctpStreamId = this.#allocateSctpStreamId(inBand?.streamIdParity);
			sctpStreamParameters = dataProducer.sctpStreamParameters ?? { streamId: sctpStreamId, ordered: true };
			sctpStreamParameters.streamId = sctpStreamId;
			if (ordered !== undefined) {
				sctpStreamParameters.ordered = ordered;
				if (ordered) {
					delete sctpStreamParameters.maxPacketLifeTime;
					delete sctpStreamParameters.maxRetransmits;
				}
			}
			if (!ordered) {
				if (maxPacketLifeTime !== undefined) {
					sctpStreamParameters.ordered = false;
					sctpStreamParameters.maxPacketLifeTime = maxPacketLifeTime;
					delete sctpStreamParameters.maxRetransmits;
				}
				if (maxRetransmits !== undefined) {
					sctpStreamParameters.ordered = false;
					sctpStreamParameters.maxRetransmits = maxRetransmits;
					delete sctpStreamParameters.maxPacketLifeTime;
				}
			}
		}
		const releaseStreamId = (): void => {
			if (sctpStreamId !== undefined && this.#sctpStreamIds) this.#sctpStreamIds[sctpStreamId] = 0;
		};
		const dataConsumerId = generateUUIDv4();
		let dump: {
			type: DataConsumerType;
			sctpStreamParameters?: SctpStreamParameters;
			label: string;
			protocol: string;
			paused: boolean;
			dataProducerPaused: boolean;
			subchannels: number[];
			bufferedAmountLowThreshold: number;
		};
		try {
			dump = await this.channel.requestCreating('transport.consumeData', this.#id, {
				dataConsumerId,
				dataProducerId,
				type,
				sctpStreamParameters,
				label: dataProducer.label,
				protocol: dataProducer.protocol,
				paused,
				subchannels: engineSubchannels,
				...(inBand && type === 'sctp' ? { dcepOpen: true } : {}),
			}, dataConsumerId);
		} catch (error) {
			releaseStreamId();
			throw error;
		}
		const dataConsumer = new DataConsumer<T>({
			dataConsumerId,
			dataProducerId,
			transportId: this.#id,
			type: dump.type,
			sctpStreamParameters: dump.sctpStreamParameters,
			label: dump.label,
			protocol: dump.protocol,
			paused: dump.paused,
			dataProducerPaused: dump.dataProducerPaused,
			subchannels: dump.subchannels,
			bufferedAmountLowThreshold: dump.bufferedAmountLowThreshold,
			channel: this.channel,
			appData: (appData ?? {}) as T,
		});
		if (this.#closed) {
			dataConsumer.transportClosed();
			throw closedObjectError('Transport', 'consumeData()', this.channel.closed);
		}
		this.#dataConsumers.set(dataConsumerId, dataConsumer as DataConsumer);
		const forget = (): void => {
			this.#dataConsumers.delete(dataConsumerId);
			releaseStreamId();
		};
		dataConsumer.on('@close', forget);
		dataConsumer.on('@dataproducerclose', forget);
		(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newdataconsumer', dataConsumer as DataConsumer);
		return dataConsumer;
	}

	/** Subclasses with SCTP: the association's parameters and state from the creation dump. */
	protected initSctp(dump: { sctpParameters?: SctpParameters; sctpState?: SctpState }): void {
		this.#sctpParameters = dump.sctpParameters;
		this.#sctpState = dump.sctpParameters ? (dump.sctpState ?? 'new') : undefined;
	}

	protected get sctpParametersCopy(): SctpParameters | undefined {
		return this.#sctpParameters ? clone(this.#sctpParameters) : undefined;
	}

	protected get currentSctpState(): SctpState | undefined {
		return this.#sctpState;
	}

	protected get sctpNegotiatedCapabilitiesCopy(): SctpNegotiatedCapabilities | undefined {
		return this.#sctpNegotiatedCapabilities ? { ...this.#sctpNegotiatedCapabilities } : undefined;
	}

	/**
	 * Handles the engine events every network transport has: 'trace' (bwe) and the SCTP
	 * ones ('sctpstatechange', 'sctpnegotiatedcapabilities'); false for others.
	 */
	protected handleSharedEngineEvent(event: string, data: unknown): boolean {
		if (event === 'trace') {
			const trace = data as TransportTraceEventData;
			(this as EnhancedEventEmitter<TransportEvents>).safeEmit('trace', trace);
			(this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('trace', trace);
			return true;
		}
		if (event === 'sctpstatechange') {
			const state = (data as { sctpState: SctpState }).sctpState;
			this.#sctpState = state;
			const emitter = this as unknown as EnhancedEventEmitter<{ sctpstatechange: [SctpState] }>;
			emitter.safeEmit('sctpstatechange', state);
			(this.#observer as unknown as EnhancedEventEmitter<{ sctpstatechange: [SctpState] }>).safeEmit('sctpstatechange', state);
			return true;
		}
		if (event === 'datachannelopen') {
			this.#dataChannelEvents?.emit('open', data);
			return true;
		}
		if (event === 'sctpincomingstreamsreset') {
			this.#dataChannelEvents?.emit('streamsreset', (data as { streamIds: number[] }).streamIds);
			return true;
		}
		if (event === 'sctpnegotiatedcapabilities') {
			this.#sctpNegotiatedCapabilities = data as SctpNegotiatedCapabilities;
			this.#sctpNegotiatedMaxOutboundStreams = this.#sctpNegotiatedCapabilities.negotiatedMaxOutboundStreams;
			return true;
		}
		return false;
	}

	#dataChannelEvents?: EventEmitter;
	/** Internal (the W3C layer): the peer's in-band data channel events (made on first use). */
	get [kDataChannelEvents](): EventEmitter {
		return (this.#dataChannelEvents ??= new EventEmitter());
	}

	#allocateSctpStreamId(parity?: 0 | 1): number {
		this.#sctpStreamIds ??= new Uint8Array(65535);
		// A connected association may have fewer outgoing streams than ids handed out:
		// start again from 0 rather than use a stream the peer does not accept.
		if (this.#sctpNegotiatedMaxOutboundStreams !== undefined && this.#nextSctpStreamId + 1 > this.#sctpNegotiatedMaxOutboundStreams) {
			this.#nextSctpStreamId = 0;
		}
		const ids = this.#sctpStreamIds;
		for (let i = 0; i < ids.length; i++) {
			const streamId = (this.#nextSctpStreamId + i) % ids.length;
			if (ids[streamId] === 0 && (parity === undefined || streamId % 2 === parity)) {
				ids[streamId] = 1;
				this.#nextSctpStreamId = streamId + 1;
				return streamId;
			}
		}
		throw new Error('no sctpStreamId available');
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
		if (this.#sctpState) this.#sctpState = 'closed';
		this.channel.unsubscribe(this.#id);
		// The engine closed them with the transport.
		for (const producer of this.#producers.values()) {
			producer.transportClosed();
			(this as EnhancedEventEmitter<TransportEvents>).emit('@producerclose', producer);
		}
		this.#producers.clear();
		for (const consumer of this.#consumers.values()) consumer.transportClosed();
		this.#consumers.clear();
		for (const dataProducer of this.#dataProducers.values()) {
			dataProducer.transportClosed();
			(this as EnhancedEventEmitter<TransportEvents>).emit('@dataproducerclose', dataProducer);
		}
		this.#dataProducers.clear();
		for (const dataConsumer of this.#dataConsumers.values()) dataConsumer.transportClosed();
		this.#dataConsumers.clear();
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

/**
 * A copy of valid SctpStreamParameters, with `ordered` resolved by mediasoup's rules: a
 * partial-reliability limit (a non-zero one: mediasoup tests them for truth) makes the
 * stream unordered unless `ordered` is given, and cannot be combined with `ordered: true`.
 */
export function validatedSctpStreamParameters(value: unknown): SctpStreamParameters {
	if (!isPlainObject(value)) throw new TypeError('missing sctpStreamParameters');
	const { streamId, ordered, maxPacketLifeTime, maxRetransmits } = value as {
		streamId?: unknown; ordered?: unknown; maxPacketLifeTime?: unknown; maxRetransmits?: unknown;
	};
	if (typeof streamId !== 'number' || !Number.isInteger(streamId) || streamId < 0 || streamId > 65534) {
		throw new TypeError('invalid sctpStreamParameters.streamId: must be an integer between 0 and 65534');
	}
	if (ordered !== undefined && ordered !== null && typeof ordered !== 'boolean') {
		throw new TypeError('invalid sctpStreamParameters.ordered: must be a boolean');
	}
	const limits: Record<string, number | undefined> = {};
	for (const [name, limit] of Object.entries({ maxPacketLifeTime, maxRetransmits })) {
		if (limit === undefined || limit === null) continue;
		if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 65535) {
			throw new TypeError(`invalid sctpStreamParameters.${name}: must be an integer between 0 and 65535`);
		}
		limits[name] = limit;
	}
	if (limits.maxPacketLifeTime && limits.maxRetransmits) {
		throw new TypeError('invalid sctpStreamParameters: cannot provide both maxPacketLifeTime and maxRetransmits');
	}
	const partial = Boolean(limits.maxPacketLifeTime || limits.maxRetransmits);
	if (ordered === true && partial) {
		throw new TypeError('invalid sctpStreamParameters: cannot be ordered with maxPacketLifeTime or maxRetransmits');
	}
	const params: SctpStreamParameters = { streamId, ordered: typeof ordered === 'boolean' ? ordered : !partial };
	if (limits.maxPacketLifeTime !== undefined) params.maxPacketLifeTime = limits.maxPacketLifeTime;
	if (limits.maxRetransmits !== undefined) params.maxRetransmits = limits.maxRetransmits;
	return params;
}

function validateBitrate(bitrate: unknown): void {
	if (typeof bitrate !== 'number' || !Number.isInteger(bitrate) || bitrate < 0 || bitrate > 0xffffffff) {
		throw new TypeError('invalid bitrate: must be an unsigned 32-bit integer');
	}
}
