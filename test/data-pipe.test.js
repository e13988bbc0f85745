'use strict';
// Data channels through SCTP over UDP between routers: pipeToRouter({ dataProducerId })
// across two workers and within one worker, and a plain SCTP association between two
// PlainTransports. Messages keep order and content (1 byte to 256 KiB), subchannel
// filters survive the pipe, pause/resume and close are relayed, and bufferedAmount /
// 'bufferedamountlow' behave as mediasoup documents them.
const t = require('tap');
const mediaplane = require('..');

const LOCAL = { protocol: 'udp', ip: '127.0.0.1' };

async function waitFor(predicate, timeoutMs = 10000, what = 'condition') {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await predicate()) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

function collect(dataConsumer) {
	const messages = [];
	dataConsumer.on('message', (data, ppid) => messages.push({ data, ppid }));
	return messages;
}

function payload(i) {
	// Sizes from 1 byte to 256 KiB, content tied to the index.
	const sizes = [1, 10, 100, 1000, 1199, 1200, 5000, 65536, 262144];
	const size = sizes[i % sizes.length];
	const buffer = Buffer.alloc(size);
	for (let j = 0; j < size; j++) buffer[j] = (i * 31 + j) & 0xff;
	return buffer;
}

t.test('pipeToRouter({ dataProducerId }) across workers: order, content, subchannels, pause, close', async (t) => {
	const workerA = await mediaplane.createWorker();
	const workerB = await mediaplane.createWorker();
	t.teardown(() => {
		workerA.close();
		workerB.close();
	});
	const routerA = await workerA.createRouter();
	const routerB = await workerB.createRouter();
	const sourceTransport = await routerA.createDirectTransport();
	const dataProducer = await sourceTransport.produceData({ label: 'game', protocol: 'v1', appData: { room: 7 } });
	const { pipeDataConsumer, pipeDataProducer } = await routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB });
	t.equal(pipeDataProducer.id, dataProducer.id, 'keepId across workers');
	t.same([pipeDataProducer.label, pipeDataProducer.protocol, pipeDataProducer.type], ['game', 'v1', 'sctp']);
	t.same(pipeDataProducer.appData, { room: 7 });
	t.equal(pipeDataConsumer.type, 'sctp');
	const sinkTransport = await routerB.createDirectTransport({ maxMessageSize: 262144 });
	const all = await sinkTransport.consumeData({ dataProducerId: pipeDataProducer.id });
	const onlyFive = await sinkTransport.consumeData({ dataProducerId: pipeDataProducer.id, subchannels: [5] });
	const [gotAll, gotFive] = [collect(all), collect(onlyFive)];

	const pipes = [...routerA.transportsForTesting.values()].filter((x) => x.type === 'pipe');
	await waitFor(() => pipes.every((p) => p.sctpState === 'connected'), 10000, 'the pipe association');
	t.ok(pipes[0].sctpNegotiatedCapabilities.negotiatedMaxOutboundStreams > 0, 'negotiated stream counts known');

	// 300 messages, ~11 MB: sent in steps that stay inside the pipe's 2 MB send buffer
	// (beyond it messages are dropped with 'sctpsendbufferfull', as in mediasoup).
	const COUNT = 300;
	let bufferFull = 0;
	const started = Date.now();
	pipeDataConsumer.on('sctpsendbufferfull', () => bufferFull++);
	for (let i = 0; i < COUNT; i++) {
		dataProducer.send(payload(i), 53);
		if (i % 9 === 8) await waitFor(() => gotAll.length >= i - 8, 20000, `message ${i - 8}`);
		if (i % 90 === 89) t.comment(`${i + 1} sent after ${Date.now() - started} ms`);
	}
	dataProducer.send('for five', undefined, [5, 6]);
	dataProducer.send('required six', undefined, undefined, 6);
	dataProducer.send('not five', undefined, undefined, undefined, 5);
	await waitFor(() => gotAll.length >= COUNT + 1 && gotFive.length >= COUNT + 1, 20000, 'every message through the pipe');
	t.equal(bufferFull, 0, 'the send buffer never filled');
	const body = gotAll.slice(0, COUNT);
	t.equal(body.filter((m, i) => m.data.equals(payload(i))).length, COUNT, 'every message intact and in order');
	t.same(gotAll.slice(COUNT).map((m) => m.data.toString()), ['not five'], 'filters applied on the far router');
	t.same(gotFive.slice(COUNT).map((m) => m.data.toString()), ['for five'], 'unfiltered messages reach everyone; filtered ones their subscribers');

	const events = [];
	all.on('dataproducerpause', () => events.push('pause'));
	all.on('dataproducerresume', () => events.push('resume'));
	await dataProducer.pause();
	await waitFor(() => events.length === 1, 5000, 'pause relayed');
	t.equal(pipeDataProducer.paused, true, 'the piped DataProducer follows');
	await dataProducer.resume();
	await waitFor(() => events.length === 2, 5000, 'resume relayed');

	const closed = new Promise((resolve) => all.on('dataproducerclose', resolve));
	dataProducer.close();
	await closed;
	t.equal(pipeDataProducer.closed, true);
	t.equal(pipeDataConsumer.closed, true);
});

