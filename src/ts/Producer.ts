import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import { MediaKind, RtpParameters } from './RtpParameters';
import { AppData, clone, knownTraceEventTypes, useMediasoupClassName } from './utils';
import { dumpRtpParameters, EngineRtpStream, RtpStreamDump, rtpStreamDump } from './dumpUtils';
import type { RtpMapping } from './ortc';
import type { RtpStreamRecvStats } from './rtpStreamStatsTypes';

const logger = new Logger('Producer');

export type ProducerType = 'simple' | 'simulcast' | 'svc';

export type ProducerOptions<T extends AppData = AppData> = {
	/** Producer id (for a Producer on a pipe transport, the original's id). */
	id?: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	paused?: boolean;
	/** Minimum ms between key frame requests sent to the endpoint (default 0). */
	keyFrameRequestDelay?: number;
	/**
	 * Stamp every RTP packet received that carries none with mediasoup's packet-id
	 * header extension (`urn:mediasoup:params:rtp-hdrext:packet-id`, 4 bytes, one
	 * sequence per worker). Consumers that negotiated the extension send it, and
	 * pipes carry it to the next router (default false).
	 */
	enableMediasoupPacketIdHeaderExtension?: boolean;
	appData?: T;
};

export type ProducerScore = { encodingIdx: number; ssrc: number; rid?: string; score: number };

export type ProducerVideoOrientation = { camera: boolean; flip: boolean; rotation: number };

export type ProducerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'sr';

export type ProducerTraceEventData = {
	type: ProducerTraceEventType;
	timestamp: number;
	direction: 'in' | 'out';
	info: Record<string, unknown>;
};

/** A producer's receive stream statistics (one entry per stream receiving). */
export type ProducerStat = RtpStreamRecvStats;

/** producer.dump(), as mediasoup's. */
export type ProducerDump = {
	id: string;
	kind: string;
	type: ProducerType;
	rtpParameters: RtpParameters;
	/** The producer's payload types and SSRCs to the router's (ortc). */
	rtpMapping: RtpMapping;
	/** The receive streams that exist (created by their first packet); undefined while none. */
	rtpStreams: RtpStreamDump[] | undefined;
	traceEventTypes: string[];
	paused: boolean;
};

export type ProducerEvents = {
	transportclose: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
	listenererror: [string, Error];
	'@close': [];
};

export type ProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
};

export type ProducerObserver = EnhancedEventEmitter<ProducerObserverEvents>;

const TRACE_TYPES: readonly ProducerTraceEventType[] = ['rtp', 'keyframe', 'nack', 'pli', 'fir', 'sr'];

type ProducerConstructorOptions<T extends AppData> = {
	producerId: string;
	transportId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	type: ProducerType;
	consumableRtpParameters: RtpParameters;
	paused: boolean;
	channel: Channel;
	appData: T;
	direct?: boolean;
};

/** Media injected into a router through a transport (transport.produce()). */
export class Producer<T extends AppData = AppData> extends EnhancedEventEmitter<ProducerEvents> {
	readonly #id: string;
	readonly #transportId: string;
	readonly #kind: MediaKind;
	readonly #rtpParameters: RtpParameters;
	readonly #type: ProducerType;
	readonly #consumableRtpParameters: RtpParameters;
	readonly #channel: Channel;
	readonly #observer = new EnhancedEventEmitter<ProducerObserverEvents>();
	#closed = false;
	#paused: boolean;
	#score: ProducerScore[] = [];
	#appData: T;
	readonly #direct: boolean;

	/** @private Use transport.produce(). */
	constructor(options: ProducerConstructorOptions<T>) {
		super();
		this.#id = options.producerId;
		this.#transportId = options.transportId;
		this.#kind = options.kind;
		this.#rtpParameters = options.rtpParameters;
		this.#type = options.type;
		this.#consumableRtpParameters = options.consumableRtpParameters;
		this.#paused = options.paused;
		this.#channel = options.channel;
		this.#appData = options.appData;
		this.#direct = options.direct ?? false;
		this.#channel.subscribe(this.#id, (event, data) => this.#onEngineEvent(event, data));
	}

