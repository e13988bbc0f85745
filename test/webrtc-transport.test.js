'use strict';
// WebRtcTransport and WebRtcServer against real sockets on 127.0.0.1: ICE-lite checks
// with STUN messages built independently (fixtures/stun-client.js, node:crypto), ICE-TCP
// framing, consent timeout, ICE restart, port allocation, closing, bad arguments and
// garbage input. The browser end-to-end (DTLS/SRTP with Chromium) is in
// webrtc-browser.test.js.
const t = require('tap');
const dgram = require('node:dgram');
const net = require('node:net');
const crypto = require('node:crypto');
const mediaplane = require('..');
const { buildBindingRequest, parseStunResponse, frameTcp, deframeTcp } = require('./fixtures/stun-client');

const LOCAL = '127.0.0.1';
// Two cases wait on the engine's 10 s TCP sweep and on 200,000 ICE-TCP checks: more
// than tap's default 30 s when run alone (test/sanitized-socket.test.js runs it under ASan).
t.setTimeout(180_000);

async function setup(t, workerSettings = {}) {
	const worker = await mediaplane.createWorker(workerSettings);
	t.teardown(() => worker.close());
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	return { worker, router };
}

function udpClient(t) {
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	return new Promise((resolve) => socket.bind(0, LOCAL, () => resolve(socket)));
}

// Sends one datagram and waits (bounded) for one reply.
function udpExchange(socket, port, message, timeoutMs = 2000) {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			socket.off('message', onMessage);
			reject(new Error('no reply'));
		}, timeoutMs);
		const onMessage = (reply) => {
			clearTimeout(timer);
			socket.off('message', onMessage);
			resolve(reply);
		};
		socket.on('message', onMessage);
		socket.send(message, port, LOCAL);
	});
}

function nextEvent(emitter, event, timeoutMs = 5000) {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
		emitter.once(event, (...args) => {
			clearTimeout(timer);
			resolve(args);
		});
	});
}

function request(transport, extra = {}) {
	return buildBindingRequest({
		username: `${transport.iceParameters.usernameFragment}:remote`,
		password: transport.iceParameters.password,
		priority: 0x6e001eff,
		iceControlling: true,
		...extra,
	});
}

t.test('a WebRtcTransport has mediasoup\'s parameters', async (t) => {
	const { router } = await setup(t);
	let newTransport;
	router.observer.once('newtransport', (tr) => (newTransport = tr));
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOCAL }, { protocol: 'tcp', ip: LOCAL, announcedAddress: 'sfu.example.com' }],
		appData: { peer: 'a' },
	});
	t.equal(newTransport, transport, 'router observer emits newtransport');
	t.match(transport.id, /^[0-9a-f-]{36}$/);
	t.same(transport.appData, { peer: 'a' });
	t.equal(transport.iceRole, 'controlled');
	t.equal(transport.iceParameters.iceLite, true);
	t.ok(transport.iceParameters.usernameFragment.length >= 4);
	t.ok(transport.iceParameters.password.length >= 22);
	t.equal(transport.iceState, 'new');
	t.equal(transport.dtlsState, 'new');
	t.equal(transport.iceSelectedTuple, undefined);
	t.equal(transport.sctpParameters, undefined);
	const [udp, tcp] = transport.iceCandidates;
	t.match(udp, { protocol: 'udp', address: LOCAL, ip: LOCAL, type: 'host' });
	t.match(tcp, { protocol: 'tcp', address: 'sfu.example.com', type: 'host', tcpType: 'passive' });
	t.ok(udp.priority > tcp.priority, 'UDP preferred by default');
	t.ok(udp.port >= 10000 && udp.port <= 59999, 'port from the worker range');
	t.equal(transport.dtlsParameters.role, 'auto');
	t.same(transport.dtlsParameters.fingerprints.map((f) => f.algorithm), ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);
	for (const f of transport.dtlsParameters.fingerprints) t.match(f.value, /^([0-9A-F]{2}:)+[0-9A-F]{2}$/);

	const dump = await transport.dump();
	t.equal(dump.id, transport.id);
	t.same(dump.iceCandidates, transport.iceCandidates);
	t.equal(dump.iceRole, 'controlled');
	const [stats] = await transport.getStats();
	t.match(stats, { type: 'webrtc-transport', transportId: transport.id, iceRole: 'controlled', iceState: 'new', dtlsState: 'new', bytesReceived: 0, bytesSent: 0 });
	t.same((await router.dump()).transportIds, [transport.id]);

	// As mediasoup: listen infos rank in their order; preferTcp orders the older listenIps
	// (more in listen-info.test.js).
	const preferTcp = await router.createWebRtcTransport({ listenIps: [LOCAL], enableTcp: true, preferTcp: true });
	t.same(preferTcp.iceCandidates.map((c) => c.protocol), ['tcp', 'udp'], 'preferTcp lists TCP first');
	t.ok(preferTcp.iceCandidates[0].priority > preferTcp.iceCandidates[1].priority, 'preferTcp ranks TCP first');
	const sctp = await router.createWebRtcTransport({ listenIps: [LOCAL], enableSctp: true, numSctpStreams: { OS: 16, MIS: 32 } });
	t.match(sctp.sctpParameters, { port: 5000, OS: 16, MIS: 32, maxMessageSize: 262144, maxSendMessageSize: 262144, isDataChannel: true });
	t.equal(sctp.sctpState, 'new');
	t.equal(sctp.iceCandidates.length, 2, 'listenIps: one UDP and one TCP candidate');
});

