'use strict';
// End to end with a real browser: headless Chromium running mediasoup-client connects
// send and receive transports to mediaplane over UDP, over TCP only, and through a
// WebRtcServer; the server must reach ICE 'completed' and DTLS 'connected', and the
// browser's SRTP audio must decrypt on the server. Failure paths: a wrong fingerprint
// fails DTLS; a silent peer hits the consent timeout; restartIce() reconnects.
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { RateLimitedRelay } = require('./bwe/rate-limited-relay');

const LOCAL = '127.0.0.1';
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

// Resolves when `predicate()` holds, polling; rejects after `timeoutMs`.
async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await predicate()) return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

async function waitConnected(transport, timeoutMs = 15000) {
	await waitFor(() => transport.iceState === 'completed' && transport.dtlsState === 'connected', timeoutMs,
		`ICE completed + DTLS connected (now ${transport.iceState}/${transport.dtlsState})`);
}

let session;
let worker;
let router;

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs });
	session = await startBrowserSession();
});

t.teardown(async () => {
	await session?.close();
	worker?.close();
});

t.test('send and receive transports over UDP: ICE completed, DTLS connected, SRTP flowing', async (t) => {
	const listenInfos = [{ protocol: 'udp', ip: LOCAL }, { protocol: 'tcp', ip: LOCAL }];
	const send = await router.createWebRtcTransport({ listenInfos });
	const recv = await router.createWebRtcTransport({ listenInfos });
	const dtlsStates = [];
	send.on('dtlsstatechange', (s) => dtlsStates.push(s));

	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	t.same(dtlsStates, ['connecting', 'connected'], 'dtlsstatechange events');
	t.equal(send.iceSelectedTuple.protocol, 'udp');
	t.equal(send.iceSelectedTuple.localAddress, LOCAL);
	t.match(send.dtlsRemoteCert, /^-----BEGIN CERTIFICATE-----/, 'the browser certificate');

	await session.connectRecvTransport(recv, router.rtpCapabilities);
	await waitConnected(recv);

	// The browser's microphone audio arrives as SRTP: the server decrypts it.
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > 20, 10000, 'SRTP packets decrypted');
	const [stats] = await send.getStats();
	// rtpBytesReceived counts only RTP that reaches a producer (as mediasoup); this
	// transport has none, so the decrypted packets show in rtpPacketsReceived alone.
	t.ok(stats.bytesReceived > 0 && stats.bytesSent > 0, 'stats count media and DTLS/STUN');
	t.match(stats, { iceState: 'completed', dtlsState: 'connected' });

	const browserView = await session.getStats(send.id);
	t.equal(browserView.connectionState, 'connected');
	t.equal(browserView.dtlsState, 'connected');
	t.equal(browserView.selectedCandidatePair.remote.address, LOCAL);
	send.close();
	recv.close();
});

t.test('ICE-TCP only (enableUdp: false)', async (t) => {
	const send = await router.createWebRtcTransport({ listenIps: [LOCAL], enableUdp: false });
	t.same(send.iceCandidates.map((c) => c.protocol), ['tcp']);
	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	t.equal(send.iceSelectedTuple.protocol, 'tcp');
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > 10, 10000, 'SRTP over TCP');
	send.close();
});

t.test('through a WebRtcServer', async (t) => {
	const server = await worker.createWebRtcServer({
		listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }, { protocol: 'tcp', ip: LOCAL }],
	});
	t.teardown(() => server.close());
	const send = await router.createWebRtcTransport({ webRtcServer: server });
	const recv = await router.createWebRtcTransport({ webRtcServer: server });
	t.equal(send.iceCandidates[0].port, recv.iceCandidates[0].port, 'one shared port');
	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await session.connectRecvTransport(recv, router.rtpCapabilities);
	await waitConnected(send);
	await waitConnected(recv);
	const dump = await server.dump();
	t.ok(dump.tupleHashes.length >= 2, 'the server routes both transports by tuple');
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > 10, 10000, 'SRTP through the server');
});

