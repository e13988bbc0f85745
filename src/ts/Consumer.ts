import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import { ProducerScore } from './Producer';
import { MediaKind, RtpCapabilities, RtpEncodingParameters, RtpParameters } from './RtpParameters';
import { AppData, clone, isPlainObject, knownTraceEventTypes, useMediasoupClassName } from './utils';

import { dumpRtpEncoding, dumpRtpParameters, EngineRtpStream, RtpStreamDump, rtpStreamDump } from './dumpUtils';
import type { RtpStreamRecvStats, RtpStreamSendStats } from './rtpStreamStatsTypes';

const logger = new Logger('Consumer');

export type ConsumerType = 'simple' | 'simulcast' | 'svc' | 'pipe';

export type ConsumerLayers = { spatialLayer: number; temporalLayer?: number };

export type ConsumerScore = {
	/** Score of the stream this consumer sends (0-10). */
	score: number;
	/** Score of the producer stream it forwards. */
	producerScore: number;
	/** Scores of every producer stream (simulcast: one per encoding). */
	producerScores: number[];
};

export type ConsumerOptions<T extends AppData = AppData> = {
	producerId: string;
	rtpCapabilities: RtpCapabilities;
	paused?: boolean;
	mid?: string;
	preferredLayers?: ConsumerLayers;
	ignoreDtx?: boolean;
	enableRtx?: boolean;
	pipe?: boolean;
	appData?: T;
};

export type ConsumerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir';

export type ConsumerTraceEventData = {
	type: ConsumerTraceEventType;
	timestamp: number;
	direction: 'in' | 'out';
	info: Record<string, unknown>;
};

/**
 * consumer.getStats() entries: the consumer's send stream(s) ('outbound-rtp'), then
 * the producer stream it forwards ('inbound-rtp'), as mediasoup.
 */
export type ConsumerStat = RtpStreamSendStats | RtpStreamRecvStats;

export type BaseConsumerDump = {
	id: string;
	producerId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	/** The producer's encodings as the router forwards them (mapped SSRCs). */
	consumableRtpEncodings?: RtpEncodingParameters[];
	supportedCodecPayloadTypes: number[];
	traceEventTypes: string[];
	paused: boolean;
	producerPaused: boolean;
	priority: number;
};

export type SimpleConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream: RtpStreamDump;
};

export type SimulcastConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream: RtpStreamDump;
	preferredSpatialLayer: number;
	targetSpatialLayer: number;
	currentSpatialLayer: number;
	preferredTemporalLayer: number;
	targetTemporalLayer: number;
	currentTemporalLayer: number;
};

export type SvcConsumerDump = SimulcastConsumerDump;

export type PipeConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStreams: RtpStreamDump[];
};

export type ConsumerDump = SimpleConsumerDump | SimulcastConsumerDump | SvcConsumerDump | PipeConsumerDump;

export type { RtpStreamDump, RtpStreamParametersDump, RtxStreamDump, RtxStreamParameters } from './dumpUtils';

export type ConsumerEvents = {
	transportclose: [];
	producerclose: [];
	producerpause: [];
	producerresume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
	rtp: [Buffer];
	listenererror: [string, Error];
	'@close': [];
	'@producerclose': [];
};

export type ConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
};

export type ConsumerObserver = EnhancedEventEmitter<ConsumerObserverEvents>;

const TRACE_TYPES: readonly ConsumerTraceEventType[] = ['rtp', 'keyframe', 'nack', 'pli', 'fir'];

type ConsumerConstructorOptions<T extends AppData> = {
	consumerId: string;
	producerId: string;
	transportId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	consumableRtpEncodings?: readonly RtpEncodingParameters[];
	type: ConsumerType;
	paused: boolean;
	producerPaused: boolean;
	score?: ConsumerScore;
	preferredLayers?: ConsumerLayers;
	channel: Channel;
	appData: T;
};

