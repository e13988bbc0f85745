'use strict';
// Data channels over a PlainTransport with enableSctp: true, SCTP straight over UDP (no
// ICE, no DTLS), against werift-sctp, the JavaScript SCTP that mediasoup 3.27's own
// tests use: the association comes up; werift's messages reach a DataConsumer on a
// DirectTransport in order and intact (strings PPID 51, binary PPID 53, 1 B to 256 KiB);
// a DirectTransport DataProducer's messages reach werift through an SCTP DataConsumer;
// closing the DataConsumer resets its stream; stats count what went through.
const t = require('tap');
const mediaplane = require('..');
const { weriftPeer, SCTP_STATE } = require('./datachannel/werift');
const m = require('./datachannel/messages');
const { nextEvent, waitFor, waitForSctpState } = require('./datachannel/util');

const LOCAL = '127.0.0.1';
// werift-sctp moves about 150 KB/s on this machine: a plan of 300 messages (about
// 800 KB with its 64 KiB string, 64 KiB binary and 256 KiB binary messages) keeps each
// run to a few seconds.
const COUNT = 300;

const SCTP_PARAMETERS_327 = {
	port: 5000,
	maxSendMessageSize: 262144,
	maxReceiveMessageSize: 262144,
	sendBufferSize: 2000000,
	perStreamSendQueueLimit: 2000000,
	maxReceiverWindowBufferSize: 5242880,
	isDataChannel: false,
	OS: 65535,
	MIS: 65535,
	maxMessageSize: 262144,
};

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(async () => {
	if (!worker) return;
	const gone = worker.subprocessClosed ? Promise.resolve() : nextEvent(worker, 'subprocessclose', 5000).catch(() => {});
	worker.close();
	await gone;
});

/**
 * A router with a comedia PlainTransport (enableSctp) and a DirectTransport; `connect()`
 * starts werift-sctp against the PlainTransport and waits for both ends. Everything is
 * closed by t.teardown.
 */
async function setup(t, plainOptions = {}, peerOptions = {}) {
	const router = await worker.createRouter();
	t.teardown(() => router.close());
	const plain = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL },
		comedia: true,
		enableSctp: true,
		...plainOptions,
	});
	const direct = await router.createDirectTransport();
	const sctpStates = [];
	plain.on('sctpstatechange', (state) => sctpStates.push(state));
	const peer = await weriftPeer({ port: plain.tuple.localPort, address: plain.tuple.localAddress, ...peerOptions });
	t.teardown(() => peer.close());
	const connect = async () => {
		try {
			await Promise.all([peer.connect(plain.sctpParameters.port, 10_000), waitForSctpState(plain, 'connected', 10_000)]);
		} catch (error) {
			error.message += ` [server sctpState '${plain.sctpState}', sctpstatechange: ${sctpStates.join(' > ') || 'none'}]`;
			throw error;
		}
	};
	return { router, plain, direct, peer, sctpStates, connect };
}

/** Resolves once `receiver` (an orderedReceiver) has `count` messages; bounded. */
function received(receiver, count, ms, what) {
	return waitFor(() => receiver.received >= count, ms, what, () => JSON.stringify(receiver.summary()));
}

t.test('sctpParameters and sctpState of a PlainTransport have the 3.27 shape', async (t) => {
	const router = await worker.createRouter();
	t.teardown(() => router.close());
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, enableSctp: true });
	t.same(plain.sctpParameters, SCTP_PARAMETERS_327, 'every field, default values');
	t.equal(plain.sctpState, 'new');
	t.equal(plain.sctpNegotiatedCapabilities, undefined, 'no negotiated capabilities before the association is up');
	const copy = plain.sctpParameters;
	copy.port = 1;
	t.equal(plain.sctpParameters.port, 5000, 'the getter returns a copy');
	const dump = await plain.dump();
	t.same(dump.sctpParameters, SCTP_PARAMETERS_327, 'dump().sctpParameters');
	t.equal(dump.sctpState, 'new', 'dump().sctpState');

	const custom = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL },
		enableSctp: true,
		maxSendMessageSize: 100000,
		maxReceiveMessageSize: 200000,
		sctpSendBufferSize: 300000,
	});
	t.match(custom.sctpParameters, { maxSendMessageSize: 100000, maxReceiveMessageSize: 200000, sendBufferSize: 300000, maxMessageSize: 200000 },
		'options reach sctpParameters (maxMessageSize = maxReceiveMessageSize)');

	const noSctp = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	t.equal(noSctp.sctpParameters, undefined, 'no sctpParameters without enableSctp');
	t.equal(noSctp.sctpState, undefined, 'no sctpState without enableSctp');
	await t.rejects(noSctp.produceData({ sctpStreamParameters: { streamId: 1 } }), 'produceData() needs SCTP on the transport');
});

