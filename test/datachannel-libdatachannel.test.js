'use strict';
// Data channels between mediaplane and libdatachannel (npm node-datachannel): a full
// WebRTC stack independent of Chromium (libjuice ICE, OpenSSL DTLS, usrsctp) as the
// peer of a WebRtcTransport with enableSctp. The test writes the peer's remote SDP from
// the transport's iceParameters, iceCandidates, dtlsParameters and sctpParameters
// (m=application UDP/DTLS/SCTP webrtc-datachannel, a=sctp-port, a=max-message-size,
// ice-lite), uses pre-negotiated channels (negotiated: true, id: N) matching the
// DataProducer's and DataConsumer's stream ids, and connects the transport with the
// peer's fingerprint and DTLS role. Both DTLS roles of the server are exercised.
const t = require('tap');
const mediaplane = require('..');
const { createPeer, shutdown } = require('./datachannel/libdatachannel');
const { transportSdp, peerParameters } = require('./datachannel/sdp');
const m = require('./datachannel/messages');
const { nextEvent, waitFor, waitForSctpState } = require('./datachannel/util');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const COUNT = 1000;
const UP_STREAM = 1000; // the peer sends on this stream; the server DataProducer reads it (far from the ids the server gives its DataConsumers: a WebRTC stream id is one channel both ways)

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(async () => {
	if (worker) {
		const gone = worker.subprocessClosed ? Promise.resolve() : nextEvent(worker, 'subprocessclose', 5000).catch(() => {});
		worker.close();
		await gone;
	}
	shutdown();
});

/**
 * A router, a WebRtcTransport with enableSctp, a DataProducer on it for the peer's
 * stream UP_STREAM (consumed by a DirectTransport) and a DataConsumer on it (of a
 * DirectTransport DataProducer). Returns everything, closed by t.teardown.
 */
async function serverSide(t) {
	const router = await worker.createRouter();
	t.teardown(() => router.close());
	// The DataConsumer drops what does not fit in the SCTP send buffer
	// ('sctpsendbufferfull', as in mediasoup); the test queues its 2.4 MB at once, so the
	// buffer holds all of it (default 2000000).
	const transport = await router.createWebRtcTransport({
		listenInfos: LISTEN,
		enableSctp: true,
		sctpSendBufferSize: 8_000_000,
		sctpPerStreamSendQueueLimit: 8_000_000,
	});
	const direct = await router.createDirectTransport();
	const up = await transport.produceData({ sctpStreamParameters: { streamId: UP_STREAM, ordered: true }, label: 'up', protocol: 'ldc' });
	const upConsumer = await direct.consumeData({ dataProducerId: up.id });
	const downProducer = await direct.produceData({ label: 'down', protocol: 'ldc' });
	const down = await transport.consumeData({ dataProducerId: downProducer.id });
	down.sendBufferFull = 0;
	down.on('sctpsendbufferfull', () => down.sendBufferFull++);
	const sctpStates = [];
	transport.on('sctpstatechange', (state) => sctpStates.push(state));
	return { router, transport, direct, up, upConsumer, downProducer, down, sctpStates };
}

/**
 * Waits for each layer in turn, so that a failure names the one that did not come up:
 * ICE and DTLS on the server transport, then SCTP on both ends.
 */
async function connected(t, s, peer) {
	const state = () => `iceState ${s.transport.iceState}, dtlsState ${s.transport.dtlsState}, sctpState ${s.transport.sctpState}, peer ${peer.pc.state()}/${peer.pc.iceState()}`;
	await waitFor(() => s.transport.dtlsState === 'connected' || s.transport.dtlsState === 'failed', 15_000, 'ICE and DTLS', state);
	t.equal(s.transport.dtlsState, 'connected', `DTLS connected (${state()})`);
	try {
		await Promise.all([peer.waitForState('connected', 15_000), waitForSctpState(s.transport, 'connected', 15_000)]);
	} catch (error) {
		error.message += ` [${state()}; sctpstatechange: ${s.sctpStates.join(' > ') || 'none'}]`;
		throw error;
	}
}

