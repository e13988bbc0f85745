'use strict';
// Data channels between two Chromium pages running mediasoup-client, through
// mediaplane: page A's DataProducer reaches page B's DataConsumer and back; an
// unordered maxRetransmits: 0 channel through a relay that drops 5% of the SCTP
// (DTLS application data) going to page B delivers what arrives without stalling the
// ordered channel on the same transport; closing a DataProducer on the server closes
// its DataConsumers on both ends.
//
// Page A: send transport aSend, recv transport aRecv. Page B: recv transport bRecv
// (through the relay), send transport bSend. Every server transport has enableSctp.
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { startRelay, dropEveryNth, isDtlsApplicationData } = require('./datachannel/relay');
const dc = require('./datachannel/browser');
const m = require('./datachannel/messages');
const { nextEvent, waitFor } = require('./datachannel/util');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const COUNT = 1000;
const SEND_BUFFER = 8_000_000;

let worker;
let room;

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	const router = await worker.createRouter({ mediaCodecs: [opus] });
	room = { router };
	// Kept in `room` as soon as each starts, so that the teardown closes what did start.
	const pageA = (room.pageA = await startBrowserSession());
	const pageB = (room.pageB = await startBrowserSession());
	await pageA.loadDevice(router.rtpCapabilities);
	await pageB.loadDevice(router.rtpCapabilities);
	// A DataConsumer drops what does not fit in its transport's SCTP send buffer
	// ('sctpsendbufferfull', as in mediasoup): page A sends its 2.4 MB faster than the
	// relay passes them to page B, so the buffers hold a whole burst (default 2000000).
	const create = () => router.createWebRtcTransport({
		listenInfos: LISTEN,
		enableSctp: true,
		sctpSendBufferSize: SEND_BUFFER,
		sctpPerStreamSendQueueLimit: SEND_BUFFER,
	});
	room.aSendServer = await create();
	room.aRecvServer = await create();
	room.bSendServer = await create();
	room.bRecvServer = await create();
	room.relay = await startRelay(room.bRecvServer.iceCandidates[0].port);
	const viaRelay = {
		id: room.bRecvServer.id,
		iceParameters: room.bRecvServer.iceParameters,
		iceCandidates: room.bRecvServer.iceCandidates.map((c) => ({ ...c, port: room.relay.port })),
		dtlsParameters: room.bRecvServer.dtlsParameters,
		sctpParameters: room.bRecvServer.sctpParameters,
	};
	room.aSend = await dc.mirrorTransport(pageA, room.aSendServer, 'send');
	room.aRecv = await dc.mirrorTransport(pageA, room.aRecvServer, 'recv');
	room.bSend = await dc.mirrorTransport(pageB, room.bSendServer, 'send');
	room.bRecv = await dc.mirrorTransport(pageB, room.bRecvServer, 'recv', viaRelay);
});

t.teardown(async () => {
	if (room) {
		await room.pageA?.close();
		await room.pageB?.close();
		room.relay?.close();
		room.router?.close();
	}
	if (worker) {
		const gone = worker.subprocessClosed ? Promise.resolve() : nextEvent(worker, 'subprocessclose', 5000).catch(() => {});
		worker.close();
		await gone;
	}
});

t.test('the transports have WebRTC sctpParameters', async (t) => {
	t.match(room.aSendServer.sctpParameters, {
		port: 5000,
		sendBufferSize: SEND_BUFFER,
		perStreamSendQueueLimit: SEND_BUFFER,
		maxSendMessageSize: 262144,
		maxReceiveMessageSize: 262144,
		isDataChannel: true,
		OS: 65535,
		MIS: 65535,
		maxMessageSize: 262144,
	});
	t.equal(room.aSendServer.sctpState, 'new');
});

let ordered; // page A's ordered DataProducer and page B's DataConsumer of it

