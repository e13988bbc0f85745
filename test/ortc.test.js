'use strict';

const t = require('tap');
const ortc = require('../lib/ortc');
const { UnsupportedError } = require('../lib/errors');
const { supportedRtpCapabilities, getSupportedRtpCapabilities } = require('../lib/supportedRtpCapabilities');
const { parseScalabilityMode } = require('../lib/scalabilityModes');

const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_CAPTURE_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';

function typeError(field) {
	return { name: 'TypeError', message: new RegExp(field.replace(/[.[\]]/g, '\\$&')) };
}

function opus() {
	return { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
}

function vp8() {
	return { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
}

function h264(parameters) {
	return { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters };
}

function codecByMime(caps, mimeType) {
	return caps.codecs.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
}

function rtxFor(caps, pt) {
	return caps.codecs.find((c) => c.mimeType === 'video/rtx' && c.parameters.apt === pt);
}

// A router with opus, VP8, H264 (4d0032 / 42e01f), VP9 profile 2.
function routerCaps() {
	return ortc.generateRouterRtpCapabilities([
		opus(),
		{ ...vp8(), parameters: { 'x-google-start-bitrate': 1000 } },
		{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
		h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 }),
		h264({ 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 }),
	]);
}

// ---------------------------------------------------------------------------
// Supported capabilities and scalability modes
// ---------------------------------------------------------------------------

t.test('supportedRtpCapabilities lists the documented codecs', (t) => {
	const caps = supportedRtpCapabilities;
	const mimes = new Set(caps.codecs.map((c) => c.mimeType));
	for (const m of ['audio/opus', 'audio/multiopus', 'audio/PCMU', 'audio/PCMA', 'audio/G722', 'audio/iLBC',
		'audio/SILK', 'audio/CN', 'audio/telephone-event', 'video/VP8', 'video/VP9', 'video/H264',
		'video/AV1', 'audio/ISAC']) {
		t.ok(mimes.has(m), m);
	}
	t.equal(codecByMime(caps, 'audio/PCMU').preferredPayloadType, 0);
	t.equal(codecByMime(caps, 'audio/PCMA').preferredPayloadType, 8);
	t.equal(codecByMime(caps, 'audio/G722').preferredPayloadType, 9);
	t.equal(codecByMime(caps, 'audio/G722').clockRate, 8000);
	t.equal(caps.codecs.find((c) => c.mimeType === 'audio/CN' && c.clockRate === 8000).preferredPayloadType, 13);
	t.same(caps.codecs.filter((c) => c.mimeType === 'audio/SILK').map((c) => c.clockRate), [24000, 16000, 12000, 8000]);
	t.same(caps.codecs.filter((c) => c.mimeType === 'audio/multiopus').map((c) => c.channels), [4, 6, 8]);
	t.same(caps.codecs.filter((c) => c.mimeType === 'audio/telephone-event').map((c) => c.clockRate),
		[48000, 32000, 16000, 8000]);
	t.same(caps.codecs.filter((c) => c.mimeType === 'video/H264').map((c) => c.parameters), [{ 'level-asymmetry-allowed': 1 }],
		'one H264 entry: the router codec takes its packetization-mode from mediaCodecs');
	t.same(codecByMime(caps, 'video/VP8').rtcpFeedback.map((f) => `${f.type} ${f.parameter ?? ''}`.trim()),
		['nack', 'nack pli', 'ccm fir', 'goog-remb', 'transport-cc']);
	t.equal(codecByMime(caps, 'audio/opus').channels, 2);
	t.notOk(caps.codecs.some((c) => /rtx/i.test(c.mimeType)), 'no RTX in supported codecs');
	t.end();
});

t.test('supported header extensions', (t) => {
	const exts = supportedRtpCapabilities.headerExtensions;
	const find = (kind, uri) => exts.find((e) => e.kind === kind && e.uri === uri);
	t.equal(find('audio', MID).preferredId, 1);
	t.equal(find('video', MID).preferredId, 1);
	t.equal(find('video', ABS_SEND_TIME).preferredId, 4);
	t.equal(find('audio', TWCC).direction, 'recvonly');
	t.equal(find('video', TWCC).direction, 'sendrecv');
	t.equal(find('audio', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level').preferredId, 6);
	t.equal(find('video', 'urn:3gpp:video-orientation').preferredId, 8);
	t.equal(find('video', 'urn:ietf:params:rtp-hdrext:toffset').preferredId, 9);
	t.ok(find('audio', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'));
	t.ok(find('video', 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'));
	t.equal(find('video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id').direction, 'recvonly');
	// Ids are unique per kind (RFC 8285).
	for (const kind of ['audio', 'video']) {
		const ids = exts.filter((e) => e.kind === kind).map((e) => e.preferredId);
		t.equal(new Set(ids).size, ids.length, `${kind} ids unique`);
	}
	t.ok(exts.every((e) => e.preferredEncrypt === false));
	t.end();
});

t.test('getSupportedRtpCapabilities returns a fresh deep copy', (t) => {
	const a = getSupportedRtpCapabilities();
	a.codecs[0].mimeType = 'audio/changed';
	a.headerExtensions.length = 0;
	const b = getSupportedRtpCapabilities();
	t.equal(b.codecs[0].mimeType, 'audio/opus');
	t.ok(b.headerExtensions.length > 0);
	t.equal(supportedRtpCapabilities.codecs[0].mimeType, 'audio/opus');
	t.end();
});

t.test('parseScalabilityMode', (t) => {
	t.same(parseScalabilityMode('L1T3'), { spatialLayers: 1, temporalLayers: 3, ksvc: false });
	t.same(parseScalabilityMode('L3T3_KEY'), { spatialLayers: 3, temporalLayers: 3, ksvc: true });
	t.same(parseScalabilityMode('L3T2_KEY_SHIFT'), { spatialLayers: 3, temporalLayers: 2, ksvc: true });
	t.same(parseScalabilityMode('S3T3'), { spatialLayers: 3, temporalLayers: 3, ksvc: false });
	t.same(parseScalabilityMode('L2T2h'), { spatialLayers: 2, temporalLayers: 2, ksvc: false });
	t.same(parseScalabilityMode('L10T12'), { spatialLayers: 10, temporalLayers: 12, ksvc: false });
	for (const bad of [undefined, '', 'foo', 'L0T3', 'T3', 'L1', 'l1t3', 'XL1T3', 3, null]) {
		t.same(parseScalabilityMode(bad), { spatialLayers: 1, temporalLayers: 1, ksvc: false }, String(bad));
	}
	t.end();
});

// ---------------------------------------------------------------------------
// validateRtpCodecCapability / validateRtcpFeedback / validateRtpHeaderExtension
// ---------------------------------------------------------------------------

t.test('validateRtpCodecCapability normalises', (t) => {
	const audio = { mimeType: 'audio/PCMU', clockRate: 8000 };
	ortc.validateRtpCodecCapability(audio);
	t.equal(audio.kind, 'audio', 'kind from mimeType');
	t.equal(audio.channels, 1, 'audio channels default 1');
	t.same(audio.parameters, {});
	t.same(audio.rtcpFeedback, []);

	const video = { mimeType: 'VIDEO/vp8', clockRate: 90000, channels: 2, rtcpFeedback: [{ type: 'nack' }] };
	ortc.validateRtpCodecCapability(video);
	t.equal(video.kind, 'video', 'mimeType type is case-insensitive');
	t.notOk('channels' in video, 'video channels removed');
	t.same(video.rtcpFeedback, [{ type: 'nack', parameter: '' }]);

	const withUndefinedParam = { mimeType: 'video/VP8', clockRate: 90000, parameters: { a: undefined, b: 1 } };
	ortc.validateRtpCodecCapability(withUndefinedParam);
	t.same(withUndefinedParam.parameters, { b: 1 });

	const rtx = { mimeType: 'video/rtx', clockRate: 90000, parameters: { apt: 101 } };
	ortc.validateRtpCodecCapability(rtx);
	t.equal(rtx.kind, 'video');
	t.end();
});

t.test('validateRtpCodecCapability errors', (t) => {
	const v = (codec) => () => ortc.validateRtpCodecCapability(codec);
	t.throws(v('x'), { name: 'TypeError', message: /codec/ });
	t.throws(v(null), { name: 'TypeError', message: /codec/ });
	t.throws(v({ clockRate: 8000 }), typeError('missing codec.mimeType'));
	t.throws(v({ mimeType: 'foo', clockRate: 8000 }), typeError('invalid codec.mimeType'));
	t.throws(v({ mimeType: 'text/plain', clockRate: 8000 }), typeError('invalid codec.mimeType'));
	t.throws(v({ mimeType: 123, clockRate: 8000 }), typeError('invalid codec.mimeType'));
	t.throws(v({ kind: 'video', mimeType: 'audio/opus', clockRate: 48000 }), typeError('invalid codec.kind'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, preferredPayloadType: 'x' }),
		typeError('invalid codec.preferredPayloadType'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, preferredPayloadType: 128 }),
		typeError('invalid codec.preferredPayloadType'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus' }), typeError('missing codec.clockRate'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: '48000' }), typeError('invalid codec.clockRate'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 'x' }),
		typeError('invalid codec.channels'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, parameters: 'x' }),
		typeError('invalid codec.parameters'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, parameters: { foo: true } }),
		typeError("invalid codec.parameters['foo']"));
	t.throws(v({ kind: 'video', mimeType: 'video/rtx', clockRate: 90000 }), typeError('invalid codec.parameters.apt'));
	t.throws(v({ kind: 'video', mimeType: 'video/rtx', clockRate: 90000, parameters: { apt: '101' } }),
		typeError('invalid codec.parameters.apt'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, rtcpFeedback: {} }),
		typeError('invalid codec.rtcpFeedback'));
	t.throws(v({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, rtcpFeedback: [{}] }),
		typeError('missing fb.type'));
	t.end();
});

t.test('validateRtcpFeedback', (t) => {
	const fb = { type: 'nack' };
	ortc.validateRtcpFeedback(fb);
	t.same(fb, { type: 'nack', parameter: '' });
	t.throws(() => ortc.validateRtcpFeedback(null), { name: 'TypeError', message: /fb/ });
	t.throws(() => ortc.validateRtcpFeedback({}), typeError('missing fb.type'));
	t.throws(() => ortc.validateRtcpFeedback({ type: 1 }), typeError('invalid fb.type'));
	t.throws(() => ortc.validateRtcpFeedback({ type: 'nack', parameter: 1 }), typeError('invalid fb.parameter'));
	t.end();
});

t.test('validateRtpHeaderExtension', (t) => {
	const ext = { kind: 'audio', uri: MID, preferredId: 1 };
	ortc.validateRtpHeaderExtension(ext);
	t.equal(ext.preferredEncrypt, false);
	t.equal(ext.direction, 'sendrecv');
	const v = (e) => () => ortc.validateRtpHeaderExtension(e);
	t.throws(v(null), { name: 'TypeError', message: /ext/ });
	t.throws(v({ uri: MID, preferredId: 1 }), typeError('invalid ext.kind'));
	t.throws(v({ kind: 'data', uri: MID, preferredId: 1 }), typeError('invalid ext.kind'));
	t.throws(v({ kind: 'audio', preferredId: 1 }), typeError('missing ext.uri'));
	t.throws(v({ kind: 'audio', uri: 5, preferredId: 1 }), typeError('invalid ext.uri'));
	t.throws(v({ kind: 'audio', uri: MID }), typeError('missing ext.preferredId'));
	t.throws(v({ kind: 'audio', uri: MID, preferredId: '1' }), typeError('invalid ext.preferredId'));
	t.throws(v({ kind: 'audio', uri: MID, preferredId: 0 }), typeError('invalid ext.preferredId'));
	t.throws(v({ kind: 'audio', uri: MID, preferredId: 1, preferredEncrypt: 'no' }),
		typeError('invalid ext.preferredEncrypt'));
	t.throws(v({ kind: 'audio', uri: MID, preferredId: 1, direction: 'up' }), typeError('invalid ext.direction'));
	t.end();
});

t.test('validateRtpCapabilities', (t) => {
	const caps = {};
	ortc.validateRtpCapabilities(caps);
	t.same(caps, { codecs: [], headerExtensions: [] });
	const full = { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }], headerExtensions: [{ kind: 'audio', uri: MID, preferredId: 1 }] };
	ortc.validateRtpCapabilities(full);
	t.equal(full.codecs[0].kind, 'audio');
	t.equal(full.headerExtensions[0].direction, 'sendrecv');
	t.throws(() => ortc.validateRtpCapabilities(null), { name: 'TypeError', message: /caps/ });
	t.throws(() => ortc.validateRtpCapabilities({ codecs: {} }), typeError('caps.codecs'));
	t.throws(() => ortc.validateRtpCapabilities({ headerExtensions: 'x' }), typeError('caps.headerExtensions'));
	t.throws(() => ortc.validateRtpCapabilities({ codecs: [{ clockRate: 1 }] }), typeError('missing codec.mimeType'));
	t.throws(() => ortc.validateRtpCapabilities({ headerExtensions: [{ kind: 'video', uri: MID }] }),
		typeError('missing ext.preferredId'));
	t.end();
});

// ---------------------------------------------------------------------------
// RTP parameters validation
// ---------------------------------------------------------------------------

function validParams() {
	return {
		mid: '0',
		codecs: [
			{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
			{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
		],
		headerExtensions: [{ uri: MID, id: 1 }],
		encodings: [{ ssrc: 1111, rtx: { ssrc: 2222 } }],
		rtcp: { cname: 'abc' },
	};
}

t.test('validateRtpParameters normalises', (t) => {
	const params = validParams();
	ortc.validateRtpParameters(params);
	t.same(params.codecs[0].parameters, {});
	t.same(params.codecs[0].rtcpFeedback, []);
	t.notOk('channels' in params.codecs[0]);
	t.same(params.headerExtensions[0], { uri: MID, id: 1, encrypt: false, parameters: {} });
	t.equal(params.encodings[0].dtx, false);
	t.same(params.rtcp, { cname: 'abc', reducedSize: true });

	const minimal = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] };
	ortc.validateRtpParameters(minimal);
	t.same(minimal.headerExtensions, []);
	t.same(minimal.encodings, []);
	t.same(minimal.rtcp, { reducedSize: true });
	const pcmu = { codecs: [{ mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000 }] };
	ortc.validateRtpParameters(pcmu);
	t.equal(pcmu.codecs[0].channels, 1, 'audio channels default 1');
	t.end();
});

t.test('validateRtpParameters errors', (t) => {
	const mutate = (fn) => () => {
		const p = validParams();
		fn(p);
		ortc.validateRtpParameters(p);
	};
	t.throws(() => ortc.validateRtpParameters(null), { name: 'TypeError', message: /params/ });
	t.throws(mutate((p) => { p.mid = 1; }), typeError('invalid params.mid'));
	t.throws(mutate((p) => { p.msid = 1; }), typeError('invalid params.msid'));
	t.throws(mutate((p) => { delete p.codecs; }), typeError('missing params.codecs'));
	t.throws(mutate((p) => { p.codecs = {}; }), typeError('invalid params.codecs'));
	t.throws(mutate((p) => { p.headerExtensions = {}; }), typeError('invalid params.headerExtensions'));
	t.throws(mutate((p) => { p.encodings = 'x'; }), typeError('invalid params.encodings'));
	t.throws(mutate((p) => { p.rtcp = 'x'; }), typeError('invalid params.rtcp'));
	t.end();
});

t.test('validateRtpCodecParameters errors', (t) => {
	const v = (c) => () => ortc.validateRtpCodecParameters(c);
	t.throws(v(null), { name: 'TypeError', message: /codec/ });
	t.throws(v({ payloadType: 96, clockRate: 90000 }), typeError('missing codec.mimeType'));
	t.throws(v({ mimeType: 'application/foo', payloadType: 96, clockRate: 90000 }), typeError('invalid codec.mimeType'));
	t.throws(v({ mimeType: 'video/VP8', clockRate: 90000 }), typeError('missing codec.payloadType'));
	t.throws(v({ mimeType: 'video/VP8', payloadType: '96', clockRate: 90000 }), typeError('invalid codec.payloadType'));
	t.throws(v({ mimeType: 'video/VP8', payloadType: 200, clockRate: 90000 }), typeError('invalid codec.payloadType'));
	t.throws(v({ mimeType: 'video/VP8', payloadType: 96 }), typeError('missing codec.clockRate'));
	t.throws(v({ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: [] }),
		typeError('invalid codec.parameters'));
	t.throws(v({ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000 }), typeError('invalid codec.parameters.apt'));
	t.throws(v({ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 3 }] }),
		typeError('invalid fb.parameter'));
	t.end();
});

