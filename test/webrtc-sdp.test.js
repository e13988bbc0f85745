'use strict';
// Offer/answer of mediaplane.webrtc.RTCPeerConnection against real recorded offers
// (test/fixtures/sdp: Chromium, Firefox, GStreamer webrtcbin, OBS, Safari; see its
// README): every publishing offer makes Producers and an answer that keeps the offer's
// mids, payload types and extension ids, bundles what it accepts and refuses the rest;
// every playing offer gets Consumers that send with the offer's payload types; bad
// offers are refused with a named error and leave no transport behind.
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const sdpTransform = require('sdp-transform');
const mediaplane = require('..');

const FIXTURES = path.join(__dirname, 'fixtures', 'sdp');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.sdp')).sort();
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
	},
];
const transportOptions = { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] };

let worker;
let router;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs });
});
t.teardown(() => worker?.close());

const transportCount = async () => (await router.dump()).transportIds.length;
const refused = (m) => m.port === 0 && !m.bundleOnly;
const sends = (m) => (m.direction ?? 'sendrecv') === 'sendrecv' || m.direction === 'sendonly';

/** The answer's m-sections checked against the offer's: order, mids, numbers. */
function checkAnswerAgainstOffer(t, offer, answer) {
	t.equal(answer.media.length, offer.media.length, 'one answer m-section per offered one');
	t.equal(answer.icelite, 'ice-lite', 'ICE Lite');
	const accepted = answer.media.filter((m) => m.port !== 0).map((m) => String(m.mid));
	t.same(String(answer.groups.find((g) => g.type === 'BUNDLE').mids).split(' '), accepted, 'the BUNDLE group is the accepted mids');
	for (const [i, m] of answer.media.entries()) {
		const o = offer.media[i];
		t.equal(String(m.mid), String(o.mid), `m-section ${i} keeps mid ${o.mid}`);
		t.equal(m.type, o.type, `and its type`);
		if (m.port === 0) continue;
		t.equal(m.setup, 'passive', 'we answer actpass as the DTLS server');
		t.ok(m.fingerprint && m.iceUfrag && m.icePwd && m.candidates?.length, 'credentials and candidates');
		if (m.type === 'application') continue;
		t.equal(m.rtcpMux, 'rtcp-mux');
		for (const rtp of m.rtp) {
			const offered = o.rtp.find((r) => r.payload === rtp.payload);
			t.ok(offered, `payload type ${rtp.payload} is one the offer has`);
			t.equal(offered?.codec.toLowerCase(), rtp.codec.toLowerCase(), `and means ${rtp.codec} there too`);
		}
		for (const ext of m.ext ?? []) {
			t.ok((o.ext ?? []).some((e) => e.value === ext.value && e.uri === ext.uri), `extmap ${ext.value} ${ext.uri} is the offer's`);
		}
	}
}