t.test('ICE-lite over UDP: checks, nomination, errors and selected tuple', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const port = transport.iceCandidates[0].port;
	const client = await udpClient(t);
	const password = transport.iceParameters.password;

	const states = [];
	transport.on('icestatechange', (s) => states.push(s));
	const connected = nextEvent(transport, 'icestatechange');
	// The first valid check selects its tuple provisionally (before nomination).
	const selected = nextEvent(transport, 'iceselectedtuplechange');
	const reply = parseStunResponse(await udpExchange(client, port, request(transport)), password);
	t.equal(reply.type, 'success');
	t.ok(reply.integrityOk && reply.fingerprintOk, 'response carries valid MESSAGE-INTEGRITY and FINGERPRINT');
	t.same(reply.xorMappedAddress, { address: LOCAL, port: client.address().port, family: 'IPv4' });
	t.same(await connected, ['connected']);

	const completed = nextEvent(transport, 'icestatechange');
	parseStunResponse(await udpExchange(client, port, request(transport, { useCandidate: true })), password);
	t.same(await completed, ['completed']);
	const [tuple] = await selected;
	t.match(tuple, { localAddress: LOCAL, localPort: port, remoteIp: LOCAL, remotePort: client.address().port, protocol: 'udp' });
	t.same(transport.iceSelectedTuple, tuple);

	const badPassword = parseStunResponse(await udpExchange(client, port, request(transport, { badIntegrity: true })));
	t.match(badPassword, { type: 'error', errorCode: 401 }, 'wrong MESSAGE-INTEGRITY: 401');
	const noPriority = parseStunResponse(await udpExchange(client, port, request(transport, { priority: undefined })));
	t.match(noPriority, { type: 'error', errorCode: 400 }, 'missing PRIORITY: 400');
	const conflict = parseStunResponse(await udpExchange(client, port,
		request(transport, { iceControlling: false, iceControlled: true })));
	t.match(conflict, { type: 'error', errorCode: 487 }, 'a controlled peer against ICE-lite: 487 role conflict');
	const unknown = parseStunResponse(await udpExchange(client, port,
		buildBindingRequest({ username: 'nope:remote', password, priority: 1, iceControlling: true })));
	t.match(unknown, { type: 'error', errorCode: 401 }, 'unknown username fragment: 401');

	// A second path (another client socket) nominated later becomes the selected tuple.
	const client2 = await udpClient(t);
	const switched = nextEvent(transport, 'iceselectedtuplechange');
	parseStunResponse(await udpExchange(client2, port, request(transport, { useCandidate: true })), password);
	const [tuple2] = await switched;
	t.equal(tuple2.remotePort, client2.address().port);
	t.same(states, ['connected', 'completed']);
	const [stats] = await transport.getStats();
	t.ok(stats.bytesReceived > 0 && stats.bytesSent > 0, 'stats count the STUN traffic');
	t.equal(stats.iceState, 'completed');
});