t.test('validateRtpHeaderExtensionParameters', (t) => {
	const v = (e) => () => ortc.validateRtpHeaderExtensionParameters(e);
	t.throws(v(null), { name: 'TypeError', message: /ext/ });
	t.throws(v({ id: 1 }), typeError('missing ext.uri'));
	t.throws(v({ uri: '', id: 1 }), typeError('invalid ext.uri'));
	t.throws(v({ uri: MID }), typeError('missing ext.id'));
	t.throws(v({ uri: MID, id: 'a' }), typeError('invalid ext.id'));
	t.throws(v({ uri: MID, id: 256 }), typeError('invalid ext.id'));
	t.throws(v({ uri: MID, id: 1, encrypt: 1 }), typeError('invalid ext.encrypt'));
	t.throws(v({ uri: MID, id: 1, parameters: 1 }), typeError('invalid ext.parameters'));
	t.throws(v({ uri: MID, id: 1, parameters: { x: {} } }), typeError("invalid ext.parameters['x']"));
	t.end();
});

t.test('validateRtpEncodingParameters', (t) => {
	const enc = { rid: 'h', scalabilityMode: 'L1T3', maxBitrate: 100000, scaleResolutionDownBy: 2, codecPayloadType: 96 };
	ortc.validateRtpEncodingParameters(enc);
	t.equal(enc.dtx, false);
	const dtx = { ssrc: 5, dtx: true };
	ortc.validateRtpEncodingParameters(dtx);
	t.equal(dtx.dtx, true);
	const v = (e) => () => ortc.validateRtpEncodingParameters(e);
	t.throws(v(null), { name: 'TypeError', message: /encoding/ });
	t.throws(v({ ssrc: 'x' }), typeError('invalid encoding.ssrc'));
	t.throws(v({ ssrc: -1 }), typeError('invalid encoding.ssrc'));
	t.throws(v({ ssrc: 2 ** 32 }), typeError('invalid encoding.ssrc'));
	t.throws(v({ rid: 5 }), typeError('invalid encoding.rid'));
	t.throws(v({ codecPayloadType: 'x' }), typeError('invalid encoding.codecPayloadType'));
	t.throws(v({ rtx: 1 }), typeError('invalid encoding.rtx'));
	t.throws(v({ rtx: {} }), typeError('missing encoding.rtx.ssrc'));
	t.throws(v({ rtx: { ssrc: 'x' } }), typeError('invalid encoding.rtx.ssrc'));
	t.throws(v({ dtx: 'yes' }), typeError('invalid encoding.dtx'));
	t.throws(v({ scalabilityMode: 3 }), typeError('invalid encoding.scalabilityMode'));
	t.throws(v({ scaleResolutionDownBy: 0.5 }), typeError('invalid encoding.scaleResolutionDownBy'));
	t.throws(v({ maxBitrate: 'fast' }), typeError('invalid encoding.maxBitrate'));
	t.end();
});