for (const name of fixtures.filter((f) => /whip|sendrecv/.test(f))) {
	t.test(`publishing offer ${name}: Producers and an answer in the offer's numbers`, async (t) => {
		const sdp = fixture(name);
		const offer = sdpTransform.parse(sdp);
		const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions });
		const produced = [];
		pc.on('producer', (producer, info) => produced.push({ producer, info }));
		await pc.setRemoteDescription({ type: 'offer', sdp });
		t.equal(pc.signalingState, 'have-remote-offer');
		const sending = offer.media.filter((m) => !refused(m) && (m.type === 'audio' || m.type === 'video') && sends(m));
		t.equal(produced.length, sending.length, `a Producer for each of the ${sending.length} sending m-sections`);
		for (const { producer, info } of produced) {
			const m = offer.media.find((x) => String(x.mid) === info.mid);
			t.equal(producer.kind, m.type, `mid ${info.mid}: kind ${m.type}`);
			t.equal(producer.rtpParameters.mid, info.mid);
			const pt = producer.rtpParameters.codecs[0].payloadType;
			t.ok(m.rtp.some((r) => r.payload === pt), `the Producer takes payload type ${pt} of the offer`);
			if (m.simulcast) {
				t.same(producer.rtpParameters.encodings.map((e) => e.rid), (m.rids ?? []).filter((r) => r.direction === 'send').map((r) => r.id), 'simulcast: one encoding per RID');
			} else if (m.ssrcs?.length) {
				t.ok(m.ssrcs.some((s) => s.id === producer.rtpParameters.encodings[0].ssrc), 'the encoding is an offered SSRC');
			}
		}
		const answer = await pc.createAnswer();
		t.equal(answer.type, 'answer');
		const parsed = sdpTransform.parse(answer.sdp);
		checkAnswerAgainstOffer(t, offer, parsed);
		for (const m of parsed.media.filter((x) => x.port !== 0 && x.type !== 'application')) {
			t.equal(m.direction, 'recvonly', `mid ${m.mid}: we receive what the remote sends`);
			const o = offer.media.find((x) => String(x.mid) === String(m.mid));
			if (o.simulcast) t.same(m.simulcast, { dir1: 'recv', list1: o.simulcast.list1 }, 'a=simulcast:recv with the same RIDs');
		}
		for (const m of parsed.media.filter((x) => x.type === 'application')) {
			t.equal(m.port, 9, 'the data channel m-section is accepted');
			t.equal(m.protocol, 'UDP/DTLS/SCTP');
			t.equal(m.sctpPort, 5000, 'a=sctp-port:5000 (RFC 8841)');
			t.ok(m.maxMessageSize > 0, 'a=max-message-size');
		}
		await pc.setLocalDescription(answer);
		t.equal(pc.signalingState, 'stable');
		t.same(pc.localDescription, answer);
		pc.close();
		t.equal(pc.connectionState, 'closed');
		t.ok(produced.every(({ producer }) => producer.closed), 'closing the connection closes its Producers');
		t.equal(await transportCount(), 0, 'no transport left');
	});
}

/** A VP8 and an opus Producer in the router, fed by nothing (a PlainTransport). */
async function plainProducers() {
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	const video = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
			encodings: [{ ssrc: 1111 }],
		},
	});
	const audio = await transport.produce({
		kind: 'audio',
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 2222 }] },
	});
	return { transport, video, audio };
}

for (const name of fixtures.filter((f) => /whep/.test(f))) {
	t.test(`playing offer ${name}: Consumers that send with the offer's payload types`, async (t) => {
		const { transport, video, audio } = await plainProducers();
		const sdp = fixture(name);
		const offer = sdpTransform.parse(sdp);
		const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions });
		await pc.setRemoteDescription({ type: 'offer', sdp });
		pc.addProducer(video);
		pc.addProducer(audio);
		const consumers = [];
		pc.on('consumer', (consumer, info) => consumers.push({ consumer, info }));
		const answer = await pc.createAnswer();
		const parsed = sdpTransform.parse(answer.sdp);
		checkAnswerAgainstOffer(t, offer, parsed);
		for (const kind of ['audio', 'video']) {
			const m = parsed.media.find((x) => x.type === kind);
			const o = offer.media.find((x) => x.type === kind);
			t.equal(m.direction, 'sendonly', `${kind}: we send`);
			const codec = kind === 'video' ? 'vp8' : 'opus';
			const offeredPt = o.rtp.find((r) => r.codec.toLowerCase() === codec).payload;
			t.equal(m.rtp[0].payload, offeredPt, `${kind}: ${codec} with the offer's payload type ${offeredPt}`);
			t.ok(m.ssrcs.some((s) => s.attribute === 'cname'), `${kind}: a=ssrc cname`);
			t.ok(m.msid?.[0]?.id, `${kind}: a=msid`);
			if (kind === 'video') {
				const rtx = o.rtp.find((r) => r.codec.toLowerCase() === 'rtx' && o.fmtp.some((f) => f.payload === r.payload && f.config === `apt=${offeredPt}`));
				if (rtx) {
					t.ok(m.rtp.some((r) => r.payload === rtx.payload), 'RTX with the offer\'s RTX payload type');
					t.ok(m.ssrcGroups?.some((g) => g.semantics === 'FID'), 'and an FID group');
				}
			}
		}
		const byKind = Object.fromEntries(pc.getConsumers().map((c) => [c.kind, c]));
		t.equal(byKind.video.rtpParameters.codecs[0].payloadType, parsed.media.find((x) => x.type === 'video').rtp[0].payload, 'the video Consumer sends with that payload type');
		for (const ext of byKind.video.rtpParameters.headerExtensions) {
			t.ok(offer.media.find((x) => x.type === 'video').ext.some((e) => e.uri === ext.uri && e.value === ext.id), `the Consumer writes ${ext.uri} with the offer's id ${ext.id}`);
		}
		t.ok(pc.getConsumers().every((c) => c.paused), 'Consumers wait for setLocalDescription()');
		await pc.setLocalDescription(answer);
		t.ok(pc.getConsumers().every((c) => !c.paused), 'and then run');
		t.equal(consumers.length, 2, "a 'consumer' event for each");
		pc.close();
		transport.close();
		t.equal(await transportCount(), 0, 'no transport left');
	});
}

