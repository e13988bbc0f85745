/**
 * Error classes of the public API (`mediaplane.errors`), with mediasoup 3.27's names
 * and meanings:
 * - `UnsupportedError`: the request is valid but cannot be satisfied (for example a
 *   codec the router does not support).
 * - `WorkerClosedError`: the request was made on, or needs, a Worker that is closed.
 * - `NotFoundError`: the object the request is about does not exist (any more): a
 *   method called on a closed Router, Transport, Producer, Consumer or RtpObserver
 *   whose Worker is still open, or an unknown producer id.
 * - `InvalidStateError` is what mediasoup 3.14 called `WorkerClosedError`. It is kept
 *   as the common base of `WorkerClosedError` and `NotFoundError`, so that code written
 *   for 3.14 (`error instanceof InvalidStateError` after a close) keeps working.
 * Bad arguments throw the built-in `TypeError`, naming the field.
 *
 * Every error an application can catch is constructed in the TypeScript layer: the
 * engine only reports a kind and a message (see engineErrors.ts).
 */
export class UnsupportedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UnsupportedError';
		if (Error.captureStackTrace) Error.captureStackTrace(this, UnsupportedError);
	}
}

export class InvalidStateError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InvalidStateError';
		if (Error.captureStackTrace) Error.captureStackTrace(this, new.target);
	}
}

export class WorkerClosedError extends InvalidStateError {
	constructor(message: string) {
		super(message);
		this.name = 'WorkerClosedError';
	}
}

export class NotFoundError extends InvalidStateError {
	constructor(message: string) {
		super(message);
		this.name = 'NotFoundError';
	}
}
