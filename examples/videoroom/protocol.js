'use strict';
// The signaling protocol: JSON text messages over one WebSocket per browser tab.
//
//   page → server   { id, method, data }           a request (id: integer or short string)
//   server → page   { id, ok: true, data }         its answer
//                   { id, ok: false, error: { code, message } }
//                   { notification: method, data } an event (no answer expected)
//
// Everything a client sends is untrusted: this file parses it and checks every field
// (type, length, range, no unknown keys) before any of it reaches mediaplane. Deep RTP
// parameter checks are left to mediaplane itself, which throws a TypeError naming the
// field; those become error answers too.

const MAX_MESSAGE_BYTES = 64 * 1024;

class RequestError extends Error {
	constructor(message, code = 'bad_request') {
		super(message);
		this.name = 'RequestError';
		this.code = code;
	}
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parses one WebSocket message into { id, method, data } or throws RequestError (with .id when known). */
function parseRequest(raw) {
	let text;
	if (typeof raw === 'string') text = raw;
	else if (Buffer.isBuffer(raw)) text = raw.toString('utf8');
	else throw new RequestError('messages must be text');
	let message;
	try {
		message = JSON.parse(text);
	} catch {
		throw new RequestError('invalid JSON', 'invalid_json');
	}
	if (!isPlainObject(message)) throw new RequestError('a request must be a JSON object');
	const { id } = message;
	const validId =
		(Number.isSafeInteger(id) && id >= 0) || (typeof id === 'string' && id.length >= 1 && id.length <= 64);
	if (!validId) throw new RequestError('request "id" must be a non-negative integer or a string of 1 to 64 characters');
	const fail = (msg, code) => Object.assign(new RequestError(msg, code), { id });
	for (const key of Object.keys(message)) {
		if (!['id', 'method', 'data'].includes(key)) throw fail(`unknown request field "${key}"`);
	}
	if (typeof message.method !== 'string' || !/^[A-Za-z]{1,32}$/.test(message.method)) {
		throw fail('request "method" must be a method name');
	}
	const data = message.data ?? {};
	if (!isPlainObject(data)) throw fail('request "data" must be an object');
	return { id, method: message.method, data };
}

// ---------------------------------------------------------------------------
// Field checks. Each returns the checked value or throws RequestError naming the field.
// ---------------------------------------------------------------------------

/** Rejects keys of `data` that the method does not take. */
function onlyKeys(data, allowed, where = 'data') {
	for (const key of Object.keys(data)) {
		if (!allowed.includes(key)) throw new RequestError(`${where}: unknown field "${key}"`);
	}
}

function text(value, field, { min = 1, max = 64, pattern } = {}) {
	if (typeof value !== 'string') throw new RequestError(`${field} must be a string`);
	const trimmed = value.trim();
	if (trimmed.length < min || trimmed.length > max) {
		throw new RequestError(`${field} must be ${min} to ${max} characters long`);
	}
	// No control characters (they are never needed in a name and break logs).
	if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new RequestError(`${field} must not contain control characters`);
	if (pattern && !pattern.test(trimmed)) throw new RequestError(`${field} has characters that are not allowed`);
	return trimmed;
}

/** An id of a mediaplane object or a peer (UUIDs; anything else cannot match, so say so early). */
function objectId(value, field) {
	if (typeof value !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(value)) {
		throw new RequestError(`${field} must be an id string`);
	}
	return value;
}

function oneOf(value, field, allowed) {
	if (!allowed.includes(value)) throw new RequestError(`${field} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
	return value;
}

/**
 * A bounded JSON value: plain objects, arrays, strings, finite numbers, booleans, no
 * deeper than `depth`, no string longer than 1024, no array longer than 64 entries.
 * Returns a fresh copy (so nothing the client sent is shared with mediaplane).
 */
function boundedJson(value, field, depth = 6) {
	if (value === null || typeof value === 'boolean') return value;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new RequestError(`${field} must be a finite number`);
		return value;
	}
	if (typeof value === 'string') {
		if (value.length > 1024) throw new RequestError(`${field} is too long`);
		return value;
	}
	if (depth <= 0) throw new RequestError(`${field} is nested too deeply`);
	if (Array.isArray(value)) {
		if (value.length > 64) throw new RequestError(`${field} has too many entries`);
		return value.map((v, i) => boundedJson(v, `${field}[${i}]`, depth - 1));
	}
	if (isPlainObject(value)) {
		const keys = Object.keys(value);
		if (keys.length > 64) throw new RequestError(`${field} has too many fields`);
		const copy = {};
		for (const key of keys) {
			if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
				throw new RequestError(`${field}: field "${key}" is not allowed`);
			}
			copy[key] = boundedJson(value[key], `${field}.${key}`, depth - 1);
		}
		return copy;
	}
	throw new RequestError(`${field} has a value of an unsupported type`);
}

function objectOf(value, field) {
	if (!isPlainObject(value)) throw new RequestError(`${field} must be an object`);
	return value;
}

function arrayOf(value, field, { min = 0, max = 64 } = {}) {
	if (!Array.isArray(value)) throw new RequestError(`${field} must be an array`);
	if (value.length < min || value.length > max) throw new RequestError(`${field} must have ${min} to ${max} entries`);
	return value;
}

/** DTLS parameters from mediasoup-client's transport 'connect' event. */
function dtlsParameters(value, field = 'dtlsParameters') {
	objectOf(value, field);
	onlyKeys(value, ['role', 'fingerprints'], field);
	const result = { fingerprints: [] };
	if (value.role !== undefined) result.role = oneOf(value.role, `${field}.role`, ['auto', 'client', 'server']);
	arrayOf(value.fingerprints, `${field}.fingerprints`, { min: 1, max: 8 }).forEach((fp, i) => {
		const where = `${field}.fingerprints[${i}]`;
		objectOf(fp, where);
		onlyKeys(fp, ['algorithm', 'value'], where);
		result.fingerprints.push({
			algorithm: oneOf(fp.algorithm, `${where}.algorithm`, ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
			value: text(fp.value, `${where}.value`, { min: 2, max: 200, pattern: /^[0-9A-Fa-f:]+$/ }),
		});
	});
	return result;
}

/** RTP parameters of a producer (mediasoup-client's 'produce' event): shape here, details in mediaplane. */
function rtpParameters(value, field = 'rtpParameters') {
	objectOf(value, field);
	onlyKeys(value, ['mid', 'codecs', 'headerExtensions', 'encodings', 'rtcp', 'msid'], field);
	arrayOf(value.codecs, `${field}.codecs`, { min: 1, max: 32 }).forEach((c, i) => objectOf(c, `${field}.codecs[${i}]`));
	arrayOf(value.encodings, `${field}.encodings`, { min: 1, max: 8 }).forEach((e, i) => objectOf(e, `${field}.encodings[${i}]`));
	if (value.headerExtensions !== undefined) arrayOf(value.headerExtensions, `${field}.headerExtensions`, { max: 32 });
	if (value.rtcp !== undefined) objectOf(value.rtcp, `${field}.rtcp`);
	if (value.mid !== undefined) text(value.mid, `${field}.mid`, { max: 32 });
	if (value.msid !== undefined) text(value.msid, `${field}.msid`, { max: 256 });
	return boundedJson(value, field);
}

/** A device's RTP capabilities (mediasoup-client's device.recvRtpCapabilities). */
function rtpCapabilities(value, field = 'rtpCapabilities') {
	objectOf(value, field);
	onlyKeys(value, ['codecs', 'headerExtensions'], field);
	arrayOf(value.codecs, `${field}.codecs`, { min: 1, max: 64 }).forEach((c, i) => objectOf(c, `${field}.codecs[${i}]`));
	if (value.headerExtensions !== undefined) {
		arrayOf(value.headerExtensions, `${field}.headerExtensions`, { max: 64 }).forEach((h, i) =>
			objectOf(h, `${field}.headerExtensions[${i}]`)
		);
	}
	return boundedJson(value, field);
}

module.exports = {
	MAX_MESSAGE_BYTES,
	RequestError,
	parseRequest,
	onlyKeys,
	text,
	objectId,
	oneOf,
	dtlsParameters,
	rtpParameters,
	rtpCapabilities,
};
