'use strict';
// The browser harness itself: a real Chromium running mediasoup-client loads a Device
// from a mediaplane router's capabilities, and the page's signalling round-trips to
// Node. The transports here are fabricated (the server's WebRtcTransport is tested in
// its own files); a UDP socket on 127.0.0.1 stands where the server would be, to show
// that Chromium sends its ICE checks over loopback.
const t = require('tap');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const fs = require('node:fs');
const mediaplane = require('..');
const { startBrowserSession, chromiumProcessIds, processRunning } = require('./browser/harness');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } },
];

let worker;
let router;
let session;

t.before(async () => {
	worker = await mediaplane.createWorker();
	router = await worker.createRouter({ mediaCodecs });
	session = await startBrowserSession();
	t.comment(`browser session timings: ${JSON.stringify(session.timings)}`);
});

t.teardown(async () => {
	if (session) await session.close();
	if (worker) worker.close();
});

t.test('loadDevice() accepts the router capabilities', async (t) => {
	const caps = router.rtpCapabilities;
	const info = await session.loadDevice(caps);
	t.equal(info.loaded, true, 'device loaded');
	t.equal(info.handlerName, 'Chrome111', 'mediasoup-client picks its Chrome111 handler');
	t.match(info.mediasoupClientVersion, /^3\.\d+\.\d+$/);
	t.same(info.canProduce, { audio: true, video: true }, 'canProduce audio and video');

	const recv = info.recvRtpCapabilities;
	t.same(
		recv.codecs.map((c) => [c.mimeType, c.preferredPayloadType]),
		caps.codecs.map((c) => [c.mimeType, c.preferredPayloadType]),
		'recv codecs are the router codecs with the router payload types'
	);
	const h264 = recv.codecs.find((c) => c.mimeType === 'video/H264');
	t.equal(h264.parameters['packetization-mode'], 1);
	t.equal(h264.parameters['profile-level-id'], '42e01f');
	for (const rtx of recv.codecs.filter((c) => c.mimeType === 'video/rtx')) {
		t.ok(recv.codecs.some((c) => c.preferredPayloadType === rtx.parameters.apt && c.mimeType !== 'video/rtx'), `rtx ${rtx.preferredPayloadType} points to a media codec`);
	}
	const routerUris = new Set(caps.headerExtensions.map((e) => e.uri));
	t.ok(recv.headerExtensions.length > 0, 'some header extensions in common');
	t.ok(recv.headerExtensions.every((e) => routerUris.has(e.uri)), 'recv header extensions all come from the router');
	t.ok(recv.headerExtensions.some((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid'), 'mid extension negotiated');

	const sendMimeTypes = new Set(info.sendRtpCapabilities.codecs.map((c) => c.mimeType));
	for (const mimeType of ['audio/opus', 'video/VP8', 'video/H264']) t.ok(sendMimeTypes.has(mimeType), `can send ${mimeType}`);
});

// A stand-in for a server WebRtcTransport: the parameters a real one would have, a
// candidate on a UDP socket of ours, and connect() recording what the browser sent.
async function fakeServerTransport(t) {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	t.teardown(() => socket.close());
	const stunUsernames = [];
	const stunSources = new Set();
	socket.on('message', (msg, rinfo) => {
		// STUN Binding Request (RFC 8489 §5): type 0x0001, magic cookie 0x2112A442.
		if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001 || msg.readUInt32BE(4) !== 0x2112a442) return;
		for (let offset = 20; offset + 4 <= msg.length; ) {
			const type = msg.readUInt16BE(offset);
			const length = msg.readUInt16BE(offset + 2);
			if (type === 0x0006) {
				stunUsernames.push(msg.toString('utf8', offset + 4, offset + 4 + length));
				stunSources.add(rinfo.address);
			}
			offset += 4 + Math.ceil(length / 4) * 4;
		}
	});
	const fingerprint = crypto.randomBytes(32).toString('hex').toUpperCase().match(/../g).join(':');
	const transport = {
		id: crypto.randomUUID(),
		iceParameters: { usernameFragment: crypto.randomBytes(8).toString('hex'), password: crypto.randomBytes(16).toString('hex'), iceLite: true },
		iceCandidates: [{ foundation: 'udpcandidate', priority: 1076302079, address: '127.0.0.1', ip: '127.0.0.1', protocol: 'udp', port: socket.address().port, type: 'host' }],
		dtlsParameters: { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: fingerprint }] },
		connectCalls: [],
		async connect({ dtlsParameters }) {
			this.connectCalls.push(dtlsParameters);
		},
		stunUsernames,
		stunSources,
	};
	return transport;
}