t.test('ICE-TCP passive with RFC 4571 framing, TCP only', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenIps: [LOCAL], enableUdp: false });
	t.equal(transport.iceCandidates.length, 1);
	const candidate = transport.iceCandidates[0];
	t.match(candidate, { protocol: 'tcp', tcpType: 'passive' });
	const socket = net.connect(candidate.port, LOCAL);
	t.teardown(() => socket.destroy());
	await new Promise((resolve) => socket.once('connect', resolve));
	const frames = [];
	let pending = Buffer.alloc(0);
	socket.on('data', (chunk) => {
		pending = Buffer.concat([pending, chunk]);
		while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
			frames.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
			pending = pending.subarray(2 + pending.readUInt16BE(0));
		}
	});
	const completed = nextEvent(transport, 'iceselectedtuplechange');
	const message = request(transport, { useCandidate: true });
	const framed = Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
	// Split the frame across two writes: the server must reassemble it.
	socket.write(framed.subarray(0, 7));
	await new Promise((resolve) => setTimeout(resolve, 50));
	socket.write(framed.subarray(7));
	const [tuple] = await completed;
	t.equal(tuple.protocol, 'tcp');
	t.equal(transport.iceState, 'completed');
	for (let i = 0; i < 50 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
	const reply = parseStunResponse(frames[0], transport.iceParameters.password);
	t.equal(reply.type, 'success');
	const disconnected = nextEvent(transport, 'icestatechange');
	socket.destroy();
	t.same(await disconnected, ['disconnected'], 'closing the only TCP path disconnects ICE');
});

// A peer that stops reading its ICE-TCP connection (a zero TCP window) while it keeps
// sending checks: what the engine sends it may queue up to a bound (1 MiB beyond the
// kernel's send buffer), then whole frames are dropped. Without the bound every answer
// would wait in memory for as long as the connection lives. Here the answers are STUN
// responses (66 bytes framed); 200,000 of them are about 13 MB, more than the kernel
// buffers (at most tcp_wmem's 4 MiB on the sending side, the reader's untouched
// receive buffer) plus the bound.
t.test('ICE-TCP: a peer that does not read loses whole frames instead of growing a queue', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenIps: [LOCAL], enableUdp: false });
	const socket = net.connect(transport.iceCandidates[0].port, LOCAL);
	t.teardown(() => socket.destroy());
	await new Promise((resolve) => socket.once('connect', resolve));
	let received = Buffer.alloc(0);
	socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
	const completed = nextEvent(transport, 'iceselectedtuplechange');
	socket.write(frameTcp(request(transport, { useCandidate: true })));
	await completed;
	for (let i = 0; i < 100 && deframeTcp(received).messages.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
	t.equal(deframeTcp(received).messages.length, 1, 'the first check is answered while the peer reads');
	received = Buffer.alloc(0);

	socket.pause();
	const checks = 200_000;
	const framed = frameTcp(request(transport));
	const batch = Buffer.concat(Array.from({ length: 1000 }, () => framed));
	const [before] = await transport.getStats();
	for (let i = 0; i < checks / 1000; i++) {
		if (!socket.write(batch)) await new Promise((resolve) => socket.once('drain', resolve));
	}
	// Wait (bounded) until the engine has read every check.
	const expected = before.bytesReceived + checks * framed.length - checks * 2;
	let stats = before;
	for (let i = 0; i < 600 && stats.bytesReceived < expected; i++) {
		await new Promise((r) => setTimeout(r, 50));
		[stats] = await transport.getStats();
	}
	t.ok(stats.bytesReceived >= expected, `the engine read every check (${stats.bytesReceived - before.bytesReceived} bytes)`);

	// Read everything that was kept, until nothing more comes for 500 ms (at most 30 s).
	socket.resume();
	let lastLength = -1;
	for (let i = 0; i < 60 && received.length !== lastLength; i++) {
		lastLength = received.length;
		await new Promise((r) => setTimeout(r, 500));
	}
	const { messages, rest } = deframeTcp(received);
	t.equal(rest.length, 0, 'the stream ends on a frame boundary');
	t.ok(messages.length > 0, `some answers were kept (${messages.length})`);
	t.ok(messages.length < checks, `answers beyond the bound were dropped (${checks - messages.length} of ${checks})`);
	const bad = messages.filter((m) => parseStunResponse(m, transport.iceParameters.password).type !== 'success');
	t.equal(bad.length, 0, 'every frame that arrived is a whole, valid STUN response');

	// The connection still works once the peer reads again.
	received = Buffer.alloc(0);
	socket.write(framed);
	for (let i = 0; i < 100 && deframeTcp(received).messages.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
	t.equal(deframeTcp(received).messages.length, 1, 'a new check is answered');
	t.equal(transport.iceState, 'completed');
});

