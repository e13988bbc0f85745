/**
 * Errors from the engine, made in the caller's realm.
 *
 * Every error an application can catch is constructed in the TypeScript layer: the
 * engine and the addon only report a kind and a message. An error made by native code
 * would belong to the realm that loaded the addon and fail `instanceof TypeError` in
 * another one (Jest runs each test file in a `vm` context of its own).
 */
import { InvalidStateError, NotFoundError, UnsupportedError, WorkerClosedError } from './errors';

/** The kinds of error the engine reports (engine/common/RequestError.hpp). */
export type EngineErrorKind =
	| 'Error'
	| 'TypeError'
	| 'UnsupportedError'
	| 'WorkerClosedError'
	| 'NotFoundError';

/** What the addon rejects a request with: a kind and a message, never an Error. */
export type EngineErrorDescriptor = { errorKind: EngineErrorKind; message: string };

function isEngineErrorDescriptor(value: unknown): value is EngineErrorDescriptor {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as EngineErrorDescriptor).errorKind === 'string' &&
		typeof (value as EngineErrorDescriptor).message === 'string'
	);
}

/**
 * Turns what the engine reported into an error of this realm. Anything else (already
 * an Error of ours, for instance) is returned unchanged.
 */
export function errorFromEngine(reason: unknown): unknown {
	if (!isEngineErrorDescriptor(reason)) return reason;
	const { errorKind, message } = reason;
	switch (errorKind) {
		case 'TypeError':
			return new TypeError(message);
		case 'UnsupportedError':
			return new UnsupportedError(message);
		case 'WorkerClosedError':
			return new WorkerClosedError(message);
		case 'NotFoundError':
			return new NotFoundError(message);
		default:
			return new Error(message);
	}
}

/**
 * The error for a method called on a closed object: `WorkerClosedError` when its
 * Worker is closed too (mediasoup's channel is closed then), else `NotFoundError`
 * (mediasoup's worker no longer knows the object).
 */
export function closedObjectError(what: string, method: string, workerClosed: boolean): InvalidStateError {
	return workerClosed
		? new WorkerClosedError(`${what} closed (its Worker is closed), cannot call ${method}`)
		: new NotFoundError(`${what} closed, cannot call ${method}`);
}
