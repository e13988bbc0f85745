import { addon, NativeWorker } from './native';
import { WorkerClosedError } from './errors';
import { errorFromEngine } from './engineErrors';
import { Logger } from './Logger';

const logger = new Logger('Channel');

function rethrowEngineError(reason: unknown): never {
	throw errorFromEngine(reason);
}

export type ChannelEventHandler = (event: string, data: unknown) => void;

// How long the main loop may poll without sleeping while a request is in flight: long
// enough for a round trip on an idle machine (~7 us), short enough that a slow request
// on a busy machine is waited for in epoll rather than spun on.
const HOT_POLL_MS = 0.2;

// At most this many events are held for an object that is being created (see
// Channel#requestCreating): a new object emits a handful (its first score, its first
// layers, a state change), or a burst of messages for a data consumer; the bound only
// guards memory against an engine that emits without end.
const MAX_EARLY_EVENTS = 4096;

/** The events held for one object being created (see Channel#requestCreating). */
type EarlyEvents = { events: Array<[string, unknown]>; overflowed: boolean };

/**
 * The TypeScript end of a worker's channel. Requests go to the worker thread and come
 * back as promises; events from engine objects are routed to the handler subscribed
 * under the object's id (the empty id is the worker itself).
 *
 * Latency: while requests are in flight the channel keeps Node's event loop polling
 * (a self-renewing setImmediate) instead of letting it sleep in epoll, for at most
 * HOT_POLL_MS after the last request. Waking a sleeping thread costs tens of
 * microseconds on virtual machines, several times the cost of the request itself; the
 * worker thread does the same on its side (Worker::OnHotPoll). The event loop keeps
 * running everything else meanwhile; it only does not sleep.
 *
 * Internal: applications never see this class.
 */
export class Channel {
	readonly #native: NativeWorker;
	readonly #handlers = new Map<string, ChannelEventHandler>();
	// Events for objects the engine has created but whose TypeScript object has not
	// subscribed yet, or has subscribed and not yet been handed them (see requestCreating).
	readonly #early = new Map<string, EarlyEvents>();
	#closed = false;
	#hotPollActive = false;
	#hotPollDeadline = 0;
	readonly #hotPoll = (): void => {
		if (this.#native.pendingRequests() > 0 && performance.now() < this.#hotPollDeadline) {
			setImmediate(this.#hotPoll);
		} else {
			this.#hotPollActive = false;
		}
	};