// Anyone can open ICE-TCP connections; each takes one of a TCP server's 1024 slots and
// may pin a 64 KiB partial frame. One that ICE does not hold as a valid path for 10 s
// (TcpServer::kUnusedConnectionTimeoutMs; swept every 2.5 s) is closed, on a transport's
// own TCP server and on a WebRtcServer's; one that carried a valid check stays.
t.test('ICE-TCP connections that never carry a valid check are closed after 10 s', async (t) => {
	const { worker, router } = await setup(t);
	const own = await router.createWebRtcTransport({ listenIps: [LOCAL], enableUdp: false });
	const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, port: 0 }] });
	t.teardown(() => server.close());
	const onServer = await router.createWebRtcTransport({ webRtcServer: server });
	const connect = async (port) => {
		const socket = net.connect(port, LOCAL);
		t.teardown(() => socket.destroy());
		socket.on('error', () => {});
		await new Promise((resolve) => socket.once('connect', resolve));
		socket.closedAt = new Promise((resolve) => socket.once('close', () => resolve(Date.now())));
		socket.on('data', () => {});
		return socket;
	};
	const cases = [];
	for (const transport of [own, onServer]) {
		const port = transport.iceCandidates[0].port;
		const silent = await connect(port);
		const partial = await connect(port);
		partial.write(Buffer.from([0xff, 0xff, 1, 2, 3])); // the start of a 65535-byte frame
		const valid = await connect(port);
		const completed = nextEvent(transport, 'iceselectedtuplechange');
		valid.write(frameTcp(request(transport, { useCandidate: true })));
		await completed;
		cases.push({ transport, silent, partial, valid });
	}
	const started = Date.now();
	const limit = (promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), 20000))]);
	for (const [i, { transport, silent, partial, valid }] of cases.entries()) {
		const where = i === 0 ? 'own TCP server' : 'WebRtcServer';
		const silentClosed = await limit(silent.closedAt);
		const partialClosed = await limit(partial.closedAt);
		t.ok(silentClosed !== null && silentClosed - started >= 7000, `${where}: a silent connection is closed, not early (${silentClosed && silentClosed - started} ms)`);
		t.ok(partialClosed !== null, `${where}: a connection holding a partial frame is closed`);
		t.notOk(valid.destroyed, `${where}: the connection ICE uses stays open`);
		t.equal(transport.iceState, 'completed', `${where}: ICE stays completed`);
		t.equal(transport.iceSelectedTuple?.protocol, 'tcp');
	}
});

t.test('consent freshness: no checks for iceConsentTimeout → disconnected, then back', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }], iceConsentTimeout: 1 });
	const client = await udpClient(t);
	const port = transport.iceCandidates[0].port;
	const states = [];
	const disconnected = new Promise((resolve) => transport.on('icestatechange', (s) => {
		states.push(s);
		if (s === 'disconnected') resolve();
	}));
	await udpExchange(client, port, request(transport, { useCandidate: true }));
	const started = Date.now();
	await Promise.race([disconnected, new Promise((resolve) => setTimeout(resolve, 5000))]);
	t.same(states, ['completed', 'disconnected']);
	t.ok(Date.now() - started >= 900, 'not before the timeout');
	const back = nextEvent(transport, 'icestatechange');
	await udpExchange(client, port, request(transport, { useCandidate: true }));
	t.ok(['connected', 'completed'].includes((await back)[0]), 'a new valid check reconnects');
});

t.test('restartIce() changes the credentials and the transport keeps working', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const client = await udpClient(t);
	const port = transport.iceCandidates[0].port;
	const before = transport.iceParameters;
	const after = await transport.restartIce();
	t.not(after.usernameFragment, before.usernameFragment);
	t.not(after.password, before.password);
	t.same(transport.iceParameters, after);
	const reply = parseStunResponse(await udpExchange(client, port, request(transport, { useCandidate: true })), after.password);
	t.equal(reply.type, 'success', 'the new credentials work');
	t.equal(reply.integrityOk, true);
});