async function waitFor(what, predicate, ms = 10_000) {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (predicate()) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

t.test('send transport: connect and produce round-trip to Node', async (t) => {
	const serverTransport = await fakeServerTransport(t);
	const result = await session.connectSendTransport(serverTransport, { routerRtpCapabilities: router.rtpCapabilities });
	t.equal(result.transportId, serverTransport.id);
	t.equal(serverTransport.connectCalls.length, 1, 'serverTransport.connect() called once');
	const dtls = serverTransport.connectCalls[0];
	t.ok(['client', 'server'].includes(dtls.role), `browser DTLS role is ${dtls.role}`);
	t.ok(dtls.fingerprints.some((f) => f.algorithm === 'sha-256' && /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(f.value)), 'sha-256 fingerprint');
	t.equal(result.produceRequest.kind, 'audio');
	t.equal(result.produceRequest.rtpParameters.codecs[0].mimeType, 'audio/opus', 'produces opus');
	t.equal(result.producer.kind, 'audio');
	t.equal(result.producer.id.length, 36, 'producer id is the one Node answered');

	// --allow-loopback-in-peer-connection: without it Chromium gathers no 127.0.0.1
	// candidate and checks come only from the machine's other addresses.
	await waitFor('a STUN binding request from 127.0.0.1', () => serverTransport.stunSources.has('127.0.0.1'));
	t.ok(serverTransport.stunUsernames[0].startsWith(`${serverTransport.iceParameters.usernameFragment}:`), 'ICE check carries the server ufrag');

	const state = await session.getTransportState(serverTransport.id);
	t.equal(state.direction, 'send');
	t.ok(['new', 'connecting'].includes(state.connectionState), `nobody answers ICE, state ${state.connectionState}`);
	const stats = await session.getStats(serverTransport.id);
	t.ok(stats.stats.some((s) => s.type === 'outbound-rtp' || s.type === 'media-source'), 'stats of the sending PeerConnection');

	const newIce = { usernameFragment: crypto.randomBytes(8).toString('hex'), password: crypto.randomBytes(16).toString('hex'), iceLite: true };
	t.equal(await session.restartIce(serverTransport.id, newIce), true, 'restartIce() accepted');
	await waitFor('an ICE check with the new ufrag', () => serverTransport.stunUsernames.some((u) => u.startsWith(`${newIce.usernameFragment}:`)));
	t.pass('ICE checks use the new ufrag after restartIce()');
	t.equal(await session.closeTransport(serverTransport.id), true);
});

t.test('recv transport: consume a fabricated opus stream, connect round-trips to Node', async (t) => {
	const serverTransport = await fakeServerTransport(t);
	const result = await session.connectRecvTransport(serverTransport, router.rtpCapabilities);
	t.equal(serverTransport.connectCalls.length, 1, 'serverTransport.connect() called once');
	t.equal(result.consumer.kind, 'audio');
	t.equal(result.consumer.localId, '0', 'mid 0');
	t.equal(result.consumer.trackReadyState, 'live');
	const opus = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'audio/opus');
	t.equal(result.consumer.rtpParameters.codecs[0].payloadType, opus.preferredPayloadType, 'router opus payload type');
	await waitFor('a STUN binding request from 127.0.0.1', () => serverTransport.stunSources.has('127.0.0.1'));
	t.pass('the recv PeerConnection sends ICE checks from 127.0.0.1 to 127.0.0.1');
	const state = await session.getTransportState(serverTransport.id);
	t.equal(state.direction, 'recv');
	t.equal(await session.closeTransport(serverTransport.id), true);
});

t.test('errors from the page reach Node', async (t) => {
	await t.rejects(session.call('consume', { transportId: 'nope' }), /no transport with id nope/);
	await t.rejects(session.produce('text'), /kind must be 'audio' or 'video'/);
});

t.test('close() stops Chromium and the http server and removes the profile dir', async (t) => {
	const second = await startBrowserSession();
	t.ok(second.timings.bundleCached, 'the bundle is built once per process');
	const { userDataDir, url } = second;
	const pids = chromiumProcessIds(userDataDir);
	t.ok(pids.length > 1, `Chromium and its children run (${pids.length} processes)`);
	t.equal((await fetch(url)).status, 200, 'page served');
	await second.close();
	await second.close();
	t.notOk(fs.existsSync(userDataDir), 'profile dir removed');
	const alive = pids.filter(processRunning);
	t.same(alive, [], 'every Chromium process has exited');
	await t.rejects(fetch(url), 'http server closed');
	await t.rejects(second.getDeviceInfo(), /closed/, 'calls after close() reject');
});
