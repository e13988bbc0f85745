import { EventEmitter } from 'node:events';
import { Logger } from './Logger';

const logger = new Logger('EnhancedEventEmitter');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Events = Record<string, any[]>;

/**
 * An EventEmitter with typed events and `safeEmit()`, which never lets a listener's
 * exception escape into the library: the error is logged and re-emitted as
 * `listenererror` (eventName, error) so the application can see it.
 */
export class EnhancedEventEmitter<
	E extends Events = Events,
	// Events every emitter has (as mediasoup's): `listenererror` (eventName, error).
	BuiltInEvents extends Events = { listenererror: [keyof E, Error] },
	E2 extends Events = E & BuiltInEvents,
> extends EventEmitter {
	constructor() {
		super();
		this.setMaxListeners(Infinity);
	}

	override emit<K extends keyof E2 & string>(eventName: K, ...args: E2[K]): boolean {
		return super.emit(eventName, ...args);
	}

	/** Emits and catches listener errors; returns whether there were listeners. */
	safeEmit<K extends keyof E2 & string>(eventName: K, ...args: E2[K]): boolean {
		try {
			return super.emit(eventName, ...args);
		} catch (error) {
			logger.error('safeEmit() | event listener threw an error [eventName:%s]: %o', eventName, error);
			try {
				super.emit('listenererror', eventName, error);
			} catch {
				// A throwing 'listenererror' listener must not break the emitter either.
			}
			return Boolean(super.listenerCount(eventName));
		}
	}

	override on<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this {
		return super.on(eventName, listener as (...args: unknown[]) => void);
	}

	override off<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this {
		return super.off(eventName, listener as (...args: unknown[]) => void);
	}

	override addListener<K extends keyof E2 & string>(
		eventName: K,
		listener: (...args: E2[K]) => void
	): this {
		return super.addListener(eventName, listener as (...args: unknown[]) => void);
	}

	override prependListener<K extends keyof E2 & string>(
		eventName: K,
		listener: (...args: E2[K]) => void
	): this {
		return super.prependListener(eventName, listener as (...args: unknown[]) => void);
	}

	override once<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this {
		return super.once(eventName, listener as (...args: unknown[]) => void);
	}

	override prependOnceListener<K extends keyof E2 & string>(
		eventName: K,
		listener: (...args: E2[K]) => void
	): this {
		return super.prependOnceListener(eventName, listener as (...args: unknown[]) => void);
	}

	override removeListener<K extends keyof E2 & string>(
		eventName: K,
		listener: (...args: E2[K]) => void
	): this {
		return super.removeListener(eventName, listener as (...args: unknown[]) => void);
	}

	override removeAllListeners<K extends keyof E2 & string>(eventName?: K): this {
		return super.removeAllListeners(eventName);
	}

	override listenerCount<K extends keyof E2 & string>(eventName: K): number {
		return super.listenerCount(eventName);
	}
}