t.test('bad offers: named errors, nothing left behind', async (t) => {
	const good = fixture('chromium-whip-audio-video-max-bundle.sdp');
	const cases = [
		['not an SDP', { type: 'offer', sdp: 'hello' }, TypeError],
		['no type', { sdp: good }, TypeError],
		['pranswer', { type: 'pranswer', sdp: good }, TypeError],
		['no BUNDLE', { type: 'offer', sdp: good.replace(/a=group:BUNDLE[^\r\n]*\r\n/, '') }, mediaplane.UnsupportedError],
		['no rtcp-mux', { type: 'offer', sdp: good.replace(/a=rtcp-mux\r\n/g, '') }, mediaplane.UnsupportedError],
		['no fingerprint', { type: 'offer', sdp: good.replace(/a=fingerprint:[^\r\n]*\r\n/g, '') }, TypeError],
		['no ICE credentials', { type: 'offer', sdp: good.replace(/a=ice-(ufrag|pwd):[^\r\n]*\r\n/g, '') }, TypeError],
		['no mid', { type: 'offer', sdp: good.replace(/a=mid:[^\r\n]*\r\n/g, '') }, mediaplane.UnsupportedError],
		[
			'no codec in common',
			{ type: 'offer', sdp: good.replace(/opus\/48000\/2/g, 'speex/48000/2').replace(/VP8\/90000|VP9\/90000|H264\/90000|AV1\/90000/g, 'H265/90000') },
			mediaplane.UnsupportedError,
		],
	];
	for (const [what, description, errorClass] of cases) {
		const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions });
		await t.rejects(pc.setRemoteDescription(description), errorClass, `${what} → ${errorClass.name}`);
		t.equal(pc.signalingState, 'stable', `${what}: still stable`);
		pc.close();
	}
	t.equal(await transportCount(), 0, 'no transport left');
	t.throws(() => new mediaplane.webrtc.RTCPeerConnection({ transportOptions }), TypeError, 'no router → TypeError');
	t.throws(() => new mediaplane.webrtc.RTCPeerConnection({ router }), TypeError, 'no transportOptions → TypeError');
	const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions });
	await t.rejects(pc.createAnswer(), mediaplane.InvalidStateError, 'createAnswer() with no remote offer → InvalidStateError');
	await t.rejects(pc.setRemoteDescription({ type: 'answer', sdp: good }), mediaplane.InvalidStateError, 'an answer with no local offer → InvalidStateError');
	t.throws(() => pc.addProducer({}), TypeError, 'addProducer(not a Producer) → TypeError');
	pc.close();
	await t.rejects(pc.setRemoteDescription({ type: 'offer', sdp: good }), mediaplane.InvalidStateError, 'closed → InvalidStateError');
	t.throws(() => pc.restartIce(), mediaplane.InvalidStateError);
	t.equal(await transportCount(), 0, 'no transport left');
});