t.test('page A -> page B, ordered: 1,000 messages (strings, binary, 64 KiB, 256 KiB) in order and intact', async (t) => {
	const sctpStates = [];
	room.aSendServer.on('sctpstatechange', (state) => sctpStates.push(state));
	const producer = await dc.produceData(room.pageA, room.aSend, { ordered: true, label: 'ordered', protocol: 'test-proto' });
	t.match(producer.server.sctpStreamParameters, { streamId: producer.page.sctpStreamParameters.streamId, ordered: true },
		'the server DataProducer has the stream the page chose');
	t.equal(producer.server.label, 'ordered');
	t.equal(producer.server.protocol, 'test-proto');
	const consumer = await dc.consumeData(room.pageB, room.bRecv, producer.server.id, {
		collect: { mode: 'plan', tag: 'a2b', count: COUNT },
	});
	t.equal(consumer.server.label, 'ordered');
	t.match(consumer.server.sctpStreamParameters, { ordered: true });
	t.equal(consumer.page.sctpStreamParameters.streamId, consumer.server.sctpStreamParameters.streamId);
	ordered = { producer, consumer };

	await dc.waitForDataState(room.pageA, 'producer', producer.page.id, 'open', 15_000, room.aSendServer);
	await dc.waitForDataState(room.pageB, 'consumer', consumer.page.id, 'open', 15_000, room.bRecvServer);
	t.equal(room.aSendServer.sctpState, 'connected', 'page A\'s send transport: SCTP connected');
	t.equal(sctpStates.at(-1), 'connected', `sctpstatechange: ${sctpStates.join(' > ')}`);
	t.equal(room.bRecvServer.sctpState, 'connected', 'page B\'s recv transport: SCTP connected');

	const [sent] = await room.pageA.call('sendDataMessages', [{ dataProducerId: producer.page.id, tag: 'a2b', count: COUNT }]);
	const plan = m.makePlan({ count: COUNT });
	t.equal(sent.sent, COUNT);
	t.equal(sent.bytes, m.planBytes(plan));
	const summary = await dc.waitForMessages(room.pageB, consumer.page.id, (s) => s.received >= COUNT || consumer.server.sendBufferFull > 0, 40_000, `${COUNT} messages at page B`,
		dc.serverState({ producer: producer.server, consumer: consumer.server, transports: [room.aSendServer, room.bRecvServer] }));
	t.equal(consumer.server.sendBufferFull, 0, 'the server DataConsumer never found its send buffer full');
	t.equal(summary.received, COUNT, 'page B received every message');
	t.equal(summary.matched, COUNT, 'in order and intact');
	t.same(summary.problems, []);

	const [producerStats] = await producer.server.getStats();
	t.match(producerStats, { type: 'data-producer', label: 'ordered', messagesReceived: COUNT, bytesReceived: sent.bytes });
	const [consumerStats] = await consumer.server.getStats();
	t.match(consumerStats, { type: 'data-consumer', label: 'ordered', messagesSent: COUNT, bytesSent: sent.bytes });
});

t.test('page B -> page A through its own DataProducer', async (t) => {
	const count = 300;
	const producer = await dc.produceData(room.pageB, room.bSend, { label: 'back' });
	const consumer = await dc.consumeData(room.pageA, room.aRecv, producer.server.id, {
		collect: { mode: 'plan', tag: 'b2a', count },
	});
	await dc.waitForDataState(room.pageB, 'producer', producer.page.id, 'open', 15_000, room.bSendServer);
	await dc.waitForDataState(room.pageA, 'consumer', consumer.page.id, 'open', 15_000, room.aRecvServer);
	const [sent] = await room.pageB.call('sendDataMessages', [{ dataProducerId: producer.page.id, tag: 'b2a', count }]);
	const summary = await dc.waitForMessages(room.pageA, consumer.page.id, (s) => s.received >= count, 30_000, `${count} messages at page A`,
		dc.serverState({ producer: producer.server, consumer: consumer.server, transports: [room.bSendServer, room.aRecvServer] }));
	t.equal(summary.matched, count, 'page A received every message of page B, in order and intact');
	t.same(summary.problems, []);
	const [consumerStats] = await consumer.server.getStats();
	t.match(consumerStats, { messagesSent: count, bytesSent: sent.bytes });
});