t.test('validateRtcpParameters', (t) => {
	const rtcp = {};
	ortc.validateRtcpParameters(rtcp);
	t.same(rtcp, { reducedSize: true });
	const explicit = { cname: 'x', reducedSize: false, mux: true };
	ortc.validateRtcpParameters(explicit);
	t.same(explicit, { cname: 'x', reducedSize: false, mux: true });
	t.throws(() => ortc.validateRtcpParameters(null), { name: 'TypeError', message: /rtcp/ });
	t.throws(() => ortc.validateRtcpParameters({ cname: 1 }), typeError('invalid rtcp.cname'));
	t.throws(() => ortc.validateRtcpParameters({ reducedSize: 'yes' }), typeError('invalid rtcp.reducedSize'));
	t.throws(() => ortc.validateRtcpParameters({ mux: 1 }), typeError('invalid rtcp.mux'));
	t.end();
});

// ---------------------------------------------------------------------------
// SCTP validation
// ---------------------------------------------------------------------------

t.test('SCTP capabilities and parameters', (t) => {
	ortc.validateSctpCapabilities({ numStreams: { OS: 1024, MIS: 1024 } });
	t.throws(() => ortc.validateSctpCapabilities(null), { name: 'TypeError', message: /caps/ });
	t.throws(() => ortc.validateSctpCapabilities({}), typeError('missing caps.numStreams'));
	t.throws(() => ortc.validateSctpCapabilities({ numStreams: 5 }), typeError('invalid caps.numStreams'));
	t.throws(() => ortc.validateNumSctpStreams({ MIS: 1 }), typeError('missing numStreams.OS'));
	t.throws(() => ortc.validateNumSctpStreams({ OS: 'a', MIS: 1 }), typeError('invalid numStreams.OS'));
	t.throws(() => ortc.validateNumSctpStreams({ OS: 1 }), typeError('missing numStreams.MIS'));
	t.throws(() => ortc.validateNumSctpStreams({ OS: 1, MIS: 70000 }), typeError('invalid numStreams.MIS'));

	ortc.validateSctpParameters({ port: 5000, OS: 1024, MIS: 1024, maxMessageSize: 262144 });
	t.throws(() => ortc.validateSctpParameters(null), { name: 'TypeError', message: /params/ });
	for (const field of ['port', 'OS', 'MIS', 'maxMessageSize']) {
		const p = { port: 5000, OS: 1024, MIS: 1024, maxMessageSize: 262144 };
		delete p[field];
		t.throws(() => ortc.validateSctpParameters(p), typeError(`missing params.${field}`));
		p[field] = 'x';
		t.throws(() => ortc.validateSctpParameters(p), typeError(`invalid params.${field}`));
	}
	t.end();
});

t.test('validateSctpStreamParameters', (t) => {
	const reliable = { streamId: 1 };
	ortc.validateSctpStreamParameters(reliable);
	t.equal(reliable.ordered, true, 'ordered by default');
	const lifetime = { streamId: 2, maxPacketLifeTime: 100 };
	ortc.validateSctpStreamParameters(lifetime);
	t.equal(lifetime.ordered, false, 'partial reliability implies unordered');
	const retransmits = { streamId: 3, ordered: false, maxRetransmits: 0 };
	ortc.validateSctpStreamParameters(retransmits);
	t.equal(retransmits.ordered, false);
	const unordered = { streamId: 4, ordered: false };
	ortc.validateSctpStreamParameters(unordered);
	t.equal(unordered.ordered, false);

	const v = (p) => () => ortc.validateSctpStreamParameters(p);
	t.throws(v(null), { name: 'TypeError', message: /params/ });
	t.throws(v({}), typeError('missing params.streamId'));
	t.throws(v({ streamId: 'a' }), typeError('invalid params.streamId'));
	t.throws(v({ streamId: 65535 }), typeError('invalid params.streamId'));
	t.throws(v({ streamId: 1, ordered: 'yes' }), typeError('invalid params.ordered'));
	t.throws(v({ streamId: 1, maxPacketLifeTime: 'x' }), typeError('invalid params.maxPacketLifeTime'));
	t.throws(v({ streamId: 1, maxRetransmits: -1 }), typeError('invalid params.maxRetransmits'));
	t.throws(v({ streamId: 1, maxRetransmits: 1, maxPacketLifeTime: 1 }), { name: 'TypeError', message: /both/ });
	t.throws(v({ streamId: 1, ordered: true, maxRetransmits: 1 }), typeError('params.ordered'));
	t.end();
});