	get id(): string {
		return this.#id;
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

	get type(): ProducerType {
		return this.#type;
	}

	/** @private The parameters consumers of this producer are derived from. */
	get consumableRtpParameters(): RtpParameters {
		return clone(this.#consumableRtpParameters);
	}

	/** @private The same, not copied: for the negotiation code, which only reads it. */
	get consumableRtpParametersReadonly(): Readonly<RtpParameters> {
		return this.#consumableRtpParameters;
	}

	get paused(): boolean {
		return this.#paused;
	}

	get score(): ProducerScore[] {
		return clone(this.#score);
	}

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<ProducerObserverEvents> {
		return this.#observer;
	}

	/** Closes the producer (and, in the router, every consumer of it). Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#markClosed();
		this.#channel
			.request('transport.closeProducer', this.#transportId, { producerId: this.#id })
			.catch((error: Error) => logger.debug('transport.closeProducer failed: %s', error.message));
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private The transport closed. */
	transportClosed(): void {
		if (this.#closed) return;
		logger.debug('transportClosed()');
		this.#markClosed();
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<ProducerDump> {
		this.#assertOpen('dump()');
		const dump = await this.#channel.request<Omit<ProducerDump, 'rtpStreams'> & { rtpStreams: EngineRtpStream[] }>(
			'producer.dump',
			this.#id
		);
		// The engine reports which streams exist; their parameters follow from ours.
		const params = this.#rtpParameters;
		return {
			...dump,
			rtpParameters: dumpRtpParameters(dump.rtpParameters),
			rtpStreams: dump.rtpStreams.length > 0 ? dump.rtpStreams.map((s, i) => rtpStreamDump(params, s, i)) : undefined,
		};
	}

	async getStats(): Promise<ProducerStat[]> {
		this.#assertOpen('getStats()');
		return this.#channel.request<ProducerStat[]>('producer.getStats', this.#id);
	}

	async pause(): Promise<void> {
		this.#assertOpen('pause()');
		await this.#channel.request('producer.pause', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) this.#observer.safeEmit('pause');
	}

	async resume(): Promise<void> {
		this.#assertOpen('resume()');
		await this.#channel.request('producer.resume', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) this.#observer.safeEmit('resume');
	}

	/**
	 * Injects one RTP packet (a producer of a DirectTransport only). Fire and forget, as
	 * in mediasoup: a malformed packet is dropped and counted by the engine.
	 */
	send(rtpPacket: Buffer): void {
		if (this.#closed) throw closedObjectError('Producer', 'send()', this.#channel.closed);
		if (!this.#direct) throw new Error('send() is only for producers of a DirectTransport');
		if (!Buffer.isBuffer(rtpPacket)) throw new TypeError('rtpPacket must be a Buffer');
		this.#channel
			.requestWithBinary('producer.send', this.#id, { packet: rtpPacket })
			.catch((error: Error) => logger.debug('producer.send failed: %s', error.message));
	}

	async enableTraceEvent(types: ProducerTraceEventType[] = []): Promise<void> {
		const known = knownTraceEventTypes(types, TRACE_TYPES, (type) =>
			logger.warn('enableTraceEvent() | ignoring unknown type "%s"', type)
		);
		this.#assertOpen('enableTraceEvent()');
		await this.#channel.request('producer.enableTraceEvent', this.#id, { types: known });
	}

	#markClosed(): void {
		this.#closed = true;
		this.#channel.unsubscribe(this.#id);
	}

	#assertOpen(method: string): void {
		if (this.#closed) throw closedObjectError('Producer', method, this.#channel.closed);
	}

	#onEngineEvent(event: string, data: unknown): void {
		switch (event) {
			case 'score': {
				this.#score = (data as { score: ProducerScore[] }).score;
				this.safeEmit('score', clone(this.#score));
				this.#observer.safeEmit('score', clone(this.#score));
				break;
			}
			case 'videoorientationchange': {
				const orientation = data as ProducerVideoOrientation;
				this.safeEmit('videoorientationchange', orientation);
				this.#observer.safeEmit('videoorientationchange', orientation);
				break;
			}
			case 'trace': {
				const trace = data as ProducerTraceEventData;
				this.safeEmit('trace', trace);
				this.#observer.safeEmit('trace', trace);
				break;
			}
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}
}

useMediasoupClassName(Producer, 'ProducerImpl');