t.test('restartIce() on a WebRtcServer: the previous credentials stay routed until the peer uses the new ones', async (t) => {
	const { worker, router } = await setup(t);
	const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }] });
	const transport = await router.createWebRtcTransport({ webRtcServer: server });
	const port = transport.iceCandidates[0].port;
	const before = transport.iceParameters;
	const after = await transport.restartIce();
	const fragments = (await server.dump()).localIceUsernameFragments.map((f) => f.localIceUsernameFragment).sort();
	t.same(fragments, [before.usernameFragment, after.usernameFragment].sort(), 'both fragments reach the transport');
	// RFC 8445 §9: a check still made with the old credentials, from a tuple the server
	// has never seen, is answered until the new credentials are used.
	const oldCheck = buildBindingRequest({
		username: `${before.usernameFragment}:remote`, password: before.password, priority: 0x6e001eff, iceControlling: true,
	});
	const oldClient = await udpClient(t);
	const oldReply = parseStunResponse(await udpExchange(oldClient, port, oldCheck), before.password);
	t.equal(oldReply.type, 'success', 'the previous credentials still work');
	const newClient = await udpClient(t);
	const newReply = parseStunResponse(await udpExchange(newClient, port, request(transport, { useCandidate: true })), after.password);
	t.equal(newReply.type, 'success', 'the new credentials work');
});

t.test('WebRtcServer: many transports on shared ports, found by ufrag then by tuple', async (t) => {
	const { worker, router } = await setup(t);
	let newServer;
	worker.observer.once('newwebrtcserver', (s) => (newServer = s));
	const server = await worker.createWebRtcServer({
		listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }, { protocol: 'tcp', ip: LOCAL }],
		appData: { a: 1 },
	});
	t.equal(newServer, server);
	const handled = [];
	server.observer.on('webrtctransporthandled', (tr) => handled.push(tr.id));
	const a = await router.createWebRtcTransport({ webRtcServer: server });
	const b = await router.createWebRtcTransport({ webRtcServer: server, enableTcp: false });
	t.same(handled, [a.id, b.id]);
	t.equal(a.iceCandidates.length, 2);
	t.equal(b.iceCandidates.length, 1, 'enableTcp: false leaves the UDP candidate only');
	t.equal(a.iceCandidates[0].port, b.iceCandidates[0].port, 'same UDP port');

	const serverDump = await server.dump();
	t.same(serverDump.webRtcTransportIds.sort(), [a.id, b.id].sort());
	t.equal(serverDump.udpSockets.length, 1);
	t.equal(serverDump.tcpServers.length, 1);
	t.same((await worker.dump()).webRtcServerIds, [server.id]);

	const port = a.iceCandidates[0].port;
	const clientA = await udpClient(t);
	const clientB = await udpClient(t);
	const aCompleted = nextEvent(a, 'iceselectedtuplechange');
	const bCompleted = nextEvent(b, 'iceselectedtuplechange');
	t.equal(parseStunResponse(await udpExchange(clientA, port, request(a, { useCandidate: true })), a.iceParameters.password).type, 'success');
	t.equal(parseStunResponse(await udpExchange(clientB, port, request(b, { useCandidate: true })), b.iceParameters.password).type, 'success');
	t.equal((await aCompleted)[0].remotePort, clientA.address().port);
	t.equal((await bCompleted)[0].remotePort, clientB.address().port);
	t.equal((await server.dump()).tupleHashes.length, 2, 'both tuples registered');

	const closes = [];
	a.on('listenserverclose', () => closes.push('a'));
	b.on('listenserverclose', () => closes.push('b'));
	server.close();
	t.same(closes.sort(), ['a', 'b'], 'closing the server closes its transports');
	t.ok(a.closed && b.closed);
	t.same((await worker.dump()).webRtcServerIds, []);
	t.same((await router.dump()).transportIds, []);
	await t.rejects(router.createWebRtcTransport({ webRtcServer: server }), mediaplane.NotFoundError);
});

