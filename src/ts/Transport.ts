import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { InvalidStateError } from './errors';
import { Logger } from './Logger';
import { TransportTraceEventType } from './TransportTypes';
import { AppData } from './utils';

const logger = new Logger('Transport');

const TRACE_EVENT_TYPES: readonly TransportTraceEventType[] = ['probation', 'bwe'];

export type TransportEvents = {
	routerclose: [];
	listenserverclose: [];
	trace: [unknown];
	listenererror: [string, Error];
	'@close': [];
	'@listenserverclose': [];
};

export type TransportObserverEvents = {
	close: [];
	newproducer: [unknown];
	newconsumer: [unknown];
	newdataproducer: [unknown];
	newdataconsumer: [unknown];
	trace: [unknown];
};

export type TransportConstructorOptions<T extends AppData> = {
	transportId: string;
	channel: Channel;
	appData: T;
};

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

	protected constructor({ transportId, channel, appData }: TransportConstructorOptions<TransportAppData>) {
		super();
		this.#id = transportId;
		this.channel = channel;
		this.#appData = appData;
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
		this.assertOpen('setMaxIncomingBitrate()');
		validateBitrate(bitrate);
		await this.channel.request('transport.setMaxIncomingBitrate', this.#id, { bitrate });
	}

	async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
		this.assertOpen('setMaxOutgoingBitrate()');
		validateBitrate(bitrate);
		await this.channel.request('transport.setMaxOutgoingBitrate', this.#id, { bitrate });
	}

	async setMinOutgoingBitrate(bitrate: number): Promise<void> {
		this.assertOpen('setMinOutgoingBitrate()');
		validateBitrate(bitrate);
		await this.channel.request('transport.setMinOutgoingBitrate', this.#id, { bitrate });
	}

	async enableTraceEvent(types: TransportTraceEventType[] = []): Promise<void> {
		this.assertOpen('enableTraceEvent()');
		if (!Array.isArray(types)) throw new TypeError('types must be an array');
		for (const type of types) {
			if (!TRACE_EVENT_TYPES.includes(type)) throw new TypeError(`invalid types entry: "${String(type)}"`);
		}
		await this.channel.request('transport.enableTraceEvent', this.#id, { types });
	}

	/** The router this transport belongs to (requests that close it go there). */
	protected abstract get routerId(): string;

	/** Engine events addressed to this transport. */
	protected abstract handleEngineEvent(event: string, data: unknown): void;

	/** Subclasses extend this to reset their own state (ICE/DTLS 'closed'). */
	protected markClosed(): void {
		this.#closed = true;
		this.channel.unsubscribe(this.#id);
	}

	protected assertOpen(method: string): void {
		if (this.#closed) throw new InvalidStateError(`Transport closed, cannot call ${method}`);
	}
}

function validateBitrate(bitrate: unknown): void {
	if (typeof bitrate !== 'number' || !Number.isInteger(bitrate) || bitrate < 0 || bitrate > 0xffffffff) {
		throw new TypeError('invalid bitrate: must be an unsigned 32-bit integer');
	}
}