t.test('a wrong fingerprint fails DTLS', async (t) => {
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const failed = new Promise((resolve) => send.on('dtlsstatechange', (s) => s === 'failed' && resolve()));
	// Present the transport to the browser as usual, but hand the server a corrupted
	// copy of the browser's fingerprint.
	const lying = {
		id: send.id,
		iceParameters: send.iceParameters,
		iceCandidates: send.iceCandidates,
		dtlsParameters: send.dtlsParameters,
		sctpParameters: send.sctpParameters,
		connect: ({ dtlsParameters }) => send.connect({
			dtlsParameters: {
				role: dtlsParameters.role,
				fingerprints: dtlsParameters.fingerprints.map((f) => ({
					algorithm: f.algorithm,
					value: f.value.replace(/^../, f.value.startsWith('00') ? '11' : '00'),
				})),
			},
		}),
	};
	await session.connectSendTransport(lying, { routerRtpCapabilities: router.rtpCapabilities });
	await Promise.race([failed, new Promise((_, reject) => setTimeout(() => reject(new Error('no failed state')), 15000))]);
	t.equal(send.dtlsState, 'failed');
	const [stats] = await send.getStats();
	t.equal(stats.rtpPacketsReceived, 0, 'no SRTP without a verified peer');
	send.close();
});

t.test('restartIce(): the browser reconnects after its own ICE restart', async (t) => {
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	const before = send.iceParameters.usernameFragment;
	const iceParameters = await send.restartIce();
	t.not(iceParameters.usernameFragment, before);
	await session.restartIce(send.id, iceParameters);
	// After the restart the browser's checks use the new username fragment; media keeps
	// flowing over the restarted path.
	const baseline = (await send.getStats())[0].rtpPacketsReceived;
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > baseline + 20, 10000, 'media after restart');
	const browserView = await session.getStats(send.id);
	t.equal(browserView.connectionState, 'connected');
	t.equal(send.iceState, 'completed');
	send.close();
});

t.test('a peer that goes silent hits the consent timeout', async (t) => {
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }], iceConsentTimeout: 2 });
	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	const disconnected = new Promise((resolve) => send.on('icestatechange', (s) => s === 'disconnected' && resolve()));
	await session.closeTransport(send.id);
	await Promise.race([disconnected, new Promise((_, reject) => setTimeout(() => reject(new Error('still connected')), 8000))]);
	t.equal(send.iceState, 'disconnected');
	send.close();
});

t.test('garbage at the port during a live session is dropped; the browser keeps going', async (t) => {
	const dgram = require('node:dgram');
	const crypto = require('node:crypto');
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	await session.connectSendTransport(send, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	const port = send.iceCandidates[0].port;
	const before = (await send.getStats())[0];
	for (let i = 0; i < 2000; i++) {
		const kind = i % 4;
		const head = kind === 0 ? [0x00, 0x01] : kind === 1 ? [22, 254, 253] : kind === 2 ? [0x80, 111] : [0x80, 200];
		socket.send(Buffer.concat([Buffer.from(head), crypto.randomBytes(20 + (i % 500))]), port, LOCAL);
		if (i % 25 === 0) await new Promise((r) => setImmediate(r));
	}
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > before.rtpPacketsReceived + 50, 10000,
		'media keeps flowing');
	const after = (await send.getStats())[0];
	// Loopback UDP may itself drop some of a 2,000-datagram burst (socket buffer), so
	// require most, not all, of them to have been seen and counted.
	t.ok(after.droppedPackets >= before.droppedPackets + 1000, `garbage counted as dropped (${after.droppedPackets - before.droppedPackets})`);
	t.equal(send.iceState, 'completed');
	t.equal(send.dtlsState, 'connected');
	t.not(send.iceSelectedTuple.remotePort, socket.address().port, 'the garbage sender never became the selected path');
	send.close();
});