t.test('5% loss towards page B: unordered maxRetransmits 0 delivers what arrives; the ordered channel does not stall', async (t) => {
	t.ok(ordered, 'the ordered channel of the first test is up');
	const lossy = await dc.produceData(room.pageA, room.aSend, { ordered: false, maxRetransmits: 0, label: 'lossy' });
	t.match(lossy.server.sctpStreamParameters, { ordered: false, maxRetransmits: 0 });
	const lossyConsumer = await dc.consumeData(room.pageB, room.bRecv, lossy.server.id, {
		serverOptions: { ordered: false, maxRetransmits: 0 },
		collect: { mode: 'numbered', tag: 'lossy' },
	});
	t.match(lossyConsumer.server.sctpStreamParameters, { ordered: false, maxRetransmits: 0 });
	await dc.waitForDataState(room.pageA, 'producer', lossy.page.id, 'open', 15_000, room.aSendServer);
	await dc.waitForDataState(room.pageB, 'consumer', lossyConsumer.page.id, 'open', 15_000, room.bRecvServer);

	const orderedCount = 400;
	await room.pageB.call('collectDataMessages', ordered.consumer.page.id, { mode: 'plan', tag: 'ord-loss', count: orderedCount });
	room.relay.stats.dropped = 0;
	room.relay.dropTowardsPeer = dropEveryNth(20, isDtlsApplicationData);
	t.teardown(() => {
		room.relay.dropTowardsPeer = undefined;
	});

	const lossyCount = 1000;
	// Interleaved, paced a little so that the loss spreads over many SCTP packets.
	const results = await room.pageA.call(
		'sendDataMessages',
		[
			{ dataProducerId: ordered.producer.page.id, tag: 'ord-loss', count: orderedCount },
			{ dataProducerId: lossy.page.id, tag: 'lossy', count: lossyCount, numbered: { size: 300 } },
		],
		{ pauseEvery: 20, pauseMs: 5 }
	);
	t.same(results.map((r) => r.sent), [orderedCount, lossyCount]);

	const orderedSummary = await dc.waitForMessages(room.pageB, ordered.consumer.page.id, (s) => s.received >= orderedCount, 40_000,
		`${orderedCount} ordered messages through the lossy relay`,
		dc.serverState({ producer: ordered.producer.server, consumer: ordered.consumer.server, transports: [room.aSendServer, room.bRecvServer] }));
	t.equal(ordered.consumer.server.sendBufferFull, 0, 'no sctpsendbufferfull on the ordered DataConsumer');
	t.equal(orderedSummary.matched, orderedCount, 'the ordered channel delivered everything, in order and intact');
	t.same(orderedSummary.problems, []);
	t.ok(room.relay.stats.dropped >= 5, `the relay dropped ${room.relay.stats.dropped} SCTP datagrams towards page B`);

	// Unordered messages are never retransmitted: what is lost stays lost. Even page A ->
	// server may lose some (a burst can overflow a socket buffer, and maxRetransmits 0
	// forbids Chromium to resend), so wait until the server has passed on every message
	// its DataProducer got and its send queue is empty, then for page B's count to settle.
	const lossyServer = dc.serverState({ producer: lossy.server, consumer: lossyConsumer.server, transports: [room.aSendServer, room.bRecvServer] });
	let serverGot = 0;
	await waitFor(async () => {
		const [producerStats] = await lossy.server.getStats();
		const [consumerStats] = await lossyConsumer.server.getStats();
		serverGot = producerStats.messagesReceived;
		return consumerStats.messagesSent === serverGot && (await lossyConsumer.server.getBufferedAmount()) === 0;
	}, 20_000, 'the server to pass on every unordered message it got', async () => `${await lossyServer()}, relay ${JSON.stringify(room.relay.stats)}`);
	t.ok(serverGot >= lossyCount * 0.9, `the server got ${serverGot} of ${lossyCount} unordered messages from page A (no relay on that side)`);
	let lastUnique = -1;
	const lossySummary = await dc.waitForMessages(room.pageB, lossyConsumer.page.id, (s) => {
		const settled = s.unique === lastUnique;
		lastUnique = s.unique;
		return settled && s.unique > 0;
	}, 10_000, 'the unordered channel to settle');
	t.equal(lossySummary.bad, 0, 'every unordered message that arrived is intact');
	t.equal(lossySummary.duplicates, 0, 'no duplicates');
	t.ok(lossySummary.unique >= lossyCount * 0.7, `a plausible fraction arrived: ${lossySummary.unique} of ${lossyCount}`);
	t.ok(lossySummary.unique < serverGot,
		`maxRetransmits 0: messages in dropped packets were not retransmitted (${serverGot - lossySummary.unique} of the ${serverGot} the server sent were lost)`);

	// The channels keep working once the loss stops.
	room.relay.dropTowardsPeer = undefined;
	await room.pageB.call('collectDataMessages', ordered.consumer.page.id, { mode: 'plan', tag: 'after-loss', count: 50 });
	await room.pageA.call('sendDataMessages', [{ dataProducerId: ordered.producer.page.id, tag: 'after-loss', count: 50 }]);
	const after = await dc.waitForMessages(room.pageB, ordered.consumer.page.id, (s) => s.received >= 50, 15_000, 'messages after the loss',
		dc.serverState({ producer: ordered.producer.server, consumer: ordered.consumer.server, transports: [room.aSendServer, room.bRecvServer] }));
	t.equal(after.matched, 50, 'the ordered channel still works after the loss');
});

