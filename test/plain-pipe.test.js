'use strict';
// PlainTransport and PipeTransport with real UDP sockets on 127.0.0.1: a test socket
// plays the remote endpoint (sending RTP it builds itself, SRTP through the addon's
// libsrtp hook), and pipeToRouter() joins routers on one worker and on two workers.
// ffmpeg as the peer is in plain-transport.test.js.
const t = require('tap');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const path = require('node:path');
const mediaplane = require('..');
const { addon } = require('./addon');

const LOCAL = '127.0.0.1';
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const PRODUCER_SSRC = 33333333;

// A VP8 RTP packet: key frame start when `key` (RFC 7741 §4.2/4.3).
function vp8Packet(seq, timestamp, key) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = 101 | 0x80; // payload type 101, marker (one packet per frame)
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(PRODUCER_SSRC, 8);
	const descriptor = Buffer.from([0x10]); // S=1, PID=0
	const payloadHeader = Buffer.from([key ? 0x00 : 0x01, 0, 0]); // P bit: 0 = key frame
	return Buffer.concat([header, descriptor, payloadHeader, crypto.randomBytes(300)]);
}

const producerRtpParameters = {
	codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
	encodings: [{ ssrc: PRODUCER_SSRC }],
};

async function socket(t) {
	const s = dgram.createSocket('udp4');
	t.teardown(() => s.close());
	await new Promise((resolve) => s.bind(0, LOCAL, resolve));
	return s;
}

function collect(sock, filter = () => true) {
	const packets = [];
	sock.on('message', (m) => {
		if (filter(m)) packets.push(m);
	});
	return packets;
}

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (predicate()) return;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const isRtp = (m) => m.length >= 12 && !(m[1] >= 192 && m[1] <= 223);

async function sendFrames(sender, port, count, startSeq = 1000, { protect } = {}) {
	for (let i = 0; i < count; i++) {
		let packet = vp8Packet(startSeq + i, 90000 + i * 3000, i === 0);
		if (protect) packet = protect(packet);
		sender.send(packet, port, LOCAL);
		await new Promise((r) => setTimeout(r, 5));
	}
}

t.test('comedia PlainTransport in, PlainTransport out', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const inTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	t.match(inTransport.tuple, { localAddress: LOCAL, protocol: 'udp' });
	t.equal(inTransport.rtcpMux, true);
	t.equal(inTransport.comedia, true);
	const producer = await inTransport.produce({ kind: 'video', rtpParameters: producerRtpParameters });

	const receiver = await socket(t);
	const outTransport = await router.createPlainTransport({ listenIp: LOCAL, rtcpMux: true, comedia: false });
	await outTransport.connect({ ip: LOCAL, port: receiver.address().port });
	t.equal(outTransport.tuple.remotePort, receiver.address().port);
	const consumer = await outTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const received = collect(receiver, isRtp);

	const sender = await socket(t);
	const tupleEvent = new Promise((resolve) => inTransport.once('tuple', resolve));
	await sendFrames(sender, inTransport.tuple.localPort, 60);
	const learned = await tupleEvent;
	t.equal(learned.remotePort, sender.address().port, "comedia learned the sender's tuple");
	await waitFor(() => received.length >= 60, 5000, '60 forwarded packets');

	const ssrc = consumer.rtpParameters.encodings[0].ssrc;
	const pt = consumer.rtpParameters.codecs[0].payloadType;
	const seqs = received.map((m) => m.readUInt16BE(2));
	t.ok(received.every((m) => m.readUInt32BE(8) === ssrc && (m[1] & 0x7f) === pt), 'consumer SSRC and payload type');
	t.ok(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1] + 1) & 0xffff)), 'continuous sequence numbers');
	const [stats] = await inTransport.getStats();
	t.match(stats, { type: 'plain-rtp-transport', rtcpMux: true, comedia: true });
	t.ok(stats.rtpBytesReceived > 10000);
	const [outStats] = await outTransport.getStats();
	t.ok(outStats.rtpBytesSent > 10000);

	// A stranger sending to the learned port is ignored (the socket is connected to
	// the learned peer, so the kernel already filters it).
	const stranger = await socket(t);
	const countBefore = (await producer.getStats())[0].packetCount;
	const forwardedBefore = received.length;
	stranger.send(vp8Packet(5000, 1, true), inTransport.tuple.localPort, LOCAL);
	await new Promise((r) => setTimeout(r, 100));
	t.equal((await producer.getStats())[0].packetCount, countBefore, 'packets from another tuple are not received');
	t.equal(received.length, forwardedBefore, 'nor forwarded');
});