/** A producer's media sent to one endpoint through a transport (transport.consume()). */
export class Consumer<T extends AppData = AppData> extends EnhancedEventEmitter<ConsumerEvents> {
	readonly #id: string;
	readonly #producerId: string;
	readonly #transportId: string;
	readonly #kind: MediaKind;
	readonly #rtpParameters: RtpParameters;
	// The producer's consumable encodings (shared with it, never modified), for dump().
	readonly #consumableRtpEncodings?: readonly RtpEncodingParameters[];
	readonly #type: ConsumerType;
	readonly #channel: Channel;
	// Created on first use: most applications never observe consumers, and a consumer
	// is small enough that a second event emitter per consumer shows in memory and GC.
	#observer?: EnhancedEventEmitter<ConsumerObserverEvents>;
	#closed = false;
	#paused: boolean;
	#producerPaused: boolean;
	#priority = 1;
	#score: ConsumerScore;
	#preferredLayers?: ConsumerLayers;
	#currentLayers?: ConsumerLayers;
	#appData: T;

	/** @private Use transport.consume(). */
	constructor(options: ConsumerConstructorOptions<T>) {
		super();
		this.#id = options.consumerId;
		this.#producerId = options.producerId;
		this.#transportId = options.transportId;
		this.#kind = options.kind;
		this.#rtpParameters = options.rtpParameters;
		this.#consumableRtpEncodings = options.consumableRtpEncodings;
		this.#type = options.type;
		this.#paused = options.paused;
		this.#producerPaused = options.producerPaused;
		this.#score = options.score ?? { score: 10, producerScore: 10, producerScores: [] };
		this.#preferredLayers = options.preferredLayers;
		this.#channel = options.channel;
		this.#appData = options.appData;
		this.#channel.subscribe(this.#id, (event, data) => this.#onEngineEvent(event, data));
	}

	get id(): string {
		return this.#id;
	}

	get producerId(): string {
		return this.#producerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get kind(): MediaKind {
		return this.#kind;
	}