/** Sends a plan both ways and checks every message; then stats. */
async function exchange(t, s, peer, upChannel, downChannel) {
	const plan = m.makePlan({ count: COUNT });
	const bytes = m.planBytes(plan);

	// Peer -> server (DataProducer on the WebRtcTransport -> DirectTransport DataConsumer).
	const upReceiver = m.orderedReceiver('up', plan);
	const badPpid = [];
	s.upConsumer.on('message', (message, ppid) => {
		const entry = plan[upReceiver.received];
		if (entry && ppid !== m.ppidOf(entry) && badPpid.length < 5) badPpid.push(`#${entry.index}: ppid ${ppid}`);
		upReceiver.push(message, ppid === m.PPID.STRING);
	});
	for (const entry of plan) upChannel.send(m.messageData('up', entry));
	await waitFor(() => upReceiver.received >= COUNT, 30_000, `${COUNT} messages from libdatachannel`, () => JSON.stringify(upReceiver.summary()));
	t.equal(upReceiver.summary().matched, COUNT, 'libdatachannel -> mediaplane: every message in order and intact');
	t.same(upReceiver.summary().problems, []);
	t.same(badPpid, [], 'PPID 51 for strings, 53 for binary');

	// Server -> peer (DirectTransport DataProducer -> DataConsumer on the WebRtcTransport).
	const downReceiver = m.orderedReceiver('down', plan);
	downChannel.onMessage(({ data, isString }) => downReceiver.push(data, isString));
	for (const entry of plan) {
		const data = m.messageData('down', entry);
		s.downProducer.send(typeof data === 'string' ? data : Buffer.from(data));
	}
	await waitFor(() => downReceiver.received >= COUNT || s.down.sendBufferFull > 0, 30_000, `${COUNT} messages at libdatachannel`,
		() => JSON.stringify(downReceiver.summary()));
	t.equal(s.down.sendBufferFull, 0, 'no sctpsendbufferfull');
	t.equal(downReceiver.summary().matched, COUNT, 'mediaplane -> libdatachannel: every message in order and intact');
	t.same(downReceiver.summary().problems, []);

	const [upStats] = await s.up.getStats();
	t.match(upStats, { type: 'data-producer', label: 'up', protocol: 'ldc', messagesReceived: COUNT, bytesReceived: bytes });
	const [downStats] = await s.down.getStats();
	t.match(downStats, { type: 'data-consumer', label: 'down', protocol: 'ldc', messagesSent: COUNT, bytesSent: bytes });
	const [transportStats] = await s.transport.getStats();
	t.equal(transportStats.sctpState, 'connected', 'transport stats: sctpState connected');
	t.ok(transportStats.bytesReceived >= bytes && transportStats.bytesSent >= bytes, 'transport stats count the bytes both ways');
}

/**
 * Empty messages (RFC 8831 §6.6: PPID 56 and 57 with one byte) from libdatachannel come
 * back through a second DataConsumer of the same DataProducer as empty messages again.
 */
async function emptyMessages(t, s, peer, upChannel) {
	const echo = await s.transport.consumeData({ dataProducerId: s.up.id });
	t.not(echo.sctpStreamParameters.streamId, UP_STREAM, 'the echo stream is not the sending one');
	const echoChannel = peer.channel('echo', { negotiated: true, id: echo.sctpStreamParameters.streamId, protocol: 'ldc' });
	await echoChannel.opened(10_000);
	const ppids = [];
	s.upConsumer.on('message', (message, ppid) => ppids.push(ppid));
	upChannel.send('');
	upChannel.send(new Uint8Array(0));
	upChannel.send('x');
	upChannel.send(new Uint8Array([0]));
	await waitFor(() => echoChannel.messages.length >= 4, 10_000, 'four echoed messages', () => JSON.stringify(echoChannel.messages));
	t.same(echoChannel.messages.map(({ data, isString }) => ({ isString, size: isString ? Buffer.byteLength(data) : data.length })), [
		{ isString: true, size: 0 },
		{ isString: false, size: 0 },
		{ isString: true, size: 1 },
		{ isString: false, size: 1 },
	], 'libdatachannel gets back an empty string, an empty binary message, then one byte of each');
	await waitFor(() => ppids.length >= 4, 10_000, 'the four messages at the DirectTransport DataConsumer');
	t.same(ppids, [m.PPID.STRING_EMPTY, m.PPID.BINARY_EMPTY, m.PPID.STRING, m.PPID.BINARY], 'the DataProducer passes PPIDs 56, 57, 51, 53 on');
}

