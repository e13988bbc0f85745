'use strict';
// The test STUN client (test/fixtures/stun-client.js) that transport tests use to run
// ICE checks against the engine over real sockets. Checked here against data from
// outside it: the RFC 5769 test vectors (MESSAGE-INTEGRITY, FINGERPRINT and
// XOR-MAPPED-ADDRESS for IPv4 and IPv6), the CRC-32 check value, and responses that the
// engine's C++ IceServer produced for requests this client built (recorded from a
// standalone build of src/cpp/engine/ice).

const t = require('tap');
const stun = require('./fixtures/stun-client');

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 5769 §2.1-§2.3 (short-term password below; SOFTWARE and USERNAME are padded
// with spaces there, which RFC 5389 allows).
const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';
const REQUEST = hex(`00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
	80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
	00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
	00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
	00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
	80 28 00 04 e5 7a 3b cf`);
const RESPONSE_V4 = hex(`01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
	80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
	00 20 00 08 00 01 a1 47 e1 12 a6 43
	00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
	80 28 00 04 c0 7d 4c 96`);
const RESPONSE_V6 = hex(`01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
	80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
	00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
	00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
	80 28 00 04 c8 fb 0b 4c`);
const VECTOR_TID = hex('b7 e7 a7 01 bc 34 d6 86 fa 87 df ae');

t.test('crc32 check value', async (t) => {
	t.equal(stun.crc32(Buffer.from('123456789')), 0xcbf43926);
	t.equal(stun.crc32(Buffer.alloc(0)), 0);
});

t.test('RFC 5769 §2.1 sample request', async (t) => {
	t.ok(stun.isStun(REQUEST));
	const m = stun.parseStunMessage(REQUEST, PASSWORD);
	t.equal(m.class, 'request');
	t.equal(m.method, 1);
	t.same(m.transactionId, VECTOR_TID);
	t.equal(m.username, 'evtj:h6vY');
	t.equal(m.priority, 0x6e0001ff);
	t.same(m.attributes.get(stun.ATTR.ICE_CONTROLLED), hex('93 2f f9 b1 51 26 3b 36'));
	t.equal(m.integrityOk, true, 'MESSAGE-INTEGRITY verifies');
	t.equal(m.fingerprintOk, true, 'FINGERPRINT verifies');
	t.equal(stun.parseStunMessage(REQUEST, 'VOkJxbRl1RmTxUk/WvJxBu').integrityOk, false, 'wrong password');
	t.throws(() => stun.parseStunResponse(REQUEST, PASSWORD), /not a STUN response/);

	const corrupt = Buffer.from(REQUEST);
	corrupt[60] ^= 0x01; // inside USERNAME
	const c = stun.parseStunMessage(corrupt, PASSWORD);
	t.equal(c.integrityOk, false);
	t.equal(c.fingerprintOk, false);
});

t.test('RFC 5769 §2.2 IPv4 response', async (t) => {
	const r = stun.parseStunResponse(RESPONSE_V4, PASSWORD);
	t.equal(r.type, 'success');
	t.same(r.transactionId, VECTOR_TID);
	t.same(r.xorMappedAddress, { address: '192.0.2.1', port: 32853, family: 'IPv4' });
	t.equal(r.integrityOk, true);
	t.equal(r.fingerprintOk, true);
	t.equal(stun.parseStunResponse(RESPONSE_V4).integrityOk, false, 'no password: not verified');
	t.equal(stun.parseStunResponse(RESPONSE_V4, 'x').integrityOk, false);
});

t.test('RFC 5769 §2.3 IPv6 response', async (t) => {
	const r = stun.parseStunResponse(RESPONSE_V6, PASSWORD);
	t.equal(r.type, 'success');
	t.same(r.xorMappedAddress, { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' });
	t.equal(r.integrityOk, true);
	t.equal(r.fingerprintOk, true);
});

t.test('builder reproduces the RFC 5769 request attributes and hashes verify', async (t) => {
	const built = stun.buildBindingRequest({
		username: 'evtj:h6vY',
		password: PASSWORD,
		priority: 0x6e0001ff,
		iceControlled: 0x932ff9b151263b36n,
		transactionId: VECTOR_TID,
	});
	const m = stun.parseStunMessage(built, PASSWORD);
	t.equal(m.class, 'request');
	t.same(m.transactionId, VECTOR_TID);
	t.equal(m.username, 'evtj:h6vY');
	t.equal(m.priority, 0x6e0001ff);
	t.same(m.attributes.get(stun.ATTR.ICE_CONTROLLED), hex('93 2f f9 b1 51 26 3b 36'));
	t.notOk(m.attributes.has(stun.ATTR.ICE_CONTROLLING), 'iceControlled alone leaves out ICE-CONTROLLING');
	t.equal(m.integrityOk, true);
	t.equal(m.fingerprintOk, true);
	// Same header, PRIORITY and ICE-CONTROLLED bytes as the vector (which has SOFTWARE
	// first and space padding, so the hashes differ).
	t.same(built.subarray(4, 20), REQUEST.subarray(4, 20));
	t.ok(built.includes(REQUEST.subarray(40, 48)), 'PRIORITY attribute bytes');
	t.ok(built.includes(REQUEST.subarray(48, 60)), 'ICE-CONTROLLED attribute bytes');
});

t.test('builder options', async (t) => {
	const base = { username: 'srv:cli', password: 'p4ssw0rdp4ssw0rdp4ssw0rd' };
	const plain = stun.parseStunMessage(stun.buildBindingRequest(base), base.password);
	t.equal(plain.integrityOk, true);
	t.equal(plain.fingerprintOk, true);
	t.equal(plain.priority, 1853824767, 'default PRIORITY');
	t.equal(plain.useCandidate, false);
	t.equal(plain.attributes.get(stun.ATTR.ICE_CONTROLLING).length, 8, 'ICE-CONTROLLING by default');
	t.equal(plain.transactionId.length, 12);

	const nominated = stun.parseStunMessage(stun.buildBindingRequest({ ...base, useCandidate: true }), base.password);
	t.equal(nominated.useCandidate, true);
	t.equal(nominated.integrityOk, true);

	const bad = stun.parseStunMessage(stun.buildBindingRequest({ ...base, badIntegrity: true }), base.password);
	t.equal(bad.hasIntegrity, true);
	t.equal(bad.integrityOk, false);
	t.equal(bad.fingerprintOk, true, 'FINGERPRINT is computed over the bad HMAC, so it still verifies');

	const none = stun.parseStunMessage(stun.buildBindingRequest({ ...base, omitIntegrity: true }), base.password);
	t.equal(none.hasIntegrity, false);
	t.equal(none.fingerprintOk, true);

	const noPriority = stun.parseStunMessage(stun.buildBindingRequest({ ...base, priority: null }), base.password);
	t.equal(noPriority.priority, undefined);
	const overridden = stun.parseStunMessage(
		stun.buildBindingRequest({ ...{ ...base, priority: 5 }, priority: undefined }), base.password);
	t.equal(overridden.priority, undefined, 'an explicit undefined omits PRIORITY too');
	t.notOk(overridden.attributes.has(stun.ATTR.PRIORITY));

	const noFp = stun.parseStunMessage(stun.buildBindingRequest({ ...base, omitFingerprint: true }), base.password);
	t.equal(noFp.hasFingerprint, false);
	t.equal(noFp.integrityOk, true);

	const both = stun.parseStunMessage(
		stun.buildBindingRequest({ ...base, iceControlling: 1n, iceControlled: 2n }), base.password);
	t.same(both.attributes.get(stun.ATTR.ICE_CONTROLLING), hex('0000000000000001'));
	t.same(both.attributes.get(stun.ATTR.ICE_CONTROLLED), hex('0000000000000002'));

	t.throws(() => stun.buildBindingRequest({ username: 'a:b' }), TypeError, 'password needed for integrity');
	t.throws(() => stun.buildBindingRequest({ ...base, transactionId: Buffer.alloc(11) }), TypeError);
});

t.test('responses made by the C++ IceServer', async (t) => {
	// Request built by buildBindingRequest (transaction id 0102..0c, tie-breaker
	// 0x1122334455667788) for ufrag/password below; the IceServer answered from
	// 192.0.2.1:32853.
	const ufrag = 'Ufrag0123456789a';
	const password = 'Password0123456789012345678901ab';
	const request = stun.buildBindingRequest({
		username: `${ufrag}:client`,
		password,
		transactionId: hex('0102030405060708090a0b0c'),
		iceControlling: 0x1122334455667788n,
	});
	t.same(request, hex(`000100502112a4420102030405060708090a0b0c00060017556672616730313233343536373839613a636c69656e7400
		002400046e7f1eff802a000811223344556677880008001489d35c6e1201f680fdc1ecc65af339b5caf9c51d80280004a4c9c431`),
	'builder output is stable');
	const response = hex(`0101002c2112a4420102030405060708090a0b0c002000080001a147e112a643000800142b5be54ae315f67b
		ef1fec295ea4d9f515def7a6802800040cc06a44`);
	const r = stun.parseStunResponse(response, password);
	t.equal(r.type, 'success');
	t.same(r.transactionId, hex('0102030405060708090a0b0c'));
	t.same(r.xorMappedAddress, { address: '192.0.2.1', port: 32853, family: 'IPv4' });
	t.equal(r.integrityOk, true);
	t.equal(r.fingerprintOk, true);
});

t.test('error responses', async (t) => {
	// A 487 in the shape the IceServer sends: ERROR-CODE, MESSAGE-INTEGRITY, FINGERPRINT.
	const tid = hex('0102030405060708090a0b0c');
	const password = 'pw';
	const header = Buffer.alloc(20);
	header.writeUInt16BE(0x0111, 0);
	header.writeUInt32BE(stun.MAGIC_COOKIE, 4);
	tid.copy(header, 8);
	const reason = Buffer.from('Role Conflict');
	const errorAttr = Buffer.alloc(4 + 4 + 16);
	errorAttr.writeUInt16BE(0x0009, 0);
	errorAttr.writeUInt16BE(4 + reason.length, 2);
	errorAttr[6] = 4;
	errorAttr[7] = 87;
	reason.copy(errorAttr, 8);
	let msg = Buffer.concat([header, errorAttr]);
	msg.writeUInt16BE(msg.length - 20, 2);
	const r = stun.parseStunResponse(msg, password);
	t.equal(r.type, 'error');
	t.equal(r.errorCode, 487);
	t.equal(r.errorReason, 'Role Conflict');
	t.equal(r.integrityOk, false);
	t.equal(r.fingerprintOk, false);
	t.same(r.transactionId, tid);
	// Without ERROR-CODE an error response is malformed.
	msg = Buffer.from(header);
	t.throws(() => stun.parseStunResponse(msg), /ERROR-CODE/);
});

t.test('malformed input throws', async (t) => {
	let thrown = 0;
	for (const vector of [RESPONSE_V4, RESPONSE_V6]) {
		for (let n = 0; n < vector.length; n++) {
			t.throws(() => stun.parseStunResponse(vector.subarray(0, n), PASSWORD), `prefix ${n}`);
			thrown++;
		}
	}
	t.equal(thrown, RESPONSE_V4.length + RESPONSE_V6.length);

	const overrun = Buffer.from(RESPONSE_V4);
	overrun.writeUInt16BE(0x0100, 22); // SOFTWARE length runs past the end
	t.throws(() => stun.parseStunResponse(overrun), /overruns/);

	const afterFp = Buffer.concat([RESPONSE_V4, hex('80220004 61626364')]);
	afterFp.writeUInt16BE(afterFp.length - 20, 2);
	t.throws(() => stun.parseStunResponse(afterFp), /after FINGERPRINT/);

	const notStun = Buffer.from(RESPONSE_V4);
	notStun[4] = 0;
	t.throws(() => stun.parseStunResponse(notStun), /not a STUN message/);
	t.notOk(stun.isStun(hex('16fefd000000000000000000000000000000000000')), 'DTLS is not STUN');
	t.throws(() => stun.parseStunResponse('nope'), TypeError);
});

t.test('RFC 4571 framing', async (t) => {
	const a = stun.buildBindingRequest({ username: 'a:b', password: 'x' });
	const b = stun.buildBindingRequest({ username: 'c:d', password: 'y', useCandidate: true });
	const stream = Buffer.concat([stun.frameTcp(a), stun.frameTcp(b)]);
	const partial = stun.deframeTcp(stream.subarray(0, stream.length - 3));
	t.equal(partial.messages.length, 1);
	t.same(partial.messages[0], a);
	t.equal(partial.rest.length, 2 + b.length - 3);
	const full = stun.deframeTcp(Buffer.concat([partial.rest, stream.subarray(stream.length - 3)]));
	t.same(full.messages, [b]);
	t.equal(full.rest.length, 0);
});