t.test('ports: ranges, EADDRINUSE retry, exhaustion, release on close', async (t) => {
	const { router } = await setup(t, { rtcMinPort: 40100, rtcMaxPort: 40101 });
	// Occupy one of the two worker ports: the transport must take the other one.
	const blocker = dgram.createSocket('udp4');
	await new Promise((resolve) => blocker.bind(40100, LOCAL, resolve));
	t.teardown(() => blocker.close());
	const first = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	t.equal(first.iceCandidates[0].port, 40101, 'skipped the port in use');
	await t.rejects(router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] }), /bind|address/i,
		'range exhausted: a clear error');
	first.close();
	const again = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	t.equal(again.iceCandidates[0].port, 40101, 'the closed transport released its port');
	const ranged = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOCAL, portRange: { min: 40200, max: 40210 } }],
	});
	t.ok(ranged.iceCandidates[0].port >= 40200 && ranged.iceCandidates[0].port <= 40210, 'listen info portRange');
	const fixed = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, port: 40300 }] });
	t.equal(fixed.iceCandidates[0].port, 40300, 'fixed port');
	const v6 = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '::1', portRange: { min: 40400, max: 40410 } }] });
	t.equal(v6.iceCandidates[0].address, '::1', 'IPv6 loopback');
});

t.test('closing: transport, router and worker release everything in order', async (t) => {
	const { worker, router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const order = [];
	transport.on('routerclose', () => order.push('transport routerclose'));
	transport.observer.on('close', () => order.push('transport observer close'));
	router.observer.on('close', () => order.push('router observer close'));
	router.close();
	t.same(order, ['transport routerclose', 'transport observer close', 'router observer close']);
	t.equal(transport.iceState, 'closed');
	t.equal(transport.dtlsState, 'closed');
	await t.rejects(transport.getStats(), mediaplane.NotFoundError);
	await t.rejects(transport.connect({ dtlsParameters: transport.dtlsParameters }), mediaplane.NotFoundError);
	await t.rejects(transport.restartIce(), mediaplane.NotFoundError);
	t.same((await worker.dump()).routerIds, []);

	const router2 = await worker.createRouter();
	const t2 = await router2.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	let observerClosed = false;
	t2.observer.on('close', () => (observerClosed = true));
	t2.close();
	t.ok(observerClosed);
	t.same((await router2.dump()).transportIds, []);
});

t.test('bad arguments', async (t) => {
	const { router } = await setup(t);
	const bad = [
		[undefined, /options/],
		[{}, /mandatory/],
		[{ listenIps: [LOCAL], listenInfos: [{ protocol: 'udp', ip: LOCAL }] }, /only one/],
		[{ listenInfos: [] }, /listenInfos/],
		[{ listenInfos: [{ protocol: 'sctp', ip: LOCAL }] }, /protocol/],
		[{ listenInfos: [{ protocol: 'udp', ip: 'not-an-ip' }] }, /ip/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 70000 }] }, /port/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL, portRange: { min: 5, max: 1 } }] }, /portRange/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL }], enableUdp: 'yes' }, /enableUdp/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL }], enableUdp: false }, /enabled protocols|enableUdp/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL }], iceConsentTimeout: 0 }, /iceConsentTimeout/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL }], numSctpStreams: { OS: 0, MIS: 1 } }, /numSctpStreams/],
		[{ listenInfos: [{ protocol: 'udp', ip: LOCAL }], appData: 1 }, /appData/],
		[{ webRtcServer: {} }, /webRtcServer/],
	];
	for (const [options, message] of bad) {
		await t.rejects(router.createWebRtcTransport(options), { name: 'TypeError', message }, JSON.stringify(options));
	}
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const fp = transport.dtlsParameters.fingerprints[2];
	await t.rejects(transport.connect({}), { name: 'TypeError', message: /dtlsParameters/ });
	await t.rejects(transport.connect({ dtlsParameters: { role: 'boss', fingerprints: [fp] } }), { name: 'TypeError', message: /role/ });
	await t.rejects(transport.connect({ dtlsParameters: { fingerprints: [] } }), { name: 'TypeError', message: /fingerprints/ });
	await t.rejects(transport.connect({ dtlsParameters: { fingerprints: [{ algorithm: 'md5', value: 'AB' }] } }), { name: 'TypeError', message: /algorithm/ });
	await t.rejects(transport.connect({ dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'xyz' }] } }), { name: 'TypeError', message: /value/ });
	await t.rejects(transport.setMaxIncomingBitrate(-1), { name: 'TypeError', message: /bitrate/ });
	await t.rejects(transport.setMaxOutgoingBitrate('1'), { name: 'TypeError', message: /bitrate/ });
	// As mediasoup: unknown type strings are ignored, anything but strings is refused.
	await t.resolves(transport.enableTraceEvent(['rtp', 'no-such-type']));
	await t.rejects(transport.enableTraceEvent([1]), { name: 'TypeError', message: /string/ });
	await t.rejects(transport.enableTraceEvent('bwe'), { name: 'TypeError', message: /array/ });
	await transport.setMaxIncomingBitrate(1000000);
	await transport.setMaxOutgoingBitrate(2000000);
	await transport.setMinOutgoingBitrate(100000);
	await transport.enableTraceEvent(['bwe']);
	const [stats] = await transport.getStats();
	t.match(stats, { maxIncomingBitrate: 1000000, maxOutgoingBitrate: 2000000, minOutgoingBitrate: 100000 });
	await transport.connect({ dtlsParameters: { role: 'client', fingerprints: [fp] } });
	t.equal(transport.dtlsParameters.role, 'server', 'remote client → local server');
	await t.rejects(transport.connect({ dtlsParameters: { role: 'client', fingerprints: [fp] } }), Error,
		'connect() twice');
	await t.rejects(mediaplane.createWorker().then((w) => {
		w.close();
		return w.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	}), mediaplane.WorkerClosedError);
	const worker2 = await mediaplane.createWorker();
	t.teardown(() => worker2.close());
	await t.rejects(worker2.createWebRtcServer({ listenInfos: 'x' }), { name: 'TypeError', message: /listenInfos/ });
	await t.rejects(worker2.createWebRtcServer(), { name: 'TypeError' });
});