t.test('SRTP both ways (keys as srtpParameters)', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const inTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, enableSrtp: true });
	t.equal(inTransport.srtpParameters.cryptoSuite, 'AES_CM_128_HMAC_SHA1_80');
	t.equal(Buffer.from(inTransport.srtpParameters.keyBase64, 'base64').length, 30);
	const senderKey = crypto.randomBytes(30);
	await inTransport.connect({ srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: senderKey.toString('base64') } });
	const producer = await inTransport.produce({ kind: 'video', rtpParameters: producerRtpParameters });

	const receiver = await socket(t);
	const outTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_128_GCM',
	});
	await outTransport.connect({
		ip: LOCAL, port: receiver.address().port,
		srtpParameters: { cryptoSuite: 'AEAD_AES_128_GCM', keyBase64: crypto.randomBytes(28).toString('base64') },
	});
	await outTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const received = collect(receiver, isRtp);

	const sender = await socket(t);
	const protect = (packet) => addon.srtpProtect('AES_CM_128_HMAC_SHA1_80', senderKey, packet, false);
	await sendFrames(sender, inTransport.tuple.localPort, 40, 2000, { protect });
	await waitFor(() => received.length >= 40, 5000, 'SRTP packets forwarded');
	const outKey = Buffer.from(outTransport.srtpParameters.keyBase64, 'base64');
	const clear = received.map((m) => addon.srtpUnprotect('AEAD_AES_128_GCM', outKey, m, false));
	t.ok(clear.every((m) => (m[0] >> 6) === 2 && m.length > 300), 'the consumer stream decrypts with transport.srtpParameters');
	// Without the right key nothing gets in.
	const before = (await inTransport.getStats())[0].droppedPackets;
	sender.send(addon.srtpProtect('AES_CM_128_HMAC_SHA1_80', crypto.randomBytes(30), vp8Packet(3000, 1, true), false), inTransport.tuple.localPort, LOCAL);
	await new Promise((r) => setTimeout(r, 100));
	t.ok((await inTransport.getStats())[0].droppedPackets > before, 'wrongly keyed SRTP dropped');
	await t.rejects(inTransport.connect({}), Error, 'connect() twice');
	await t.rejects(outTransport.connect({ ip: LOCAL, port: 1 }), Error);
});

