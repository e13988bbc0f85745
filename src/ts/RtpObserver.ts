import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { NotFoundError } from './errors';
import { Logger } from './Logger';
import { Producer } from './Producer';
import { AppData, isPlainObject } from './utils';

const logger = new Logger('RtpObserver');

export type RtpObserverType = 'audiolevel' | 'activespeaker';

export type RtpObserverEvents = {
	routerclose: [];
	'@close': [];
};

export type RtpObserverObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	addproducer: [Producer];
	removeproducer: [Producer];
};

export type RtpObserverObserver = EnhancedEventEmitter<RtpObserverObserverEvents>;

export type RtpObserverAddRemoveProducerOptions = { producerId: string };

/** @private What the router gives an RTP observer it creates. */
export type RtpObserverConstructorOptions<T extends AppData> = {
	rtpObserverId: string;
	routerId: string;
	channel: Channel;
	appData: T;
	getProducerById: (producerId: string) => Producer | undefined;
};

/**
 * The base of the RTP observers (mediasoup's RtpObserver): producers are added to and
 * removed from it; it watches their RTP in the engine and reports through events of
 * the subclass. Closed with its router.
 */
export abstract class RtpObserver<
	T extends AppData = AppData,
	Events extends RtpObserverEvents = RtpObserverEvents,
	ObserverEvents extends RtpObserverObserverEvents = RtpObserverObserverEvents,
> extends EnhancedEventEmitter<Events> {
	readonly #id: string;
	readonly #routerId: string;
	protected readonly channel: Channel;
	readonly #observer = new EnhancedEventEmitter<ObserverEvents>();
	readonly #getProducerById: (producerId: string) => Producer | undefined;
	#closed = false;
	#paused = false;
	#appData: T;

	protected constructor(options: RtpObserverConstructorOptions<T>) {
		super();
		this.#id = options.rtpObserverId;
		this.#routerId = options.routerId;
		this.channel = options.channel;
		this.#appData = options.appData;
		this.#getProducerById = options.getProducerById;
		this.channel.subscribe(this.#id, (event, data) => this.handleEngineEvent(event, data));
	}

	abstract get type(): RtpObserverType;

	get id(): string {
		return this.#id;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get paused(): boolean {
		return this.#paused;
	}

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<ObserverEvents> {
		return this.#observer;
	}

	/** Closes the observer. Never throws. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.channel.unsubscribe(this.#id);
		this.channel
			.request('router.closeRtpObserver', this.#routerId, { rtpObserverId: this.#id })
			.catch((error: Error) => logger.debug('router.closeRtpObserver failed: %s', error.message));
		(this as EnhancedEventEmitter<RtpObserverEvents>).emit('@close');
		(this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('close');
	}

	/** @private Called by the Router when it closes. */
	routerClosed(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.channel.unsubscribe(this.#id);
		(this as EnhancedEventEmitter<RtpObserverEvents>).safeEmit('routerclose');
		(this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('close');
	}

	async pause(): Promise<void> {
		this.#assertOpen('pause()');
		await this.channel.request('rtpObserver.pause', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('pause');
	}

	async resume(): Promise<void> {
		this.#assertOpen('resume()');
		await this.channel.request('rtpObserver.resume', this.#id);
		// Decided when the engine answers (answers come in call order), as mediasoup: a
		// burst of unawaited pause()/resume() calls emits one event per actual change.
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('resume');
	}

	/** Starts watching an (audio) producer of the router. */
	async addProducer({ producerId }: RtpObserverAddRemoveProducerOptions): Promise<void> {
		this.#assertOpen('addProducer()');
		const producer = this.#requireProducer(producerId);
		await this.channel.request('rtpObserver.addProducer', this.#id, { producerId });
		(this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('addproducer', producer);
	}

	async removeProducer({ producerId }: RtpObserverAddRemoveProducerOptions): Promise<void> {
		this.#assertOpen('removeProducer()');
		const producer = this.#requireProducer(producerId);
		await this.channel.request('rtpObserver.removeProducer', this.#id, { producerId });
		(this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('removeproducer', producer);
	}

	/** The producer with this id, for the subclasses' events (undefined once closed). */
	protected getProducer(producerId: string): Producer | undefined {
		return this.#getProducerById(producerId);
	}

	protected abstract handleEngineEvent(event: string, data: unknown): void;

	#requireProducer(producerId: unknown): Producer {
		if (typeof producerId !== 'string' || producerId.length === 0) throw new TypeError('missing producerId');
		const producer = this.#getProducerById(producerId);
		if (!producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
		return producer;
	}

	#assertOpen(what: string): void {
		if (this.#closed) throw closedObjectError('RtpObserver', what, this.channel.closed);
	}
}

/** Validates the options object shared by the observers' create methods. */
export function validateObserverOptions(options: unknown): Record<string, unknown> {
	if (options === undefined) return {};
	if (!isPlainObject(options)) throw new TypeError('options must be an object');
	return options;
}