// ---------------------------------------------------------------------------
// generateRouterRtpCapabilities
// ---------------------------------------------------------------------------

t.test('generateRouterRtpCapabilities: basic', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		opus(),
		{ ...vp8(), parameters: { 'x-google-start-bitrate': 1000 } },
	]);
	t.equal(caps.codecs.length, 3, 'opus, VP8, VP8 RTX');
	const [a, v, rtx] = caps.codecs;
	t.match(a, { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 });
	t.same(a.rtcpFeedback, [{ type: 'nack', parameter: '' }, { type: 'transport-cc', parameter: '' }]);
	t.match(v, { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 });
	t.same(v.parameters, { 'x-google-start-bitrate': 1000 });
	t.notOk('channels' in v);
	t.same(rtx, {
		kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000,
		parameters: { apt: 101 }, rtcpFeedback: [],
	});
	t.same(caps.headerExtensions, supportedRtpCapabilities.headerExtensions.map((e) => ({ ...e })),
		'all supported header extensions');
	t.same(caps.headerExtensions.filter((e) => e.uri === 'urn:mediasoup:params:rtp-hdrext:packet-id').map((e) => e.preferredId),
		[12, 12], "mediasoup's packet-id extension, audio and video (3.27)");
	t.end();
});

t.test('generateRouterRtpCapabilities: default, empty and invalid input', (t) => {
	const empty = ortc.generateRouterRtpCapabilities();
	t.same(empty.codecs, []);
	t.ok(empty.headerExtensions.length > 0);
	t.same(ortc.generateRouterRtpCapabilities([]).codecs, []);
	t.throws(() => ortc.generateRouterRtpCapabilities('opus'), { name: 'TypeError', message: /mediaCodecs/ });
	t.throws(() => ortc.generateRouterRtpCapabilities({}), { name: 'TypeError', message: /mediaCodecs/ });
	t.throws(() => ortc.generateRouterRtpCapabilities([{ kind: 'audio', clockRate: 48000 }]),
		typeError('missing codec.mimeType'));
	t.throws(() => ortc.generateRouterRtpCapabilities([{ kind: 'audio', mimeType: 'audio/opus' }]),
		typeError('missing codec.clockRate'));
	t.throws(() => ortc.generateRouterRtpCapabilities([{ kind: 'video', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }]),
		typeError('invalid codec.kind'));
	t.throws(() => ortc.generateRouterRtpCapabilities([
		{ kind: 'video', mimeType: 'video/rtx', clockRate: 90000, parameters: { apt: 100 } },
	]), { name: 'TypeError', message: /RTX/ });
	t.end();
});

t.test('generateRouterRtpCapabilities: unsupported codecs', (t) => {
	const unsupported = (codec) => () => ortc.generateRouterRtpCapabilities([codec]);
	const isUnsupported = { name: 'UnsupportedError' };
	t.throws(unsupported({ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }), isUnsupported);
	t.throws(unsupported({ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 }), isUnsupported,
		'opus must be 2 channels');
	t.throws(unsupported({ kind: 'audio', mimeType: 'audio/opus', clockRate: 16000, channels: 2 }), isUnsupported);
	t.throws(unsupported({ kind: 'video', mimeType: 'video/VP8', clockRate: 8000 }), isUnsupported);
	t.throws(unsupported(h264({ 'packetization-mode': 2 })), isUnsupported, 'H264 packetization-mode 2');
	t.throws(unsupported(h264({ 'packetization-mode': 1, 'profile-level-id': 'zzzzzz' })), isUnsupported,
		'invalid profile-level-id');
	t.throws(unsupported({ kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 3 }), isUnsupported);
	t.throws(unsupported({
		kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 6,
		parameters: { num_streams: 3, coupled_streams: 3, channel_mapping: '0,1,2,3,4,5' },
	}), isUnsupported, 'multiopus with stream counts no layout has');
	let err;
	try {
		unsupported({ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 })();
	} catch (e) {
		err = e;
	}
	t.ok(err instanceof UnsupportedError);
	t.end();
});

t.test('generateRouterRtpCapabilities: mimeType case and merged parameters', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		{ kind: 'audio', mimeType: 'AUDIO/OPUS', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } },
		h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }),
		h264({ 'level-asymmetry-allowed': 0 }),
	]);
	t.equal(caps.codecs[0].mimeType, 'audio/opus', 'canonical mimeType');
	t.same(caps.codecs[0].parameters, { useinbandfec: 1 });
	const [h1, , h2] = caps.codecs.slice(1);
	t.same(h1.parameters, { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '4d0032' },
		'supported parameters merged with given ones');
	t.same(h2.parameters, { 'level-asymmetry-allowed': 0 },
		'given parameters override supported ones; a missing packetization-mode stays missing (it means 0)');
	t.end();
});

t.test('generateRouterRtpCapabilities: multiopus', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		{ kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 6,
			parameters: { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 } },
		{ kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 4 },
	]);
	t.equal(caps.codecs.length, 2, 'no RTX for audio');
	t.match(caps.codecs[0], { mimeType: 'audio/multiopus', channels: 6, parameters: { num_streams: 4, coupled_streams: 2 } });
	t.same(caps.codecs[1].parameters, { channel_mapping: '0,1,2,3', num_streams: 2, coupled_streams: 2 },
		'layout parameters filled from the supported entry');
	t.end();
});

t.test('generateRouterRtpCapabilities: payload types', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
		{ kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000 },
		{ kind: 'audio', mimeType: 'audio/G722', clockRate: 8000 },
		{ kind: 'audio', mimeType: 'audio/CN', clockRate: 8000 },
		{ kind: 'audio', mimeType: 'audio/CN', clockRate: 16000 },
		{ ...vp8(), preferredPayloadType: 96 },
		{ ...opus(), preferredPayloadType: 111 },
		{ kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 8000 },
	]);
	const pts = caps.codecs.map((c) => c.preferredPayloadType);
	t.equal(codecByMime(caps, 'audio/PCMU').preferredPayloadType, 0, 'static PCMU');
	t.equal(codecByMime(caps, 'audio/PCMA').preferredPayloadType, 8, 'static PCMA');
	t.equal(codecByMime(caps, 'audio/G722').preferredPayloadType, 9, 'static G722');
	t.equal(caps.codecs.find((c) => c.mimeType === 'audio/CN' && c.clockRate === 8000).preferredPayloadType, 13);
	t.equal(caps.codecs.find((c) => c.mimeType === 'audio/CN' && c.clockRate === 16000).preferredPayloadType, 100);
	t.equal(codecByMime(caps, 'video/VP8').preferredPayloadType, 96, 'preferred PT honoured');
	t.equal(rtxFor(caps, 96).preferredPayloadType, 101, 'RTX PT from the dynamic pool');
	t.equal(codecByMime(caps, 'audio/opus').preferredPayloadType, 111, 'preferred PT honoured');
	t.equal(codecByMime(caps, 'audio/telephone-event').preferredPayloadType, 102);
	t.equal(new Set(pts).size, pts.length, 'no duplicates');
	t.end();
});

t.test('generateRouterRtpCapabilities: preferred PT reserved before automatic ones', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		vp8(), // would get 100 and its RTX 101
		{ ...opus(), preferredPayloadType: 100 },
	]);
	t.equal(codecByMime(caps, 'audio/opus').preferredPayloadType, 100);
	t.equal(codecByMime(caps, 'video/VP8').preferredPayloadType, 101);
	t.equal(rtxFor(caps, 101).preferredPayloadType, 102);
	t.end();
});