for (const crossWorker of [false, true]) {
	t.test(`pipeToRouter() ${crossWorker ? 'across two workers' : 'within one worker'}`, async (t) => {
		const workerA = await mediaplane.createWorker();
		const workerB = crossWorker ? await mediaplane.createWorker() : workerA;
		t.teardown(() => {
			workerA.close();
			workerB.close();
		});
		const routerA = await workerA.createRouter({ mediaCodecs });
		const routerB = await workerB.createRouter({ mediaCodecs });
		const inTransport = await routerA.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
		const producer = await inTransport.produce({ kind: 'video', rtpParameters: producerRtpParameters });
		if (!crossWorker) {
			// As mediasoup: ids are unique per worker, so keepId (the default) cannot hold.
			await t.rejects(routerA.pipeToRouter({ producerId: producer.id, router: routerB }), /already exists/,
				'keepId: true within one worker');
		}
		const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
			producerId: producer.id, router: routerB, enableSrtp: crossWorker, keepId: crossWorker,
		});
		t.equal(pipeConsumer.type, 'pipe');
		t.equal(pipeProducer.id === producer.id, crossWorker, crossWorker ? 'keeps the id across workers' : 'keepId: false, a new id');
		t.equal(routerB.canConsume({ producerId: pipeProducer.id, rtpCapabilities: routerB.rtpCapabilities }), true);

		const receiver = await socket(t);
		const outTransport = await routerB.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
		await outTransport.connect({ ip: LOCAL, port: receiver.address().port });
		const consumer = await outTransport.consume({ producerId: pipeProducer.id, rtpCapabilities: routerB.rtpCapabilities });
		const received = collect(receiver, isRtp);
		const sender = await socket(t);
		await sendFrames(sender, inTransport.tuple.localPort, 50, 7000);
		await waitFor(() => received.length >= 50, 5000, 'packets through the pipe');
		t.ok(received.every((m) => m.readUInt32BE(8) === consumer.rtpParameters.encodings[0].ssrc));

		// Pause and close follow the original.
		await producer.pause();
		await waitFor(() => pipeProducer.paused, 2000, 'piped producer paused');
		await producer.resume();
		await waitFor(() => !pipeProducer.paused, 2000, 'piped producer resumed');
		const closed = new Promise((resolve) => consumer.once('producerclose', resolve));
		producer.close();
		await closed;
		t.ok(pipeProducer.closed && pipeConsumer.closed, 'closing the original closes the pipe chain');

		// The pipe pair is reused for the next producer.
		const second = await inTransport.produce({ kind: 'video', rtpParameters: { ...producerRtpParameters, encodings: [{ ssrc: 44444444 }] } });
		const before = (await routerA.dump()).transportIds.length;
		await routerA.pipeToRouter({ producerId: second.id, router: routerB, keepId: crossWorker });
		t.equal((await routerA.dump()).transportIds.length, before, 'no new pipe transport');
	});
}

t.test('bad arguments', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const other = await worker.createRouter({ mediaCodecs });
	await t.rejects(router.createPlainTransport({}), { name: 'TypeError', message: /listenInfo/ });
	await t.rejects(router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: 'x' } }), { name: 'TypeError', message: /ip/ });
	await t.rejects(router.createPlainTransport({ listenIp: LOCAL, comedia: 'yes' }), { name: 'TypeError', message: /comedia/ });
	await t.rejects(router.createPlainTransport({ listenIp: LOCAL, srtpCryptoSuite: 'ROT13' }), { name: 'TypeError', message: /srtpCryptoSuite/ });
	const plain = await router.createPlainTransport({ listenIp: LOCAL, rtcpMux: false });
	t.ok(plain.rtcpTuple && plain.rtcpTuple.localPort !== plain.tuple.localPort, 'a separate RTCP port without rtcpMux');
	await t.rejects(plain.connect({ ip: LOCAL, port: 5000 }), { name: 'TypeError', message: /rtcpPort/ });
	await t.rejects(plain.connect({ port: 5000, rtcpPort: 5001 }), { name: 'TypeError', message: /ip/ });
	const srtp = await router.createPlainTransport({ listenIp: LOCAL, enableSrtp: true });
	await t.rejects(srtp.connect({ ip: LOCAL, port: 5000, srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'AAAA' } }),
		{ name: 'TypeError', message: /keyBase64/ });
	await t.rejects(router.pipeToRouter({ producerId: 'x', router }), { name: 'TypeError', message: /destination/ });
	await t.rejects(router.pipeToRouter({ producerId: 'x', router: other }), { name: 'NotFoundError', message: /not found/ });
	await t.rejects(router.pipeToRouter({ producerId: 'x', router: {} }), { name: 'TypeError', message: /router/ });
	await t.rejects(router.pipeToRouter({ router: other }), { name: 'TypeError', message: /missing producerId or dataProducerId/ });
	await t.rejects(router.pipeToRouter({ producerId: 'x', dataProducerId: 'y', router: other }), { name: 'TypeError', message: /just producerId/ });
	await t.rejects(router.pipeToRouter({ producerId: 'x' }), { name: 'TypeError', message: /missing router/ });
	await t.rejects(router.pipeToRouter({ dataProducerId: 'y', router: other }), { name: 'NotFoundError' });
	await t.rejects(router.pipeToRouter({ producerId: 'x', router: other, listenInfo: { protocol: 'udp', ip: LOCAL }, listenIp: LOCAL }),
		{ name: 'TypeError', message: /only one of listenInfo and listenIp/ });
	plain.close();
	await t.rejects(plain.connect({ ip: LOCAL, port: 1, rtcpPort: 2 }), mediaplane.NotFoundError);
});

