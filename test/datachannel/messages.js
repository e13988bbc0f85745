'use strict';
// Deterministic data channel messages for the interoperability tests.
//
// Message `i` of a plan is a pure function of (tag, i): the receiver recomputes what it
// should get and compares byte for byte, so nothing but a short summary ever travels
// back to the test. The same module runs in Node and, bundled by esbuild, in the
// browser page (test/browser/client.js), so it uses Uint8Array and TextEncoder, never
// Buffer.
//
//   const plan = makePlan({ count: 1000 });        // [{ index, kind, size }]
//   const data = messageData('a', plan[i]);        // string or Uint8Array
//   checkMessage('a', plan[i], received)           // -> true | 'why not'
//
// Kinds: 'string' (ASCII, WebRTC PPID 51), 'unicode' (a UTF-8 string with 2-, 3- and
// 4-byte characters, PPID 51) and 'binary' (PPID 53). `size` is the message's size in
// bytes on the wire (UTF-8 for strings).

const PPID = Object.freeze({ STRING: 51, BINARY: 53, STRING_EMPTY: 56, BINARY_EMPTY: 57 });

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// 2 + 3 + 4 bytes in UTF-8.
const UNICODE_UNIT = 'ñ€😀';
const UNICODE_UNIT_BYTES = 9;

// Sizes around the interesting boundaries: tiny, the SCTP fragment sizes of the peers
// (about 1,200 bytes per DATA chunk), and a few kilobytes.
const SMALL_SIZES = [1, 2, 3, 7, 16, 64, 100, 255, 256, 1000, 1150, 1199, 1200, 1201, 2048, 2400, 4096, 8191, 16384];

const KiB = 1024;

/** A number from the tag, so that two channels' messages never look alike. */
function tagSeed(tag) {
	let h = 2166136261;
	for (let k = 0; k < tag.length; k++) {
		h ^= tag.charCodeAt(k);
		h = Math.imul(h, 16777619) >>> 0;
	}
	return h % 251;
}

/**
 * The plan of an ordered run: `count` messages; kinds alternate string/binary with
 * every 25th string a unicode one; sizes cycle through SMALL_SIZES; `big` entries
 * ({ index, kind, size }) replace the message at their index. The default `big` has a
 * 64 KiB string, a 64 KiB binary and a 256 KiB (262144 bytes, mediasoup's default
 * maxReceiveMessageSize and maxSendMessageSize) binary message.
 */
function makePlan({ count, big } = {}) {
	if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new RangeError('makePlan: count must be 1..100000');
	const bigs = big ?? defaultBig(count);
	const plan = [];
	for (let i = 0; i < count; i++) {
		let kind = i % 2 === 0 ? 'string' : 'binary';
		if (kind === 'string' && i % 50 === 24) kind = 'unicode';
		let size = SMALL_SIZES[i % SMALL_SIZES.length];
		if (kind === 'unicode') size = Math.max(1, Math.floor(size / UNICODE_UNIT_BYTES)) * UNICODE_UNIT_BYTES + 1;
		plan.push({ index: i, kind, size });
	}
	for (const b of bigs) {
		if (b.index >= 0 && b.index < count) plan[b.index] = { index: b.index, kind: b.kind, size: b.size };
	}
	return plan;
}

function defaultBig(count) {
	return [
		{ index: Math.floor(count * 0.3), kind: 'string', size: 64 * KiB },
		{ index: Math.floor(count * 0.5), kind: 'binary', size: 64 * KiB },
		{ index: Math.floor(count * 0.8), kind: 'binary', size: 256 * KiB },
	];
}

/** The content of one planned message: a string (kinds 'string', 'unicode') or a Uint8Array. */
function messageData(tag, entry) {
	const seed = tagSeed(tag) + entry.index * 131;
	if (entry.kind === 'binary') {
		const bytes = new Uint8Array(entry.size);
		for (let k = 0; k < entry.size; k++) bytes[k] = (seed + k * 7 + (k >> 8)) & 0xff;
		return bytes;
	}
	if (entry.kind === 'unicode') {
		// One ASCII character, then whole 9-byte units.
		return ALPHABET[seed % ALPHABET.length] + UNICODE_UNIT.repeat((entry.size - 1) / UNICODE_UNIT_BYTES);
	}
	let s = '';
	const parts = [];
	for (let k = 0; k < entry.size; k++) {
		s += ALPHABET[(seed + k * 7) % ALPHABET.length];
		if (s.length >= 4096) {
			parts.push(s);
			s = '';
		}
	}
	parts.push(s);
	return parts.join('');
}