t.test('generateRouterRtpCapabilities: colliding preferred PTs', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([
		{ ...opus(), preferredPayloadType: 111 },
		{ ...vp8(), preferredPayloadType: 111 },
		{ kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, preferredPayloadType: 0 },
		{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
	]);
	t.equal(codecByMime(caps, 'audio/opus').preferredPayloadType, 111, 'first one wins');
	t.equal(codecByMime(caps, 'video/VP8').preferredPayloadType, 100, 'second falls back to the pool');
	t.equal(codecByMime(caps, 'audio/PCMA').preferredPayloadType, 0, 'application PT honoured');
	t.equal(codecByMime(caps, 'audio/PCMU').preferredPayloadType, 102, 'static PT taken: dynamic one');
	const pts = caps.codecs.map((c) => c.preferredPayloadType);
	t.equal(new Set(pts).size, pts.length, 'no duplicates');
	t.end();
});

t.test('generateRouterRtpCapabilities: dynamic payload type pool runs out', (t) => {
	// 32 dynamic PTs (96-127): 16 video codecs with RTX use them all.
	const sixteen = Array.from({ length: 16 }, (_, i) => ({ ...vp8(), parameters: { n: i } }));
	const caps = ortc.generateRouterRtpCapabilities(sixteen);
	const pts = caps.codecs.map((c) => c.preferredPayloadType).sort((a, b) => a - b);
	t.same(pts, Array.from({ length: 32 }, (_, i) => 96 + i), 'every dynamic PT used once');
	t.equal(caps.codecs[0].preferredPayloadType, 100, 'pool starts at 100');
	t.throws(() => ortc.generateRouterRtpCapabilities([...sixteen, opus()]),
		{ name: 'Error', message: 'cannot allocate more dynamic codec payload types' });
	t.end();
});

t.test('generateRouterRtpCapabilities: RTX after each video codec only', (t) => {
	const caps = routerCaps();
	t.same(caps.codecs.map((c) => c.mimeType), [
		'audio/opus', 'video/VP8', 'video/rtx', 'video/VP9', 'video/rtx', 'video/H264', 'video/rtx', 'video/H264', 'video/rtx',
	]);
	for (let i = 0; i < caps.codecs.length; i++) {
		const codec = caps.codecs[i];
		if (codec.mimeType === 'video/rtx') {
			t.equal(codec.parameters.apt, caps.codecs[i - 1].preferredPayloadType, 'apt names the preceding codec');
			t.equal(codec.clockRate, caps.codecs[i - 1].clockRate);
		}
	}
	t.same(codecByMime(caps, 'video/VP9').parameters, { 'profile-id': 2 });
	t.end();
});

t.test('generateRouterRtpCapabilities does not share objects with the supported list', (t) => {
	const caps = ortc.generateRouterRtpCapabilities([opus()]);
	caps.codecs[0].rtcpFeedback.push({ type: 'x', parameter: '' });
	caps.headerExtensions[0].preferredId = 99;
	t.equal(supportedRtpCapabilities.codecs[0].rtcpFeedback.length, 2);
	t.equal(supportedRtpCapabilities.headerExtensions[0].preferredId, 1);
	t.end();
});

// ---------------------------------------------------------------------------
// matchCodecs
// ---------------------------------------------------------------------------

t.test('matchCodecs', (t) => {
	t.ok(ortc.matchCodecs({ mimeType: 'audio/OPUS', clockRate: 48000, channels: 2 }, { mimeType: 'audio/opus', clockRate: 48000, channels: 2 }));
	t.notOk(ortc.matchCodecs({ mimeType: 'audio/opus', clockRate: 48000, channels: 1 }, { mimeType: 'audio/opus', clockRate: 48000, channels: 2 }));
	t.ok(ortc.matchCodecs({ mimeType: 'audio/PCMU', clockRate: 8000 }, { mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 }),
		'channels default 1');
	t.notOk(ortc.matchCodecs({ mimeType: 'video/VP8', clockRate: 90000 }, { mimeType: 'video/VP9', clockRate: 90000 }));

	// VP9 profile-id only in strict mode (default 0).
	const vp9 = (p) => ({ mimeType: 'video/VP9', clockRate: 90000, parameters: p });
	t.ok(ortc.matchCodecs(vp9({ 'profile-id': 2 }), vp9({})), 'non strict ignores profile-id');
	t.notOk(ortc.matchCodecs(vp9({ 'profile-id': 2 }), vp9({}), { strict: true }));
	t.ok(ortc.matchCodecs(vp9({ 'profile-id': 0 }), vp9({}), { strict: true }), 'absent profile-id is 0');
	t.ok(ortc.matchCodecs(vp9({ 'profile-id': '2' }), vp9({ 'profile-id': 2 }), { strict: true }));

	// H264.
	const h = (p) => ({ mimeType: 'video/H264', clockRate: 90000, parameters: p });
	t.ok(ortc.matchCodecs(h({ 'packetization-mode': 1 }), h({})), 'loose: packetization-mode not compared (router codecs)');
	t.notOk(ortc.matchCodecs(h({ 'packetization-mode': 1 }), h({}), { strict: true }), 'strict: packetization-mode compared');
	t.ok(ortc.matchCodecs(h({ 'packetization-mode': 0 }), h({}), { strict: true }), 'strict: missing packetization-mode is 0');
	t.ok(ortc.matchCodecs(h({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }), h({ 'packetization-mode': 1 })),
		'non strict ignores the profile');
	t.notOk(ortc.matchCodecs(h({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }), h({ 'packetization-mode': 1 }),
		{ strict: true }), 'strict: Main vs default Constrained Baseline');
	t.ok(ortc.matchCodecs(h({ 'profile-level-id': '42e01f' }), h({ 'profile-level-id': '42e01f' }), { strict: true }));
	t.ok(ortc.matchCodecs(h({ 'profile-level-id': '42e01f' }), h({ 'profile-level-id': '42c02a' }), { strict: true }),
		'same profile (Constrained Baseline), different level');
	t.ok(ortc.matchCodecs(h({ 'profile-level-id': '42e01f' }), h({}), { strict: true }), 'default is 42e01f');
	t.notOk(ortc.matchCodecs(h({ 'profile-level-id': '42e01f' }), h({ 'profile-level-id': '42001f' }), { strict: true }),
		'Constrained Baseline vs Baseline');
	t.notOk(ortc.matchCodecs(h({ 'profile-level-id': '42e01f' }), h({ 'profile-level-id': '4d001f' }), { strict: true }),
		'Constrained Baseline vs Main');

	// modify writes the answer level into the first codec.
	const local = h({ 'profile-level-id': '42e034' });
	t.ok(ortc.matchCodecs(local, h({ 'profile-level-id': '42e01f' }), { strict: true, modify: true }));
	t.equal(local.parameters['profile-level-id'], '42e01f', 'min level without asymmetry');
	const asym = h({ 'profile-level-id': '42e034', 'level-asymmetry-allowed': 1 });
	t.ok(ortc.matchCodecs(asym, h({ 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 }), { strict: true, modify: true }));
	t.equal(asym.parameters['profile-level-id'], '42e034', 'local level with asymmetry on both sides');
	const none = h({});
	t.ok(ortc.matchCodecs(none, h({}), { strict: true, modify: true }));
	t.notOk('profile-level-id' in none.parameters, 'no profile-level-id when neither side has one');

	// multiopus.
	const mo = (n, c) => ({ mimeType: 'audio/multiopus', clockRate: 48000, channels: 6, parameters: { num_streams: n, coupled_streams: c } });
	t.ok(ortc.matchCodecs(mo(4, 2), mo(4, 2), { strict: true }));
	t.notOk(ortc.matchCodecs(mo(4, 2), mo(3, 3), { strict: true }));
	t.notOk(ortc.matchCodecs(mo(4, 2), mo(3, 3)));

	// AV1 profile in strict mode.
	const av1 = (p) => ({ mimeType: 'video/AV1', clockRate: 90000, parameters: p });
	t.ok(ortc.matchCodecs(av1({ profile: 1 }), av1({})));
	t.notOk(ortc.matchCodecs(av1({ profile: 1 }), av1({}), { strict: true }));
	t.end();
});