t.test('the association connects: sctpState and sctpstatechange', async (t) => {
	const s = await setup(t);
	// The engine starts SCTP once the transport has a DataProducer or DataConsumer.
	await s.plain.produceData({ sctpStreamParameters: { streamId: 1, ordered: true } });
	await s.connect();
	t.equal(s.plain.sctpState, 'connected');
	t.equal(s.sctpStates.at(-1), 'connected', `sctpstatechange events: ${s.sctpStates.join(' > ')}`);
	t.ok(s.sctpStates.every((state) => ['connecting', 'connected'].includes(state)), 'only connecting/connected on the way up');
	t.equal(s.peer.sctp.associationState, SCTP_STATE.ESTABLISHED, 'werift-sctp: ESTABLISHED');
	t.same(s.plain.sctpNegotiatedCapabilities, { negotiatedMaxOutboundStreams: 65535, negotiatedMaxInboundStreams: 65535 });
	const dump = await s.plain.dump();
	t.equal(dump.sctpState, 'connected', 'dump().sctpState');
	t.same(dump.sctpNegotiatedCapabilities, { negotiatedMaxOutboundStreams: 65535, negotiatedMaxInboundStreams: 65535 });
	const [stats] = await s.plain.getStats();
	t.equal(stats.sctpState, 'connected', 'getStats()[0].sctpState');
	t.match(s.plain.tuple, { remoteIp: LOCAL, remotePort: s.peer.localPort }, 'comedia learnt werift\'s address');
});

t.test('werift -> DataProducer -> DirectTransport DataConsumer: every message, in order and intact', async (t) => {
	const s = await setup(t);
	// Two streams at once, so that the engine routes by stream id.
	const streams = [
		{ streamId: 7, tag: 'seven', label: 'werift-7', protocol: 'foo & bar 😀' },
		{ streamId: 1000, tag: 'thousand', label: 'werift-1000', protocol: '' },
	];
	for (const stream of streams) {
		stream.dataProducer = await s.plain.produceData({
			sctpStreamParameters: { streamId: stream.streamId, ordered: true },
			label: stream.label,
			protocol: stream.protocol,
		});
		t.equal(stream.dataProducer.type, 'sctp');
		t.match(stream.dataProducer.sctpStreamParameters, { streamId: stream.streamId, ordered: true });
		stream.dataConsumer = await s.direct.consumeData({ dataProducerId: stream.dataProducer.id });
		t.equal(stream.dataConsumer.type, 'direct');
		t.equal(stream.dataConsumer.label, stream.label);
		t.equal(stream.dataConsumer.protocol, stream.protocol);
		stream.plan = m.makePlan({ count: COUNT });
		stream.receiver = m.orderedReceiver(stream.tag, stream.plan);
		stream.badPpid = [];
		stream.dataConsumer.on('message', (message, ppid) => {
			const entry = stream.plan[stream.receiver.received];
			if (entry && ppid !== m.ppidOf(entry) && stream.badPpid.length < 5) stream.badPpid.push(`#${entry.index}: ppid ${ppid}`);
			if (!Buffer.isBuffer(message) && stream.badPpid.length < 5) stream.badPpid.push('not a Buffer');
			stream.receiver.push(message, ppid === m.PPID.STRING);
		});
	}
	await s.connect();

	for (let i = 0; i < COUNT; i++) {
		for (const stream of streams) {
			const entry = stream.plan[i];
			s.peer.send(stream.streamId, m.ppidOf(entry), m.toBytes(m.messageData(stream.tag, entry)));
		}
	}
	for (const stream of streams) {
		await received(stream.receiver, COUNT, 45_000, `${COUNT} messages on stream ${stream.streamId}`);
		const summary = stream.receiver.summary();
		t.equal(summary.received, COUNT, `stream ${stream.streamId}: ${COUNT} messages`);
		t.equal(summary.matched, COUNT, `stream ${stream.streamId}: all in order and intact`);
		t.same(summary.problems, [], 'no problems');
		t.same(stream.badPpid, [], 'Buffers, PPID 51 for strings and 53 for binary');
	}

	const stream = streams[0];
	const bytes = m.planBytes(stream.plan);
	const [producerStats] = await stream.dataProducer.getStats();
	t.match(producerStats, { type: 'data-producer', label: stream.label, protocol: stream.protocol, messagesReceived: COUNT, bytesReceived: bytes },
		'DataProducer stats count what werift sent');
	t.equal(typeof producerStats.timestamp, 'number');
	const [consumerStats] = await stream.dataConsumer.getStats();
	t.match(consumerStats, { type: 'data-consumer', label: stream.label, protocol: stream.protocol, messagesSent: COUNT, bytesSent: bytes },
		'DataConsumer stats count what it delivered');
	t.equal(s.plain.sctpState, 'connected', 'still connected');
});

