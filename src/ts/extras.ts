/**
 * `mediaplane.extras` (mediasoup's `extras`): the typed event emitter every class is
 * built on, and `enhancedOnce()`, a promise for the next emission of an event.
 */
import { once } from 'node:events';

/** Options of Node's `events.once()`. */
export type StaticEventEmitterOptions = { signal?: AbortSignal };
import { EnhancedEventEmitter } from './EnhancedEventEmitter';

export { EnhancedEventEmitter };

/**
 * Resolves with the arguments of the next `eventName` emitted by `emitter`, as an
 * array (Node's `events.once()`, typed; `options.signal` cancels the wait).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function enhancedOnce<E extends Record<string, any[]>, K extends keyof E & string = keyof E & string>(
	emitter: EnhancedEventEmitter<E>,
	eventName: K,
	options?: StaticEventEmitterOptions
): Promise<E[K]> {
	return (await once(emitter, eventName, options)) as E[K];
}