	get rtpParameters(): RtpParameters {
		return clone(this.#rtpParameters);
	}

	get type(): ConsumerType {
		return this.#type;
	}

	get paused(): boolean {
		return this.#paused;
	}

	get producerPaused(): boolean {
		return this.#producerPaused;
	}

	get priority(): number {
		return this.#priority;
	}

	get score(): ConsumerScore {
		return clone(this.#score);
	}

	get preferredLayers(): ConsumerLayers | undefined {
		return this.#preferredLayers ? { ...this.#preferredLayers } : undefined;
	}

	get currentLayers(): ConsumerLayers | undefined {
		return this.#currentLayers ? { ...this.#currentLayers } : undefined;
	}

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<ConsumerObserverEvents> {
		this.#observer ??= new EnhancedEventEmitter<ConsumerObserverEvents>();
		return this.#observer;
	}

	/** Closes the consumer. Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#markClosed();
		this.#channel
			.request('transport.closeConsumer', this.#transportId, { consumerId: this.#id })
			.catch((error: Error) => logger.debug('transport.closeConsumer failed: %s', error.message));
		this.emit('@close');
		this.#observer?.safeEmit('close');
	}

	/** @private The transport closed. */
	transportClosed(): void {
		if (this.#closed) return;
		logger.debug('transportClosed()');
		this.#markClosed();
		this.safeEmit('transportclose');
		this.#observer?.safeEmit('close');
	}

	async dump(): Promise<ConsumerDump> {
		this.#assertOpen('dump()');
		const { rtpStreams, consumableRtpEncodings, ...dump } = await this.#channel.request<
			Record<string, unknown> & { rtpStreams: EngineRtpStream[]; consumableRtpEncodings: { ssrc: number }[] }
		>('consumer.dump', this.#id);
		// The engine keeps only the fields it forwards with (the SSRCs, the scores); the
		// parameters live here, and the streams' parameters follow from them.
		const params = this.#rtpParameters;
		const streams = rtpStreams.map((stream, i) => rtpStreamDump(params, stream, i));
		const mediaPt = params.codecs.find((codec) => !/\/rtx$/i.test(codec.mimeType))?.payloadType;
		const result: Record<string, unknown> = {
			...dump,
			rtpParameters: dumpRtpParameters(params),
			consumableRtpEncodings: (this.#consumableRtpEncodings ?? consumableRtpEncodings).map((encoding) =>
				dumpRtpEncoding(encoding)
			),
			// The payload types the consumer sends: its media codec (RTX rides on it).
			supportedCodecPayloadTypes: mediaPt === undefined ? [] : [mediaPt],
		};
		if (this.#type === 'pipe') result.rtpStreams = streams;
		else result.rtpStream = streams[0];
		return result as unknown as ConsumerDump;
	}

	async getStats(): Promise<ConsumerStat[]> {
		this.#assertOpen('getStats()');
		return this.#channel.request<ConsumerStat[]>('consumer.getStats', this.#id);
	}

	async pause(): Promise<void> {
		this.#assertOpen('pause()');
		await this.#channel.request('consumer.pause', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused && !this.#producerPaused) this.#observer?.safeEmit('pause');
	}

	async resume(): Promise<void> {
		this.#assertOpen('resume()');
		await this.#channel.request('consumer.resume', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused && !this.#producerPaused) this.#observer?.safeEmit('resume');
	}

	async setPreferredLayers({ spatialLayer, temporalLayer }: ConsumerLayers): Promise<void> {
		// Arguments first, then state (as mediasoup: bad arguments are a TypeError even
		// on a closed consumer).
		if (typeof spatialLayer !== 'number' || !Number.isInteger(spatialLayer) || spatialLayer < 0) {
			throw new TypeError('invalid spatialLayer: must be a non-negative integer');
		}
		if (temporalLayer != null && (!Number.isInteger(temporalLayer) || temporalLayer < 0)) {
			throw new TypeError('invalid temporalLayer: must be a non-negative integer');
		}
		if (temporalLayer === null) temporalLayer = undefined;
		this.#assertOpen('setPreferredLayers()');
		const result = await this.#channel.request<{ preferredLayers?: ConsumerLayers }>(
			'consumer.setPreferredLayers', this.#id, { spatialLayer, temporalLayer });
		this.#preferredLayers = result?.preferredLayers;
	}

	async setPriority(priority: number): Promise<void> {
		if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 255) {
			throw new TypeError('invalid priority: must be an integer from 1 to 255');
		}
		this.#assertOpen('setPriority()');
		await this.#channel.request('consumer.setPriority', this.#id, { priority });
		this.#priority = priority;
	}

	async unsetPriority(): Promise<void> {
		await this.setPriority(1);
	}

	async requestKeyFrame(): Promise<void> {
		this.#assertOpen('requestKeyFrame()');
		await this.#channel.request('consumer.requestKeyFrame', this.#id);
	}

	async enableTraceEvent(types: ConsumerTraceEventType[] = []): Promise<void> {
		const known = knownTraceEventTypes(types, TRACE_TYPES, (type) =>
			logger.warn('enableTraceEvent() | ignoring unknown type "%s"', type)
		);
		this.#assertOpen('enableTraceEvent()');
		await this.#channel.request('consumer.enableTraceEvent', this.#id, { types: known });
	}

	#markClosed(): void {
		this.#closed = true;
		this.#channel.unsubscribe(this.#id);
	}

	#assertOpen(method: string): void {
		if (this.#closed) throw closedObjectError('Consumer', method, this.#channel.closed);
	}

	#onEngineEvent(event: string, data: unknown): void {
		switch (event) {
			case 'producerclose': {
				if (this.#closed) return;
				this.#markClosed();
				this.emit('@producerclose');
				this.safeEmit('producerclose');
				this.#observer?.safeEmit('close');
				break;
			}
			case 'producerpause': {
				if (this.#producerPaused) return;
				this.#producerPaused = true;
				this.safeEmit('producerpause');
				if (!this.#paused) this.#observer?.safeEmit('pause');
				break;
			}
			case 'producerresume': {
				if (!this.#producerPaused) return;
				this.#producerPaused = false;
				this.safeEmit('producerresume');
				if (!this.#paused) this.#observer?.safeEmit('resume');
				break;
			}
			case 'score': {
				this.#score = data as ConsumerScore;
				this.safeEmit('score', clone(this.#score));
				this.#observer?.safeEmit('score', clone(this.#score));
				break;
			}
			case 'layerschange': {
				const layers = isPlainObject(data) && 'spatialLayer' in data ? (data as ConsumerLayers) : undefined;
				this.#currentLayers = layers;
				this.safeEmit('layerschange', layers);
				this.#observer?.safeEmit('layerschange', layers);
				break;
			}
			case 'rtp': {
				// DirectTransport: the packet as the consumer sends it.
				this.safeEmit('rtp', data as Buffer);
				break;
			}
			case 'trace': {
				const trace = data as ConsumerTraceEventData;
				this.safeEmit('trace', trace);
				this.#observer?.safeEmit('trace', trace);
				break;
			}
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}
}

export type { ProducerScore };

useMediasoupClassName(Consumer, 'ConsumerImpl');