t.test('DirectTransport DataProducer -> SCTP DataConsumer -> werift: every message, in order and intact', async (t) => {
	const s = await setup(t);
	const dataProducer = await s.direct.produceData({ label: 'from-direct', protocol: 'proto' });
	t.equal(dataProducer.type, 'direct');
	const dataConsumer = await s.plain.consumeData({ dataProducerId: dataProducer.id });
	t.equal(dataConsumer.type, 'sctp');
	const streamId = dataConsumer.sctpStreamParameters?.streamId;
	t.ok(Number.isInteger(streamId) && streamId >= 0 && streamId <= 65534, `the DataConsumer has an SCTP stream id (${streamId})`);
	t.equal(dataConsumer.label, 'from-direct');
	await s.connect();

	const plan = m.makePlan({ count: COUNT });
	const receiver = m.orderedReceiver('direct', plan);
	const strays = [];
	const badPpid = [];
	const stopPlan = s.peer.onMessage((sid, ppid, data) => {
		if (sid !== streamId) {
			if (strays.length < 5) strays.push(`stream ${sid}`);
			return;
		}
		const entry = plan[receiver.received];
		if (entry && ppid !== m.ppidOf(entry) && badPpid.length < 5) badPpid.push(`#${entry.index}: ppid ${ppid}`);
		receiver.push(data, ppid === m.PPID.STRING);
	});
	for (const entry of plan) {
		const data = m.messageData('direct', entry);
		// A string goes out as PPID 51, a Buffer as 53 (mediasoup's rule for send()).
		dataProducer.send(typeof data === 'string' ? data : Buffer.from(data));
	}
	await received(receiver, COUNT, 30_000, `${COUNT} messages at werift on stream ${streamId}`);
	const summary = receiver.summary();
	t.equal(summary.matched, COUNT, 'all in order and intact');
	t.same(summary.problems, []);
	t.same(badPpid, [], 'PPID 51 for strings, 53 for binary');
	t.same(strays, [], 'nothing on other streams');

	const bytes = m.planBytes(plan);
	const [consumerStats] = await dataConsumer.getStats();
	t.match(consumerStats, { type: 'data-consumer', label: 'from-direct', protocol: 'proto', messagesSent: COUNT, bytesSent: bytes },
		'SCTP DataConsumer stats');
	const [producerStats] = await dataProducer.getStats();
	t.match(producerStats, { type: 'data-producer', messagesReceived: COUNT, bytesReceived: bytes }, 'direct DataProducer stats');

	// dataConsumer.send() resolves to the buffered amount (3.20.2) and reaches werift.
	stopPlan();
	const extra = m.orderedReceiver('x', [{ index: 0, kind: 'string', size: 3 }]);
	const off = s.peer.onMessage((sid, ppid, data) => {
		if (sid === streamId) extra.push(data, ppid === m.PPID.STRING);
	});
	t.teardown(off);
	const buffered = await dataConsumer.send(m.messageData('x', { index: 0, kind: 'string', size: 3 }));
	t.equal(typeof buffered, 'number', `dataConsumer.send() resolves to a number (${buffered})`);
	await waitFor(() => extra.received >= 1, 10_000, 'the message of dataConsumer.send()');
	t.equal(extra.summary().matched, 1, 'dataConsumer.send() delivered intact');
	t.equal(extra.summary().received, 1, 'and only that');
});