t.test('empty messages cross as empty messages (PPID 56 and 57 pass through)', async (t) => {
	t.ok(ordered, 'the ordered channel of the first test is up');
	await room.pageB.call('collectDataMessages', ordered.consumer.page.id, { mode: 'count' });
	const id = ordered.producer.page.id;
	await room.pageA.call('sendDataMessage', id, '');
	await room.pageA.call('sendDataMessage', id, [], { binary: true });
	await room.pageA.call('sendDataMessage', id, 'x');
	await room.pageA.call('sendDataMessage', id, [0], { binary: true });
	const summary = await dc.waitForMessages(room.pageB, ordered.consumer.page.id, (s) => s.received >= 4, 15_000, 'four messages',
		dc.serverState({ producer: ordered.producer.server, consumer: ordered.consumer.server }));
	t.same(summary.last, [
		{ isString: true, text: '', size: 0 },
		{ isString: false, size: 0 },
		{ isString: true, text: 'x', size: 1 },
		{ isString: false, size: 1 },
	], 'an empty string, an empty binary message, then one byte of each');
});

t.test('closing a DataProducer on the server closes its DataConsumers, on the server and in page B', async (t) => {
	const producer = await dc.produceData(room.pageA, room.aSend, { label: 'closing' });
	const consumer = await dc.consumeData(room.pageB, room.bRecv, producer.server.id);
	const direct = await room.router.createDirectTransport();
	t.teardown(() => direct.close());
	const directConsumer = await direct.consumeData({ dataProducerId: producer.server.id });
	await dc.waitForDataState(room.pageA, 'producer', producer.page.id, 'open', 15_000, room.aSendServer);
	await dc.waitForDataState(room.pageB, 'consumer', consumer.page.id, 'open', 15_000, room.bRecvServer);
	await room.pageA.call('sendDataMessage', producer.page.id, 'hello');
	await dc.waitForMessages(room.pageB, consumer.page.id, (s) => s.received >= 1, 10_000, 'the first message');

	const serverClosed = nextEvent(consumer.server, 'dataproducerclose', 5000);
	const directClosed = nextEvent(directConsumer, 'dataproducerclose', 5000);
	producer.server.close();
	await serverClosed;
	await directClosed;
	t.equal(consumer.server.closed, true, 'the server DataConsumer on page B\'s transport closed');
	t.equal(directConsumer.closed, true, 'the DirectTransport DataConsumer closed');

	// The server resets the consumer's SCTP stream: page B's data channel closes.
	const pageConsumer = await dc.waitForDataState(room.pageB, 'consumer', consumer.page.id, 'closed', 15_000, room.bRecvServer);
	t.equal(pageConsumer.readyState, 'closed', 'page B\'s DataConsumer data channel closed');
	t.ok(pageConsumer.events.includes('close'), `page B's DataConsumer emitted 'close' (${pageConsumer.events.join(', ')})`);
	t.equal(pageConsumer.closed, true);
	// mediasoup 3.27 also resets the producer's stream on a WebRTC transport (RFC 8831
	// 6.7): page A's data channel closes too.
	const pageProducer = await dc.waitForDataState(room.pageA, 'producer', producer.page.id, 'closed', 15_000, room.aSendServer);
	t.equal(pageProducer.readyState, 'closed', 'page A\'s DataProducer data channel closed');

	// The other channels of the same transports are unaffected.
	await room.pageB.call('collectDataMessages', ordered.consumer.page.id, { mode: 'plan', tag: 'after-close', count: 20 });
	await room.pageA.call('sendDataMessages', [{ dataProducerId: ordered.producer.page.id, tag: 'after-close', count: 20 }]);
	const after = await dc.waitForMessages(room.pageB, ordered.consumer.page.id, (s) => s.received >= 20, 15_000, 'messages after the close',
		dc.serverState({ producer: ordered.producer.server, consumer: ordered.consumer.server, transports: [room.aSendServer, room.bRecvServer] }));
	t.equal(after.matched, 20, 'the ordered channel still works');
	t.equal(room.aSendServer.sctpState, 'connected', 'page A\'s send transport: SCTP still connected');
});