t.test('pipeToRouter within one worker needs keepId: false', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const routerA = await worker.createRouter();
	const routerB = await worker.createRouter();
	const source = await routerA.createDirectTransport();
	const dataProducer = await source.produceData();
	await t.rejects(routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB }));
	const { pipeDataProducer } = await routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB, keepId: false });
	t.not(pipeDataProducer.id, dataProducer.id);
	const sink = await routerB.createDirectTransport();
	const consumer = await sink.consumeData({ dataProducerId: pipeDataProducer.id });
	const got = collect(consumer);
	const pipe = [...routerA.transportsForTesting.values()].find((x) => x.type === 'pipe');
	await waitFor(() => pipe.sctpState === 'connected', 10000, 'association');
	for (let i = 0; i < 50; i++) dataProducer.send(`n${i}`);
	await waitFor(() => got.length === 50, 10000, 'messages');
	t.same(got.map((m) => m.data.toString()), Array.from({ length: 50 }, (_, i) => `n${i}`));
	await t.rejects(routerA.pipeToRouter({ dataProducerId: 'unknown', router: routerB }), { name: 'NotFoundError' });
});

t.test('two PlainTransports: SCTP over UDP both ways, bufferedAmount, stream reset on close', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter();
	const a = await router.createPlainTransport({ listenInfo: LOCAL, enableSctp: true, sctpDefaultStreamBufferedAmountLowThreshold: 4096 });
	const b = await router.createPlainTransport({ listenInfo: LOCAL, enableSctp: true });
	const states = [];
	a.on('sctpstatechange', (state) => states.push(state));
	await a.connect({ ip: b.tuple.localAddress, port: b.tuple.localPort });
	await b.connect({ ip: a.tuple.localAddress, port: a.tuple.localPort });
	await waitFor(() => a.sctpState === 'connected' && b.sctpState === 'connected', 10000, 'both connected');
	t.same(states.slice(-1), ['connected']);
	t.same(a.sctpNegotiatedCapabilities, { negotiatedMaxOutboundStreams: 65535, negotiatedMaxInboundStreams: 65535 });

	const source = await router.createDirectTransport();
	const dataProducer = await source.produceData();
	const out = await a.consumeData({ dataProducerId: dataProducer.id });
	t.equal(out.bufferedAmountLowThreshold, 4096, "the transport's default threshold");
	const arrived = await b.produceData({ sctpStreamParameters: out.sctpStreamParameters });
	const sink = await router.createDirectTransport();
	const final = await sink.consumeData({ dataProducerId: arrived.id });
	const got = collect(final);

	// DataConsumer.send() straight to the endpoint resolves to the buffered amount.
	const big = Buffer.alloc(200000, 7);
	const lows = [];
	out.on('bufferedamountlow', (amount) => lows.push(amount));
	const buffered = await out.send(big);
	t.ok(buffered > 0 && buffered <= 200000, `bufferedAmount after a 200 kB send: ${buffered}`);
	await waitFor(() => got.length === 1, 10000, 'the big message');
	t.ok(got[0].data.equals(big), '200 kB intact');
	await waitFor(() => lows.length > 0, 5000, 'bufferedamountlow');
	t.ok(lows[0] <= 4096);
	await waitFor(async () => (await out.getBufferedAmount()) === 0, 5000, 'everything acknowledged');
	t.pass('everything acknowledged: bufferedAmount back to 0');
	await t.rejects(out.send(Buffer.alloc(262145)), { name: 'TypeError', message: /maxMessageSize/ });

	const [aStats] = await a.getStats();
	t.equal(aStats.sctpState, 'connected');
	const dump = await b.dump();
	t.same(dump.sctpListener.streamIdTable, [{ key: out.sctpStreamParameters.streamId, value: arrived.id }]);
	t.ok(dump.sctpStats.packetsReceived > 0);

	// Closing the DataConsumer resets its stream; the stream id can then be used again.
	out.close();
	const again = await a.consumeData({ dataProducerId: dataProducer.id });
	t.not(again.sctpStreamParameters.streamId, out.sctpStreamParameters.streamId, 'round robin ids');
	const closedStates = [];
	b.on('sctpstatechange', (state) => closedStates.push(state));
	a.close();
	t.equal(a.sctpState, 'closed');
	await waitFor(() => closedStates.length > 0, 10000, 'the peer noticed the ABORT');
	t.ok(['closed', 'failed'].includes(closedStates[0]), `peer state after ABORT: ${closedStates[0]}`);
});