// ---------------------------------------------------------------------------
// Producers and consumers
// ---------------------------------------------------------------------------

function vp8SimulcastProducerParams() {
	return {
		mid: '1',
		codecs: [
			{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: { foo: 'bar' },
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }] },
			{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
		],
		headerExtensions: [{ uri: MID, id: 9 }, { uri: ABS_SEND_TIME, id: 3 }],
		encodings: [
			{ ssrc: 11111111, rtx: { ssrc: 11111112 }, scalabilityMode: 'L1T3', maxBitrate: 100000 },
			{ ssrc: 21111111, rtx: { ssrc: 21111112 }, scalabilityMode: 'L1T3', maxBitrate: 500000 },
			{ ssrc: 31111111, rtx: { ssrc: 31111112 }, scalabilityMode: 'L1T3', maxBitrate: 1000000 },
		],
		rtcp: { cname: 'qwerty1234' },
	};
}

t.test('getProducerRtpParametersMapping', (t) => {
	const caps = routerCaps();
	const params = vp8SimulcastProducerParams();
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const routerVp8 = codecByMime(caps, 'video/VP8').preferredPayloadType;
	t.same(mapping.codecs, [
		{ payloadType: 96, mappedPayloadType: routerVp8 },
		{ payloadType: 97, mappedPayloadType: rtxFor(caps, routerVp8).preferredPayloadType },
	]);
	t.equal(mapping.encodings.length, 3);
	t.match(mapping.encodings[0], { ssrc: 11111111, scalabilityMode: 'L1T3' });
	t.notOk('rid' in mapping.encodings[0]);
	const mapped = mapping.encodings.map((e) => e.mappedSsrc);
	t.equal(new Set(mapped).size, 3, 'distinct mapped SSRCs');
	for (const ssrc of mapped) t.ok(ssrc >= 100000000 && ssrc <= 999999999, 'mapped SSRC in range');
	t.end();
});

t.test('getProducerRtpParametersMapping with rid encodings and H264', (t) => {
	const caps = routerCaps();
	const params = {
		codecs: [{ mimeType: 'video/H264', payloadType: 112, clockRate: 90000,
			parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0028', 'level-asymmetry-allowed': 1 } }],
		encodings: [{ rid: 'r0' }, { rid: 'r1' }],
	};
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const routerH264 = caps.codecs.find((c) => c.mimeType === 'video/H264' && c.parameters['profile-level-id'] === '4d0032');
	t.same(mapping.codecs, [{ payloadType: 112, mappedPayloadType: routerH264.preferredPayloadType }],
		'Main profile maps to the Main profile router codec');
	t.same(mapping.encodings.map((e) => e.rid), ['r0', 'r1']);
	t.end();
});

t.test('getProducerRtpParametersMapping errors', (t) => {
	const caps = routerCaps();
	const unsupported = {
		codecs: [{ mimeType: 'video/H264', payloadType: 112, clockRate: 90000,
			parameters: { 'packetization-mode': 1, 'profile-level-id': '640032' } }],
		encodings: [{ ssrc: 1 }],
	};
	ortc.validateRtpParameters(unsupported);
	t.throws(() => ortc.getProducerRtpParametersMapping(unsupported, caps), { name: 'UnsupportedError' },
		'High profile not in router');

	const pcma = { codecs: [{ mimeType: 'audio/PCMA', payloadType: 8, clockRate: 8000 }], encodings: [{ ssrc: 1 }] };
	ortc.validateRtpParameters(pcma);
	t.throws(() => ortc.getProducerRtpParametersMapping(pcma, caps), { name: 'UnsupportedError', message: /PCMA/ });

	const orphanRtx = {
		codecs: [
			{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
			{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 98 } },
		],
		encodings: [{ ssrc: 1 }],
	};
	ortc.validateRtpParameters(orphanRtx);
	t.throws(() => ortc.getProducerRtpParametersMapping(orphanRtx, caps), { name: 'TypeError', message: /RTX/ });

	// A router without RTX for the codec (hand-made capabilities).
	const noRtxCaps = { codecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 }] };
	ortc.validateRtpCapabilities(noRtxCaps);
	const withRtx = {
		codecs: [
			{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
			{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
		],
		encodings: [{ ssrc: 1 }],
	};
	ortc.validateRtpParameters(withRtx);
	t.throws(() => ortc.getProducerRtpParametersMapping(withRtx, noRtxCaps), { name: 'UnsupportedError', message: /RTX/ });
	t.end();
});

function consumable() {
	const caps = routerCaps();
	const params = vp8SimulcastProducerParams();
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const consumableParams = ortc.getConsumableRtpParameters('video', params, caps, mapping);
	return { caps, params, mapping, consumableParams };
}

t.test('getConsumableRtpParameters', (t) => {
	const { caps, mapping, consumableParams } = consumable();
	const routerVp8 = codecByMime(caps, 'video/VP8');
	const routerRtx = rtxFor(caps, routerVp8.preferredPayloadType);
	t.same(consumableParams.codecs, [
		{ mimeType: 'video/VP8', payloadType: routerVp8.preferredPayloadType, clockRate: 90000,
			parameters: { foo: 'bar' }, rtcpFeedback: routerVp8.rtcpFeedback },
		{ mimeType: 'video/rtx', payloadType: routerRtx.preferredPayloadType, clockRate: 90000,
			parameters: { apt: routerVp8.preferredPayloadType }, rtcpFeedback: [] },
	], 'router PTs and feedback, producer parameters');
	const expectedExts = caps.headerExtensions
		.filter((e) => e.kind === 'video' && (e.direction === 'sendrecv' || e.direction === 'sendonly'))
		.filter((e) => e.uri !== ABS_CAPTURE_TIME)
		.map((e) => ({ uri: e.uri, id: e.preferredId, encrypt: false, parameters: {} }));
	t.same(consumableParams.headerExtensions, expectedExts, 'sendable video extensions, router ids (no abs-capture-time)');
	t.notOk(consumableParams.headerExtensions.some((e) => /rtp-stream-id/.test(e.uri)), 'no recvonly RID');
	t.same(consumableParams.encodings.map((e) => e.ssrc), mapping.encodings.map((e) => e.mappedSsrc));
	for (const e of consumableParams.encodings) {
		t.notOk('rtx' in e);
		t.notOk('rid' in e);
		t.equal(e.scalabilityMode, 'L1T3');
	}
	t.same(consumableParams.rtcp, { cname: 'qwerty1234', reducedSize: true });

	const audioCaps = routerCaps();
	const audioParams = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 5 }] };
	ortc.validateRtpParameters(audioParams);
	const audioMapping = ortc.getProducerRtpParametersMapping(audioParams, audioCaps);
	const audioConsumable = ortc.getConsumableRtpParameters('audio', audioParams, audioCaps, audioMapping);
	t.equal(audioConsumable.codecs.length, 1, 'no RTX for audio');
	t.equal(audioConsumable.codecs[0].channels, 2);
	t.notOk(audioConsumable.headerExtensions.some((e) => e.uri === TWCC), 'audio transport-cc is recvonly');
	t.ok(audioConsumable.headerExtensions.some((e) => e.uri === 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'));
	t.end();
});

function remoteCaps(overrides = {}) {
	const caps = {
		codecs: [
			{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000,
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' },
					{ type: 'goog-remb' }, { type: 'transport-cc' }] },
			{ kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
		],
		headerExtensions: [
			{ kind: 'video', uri: MID, preferredId: 1 },
			{ kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 },
			{ kind: 'video', uri: TWCC, preferredId: 5 },
			{ kind: 'video', uri: 'urn:3gpp:video-orientation', preferredId: 99 },
		],
		...overrides,
	};
	return caps;
}

t.test('canConsume', (t) => {
	const { consumableParams } = consumable();
	t.equal(ortc.canConsume(consumableParams, remoteCaps()), true);
	t.equal(ortc.canConsume(consumableParams, remoteCaps({ codecs: [remoteCaps().codecs[0]] })), false, 'audio only');
	t.equal(ortc.canConsume(consumableParams, remoteCaps({ codecs: [remoteCaps().codecs[2]] })), false, 'RTX only');
	t.equal(ortc.canConsume(consumableParams, {}), false);
	t.throws(() => ortc.canConsume(consumableParams, { codecs: [{ mimeType: 'bad' }] }), typeError('invalid codec.mimeType'));
	t.end();
});

t.test('getConsumerRtpParameters (simulcast producer)', (t) => {
	const { caps, consumableParams } = consumable();
	const params = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams, remoteRtpCapabilities: remoteCaps(), pipe: false, enableRtx: true,
	});
	const routerVp8 = codecByMime(caps, 'video/VP8');
	t.equal(params.codecs.length, 2);
	t.equal(params.codecs[0].payloadType, routerVp8.preferredPayloadType, 'router payload types');
	t.equal(params.codecs[1].mimeType, 'video/rtx');
	t.same(params.codecs[0].rtcpFeedback.map((f) => f.type + (f.parameter ? ` ${f.parameter}` : '')),
		['nack', 'nack pli', 'ccm fir', 'transport-cc'], 'endpoint feedback; transport-cc wins over REMB');
	t.same(params.headerExtensions.map((e) => e.uri), [MID, ABS_SEND_TIME, TWCC],
		'only extensions the endpoint has under the same id');
	t.equal(params.encodings.length, 1, 'one encoding');
	const [enc] = params.encodings;
	t.ok(enc.ssrc >= 100000000 && enc.ssrc <= 999999999);
	t.same(enc.rtx, { ssrc: enc.ssrc + 1 });
	t.equal(enc.scalabilityMode, 'L3T3', 'simulcast as spatial layers');
	t.equal(enc.maxBitrate, 1000000, 'highest maxBitrate');
	t.same(params.rtcp, { cname: 'qwerty1234', reducedSize: true });
	t.notOk('mid' in params);
	t.end();
});