	constructor(settings: object) {
		try {
			this.#native = new addon.NativeWorker(settings, (targetId, event, data) =>
				this.#onEvent(targetId, event, data)
			);
		} catch (error) {
			// Made by the addon, in the realm that loaded it: remake it in ours.
			const { name, message } = error as Error;
			throw name === 'TypeError' ? new TypeError(message) : new Error(message);
		}
	}

	get closed(): boolean {
		return this.#closed;
	}

	/**
	 * Sends a request whose data is plain JSON-able data (no Buffers). The data travels
	 * as JSON text: JSON.stringify walks it inside V8 several times faster than the
	 * addon can read it property by property, and the worker thread parses it (see
	 * src/cpp/engine/common/JsonReader.hpp).
	 */
	request<T = unknown>(method: string, handlerId?: string, data?: unknown): Promise<T> {
		if (data === undefined) return this.#send(method, handlerId, undefined, false);
		let json: string;
		try {
			json = JSON.stringify(data);
		} catch (error) {
			return Promise.reject(error);
		}
		return this.#send(method, handlerId, json, true);
	}

	/**
	 * Sends a request that creates the engine object `createdId` (a producer, a
	 * transport...), whose TypeScript object will subscribe once the request resolves.
	 * The engine may emit for the new object at once (a producer's first score comes
	 * with its first packet, which a browser already sending can deliver in the same
	 * wake-up as the response): those events are kept until the object subscribes,
	 * and dropped if the request fails.
	 */
	requestCreating<T = unknown>(method: string, handlerId: string | undefined, data: object, createdId: string): Promise<T> {
		// An id already in use (an application-chosen producer id): the engine refuses
		// the request, and that object's events must keep flowing to it.
		if (this.#closed || this.#handlers.has(createdId) || this.#early.has(createdId)) {
			return this.request(method, handlerId, data);
		}
		const early: EarlyEvents = { events: [], overflowed: false };
		this.#early.set(createdId, early);
		const forget = (): void => {
			if (this.#early.get(createdId) === early && !this.#handlers.has(createdId)) this.#early.delete(createdId);
		};
		return this.request<T>(method, handlerId, data).then(
			(result) => {
				// The object subscribes in the microtasks that follow; if it has not by
				// the next turn (its construction failed), nothing will take the events.
				setImmediate(forget);
				return result;
			},
			(error: unknown) => {
				forget();
				throw error;
			}
		);
	}

	/** Sends a request whose data carries binary data (Buffers), converted as a tree. */
	requestWithBinary<T = unknown>(method: string, handlerId: string | undefined, data: object): Promise<T> {
		return this.#send(method, handlerId, data, false);
	}

	#send<T>(method: string, handlerId: string | undefined, data: unknown, dataIsJson: boolean): Promise<T> {
		if (this.#closed) {
			return Promise.reject(new WorkerClosedError(`Worker closed, cannot send request "${method}"`));
		}
		// The engine rejects with a kind and a message; the error is made here, in this
		// realm (see errors.ts).
		const promise = (this.#native.request(method, handlerId, data, dataIsJson) as Promise<T>).catch(
			rethrowEngineError
		);
		this.#hotPollDeadline = performance.now() + HOT_POLL_MS;
		if (!this.#hotPollActive) {
			this.#hotPollActive = true;
			setImmediate(this.#hotPoll);
		}
		return promise;
	}

	subscribe(targetId: string, handler: ChannelEventHandler): void {
		this.#handlers.set(targetId, handler);
		const early = this.#early.get(targetId);
		if (!early) return;
		if (early.events.length === 0) {
			this.#early.delete(targetId);
			return;
		}
		// Handed over on the next turn, as any later event would be: the application
		// subscribes to the new object's events after its creating call resolves.
		// Events arriving meanwhile queue behind these, so the order is kept.
		setImmediate(() => this.#deliverEarly(targetId, early));
	}

	unsubscribe(targetId: string): void {
		this.#handlers.delete(targetId);
		this.#early.delete(targetId);
	}

	/** Asks the worker thread to close; requests after this are rejected at once. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#native.close();
	}

	#onEvent(targetId: string, event: string, data: unknown): void {
		if (event === '@exit') this.#closed = true;
		// Per-packet events come through here: the map is empty but for the moments
		// objects are being created, so its size is checked before any lookup.
		const early = this.#early.size > 0 ? this.#early.get(targetId) : undefined;
		if (early) {
			if (early.events.length < MAX_EARLY_EVENTS) {
				early.events.push([event, data]);
			} else if (!early.overflowed) {
				early.overflowed = true;
				logger.warn(`more than ${MAX_EARLY_EVENTS} events for ${targetId} before its object subscribed: dropping the rest`);
			}
			return;
		}
		const handler = this.#handlers.get(targetId);
		if (!handler) return;
		Channel.#dispatch(handler, event, data);
	}

	// `early` is the list subscribe() saw: if the object was closed meanwhile and a new
	// object took the same id (an application-chosen producer id), the list held now is
	// that new object's, for its own subscribe() to deliver.
	#deliverEarly(targetId: string, early: EarlyEvents): void {
		if (this.#early.get(targetId) !== early) return;
		this.#early.delete(targetId);
		for (const [event, data] of early.events) {
			// Looked up each time: a handler may close its object (and unsubscribe).
			const handler = this.#handlers.get(targetId);
			if (!handler) return;
			Channel.#dispatch(handler, event, data);
		}
	}

	static #dispatch(handler: ChannelEventHandler, event: string, data: unknown): void {
		// Handlers use safeEmit, but a bug here must still not turn into an exception
		// thrown from the addon's wake-up callback.
		try {
			handler(event, data);
		} catch (error) {
			process.nextTick(() => {
				throw error;
			});
		}
	}
}
