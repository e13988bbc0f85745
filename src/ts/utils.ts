import { randomUUID } from 'node:crypto';

/**
 * A deep copy of plain data (objects, arrays, primitives), as RTP parameters and
 * capabilities are. A hand-written walk: several times faster than structuredClone for
 * these small trees, which matters on the consume() path. Anything else (a Buffer, a
 * Date, a Map) goes through structuredClone.
 */
export function clone<T>(value: T): T {
	return copyPlain(value) as T;
}

function copyPlain(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) return value;
	if (Array.isArray(value)) {
		const copy = new Array(value.length);
		for (let i = 0; i < value.length; i++) copy[i] = copyPlain(value[i]);
		return copy;
	}
	const prototype = Object.getPrototypeOf(value);
	if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(value)) copy[key] = copyPlain((value as Record<string, unknown>)[key]);
	return copy;
}

export function generateUUIDv4(): string {
	return randomUUID();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type AppData = Record<string, unknown>;

/** Validates the `appData` option shared by every create method. */
export function validateAppData(appData: unknown, field = 'appData'): AppData {
	if (appData === undefined) return {};
	if (!isPlainObject(appData)) {
		throw new TypeError(`if given, ${field} must be an object`);
	}
	return appData;
}