t.test('getConsumerRtpParameters: RTX disabled, REMB, no CC', (t) => {
	const { consumableParams } = consumable();
	const noRtx = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams, remoteRtpCapabilities: remoteCaps(), enableRtx: false,
	});
	t.same(noRtx.codecs.map((c) => c.mimeType), ['video/VP8']);
	t.notOk(noRtx.codecs[0].rtcpFeedback.some((f) => f.type === 'nack' && !f.parameter), 'plain NACK dropped');
	t.ok(noRtx.codecs[0].rtcpFeedback.some((f) => f.type === 'nack' && f.parameter === 'pli'), 'PLI kept');
	t.notOk('rtx' in noRtx.encodings[0]);

	const rembOnly = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams,
		remoteRtpCapabilities: remoteCaps({ headerExtensions: [{ kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 }] }),
	});
	const fbTypes = rembOnly.codecs[0].rtcpFeedback.map((f) => f.type);
	t.ok(fbTypes.includes('goog-remb'));
	t.notOk(fbTypes.includes('transport-cc'));

	const none = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams, remoteRtpCapabilities: remoteCaps({ headerExtensions: [] }),
	});
	t.same(none.headerExtensions, []);
	t.notOk(none.codecs[0].rtcpFeedback.some((f) => f.type === 'goog-remb' || f.type === 'transport-cc'));

	// Endpoint without RTX support: RTX codec dropped, no rtx SSRC.
	const withoutRtx = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams,
		remoteRtpCapabilities: remoteCaps({ codecs: remoteCaps().codecs.slice(0, 2) }),
	});
	t.same(withoutRtx.codecs.map((c) => c.mimeType), ['video/VP8']);
	t.notOk('rtx' in withoutRtx.encodings[0]);
	t.end();
});

t.test('getConsumerRtpParameters: single encoding keeps its scalability mode', (t) => {
	const caps = routerCaps();
	const params = {
		codecs: [{ mimeType: 'video/VP9', payloadType: 98, clockRate: 90000, parameters: { 'profile-id': 2 } }],
		encodings: [{ ssrc: 7, scalabilityMode: 'L3T3_KEY' }],
	};
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const c = ortc.getConsumableRtpParameters('video', params, caps, mapping);
	const remote = { codecs: [{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 98, parameters: { 'profile-id': 2 } }] };
	const consumer = ortc.getConsumerRtpParameters({ consumableRtpParameters: c, remoteRtpCapabilities: remote });
	t.equal(consumer.encodings[0].scalabilityMode, 'L3T3_KEY');
	t.notOk('maxBitrate' in consumer.encodings[0]);
	t.same(consumer.codecs.map((x) => x.mimeType), ['video/VP9'], 'RTX dropped: endpoint has none');

	const profile0 = { codecs: [{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 98 }] };
	t.throws(() => ortc.getConsumerRtpParameters({ consumableRtpParameters: c, remoteRtpCapabilities: profile0 }),
		{ name: 'UnsupportedError' }, 'VP9 profile-id 2 needs an endpoint with profile 2');
	t.equal(ortc.canConsume(c, profile0), false);
	t.end();
});

t.test('getConsumerRtpParameters: unsupported', (t) => {
	const { consumableParams } = consumable();
	t.throws(() => ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams,
		remoteRtpCapabilities: remoteCaps({ codecs: [remoteCaps().codecs[0]] }),
	}), { name: 'UnsupportedError', message: /no compatible media codecs/ });
	t.throws(() => ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams,
		remoteRtpCapabilities: { codecs: [{ mimeType: 'nope' }] },
	}), typeError('invalid codec.mimeType'));
	t.end();
});

t.test('getConsumerRtpParameters with pipe', (t) => {
	const { consumableParams } = consumable();
	const params = ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams, remoteRtpCapabilities: remoteCaps(), pipe: true, enableRtx: true,
	});
	t.equal(params.encodings.length, 3, 'every stream');
	const ssrcs = params.encodings.map((e) => e.ssrc);
	t.same(ssrcs, [ssrcs[0], ssrcs[0] + 1, ssrcs[0] + 2]);
	t.ok(ssrcs.every((s) => s >= 100000000 && s <= 999999999), 'SSRCs in range');
	t.ok(params.encodings.every((e) => e.rtx && typeof e.rtx.ssrc === 'number'));
	t.notSame(ssrcs, consumableParams.encodings.map((e) => e.ssrc), 'new SSRCs');
	t.end();
});

t.test('getPipeConsumerRtpParameters', (t) => {
	const { consumableParams } = consumable();
	const noRtx = ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumableParams });
	t.same(noRtx.codecs.map((c) => c.mimeType), ['video/VP8'], 'RTX off by default');
	t.same(noRtx.codecs[0].rtcpFeedback, [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }]);
	t.notOk(noRtx.headerExtensions.some((e) => [MID, ABS_SEND_TIME, TWCC].includes(e.uri)), 'no hop-by-hop extensions');
	t.ok(noRtx.headerExtensions.some((e) => e.uri === 'urn:3gpp:video-orientation'));
	t.equal(noRtx.encodings.length, 3);
	t.ok(noRtx.encodings.every((e) => !('rtx' in e)));
	t.ok(noRtx.encodings.every((e) => e.scalabilityMode === 'L1T3'));
	t.same(noRtx.rtcp, consumableParams.rtcp);

	const withRtx = ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumableParams, enableRtx: true });
	t.same(withRtx.codecs.map((c) => c.mimeType), ['video/VP8', 'video/rtx']);
	t.same(withRtx.codecs[0].rtcpFeedback,
		[{ type: 'nack', parameter: '' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }]);
	const ssrcs = withRtx.encodings.map((e) => e.ssrc);
	const rtxSsrcs = withRtx.encodings.map((e) => e.rtx.ssrc);
	t.equal(new Set([...ssrcs, ...rtxSsrcs]).size, 6, 'all SSRCs distinct');

	// The consumable parameters are not modified.
	t.equal(consumableParams.codecs.length, 2);
	t.equal(consumableParams.codecs[0].rtcpFeedback.length, 5);
	t.end();
});