// Issue 14: junk that looks like DTLS, sent from the browser's own (ICE-validated) tuple
// while the handshake is in progress. Each datagram is one record that a peer could not
// have sent there: application data or a ChangeCipherSpec before the keys, malformed
// alerts, handshake fragments that do not add up, a sequence number far ahead (which
// would move OpenSSL's replay window past the browser's records), an epoch no one is
// at, a protected record too short for its cipher; or random bytes in the DTLS range of
// RFC 7983. Before DtlsRecordScreen, OpenSSL failed the handshake on the first such
// record, and the transport went to 'failed'.
function dtlsLookingJunk(i) {
	const crypto = require('node:crypto');
	const record = (type, epoch, sequence, body) => {
		const header = Buffer.alloc(13);
		header[0] = type;
		header[1] = 0xfe;
		header[2] = 0xfd;
		header.writeUInt16BE(epoch, 3);
		header.writeUIntBE(sequence, 5, 6);
		header.writeUInt16BE(body.length, 11);
		return Buffer.concat([header, body]);
	};
	const small = i % 8;
	switch (i % 9) {
		case 0: return record(23, 0, small, crypto.randomBytes(1 + (i % 60)));
		case 1: return record(20, 0, small, Buffer.from([1]));                      // before the key exchange
		case 2: return record(20, 0, small, crypto.randomBytes(2 + (i % 3)));
		case 3: return record(21, 0, small, Buffer.from([2, 200 + (i % 50)]));     // no such description
		case 4: return record(21, 0, small, crypto.randomBytes(3 + (i % 5)));
		case 5: return record(22, 0, small, Buffer.concat([Buffer.from([99, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 4]), crypto.randomBytes(4)]));
		case 6: return record(22, 0, 100000 + i, Buffer.concat([Buffer.from([11, 0, 0, 4, 0, 1, 0, 0, 0, 0, 0, 4]), crypto.randomBytes(4)]));
		case 7: return record(22 + (i % 2), 1 + (i % 2) * 5, small, crypto.randomBytes(i % 2 ? 40 : 10));
		default: return Buffer.concat([Buffer.from([20 + (i % 44)]), crypto.randomBytes(12 + (i % 80))]);
	}
}

t.test("junk from the browser's own tuple during the DTLS handshake is dropped; the session connects and carries media", async (t) => {
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const relay = await RateLimitedRelay.create({ target: { address: LOCAL, port: send.iceCandidates[0].port } });
	t.teardown(() => relay.close());
	const BURST = 45; // datagrams before each of the browser's DTLS datagrams
	let dtlsDatagrams = 0;
	let injected = 0;
	relay.setUpstreamInjector((message) => {
		if (message[0] < 20 || message[0] > 63 || send.dtlsState === 'connected') return []; // RFC 7983: DTLS only
		dtlsDatagrams++;
		const burst = [];
		for (let i = 0; i < BURST; i++) burst.push(dtlsLookingJunk(injected++));
		return burst;
	});
	const dtlsStates = [];
	send.on('dtlsstatechange', (state) => dtlsStates.push(state));
	const viaRelay = {
		id: send.id,
		iceParameters: send.iceParameters,
		iceCandidates: send.iceCandidates.map((c) => ({ ...c, port: relay.port })),
		dtlsParameters: send.dtlsParameters,
		sctpParameters: send.sctpParameters,
		connect: (params) => send.connect(params),
	};
	await session.connectSendTransport(viaRelay, { routerRtpCapabilities: router.rtpCapabilities });
	await waitConnected(send);
	t.same(dtlsStates, ['connecting', 'connected'], `DTLS connected as ${send.dtlsParameters.role}, never failed`);
	t.ok(dtlsDatagrams >= 1 && injected >= BURST, `${injected} junk datagrams before ${dtlsDatagrams} DTLS datagrams of the browser`);
	t.ok(relay.upstreamPorts().includes(send.iceSelectedTuple.remotePort), 'the junk came from the selected tuple');
	await waitFor(async () => (await send.getStats())[0].rtpPacketsReceived > 50, 10000, 'SRTP media from the browser');
	const [stats] = await send.getStats();
	// Loopback may itself drop some of a burst (socket buffer): most, not all, must count.
	t.ok(stats.droppedPackets >= injected / 2, `junk counted as dropped (${stats.droppedPackets} of ${injected})`);
	relay.setUpstreamInjector(undefined);
	send.close();
});