const isStringKind = (kind) => kind === 'string' || kind === 'unicode';

/** The PPID that a WebRTC stack puts on a planned message. */
function ppidOf(entry) {
	return isStringKind(entry.kind) ? PPID.STRING : PPID.BINARY;
}

function toBytes(value) {
	if (typeof value === 'string') return new TextEncoder().encode(value);
	if (value instanceof ArrayBuffer) return new Uint8Array(value);
	if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
	throw new TypeError(`toBytes: not a string or bytes (${Object.prototype.toString.call(value)})`);
}

function sameBytes(a, b) {
	if (a.length !== b.length) return false;
	for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
	return true;
}

/**
 * Compares a received message with the planned one. `received` is a string, an
 * ArrayBuffer or a Uint8Array/Buffer; `receivedIsString` says whether it arrived as a
 * string message (PPID 51, or a string in a browser). Returns true, or a short reason.
 */
function checkMessage(tag, entry, received, receivedIsString) {
	const expected = messageData(tag, entry);
	const wantString = isStringKind(entry.kind);
	if (Boolean(receivedIsString) !== wantString) {
		return `message ${entry.index}: expected a ${wantString ? 'string' : 'binary'} message, got a ${receivedIsString ? 'string' : 'binary'} one`;
	}
	const got = toBytes(received);
	const want = toBytes(expected);
	if (got.length !== want.length) return `message ${entry.index}: ${got.length} bytes instead of ${want.length}`;
	if (!sameBytes(got, want)) {
		let k = 0;
		while (k < got.length && got[k] === want[k]) k++;
		return `message ${entry.index}: content differs from byte ${k}`;
	}
	return true;
}

/**
 * A message that carries its own number, for channels that may lose or reorder
 * messages: `${tag}#${seq}#${size}#` then filler up to `size` bytes (at least the
 * header), so that a truncated or altered message is recognised.
 */
function numberedMessage(tag, seq, size) {
	const head = `${tag}#${seq}#${size}#`;
	let body = '';
	for (let k = head.length; k < size; k++) body += ALPHABET[(seq + k) % ALPHABET.length];
	return head + body;
}

/** The number in a numbered message, or -1 when it is not intact. */
function parseNumbered(tag, received) {
	const text = typeof received === 'string' ? received : new TextDecoder().decode(toBytes(received));
	const m = /^([^#]*)#(\d+)#(\d+)#/.exec(text);
	if (!m || m[1] !== tag) return -1;
	const seq = Number(m[2]);
	return numberedMessage(tag, seq, Number(m[3])) === text ? seq : -1;
}

/**
 * Receives an ordered run: feed every message to `push(data, isString)`; `summary()`
 * says how many arrived, how many matched, and the first few problems (a wrong
 * message, or more messages than planned).
 */
function orderedReceiver(tag, plan) {
	let next = 0;
	let matched = 0;
	let bytes = 0;
	const problems = [];
	return {
		push(data, isString) {
			const entry = plan[next];
			const size = toBytes(data).length;
			bytes += size;
			if (!entry) {
				if (problems.length < 10) problems.push(`an extra message (#${next}, ${size} bytes) after the ${plan.length} planned`);
			} else {
				const verdict = checkMessage(tag, entry, data, isString);
				if (verdict === true) matched++;
				else if (problems.length < 10) problems.push(verdict);
			}
			next++;
		},
		get received() {
			return next;
		},
		summary() {
			return { received: next, matched, bytes, problems: [...problems] };
		},
	};
}

/** Bytes of a plan on the wire. */
function planBytes(plan) {
	return plan.reduce((sum, e) => sum + e.size, 0);
}

module.exports = {
	PPID,
	KiB,
	SMALL_SIZES,
	makePlan,
	messageData,
	ppidOf,
	isStringKind,
	toBytes,
	checkMessage,
	numberedMessage,
	parseNumbered,
	orderedReceiver,
	planBytes,
};