// ---------------------------------------------------------------------------
// Consumer rtcpFeedback: mediasoup's rules (getConsumerRtpParameters)
// ---------------------------------------------------------------------------

const fbList = (codec) => codec.rtcpFeedback.map((f) => f.type + (f.parameter ? ` ${f.parameter}` : ''));

// An endpoint with per-codec feedback lists that differ from the router's.
function feedbackEndpoint(headerExtensions) {
	return {
		codecs: [
			{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2,
				rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }, { type: 'goog-remb' }] },
			{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000,
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }, { type: 'transport-cc' }] },
			{ kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
			{ kind: 'video', mimeType: 'video/H264', preferredPayloadType: 103, clockRate: 90000,
				parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
				rtcpFeedback: [{ type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }, { type: 'transport-cc' }] },
		],
		headerExtensions,
	};
}

function vp8Consumer(headerExtensions, extra = {}) {
	const { consumableParams } = consumable();
	return ortc.getConsumerRtpParameters({
		consumableRtpParameters: consumableParams, remoteRtpCapabilities: feedbackEndpoint(headerExtensions), enableRtx: true, ...extra,
	});
}

t.test('consumer rtcpFeedback: transport-cc extension selects transport-cc, drops goog-remb', (t) => {
	const params = vp8Consumer([
		{ kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 },
		{ kind: 'video', uri: TWCC, preferredId: 5 },
	]);
	t.same(fbList(params.codecs[0]), ['nack', 'nack pli', 'transport-cc'], 'endpoint order, REMB removed');
	t.same(params.codecs[1].rtcpFeedback, [], 'RTX codec: no feedback');
	t.end();
});

t.test('consumer rtcpFeedback: abs-send-time alone selects goog-remb, drops transport-cc', (t) => {
	const params = vp8Consumer([{ kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 }]);
	t.same(fbList(params.codecs[0]), ['nack', 'nack pli', 'goog-remb']);
	t.end();
});

t.test('consumer rtcpFeedback: transport-cc under another id does not count', (t) => {
	// The endpoint knows transport-cc but under id 15, not the router's 5: the
	// extension is not negotiated, so REMB (abs-send-time, same id) is selected.
	const params = vp8Consumer([
		{ kind: 'video', uri: ABS_SEND_TIME, preferredId: 4 },
		{ kind: 'video', uri: TWCC, preferredId: 15 },
	]);
	t.same(params.headerExtensions.map((e) => e.uri), [ABS_SEND_TIME]);
	t.same(fbList(params.codecs[0]), ['nack', 'nack pli', 'goog-remb']);
	t.end();
});

t.test('consumer rtcpFeedback: neither extension drops both', (t) => {
	const params = vp8Consumer([{ kind: 'video', uri: MID, preferredId: 1 }]);
	t.same(fbList(params.codecs[0]), ['nack', 'nack pli']);
	t.end();
});

t.test('consumer rtcpFeedback: nack, nack pli and ccm fir kept per codec as the endpoint lists them', (t) => {
	const caps = routerCaps();
	const params = {
		codecs: [{ mimeType: 'video/H264', payloadType: 125, clockRate: 90000,
			parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032' } }],
		encodings: [{ ssrc: 4444 }],
	};
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const c = ortc.getConsumableRtpParameters('video', params, caps, mapping);
	t.ok(fbList(c.codecs[0]).includes('nack pli'), 'the router offers PLI for H264');
	const h264Consumer = ortc.getConsumerRtpParameters({
		consumableRtpParameters: c,
		remoteRtpCapabilities: feedbackEndpoint([{ kind: 'video', uri: TWCC, preferredId: 5 }]),
		enableRtx: true,
	});
	// The endpoint's H264 has only ccm fir (no nack, no PLI): nothing else is added.
	t.same(fbList(h264Consumer.codecs[0]), ['ccm fir', 'transport-cc']);

	// VP8 with RTX off: plain NACK goes (retransmissions need RTX), PLI stays.
	const noRtx = vp8Consumer([{ kind: 'video', uri: TWCC, preferredId: 5 }], { enableRtx: false });
	t.same(fbList(noRtx.codecs[0]), ['nack pli', 'transport-cc']);
	t.same(noRtx.codecs.map((x) => x.mimeType), ['video/VP8']);
	t.end();
});

t.test('consumer rtcpFeedback: audio (RTX off by default) keeps REMB with abs-send-time', (t) => {
	const caps = routerCaps();
	const params = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 5 }] };
	ortc.validateRtpParameters(params);
	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const c = ortc.getConsumableRtpParameters('audio', params, caps, mapping);
	const audio = ortc.getConsumerRtpParameters({
		consumableRtpParameters: c,
		remoteRtpCapabilities: feedbackEndpoint([
			{ kind: 'audio', uri: ABS_SEND_TIME, preferredId: 4 },
			{ kind: 'audio', uri: TWCC, preferredId: 5 },
		]),
		enableRtx: false,
	});
	// Audio transport-cc is receive-only in the router, so only abs-send-time is negotiated.
	t.same(audio.headerExtensions.map((e) => e.uri), [ABS_SEND_TIME]);
	t.same(fbList(audio.codecs[0]), ['goog-remb'], 'nack dropped (no RTX), transport-cc dropped, REMB kept');
	t.end();
});

t.test('pipe consumers carry the dependency descriptor (receive-only towards endpoints)', (t) => {
	const DD = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
	const { consumableParams } = consumable();
	t.notOk(consumableParams.headerExtensions.some((e) => e.uri === DD), 'not consumable by endpoints');
	const pipe = ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumableParams });
	const dd = pipe.headerExtensions.find((e) => e.uri === DD);
	t.same(dd, { uri: DD, id: 7, encrypt: false, parameters: {} }, 'mediasoup\'s id 7');
	const ids = pipe.headerExtensions.map((e) => e.id);
	t.same(ids, [...ids].sort((a, b) => a - b), 'ordered by id');
	t.end();
});

t.test('consumable abs-capture-time only when the producer negotiated it; msid follows', (t) => {
	const caps = routerCaps();
	const without = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 5 }],
		msid: 'stream-a track-a' };
	ortc.validateRtpParameters(without);
	const c1 = ortc.getConsumableRtpParameters('audio', without, caps, ortc.getProducerRtpParametersMapping(without, caps));
	t.notOk(c1.headerExtensions.some((e) => e.uri === ABS_CAPTURE_TIME));
	t.equal(c1.msid, 'stream-a track-a');
	const withAct = { ...without, headerExtensions: [{ uri: ABS_CAPTURE_TIME, id: 3 }] };
	ortc.validateRtpParameters(withAct);
	const c2 = ortc.getConsumableRtpParameters('audio', withAct, caps, ortc.getProducerRtpParametersMapping(withAct, caps));
	const act = c2.headerExtensions.find((e) => e.uri === ABS_CAPTURE_TIME);
	t.equal(act && act.id, 10, 'router id (mediasoup 10)');
	const consumer = ortc.getConsumerRtpParameters({
		consumableRtpParameters: c2,
		remoteRtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 }] },
	});
	t.equal(consumer.msid, 'stream-a track-a');
	t.equal(ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: c2 }).msid, 'stream-a track-a');
	t.end();
});