t.test('page B closes its DataConsumer: the server answers the stream reset and the channel closes', async (t) => {
	const producer = await dc.produceData(room.pageA, room.aSend, { label: 'closed-by-b' });
	const consumer = await dc.consumeData(room.pageB, room.bRecv, producer.server.id, { collect: { mode: 'count' } });
	await dc.waitForDataState(room.pageA, 'producer', producer.page.id, 'open', 15_000, room.aSendServer);
	await dc.waitForDataState(room.pageB, 'consumer', consumer.page.id, 'open', 15_000, room.bRecvServer);
	await room.pageA.call('sendDataMessage', producer.page.id, 'hello');
	await dc.waitForMessages(room.pageB, consumer.page.id, (s) => s.received >= 1, 10_000, 'the first message');

	// Chromium resets its outgoing stream; RFC 8831 6.7: the server resets its own, and
	// only then does the channel reach 'closed' (it stays 'closing' otherwise).
	await room.pageB.call('closeDataConsumer', consumer.page.id);
	const state = await dc.waitForDataState(room.pageB, 'consumer', consumer.page.id, 'closed', 15_000, room.bRecvServer);
	t.equal(state.readyState, 'closed', 'page B\'s data channel closed completely');
	t.equal(room.bRecvServer.sctpState, 'connected', 'the association stays up');

	// The other channel on the same transport still works.
	await room.pageB.call('collectDataMessages', ordered.consumer.page.id, { mode: 'plan', tag: 'after-b-close', count: 20 });
	await room.pageA.call('sendDataMessages', [{ dataProducerId: ordered.producer.page.id, tag: 'after-b-close', count: 20 }]);
	const after = await dc.waitForMessages(room.pageB, ordered.consumer.page.id, (s) => s.received >= 20, 15_000, 'messages after B closed a channel',
		dc.serverState({ producer: ordered.producer.server, consumer: ordered.consumer.server, transports: [room.aSendServer, room.bRecvServer] }));
	t.equal(after.matched, 20, 'the ordered channel still works');
	producer.server.close();
});
