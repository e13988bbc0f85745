import { randomUUID } from 'node:crypto';

/** A deep copy of plain data (objects, arrays, primitives). */
export function clone<T>(value: T): T {
	if (value === undefined) return value;
	return structuredClone(value);
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
