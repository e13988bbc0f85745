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

/** Whether two plain-data trees (as clone() copies) hold the same data. */
export function plainDataEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a)) {
		if (!Array.isArray(b) || a.length !== b.length) return false;
		for (let i = 0; i < a.length; i++) if (!plainDataEqual(a[i], b[i])) return false;
		return true;
	}
	if (Array.isArray(b)) return false;
	const prototype = Object.getPrototypeOf(a);
	if ((prototype !== Object.prototype && prototype !== null) || Object.getPrototypeOf(b) !== prototype) return false;
	const keysA = Object.keys(a);
	if (keysA.length !== Object.keys(b).length) return false;
	for (const key of keysA) {
		if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
		if (!plainDataEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
	}
	return true;
}

export function generateUUIDv4(): string {
	return randomUUID();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type AppData = { [key: string]: unknown };

type Only<T, U> = { [P in keyof T]: T[P] } & { [P in keyof U]?: never };

/** One of two option shapes, never fields of both (mediasoup's `Either`). */
export type Either<T, U> = Only<T, U> | Only<U, T>;

/** Validates the `appData` option shared by every create method. */
export function validateAppData(appData: unknown, field = 'appData'): AppData {
	if (appData === undefined) return {};
	if (!isPlainObject(appData)) {
		throw new TypeError(`if given, ${field} must be an object`);
	}
	return appData;
}

/**
 * The trace event types of `types` that `known` lists, as mediasoup's
 * enableTraceEvent(): anything but an array of strings is a TypeError; strings it
 * does not know are ignored (with a warning), so an application written for a
 * newer or older release keeps working.
 */
export function knownTraceEventTypes<T extends string>(
	types: unknown,
	known: readonly T[],
	onUnknown: (type: string) => void
): T[] {
	if (!Array.isArray(types)) throw new TypeError('types must be an array');
	if (types.some((type) => typeof type !== 'string')) throw new TypeError('every type must be a string');
	const result: T[] = [];
	for (const type of types as string[]) {
		if (known.includes(type as T)) result.push(type as T);
		else onUnknown(type);
	}
	return result;
}

/**
 * mediasoup 3.15+ names its classes `WorkerImpl`, `RouterImpl`, ... (its types export
 * interfaces under the plain names). Applications and their tests may read
 * `constructor.name`, so each public class reports mediasoup's name.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function useMediasoupClassName(cls: Function, name: string): void {
	Object.defineProperty(cls, 'name', { value: name, configurable: true });
}