t.test('closing the SCTP DataConsumer resets its stream; closing a DataProducer closes its DataConsumers', async (t) => {
	const s = await setup(t);
	const dataProducer = await s.direct.produceData({ label: 'reset' });
	const doomed = await s.plain.consumeData({ dataProducerId: dataProducer.id });
	const survivor = await s.plain.consumeData({ dataProducerId: dataProducer.id });
	const doomedStream = doomed.sctpStreamParameters.streamId;
	const survivorStream = survivor.sctpStreamParameters.streamId;
	t.not(doomedStream, survivorStream, 'two DataConsumers, two streams');
	await s.connect();

	const byStream = new Map();
	s.peer.onMessage((sid, ppid, data) => {
		if (!byStream.has(sid)) byStream.set(sid, []);
		byStream.get(sid).push(data.toString('utf8'));
	});
	dataProducer.send('before');
	await waitFor(() => byStream.get(doomedStream)?.length >= 1 && byStream.get(survivorStream)?.length >= 1, 10_000,
		'"before" on both streams', () => JSON.stringify([...byStream]));

	const observerClose = nextEvent(doomed.observer, 'close', 1000);
	doomed.close();
	await observerClose;
	t.equal(doomed.closed, true);
	await s.peer.waitForReset(doomedStream, 10_000);
	t.ok(s.peer.resets.includes(doomedStream), `werift saw stream ${doomedStream} reset`);
	t.notOk(s.peer.resets.includes(survivorStream), 'the other stream was not reset');

	// After the reset nothing more comes on the closed stream; the other one still works.
	dataProducer.send('after');
	await waitFor(() => byStream.get(survivorStream).includes('after'), 10_000, '"after" on the remaining stream');
	t.same(byStream.get(doomedStream), ['before'], 'nothing more on the reset stream');
	t.equal(s.plain.sctpState, 'connected', 'the association stays up');

	// The producer side: a DataProducer on the PlainTransport consumed by the direct transport.
	const sctpProducer = await s.plain.produceData({ sctpStreamParameters: { streamId: 42, ordered: true } });
	const directConsumer = await s.direct.consumeData({ dataProducerId: sctpProducer.id });
	const producerClosed = nextEvent(directConsumer, 'dataproducerclose', 5000);
	sctpProducer.close();
	await producerClosed;
	t.equal(directConsumer.closed, true, 'the direct DataConsumer closed with its DataProducer');
	const survivorClosed = nextEvent(survivor, 'dataproducerclose', 5000);
	dataProducer.close();
	await survivorClosed;
	t.equal(survivor.closed, true, 'the SCTP DataConsumer closed with its DataProducer');
	await s.peer.waitForReset(survivorStream, 10_000);
	t.pass(`and its stream ${survivorStream} was reset too`);
});