t.test('we offer: a Producer added after negotiation fires negotiationneeded; the remote answer starts its Consumer', async (t) => {
	const { transport, video } = await plainProducers();
	const sdp = fixture('chromium-whip-audio-video-max-bundle.sdp');
	const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions });
	await pc.setRemoteDescription({ type: 'offer', sdp });
	await pc.setLocalDescription();
	t.equal(pc.signalingState, 'stable', 'implicit setLocalDescription() answered');
	let needed = 0;
	pc.on('negotiationneeded', () => needed++);
	pc.addProducer(video);
	await new Promise((resolve) => setImmediate(resolve));
	t.equal(needed, 1, 'negotiationneeded once');
	const offer = await pc.createOffer();
	const parsed = sdpTransform.parse(offer.sdp);
	t.equal(parsed.media.length, 3, 'the offer adds an m-section');
	const added = parsed.media[2];
	t.equal(added.type, 'video');
	t.equal(added.direction, 'sendonly');
	t.equal(added.setup, 'actpass', 'offers say actpass');
	t.equal(parsed.media[0].direction, 'recvonly', 'the published m-sections stay recvonly');
	await pc.setLocalDescription(offer);
	t.equal(pc.signalingState, 'have-local-offer');
	// The remote's answer: the same m-sections, the new one recvonly (as Chromium would).
	const answer = sdpTransform.parse(sdp);
	const remoteVideo = JSON.parse(JSON.stringify(added));
	Object.assign(remoteVideo, { direction: 'recvonly', setup: 'active', iceUfrag: answer.media[0].iceUfrag, icePwd: answer.media[0].icePwd, fingerprint: answer.media[0].fingerprint, candidates: [], ssrcs: [], ssrcGroups: [], msid: undefined });
	answer.media.push(remoteVideo);
	for (const m of answer.media) m.setup = 'active';
	answer.groups = [{ type: 'BUNDLE', mids: answer.media.map((m) => m.mid).join(' ') }];
	const consumers = [];
	pc.on('consumer', (c) => consumers.push(c));
	await pc.setRemoteDescription({ type: 'answer', sdp: sdpTransform.write(answer) });
	t.equal(pc.signalingState, 'stable');
	t.equal(consumers.length, 1, "a 'consumer' event");
	t.equal(consumers[0].paused, false, 'the Consumer runs once the remote answered');
	t.equal(consumers[0].producerId, video.id);
	pc.removeProducer(video);
	t.ok(consumers[0].closed, 'removeProducer() closes its Consumer');
	pc.close();
	transport.close();
	t.equal(await transportCount(), 0);
});

t.test('on a WebRtcServer: the answer carries the server\'s candidates; close() leaves the server empty', async (t) => {
	const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }] });
	t.teardown(() => webRtcServer.close());
	const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions: { webRtcServer } });
	const produced = [];
	pc.on('producer', (producer) => produced.push(producer.kind));
	await pc.setRemoteDescription({ type: 'offer', sdp: fixture('chromium-whip-audio-video-max-bundle.sdp') });
	const answer = await pc.createAnswer();
	await pc.setLocalDescription(answer);
	t.same(produced.sort(), ['audio', 'video'], 'two Producers');
	const { port } = (await webRtcServer.dump()).udpSockets[0];
	const candidates = sdpTransform.parse(answer.sdp).media[0].candidates;
	t.ok(candidates.length > 0 && candidates.every((c) => c.ip === '127.0.0.1' && c.port === port), `the candidates are the server's socket (port ${port})`);
	t.equal((await webRtcServer.dump()).webRtcTransportIds.length, 1, 'the connection\'s transport is on the server');
	pc.close();
	t.equal((await webRtcServer.dump()).webRtcTransportIds.length, 0, 'close() leaves the server with no transport');
	t.equal(await transportCount(), 0);
});