/** Closing the server DataConsumer resets its stream: libdatachannel closes the channel. */
async function closeDown(t, s, downChannel, upChannel) {
	s.down.close();
	await downChannel.closed(10_000);
	t.ok(downChannel.isClosed, 'closing the DataConsumer closed libdatachannel\'s channel (stream reset)');
	t.notOk(upChannel.isClosed, 'the other channel stays open');
	t.equal(s.transport.sctpState, 'connected', 'the association stays up');
}

t.test('libdatachannel offers, mediaplane answers as DTLS server', async (t) => {
	const s = await serverSide(t);
	const downStream = s.down.sctpStreamParameters.streamId;
	t.not(downStream, UP_STREAM, `the DataConsumer's stream (${downStream}) is not the peer's sending stream`);
	t.match(s.transport.sctpParameters, { port: 5000, isDataChannel: true, maxMessageSize: 262144 });

	const peer = createPeer('offerer');
	t.teardown(() => peer.close());
	const upChannel = peer.channel('up', { negotiated: true, id: UP_STREAM, protocol: 'ldc' });
	const downChannel = peer.channel('down', { negotiated: true, id: downStream, protocol: 'ldc' });
	const offer = await peer.localDescription();
	t.equal(offer.type, 'offer');
	const theirs = peerParameters(offer.sdp);
	t.match(theirs, { protocol: 'UDP/DTLS/SCTP', payloads: 'webrtc-datachannel', setup: 'actpass', sctpPort: 5000 }, 'libdatachannel\'s offer');

	const answer = transportSdp(s.transport, { type: 'answer', setup: 'passive', mid: theirs.mid });
	peer.pc.setRemoteDescription(answer, 'answer');
	// a=setup:passive: the server is the DTLS server, libdatachannel the client.
	await s.transport.connect({ dtlsParameters: { role: 'client', fingerprints: theirs.fingerprints } });
	t.equal(s.transport.dtlsParameters.role, 'server', 'the server took the DTLS server role');

	await connected(t, s, peer);
	await Promise.all([upChannel.opened(10_000), downChannel.opened(10_000)]);
	t.equal(s.transport.iceState === 'connected' || s.transport.iceState === 'completed', true, `iceState ${s.transport.iceState}`);
	t.equal(s.transport.dtlsState, 'connected');
	t.equal(s.sctpStates.at(-1), 'connected', `sctpstatechange: ${s.sctpStates.join(' > ')}`);
	t.ok(s.transport.sctpNegotiatedCapabilities?.negotiatedMaxOutboundStreams > downStream,
		`negotiated streams ${JSON.stringify(s.transport.sctpNegotiatedCapabilities)}`);
	const pair = peer.pc.getSelectedCandidatePair();
	t.equal(pair?.remote?.address, LOCAL, 'libdatachannel talks to 127.0.0.1');
	t.equal(pair?.remote?.port, s.transport.iceCandidates[0].port, 'to the transport\'s port');

	await exchange(t, s, peer, upChannel, downChannel);
	await emptyMessages(t, s, peer, upChannel);
	await closeDown(t, s, downChannel, upChannel);
});

t.test('mediaplane offers as DTLS client, libdatachannel answers', async (t) => {
	const s = await serverSide(t);
	const downStream = s.down.sctpStreamParameters.streamId;

	const peer = createPeer('answerer');
	t.teardown(() => peer.close());
	// a=setup:active: the server will be the DTLS client.
	const offer = transportSdp(s.transport, { type: 'offer', setup: 'active' });
	peer.pc.setRemoteDescription(offer, 'offer');
	const answer = await peer.localDescription();
	t.equal(answer.type, 'answer');
	const theirs = peerParameters(answer.sdp);
	t.equal(theirs.setup, 'passive', 'libdatachannel answers a=setup:passive');
	const upChannel = peer.channel('up', { negotiated: true, id: UP_STREAM, protocol: 'ldc' });
	const downChannel = peer.channel('down', { negotiated: true, id: downStream, protocol: 'ldc' });

	await s.transport.connect({ dtlsParameters: { role: theirs.role, fingerprints: theirs.fingerprints } });
	t.equal(s.transport.dtlsParameters.role, 'client', 'the server took the DTLS client role');

	await connected(t, s, peer);
	await Promise.all([upChannel.opened(10_000), downChannel.opened(10_000)]);
	t.equal(s.transport.dtlsState, 'connected');

	await exchange(t, s, peer, upChannel, downChannel);
	await closeDown(t, s, downChannel, upChannel);
});