t.test('pause and resume: nothing is delivered while the DataProducer is paused', async (t) => {
	const s = await setup(t);
	const dataProducer = await s.direct.produceData({ label: 'pausable' });
	const dataConsumer = await s.plain.consumeData({ dataProducerId: dataProducer.id });
	const streamId = dataConsumer.sctpStreamParameters.streamId;
	await s.connect();
	const got = [];
	s.peer.onMessage((sid, ppid, data) => {
		if (sid === streamId) got.push(data.toString('utf8'));
	});
	dataProducer.send('before');
	await waitFor(() => got.length >= 1, 10_000, '"before"');

	const paused = nextEvent(dataConsumer, 'dataproducerpause', 5000);
	await dataProducer.pause();
	await paused;
	t.equal(dataConsumer.dataProducerPaused, true, 'the DataConsumer knows its DataProducer is paused');
	dataProducer.send('while paused');
	const resumed = nextEvent(dataConsumer, 'dataproducerresume', 5000);
	await dataProducer.resume();
	await resumed;
	t.equal(dataConsumer.dataProducerPaused, false);
	dataProducer.send('after');
	await waitFor(() => got.includes('after'), 10_000, '"after"', () => JSON.stringify(got));
	t.same(got, ['before', 'after'], 'the message sent while paused was dropped, the others arrived in order');

	await dataConsumer.pause();
	dataProducer.send('consumer paused');
	await dataConsumer.resume();
	dataProducer.send('last');
	await waitFor(() => got.includes('last'), 10_000, '"last"', () => JSON.stringify(got));
	t.same(got, ['before', 'after', 'last'], 'nor while the DataConsumer was paused');
});

t.test('werift aborts the association: sctpState goes closed', async (t) => {
	const s = await setup(t);
	await s.plain.produceData({ sctpStreamParameters: { streamId: 5, ordered: true } });
	await s.connect();
	const closed = waitForSctpState(s.plain, 'closed', 10_000);
	await s.peer.close(); // werift-sctp's stop() sends ABORT
	await closed.catch((error) => {
		error.message += ` [sctpstatechange: ${s.sctpStates.join(' > ')}]`;
		throw error;
	});
	t.equal(s.plain.sctpState, 'closed', `sctpstatechange: ${s.sctpStates.join(' > ')}`);
	const [stats] = await s.plain.getStats();
	t.equal(stats.sctpState, 'closed', 'getStats() agrees');
});

t.test('connect({ ip, port }) instead of comedia: both ends start the association (INIT collision)', async (t) => {
	const s = await setup(t, { comedia: false });
	const dataProducer = await s.plain.produceData({ sctpStreamParameters: { streamId: 9, ordered: true } });
	const dataConsumer = await s.direct.consumeData({ dataProducerId: dataProducer.id });
	const got = [];
	dataConsumer.on('message', (message, ppid) => got.push([message.toString('utf8'), ppid]));
	// The engine knows werift's address before werift starts: it may send its INIT first.
	await s.plain.connect({ ip: LOCAL, port: s.peer.localPort });
	t.match(s.plain.tuple, { remoteIp: LOCAL, remotePort: s.peer.localPort });
	await s.connect();
	t.equal(s.plain.sctpState, 'connected');
	s.peer.send(9, m.PPID.STRING, Buffer.from('hello'));
	await waitFor(() => got.length >= 1, 10_000, 'the first message');
	t.same(got, [['hello', m.PPID.STRING]]);
});

t.test('the engine opens the association: werift-sctp as the passive end', async (t) => {
	const s = await setup(t, { comedia: false }, { role: 'server' });
	const dataProducer = await s.direct.produceData({ label: 'active-open' });
	const dataConsumer = await s.plain.consumeData({ dataProducerId: dataProducer.id });
	const streamId = dataConsumer.sctpStreamParameters.streamId;
	const got = [];
	s.peer.onMessage((sid, ppid, data) => {
		if (sid === streamId) got.push([data.toString('utf8'), ppid]);
	});
	// werift-sctp's server only answers: the association exists only if the engine sends INIT.
	await s.plain.connect({ ip: LOCAL, port: s.peer.localPort });
	await s.connect();
	t.equal(s.plain.sctpState, 'connected');
	t.equal(s.peer.sctp.associationState, SCTP_STATE.ESTABLISHED, 'werift-sctp: ESTABLISHED');
	dataProducer.send('from the engine');
	await waitFor(() => got.length >= 1, 10_000, 'the message at werift');
	t.same(got, [['from the engine', m.PPID.STRING]]);
});
