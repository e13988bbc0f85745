/**
 * Error classes of the public API. Their names and meaning follow mediasoup v3:
 * - `UnsupportedError`: the request is valid but cannot be satisfied (for example a
 *   codec the router does not support).
 * - `InvalidStateError`: the object is closed, or not in a state for this request.
 * Bad arguments throw the built-in `TypeError`, naming the field.
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
		if (Error.captureStackTrace) Error.captureStackTrace(this, InvalidStateError);
	}
}
