'use strict';
// DataProducer and DataConsumer on DirectTransports (no SCTP): messages from
// dataProducer.send() to 'message' events, the subchannel filters, pause/resume in
// both directions, close propagation, stats, dumps, the router's data maps, and the
// errors of bad arguments and closed objects.
const t = require('tap');
const mediaplane = require('..');
const { InvalidStateError } = require('../lib/errors');

async function waitFor(predicate, timeoutMs = 2000) {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

async function setup(t) {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter();
	const producerTransport = await router.createDirectTransport();
	const consumerTransport = await router.createDirectTransport({ maxMessageSize: 1000 });
	return { worker, router, producerTransport, consumerTransport };
}

function collect(dataConsumer) {
	const messages = [];
	dataConsumer.on('message', (data, ppid) => messages.push({ text: data.toString(), data, ppid }));
	return messages;
}

t.test('messages reach every DataConsumer with their PPIDs, in order', async (t) => {
	const { router, producerTransport, consumerTransport } = await setup(t);
	const dataProducer = await producerTransport.produceData({ label: 'chat', protocol: 'json', appData: { a: 1 } });
	t.equal(dataProducer.type, 'direct');
	t.equal(dataProducer.sctpStreamParameters, undefined);
	t.same([dataProducer.label, dataProducer.protocol, dataProducer.paused], ['chat', 'json', false]);
	t.same(dataProducer.appData, { a: 1 });
	t.equal(dataProducer.constructor.name, 'DataProducerImpl');
	const consumers = [];
	for (let i = 0; i < 3; i++) consumers.push(await consumerTransport.consumeData({ dataProducerId: dataProducer.id }));
	t.same(consumers.map((c) => [c.type, c.label, c.protocol, c.dataProducerId]), consumers.map(() => ['direct', 'chat', 'json', dataProducer.id]));
	const received = consumers.map(collect);
	const sent = [];
	for (let i = 0; i < 200; i++) {
		const text = `message ${i}`;
		if (i % 2 === 0) dataProducer.send(text);
		else dataProducer.send(Buffer.from(text));
		sent.push(text);
	}
	dataProducer.send('');
	dataProducer.send(Buffer.alloc(0));
	dataProducer.send('custom', 1234);
	await waitFor(() => received.every((list) => list.length === 203));
	for (const list of received) {
		t.same(list.slice(0, 200).map((m) => m.text), sent, 'in order, intact');
		t.same(list.slice(0, 200).map((m) => m.ppid), sent.map((_, i) => (i % 2 === 0 ? 51 : 53)), 'PPID 51 for strings, 53 for binary');
		t.same(list.slice(200).map((m) => [m.ppid, m.data.length]), [[56, 1], [57, 1], [1234, 6]], 'empty messages as mediasoup sends them, custom PPID kept');
	}
	const [producerStats] = await dataProducer.getStats();
	t.match(producerStats, { type: 'data-producer', label: 'chat', protocol: 'json', messagesReceived: 203 });
	const [consumerStats] = await consumers[0].getStats();
	t.match(consumerStats, { type: 'data-consumer', messagesSent: 203, bufferedAmount: 0 });
	t.equal(consumerStats.bytesSent, producerStats.bytesReceived);

	const dump = await router.dump();
	t.same(dump.mapDataProducerIdDataConsumerIds, [{ key: dataProducer.id, values: consumers.map((c) => c.id) }]);
	t.equal(dump.mapDataConsumerIdDataProducerId.length, 3);
	const transportDump = await consumerTransport.dump();
	t.same(transportDump.dataConsumerIds.sort(), consumers.map((c) => c.id).sort());
	t.same((await producerTransport.dump()).dataProducerIds, [dataProducer.id]);
	t.equal(transportDump.sctpParameters, undefined, 'no SCTP on a DirectTransport');
});

t.test('subchannels: list, required and ignored, as mediasoup filters them', async (t) => {
	const { producerTransport, consumerTransport } = await setup(t);
	const dataProducer = await producerTransport.produceData();
	const none = await consumerTransport.consumeData({ dataProducerId: dataProducer.id });
	const oneTwo = await consumerTransport.consumeData({ dataProducerId: dataProducer.id, subchannels: [1, 2, 2] });
	t.same(oneTwo.subchannels.sort(), [1, 2], 'duplicates removed');
	const [gotNone, gotOneTwo] = [collect(none), collect(oneTwo)];
	dataProducer.send('all');
	dataProducer.send('to 2 or 3', undefined, [2, 3]);
	dataProducer.send('to 3', undefined, [3]);
	dataProducer.send('required 1', undefined, undefined, 1);
	dataProducer.send('ignoring 1', undefined, undefined, undefined, 1);
	dataProducer.send('end');
	await waitFor(() => gotNone.length >= 2 && gotOneTwo.length >= 4);
	t.same(gotNone.map((m) => m.text), ['all', 'ignoring 1', 'end'], 'no subscription: only unfiltered messages and those it is not excluded from');
	t.same(gotOneTwo.map((m) => m.text), ['all', 'to 2 or 3', 'required 1', 'end']);

	await oneTwo.setSubchannels([5, 65536]);
	t.same(oneTwo.subchannels.sort((a, b) => a - b), [0, 5], '65536 is 0, as mediasoup stores subchannels as uint16');
	await oneTwo.addSubchannel(7);
	await oneTwo.removeSubchannel(5);
	t.same(oneTwo.subchannels.sort((a, b) => a - b), [0, 7]);
	t.same((await oneTwo.dump()).subchannels.sort((a, b) => a - b), [0, 7]);
	gotOneTwo.length = 0;
	dataProducer.send('to 7', undefined, [7]);
	dataProducer.send('to 5', undefined, [5]);
	dataProducer.send('end');
	await waitFor(() => gotOneTwo.length >= 2);
	t.same(gotOneTwo.map((m) => m.text), ['to 7', 'end']);
	await t.rejects(oneTwo.setSubchannels('1'), TypeError);
	await t.rejects(oneTwo.addSubchannel(-1), TypeError);
	t.throws(() => dataProducer.send('x', undefined, [1.5]), TypeError);
	t.throws(() => dataProducer.send('x', undefined, undefined, 70000), TypeError);
	t.throws(() => dataProducer.send(42), TypeError);
	t.throws(() => dataProducer.send('x', -1), TypeError);
});

t.test('pause and resume: the producer side stops delivery and tells its consumers', async (t) => {
	const { producerTransport, consumerTransport } = await setup(t);
	const dataProducer = await producerTransport.produceData();
	const dataConsumer = await consumerTransport.consumeData({ dataProducerId: dataProducer.id });
	const received = collect(dataConsumer);
	const events = [];
	for (const name of ['dataproducerpause', 'dataproducerresume']) dataConsumer.on(name, () => events.push(name));
	const observerEvents = [];
	dataConsumer.observer.on('pause', () => observerEvents.push('pause'));
	dataConsumer.observer.on('resume', () => observerEvents.push('resume'));
	const producerObserver = [];
	dataProducer.observer.on('pause', () => producerObserver.push('pause'));
	dataProducer.observer.on('resume', () => producerObserver.push('resume'));

	await dataProducer.pause();
	await dataProducer.pause();
	t.equal(dataProducer.paused, true);
	t.same(producerObserver, ['pause'], 'one observer event per change');
	dataProducer.send('while producer paused');
	await waitFor(() => events.length === 1);
	t.equal(dataConsumer.dataProducerPaused, true);
	await dataProducer.resume();
	await waitFor(() => events.length === 2);
	t.same(events, ['dataproducerpause', 'dataproducerresume']);
	t.same(observerEvents, ['pause', 'resume']);

	await dataConsumer.pause();
	t.equal(dataConsumer.paused, true);
	dataProducer.send('while consumer paused');
	await dataConsumer.resume();
	dataProducer.send('delivered');
	await waitFor(() => received.length >= 1);
	t.same(received.map((m) => m.text), ['delivered']);
	const [stats] = await dataProducer.getStats();
	t.equal(stats.messagesReceived, 3, 'a paused producer still counts what it receives');

	const paused = await consumerTransport.consumeData({ dataProducerId: dataProducer.id, paused: true });
	t.equal(paused.paused, true);
	await dataProducer.pause();
	const late = await consumerTransport.consumeData({ dataProducerId: dataProducer.id });
	t.equal(late.dataProducerPaused, true, 'a consumer of a paused producer starts producer-paused');
});

t.test('closing: producer closes its consumers; transport closes both; requests then fail', async (t) => {
	const { router, producerTransport, consumerTransport } = await setup(t);
	const dataProducer = await producerTransport.produceData();
	const dataConsumer = await consumerTransport.consumeData({ dataProducerId: dataProducer.id });
	const closed = new Promise((resolve) => dataConsumer.on('dataproducerclose', resolve));
	let observerClosed = false;
	dataConsumer.observer.on('close', () => (observerClosed = true));
	dataProducer.close();
	t.equal(dataProducer.closed, true);
	await closed;
	t.equal(dataConsumer.closed, true);
	t.equal(observerClosed, true);
	const error = await dataConsumer.dump().catch((e) => e);
	t.ok(error instanceof InvalidStateError && error.name === 'NotFoundError', 'closed: NotFoundError, an InvalidStateError');
	await t.rejects(dataProducer.getStats(), { name: 'NotFoundError' });
	t.throws(() => dataProducer.send('x'), { name: 'NotFoundError' });
	await waitFor(() => false, 50).catch(() => undefined);
	t.same((await router.dump()).mapDataProducerIdDataConsumerIds, []);
	await t.rejects(consumerTransport.consumeData({ dataProducerId: dataProducer.id }), { name: 'NotFoundError' });

	const second = await producerTransport.produceData();
	const secondConsumer = await consumerTransport.consumeData({ dataProducerId: second.id });
	const transportClosed = new Promise((resolve) => second.on('transportclose', resolve));
	const consumerTransportClosed = new Promise((resolve) => secondConsumer.on('transportclose', resolve));
	producerTransport.close();
	consumerTransport.close();
	await Promise.all([transportClosed, consumerTransportClosed]);
	t.equal(second.closed, true);
	t.equal(secondConsumer.closed, true);
	await t.rejects(producerTransport.produceData(), { name: 'NotFoundError' });
});

t.test('bad arguments throw TypeError naming the field', async (t) => {
	const { router, producerTransport, consumerTransport } = await setup(t);
	await t.rejects(producerTransport.produceData({ label: 5 }), { name: 'TypeError', message: /label/ });
	await t.rejects(producerTransport.produceData({ paused: 'no' }), { name: 'TypeError', message: /paused/ });
	await t.rejects(producerTransport.produceData({ appData: 'x' }), TypeError);
	const dataProducer = await producerTransport.produceData({ id: 'fixed-id' });
	await t.rejects(producerTransport.produceData({ id: 'fixed-id' }), { name: 'TypeError', message: /same id/ });
	await t.rejects(consumerTransport.consumeData({}), { name: 'TypeError', message: /dataProducerId/ });
	await t.rejects(consumerTransport.consumeData({ dataProducerId: 'nope' }), { name: 'NotFoundError' });
	await t.rejects(consumerTransport.consumeData({ dataProducerId: dataProducer.id, subchannels: 'x' }), { name: 'TypeError', message: /subchannels/ });
	const dataConsumer = await consumerTransport.consumeData({ dataProducerId: dataProducer.id });
	await t.rejects(dataConsumer.send('x'), { name: 'TypeError', message: /SCTP/ }, 'send() needs an SCTP DataConsumer');
	await t.rejects(dataConsumer.setBufferedAmountLowThreshold(-1), TypeError);
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	await t.rejects(plain.produceData({ sctpStreamParameters: { streamId: 1 } }), { name: 'TypeError', message: /SCTP not enabled/ });
	const sctpPlain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, enableSctp: true });
	await t.rejects(sctpPlain.produceData({}), { name: 'TypeError', message: /sctpStreamParameters/ });
	await t.rejects(sctpPlain.produceData({ sctpStreamParameters: { streamId: 65535 } }), { name: 'TypeError', message: /streamId/ });
	await t.rejects(sctpPlain.produceData({ sctpStreamParameters: { streamId: 1, ordered: true, maxRetransmits: 3 } }), TypeError);
	await t.rejects(sctpPlain.produceData({ sctpStreamParameters: { streamId: 1, maxRetransmits: 3, maxPacketLifeTime: 10 } }), TypeError);
	const unordered = await sctpPlain.produceData({ sctpStreamParameters: { streamId: 1, maxRetransmits: 3 } });
	t.same(unordered.sctpStreamParameters, { streamId: 1, ordered: false, maxRetransmits: 3 }, 'a retransmission limit makes it unordered');
	await t.rejects(sctpPlain.produceData({ sctpStreamParameters: { streamId: 1 } }), /already in use/);
	await t.rejects(router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, enableSctp: 'yes' }), TypeError);
	await t.rejects(
		router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true, sctpSendBufferSize: 0 }),
		{ name: 'TypeError', message: /sctpSendBufferSize/ }
	);
});