t.test('garbage and truncated packets are dropped, counted, and harmless', async (t) => {
	const { router } = await setup(t);
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }, { protocol: 'tcp', ip: LOCAL }] });
	const port = transport.iceCandidates[0].port;
	const client = await udpClient(t);
	const valid = request(transport, { useCandidate: true });
	const rssBefore = process.memoryUsage().rss;
	const sent = [];
	for (let i = 0; i < 3000; i++) {
		let packet;
		switch (i % 6) {
			case 0: packet = crypto.randomBytes(1 + (i % 300)); break;
			case 1: packet = valid.subarray(0, i % valid.length); break; // truncated STUN
			case 2: { packet = Buffer.from(valid); packet[20 + (i % (packet.length - 20))] ^= 0xff; break; } // corrupted STUN
			case 3: packet = Buffer.concat([Buffer.from([22, 254, 253]), crypto.randomBytes(i % 100)]); break; // DTLS-looking
			case 4: packet = Buffer.concat([Buffer.from([0x80, 96]), crypto.randomBytes(10 + (i % 200))]); break; // RTP-looking
			default: packet = Buffer.concat([Buffer.from([0x80, 200]), crypto.randomBytes(i % 60)]); break; // RTCP-looking
		}
		if (packet.length === 0) continue;
		sent.push(packet.length);
		client.send(packet, port, LOCAL);
		if (i % 200 === 0) await new Promise((r) => setImmediate(r));
	}
	// Garbage over TCP too: a bogus huge frame length closes that connection only.
	const tcp = net.connect(transport.iceCandidates[1].port, LOCAL);
	t.teardown(() => tcp.destroy());
	await new Promise((resolve) => tcp.once('connect', resolve));
	tcp.write(crypto.randomBytes(5000));
	await new Promise((r) => setTimeout(r, 300));
	const [stats] = await transport.getStats();
	t.ok(stats.droppedPackets > 1000, `dropped and counted (${stats.droppedPackets})`);
	t.equal(transport.iceState, 'new', 'no garbage validated a path');
	const reply = parseStunResponse(await udpExchange(client, port, valid), transport.iceParameters.password);
	t.equal(reply.type, 'success', 'a valid check still works afterwards');
	const grownMiB = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
	// Under ASan (test/sanitized-socket.test.js) freed memory waits in its quarantine, 256
	// MiB at most, before it is reused.
	const quarantineMiB = process.env.MEDIAPLANE_SANITIZED ? 256 : 0;
	t.ok(grownMiB < 50 + quarantineMiB, `memory stays bounded (${grownMiB.toFixed(1)} MiB)`);
});