t.test('scale-out: a producer piped to a router in another Node process', async (t) => {
	const { fork } = require('node:child_process');
	const child = fork(path.join(__dirname, 'fixtures', 'pipe-remote.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	t.teardown(() => child.kill('SIGKILL'));
	const next = (type) => new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${type} from the remote process`)), 10000);
		const onMessage = (m) => {
			if (m.type !== type) return;
			clearTimeout(timer);
			child.off('message', onMessage);
			resolve(m);
		};
		child.on('message', onMessage);
	});
	const remote = await next('pipe');

	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const inTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const producer = await inTransport.produce({ kind: 'video', rtpParameters: producerRtpParameters });
	// The recipe: each side creates a PipeTransport, they exchange tuple and
	// srtpParameters through the application's own channel, and connect().
	const pipe = await router.createPipeTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: true });
	await pipe.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters });
	child.send({ type: 'connect', ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters });
	await next('connected');
	const pipeConsumer = await pipe.consume({ producerId: producer.id });
	child.send({ type: 'produce', producerId: producer.id, kind: pipeConsumer.kind, rtpParameters: pipeConsumer.rtpParameters });
	const produced = await next('produced');
	t.equal(produced.producerId, producer.id, 'the remote producer keeps the id');

	const sender = await socket(t);
	await sendFrames(sender, inTransport.tuple.localPort, 60, 100);
	let count = 0;
	for (let i = 0; i < 50 && count < 60; i++) {
		await new Promise((r) => setTimeout(r, 100));
		child.send({ type: 'count' });
		count = (await next('count')).received;
	}
	t.ok(count >= 60, `the remote process forwarded ${count} packets to its consumer`);
	child.send({ type: 'exit' });
});

t.test('pipeToRouter() both ways at once shares one pipe transport pair (as mediasoup)', async (t) => {
	const workerA = await mediaplane.createWorker();
	const workerB = await mediaplane.createWorker();
	t.teardown(() => {
		workerA.close();
		workerB.close();
	});
	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const produce = async (router) => {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
		return transport.produce({ kind: 'video', rtpParameters: producerRtpParameters });
	};
	const [producerA, producerB] = await Promise.all([produce(routerA), produce(routerB)]);
	const pipes = (router) => [...router.transportsForTesting.values()].filter((tr) => tr.type === 'pipe');
	const [ab, ba] = await Promise.all([
		routerA.pipeToRouter({ producerId: producerA.id, router: routerB }),
		routerB.pipeToRouter({ producerId: producerB.id, router: routerA }),
	]);
	t.equal(pipes(routerA).length, 1, 'one pipe transport on A');
	t.equal(pipes(routerB).length, 1, 'one pipe transport on B');
	t.equal(ab.pipeProducer.id, producerA.id);
	t.equal(ba.pipeProducer.id, producerB.id);
	// Closing one side of the pair forgets it on both routers: the next pipe makes a new one.
	pipes(routerA)[0].close();
	t.equal(pipes(routerB).length, 0, 'its peer closed too');
	const second = await produce(routerB);
	await routerB.pipeToRouter({ producerId: second.id, router: routerA });
	t.equal(pipes(routerA).length, 1, 'a new pair');
	t.equal(pipes(routerB).length, 1);
});