t.test('SCTP DataConsumers get stream ids as mediasoup allocates them, and give them back', async (t) => {
	const { router, producerTransport } = await setup(t);
	const dataProducer = await producerTransport.produceData();
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true });
	t.match(transport.sctpParameters, {
		port: 5000, OS: 65535, MIS: 65535, maxMessageSize: 262144, maxSendMessageSize: 262144, maxReceiveMessageSize: 262144,
		sendBufferSize: 2000000, perStreamSendQueueLimit: 2000000, maxReceiverWindowBufferSize: 5242880, isDataChannel: true,
	});
	t.equal(transport.sctpState, 'new');
	const a = await transport.consumeData({ dataProducerId: dataProducer.id });
	const b = await transport.consumeData({ dataProducerId: dataProducer.id, ordered: false, maxRetransmits: 0 });
	const c = await transport.consumeData({ dataProducerId: dataProducer.id, maxPacketLifeTime: 500 });
	t.same([a, b, c].map((d) => d.sctpStreamParameters), [
		{ streamId: 0, ordered: true },
		{ streamId: 1, ordered: false, maxRetransmits: 0 },
		{ streamId: 2, ordered: false, maxPacketLifeTime: 500 },
	]);
	t.equal(a.type, 'sctp');
	a.close();
	const d = await transport.consumeData({ dataProducerId: dataProducer.id });
	t.equal(d.sctpStreamParameters.streamId, 3, 'round robin: the next id, not the freed one');
	await t.rejects(d.send('x'), /send failed/, 'not active before the association connects');
	const dump = await transport.dump();
	t.same(dump.sctpState, 'new');
	t.same(dump.sctpNegotiatedCapabilities, { negotiatedMaxOutboundStreams: 0, negotiatedMaxInboundStreams: 0 });
	t.same(dump.sctpListener, { streamIdTable: [] });
	t.same(dump.dataConsumerIds.length, 3);
	const [stats] = await transport.getStats();
	t.equal(stats.sctpState, 'new');
	const legacy = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true, numSctpStreams: { OS: 16, MIS: 32 }, maxSctpMessageSize: 1000,
	});
	t.match(legacy.sctpParameters, { OS: 16, MIS: 32, maxMessageSize: 1000, maxReceiveMessageSize: 1000 }, 'mediasoup 3.14 options still honoured');
	transport.close();
	t.equal(transport.sctpState, 'closed');
});
