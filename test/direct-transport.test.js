'use strict';
// DirectTransport: RTP from JavaScript through a producer, out of a consumer as 'rtp'
// events, and RTCP both ways, with no network at all.
const t = require('tap');
const crypto = require('node:crypto');
const mediaplane = require('..');

const SSRC = 55555555;
const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];

function vp8Packet(seq, timestamp, key) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = 0x80 | 101;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(SSRC, 8);
	return Buffer.concat([header, Buffer.from([0x10, key ? 0x00 : 0x01, 0, 0]), crypto.randomBytes(100)]);
}

t.test('producer.send() in, consumer rtp events out', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createDirectTransport();
	const dump = await transport.dump();
	t.equal(dump.direct, true);
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
	});
	const consumerTransport = await router.createDirectTransport();
	const consumer = await consumerTransport.consume({ producerId: producer.id });
	const packets = [];
	consumer.on('rtp', (packet) => packets.push(packet));
	for (let i = 0; i < 30; i++) producer.send(vp8Packet(100 + i, 1000 + i * 3000, i === 0));
	producer.send(Buffer.from([1, 2, 3])); // garbage: dropped, not fatal
	for (let i = 0; i < 100 && packets.length < 30; i++) await new Promise((r) => setTimeout(r, 10));
	t.equal(packets.length, 30, 'every packet came out');
	t.ok(packets.every((p) => Buffer.isBuffer(p) && p.readUInt32BE(8) === consumer.rtpParameters.encodings[0].ssrc));
	const seqs = packets.map((p) => p.readUInt16BE(2));
	t.ok(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1] + 1) & 0xffff)), 'continuous sequence numbers');
	const [stats] = await consumerTransport.getStats();
	t.match(stats, { type: 'direct-transport', rtpPacketsSent: 30 });
	const consumerStats = await consumer.getStats();
	t.same(consumerStats.map((s) => s.type), ['outbound-rtp', 'inbound-rtp'], 'consumer stats, then its producer stream');
	t.match(consumerStats[0], { packetCount: 30 });
	t.match(consumerStats[1], { ssrc: SSRC, packetCount: 30 });
	t.ok((await transport.getStats())[0].droppedPackets >= 1, 'the garbage was counted');

	// RTCP: a PLI injected towards the consumer reaches the producer as a key frame
	// request, which comes out of the producer's transport as RTCP.
	const rtcp = [];
	transport.on('rtcp', (packet) => rtcp.push(packet));
	const pli = Buffer.alloc(12);
	pli[0] = 0x81;
	pli[1] = 206;
	pli.writeUInt16BE(2, 2);
	pli.writeUInt32BE(1, 4);
	pli.writeUInt32BE(consumer.rtpParameters.encodings[0].ssrc, 8);
	consumerTransport.sendRtcp(pli);
	for (let i = 0; i < 100 && !rtcp.some((p) => p[1] === 206); i++) await new Promise((r) => setTimeout(r, 10));
	const forwardedPli = rtcp.find((p) => p[1] === 206 && (p[0] & 0x1f) === 1);
	t.ok(forwardedPli, 'a PLI went out towards the producer');
	t.equal(forwardedPli.readUInt32BE(8), SSRC, 'for the producer SSRC');

	t.throws(() => producer.send('x'), { name: 'TypeError', message: /rtpPacket/ });
	t.throws(() => consumerTransport.sendRtcp(5), { name: 'TypeError', message: /rtcpPacket/ });
	producer.close();
	t.throws(() => producer.send(vp8Packet(1, 1, true)), mediaplane.NotFoundError);
	const other = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	const webrtcProducer = await other.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
	});
	t.throws(() => webrtcProducer.send(vp8Packet(1, 1, true)), /DirectTransport/);
});

t.test('trace events: rtp, keyframe, pli', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createDirectTransport();
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
			encodings: [{ ssrc: SSRC }],
		},
	});
	const consumerTransport = await router.createDirectTransport();
	const consumer = await consumerTransport.consume({ producerId: producer.id });
	const producerTraces = [];
	const consumerTraces = [];
	producer.on('trace', (trace) => producerTraces.push(trace));
	consumer.on('trace', (trace) => consumerTraces.push(trace));
	await producer.enableTraceEvent(['rtp', 'keyframe', 'pli']);
	await consumer.enableTraceEvent(['rtp', 'pli']);
	for (let i = 0; i < 5; i++) producer.send(vp8Packet(500 + i, 9000 + i * 3000, i === 0));
	const pli = Buffer.alloc(12);
	pli[0] = 0x81;
	pli[1] = 206;
	pli.writeUInt16BE(2, 2);
	pli.writeUInt32BE(1, 4);
	pli.writeUInt32BE(consumer.rtpParameters.encodings[0].ssrc, 8);
	consumerTransport.sendRtcp(pli);
	await consumer.dump();
	await producer.dump();
	const types = (list) => list.map((tr) => `${tr.type}/${tr.direction}`);
	t.ok(types(producerTraces).includes('keyframe/in'), 'producer keyframe trace');
	t.equal(types(producerTraces).filter((x) => x === 'rtp/in').length, 4, 'producer rtp traces for the other packets');
	t.ok(types(producerTraces).includes('pli/out'), 'producer pli trace when the consumer asked for a key frame');
	t.ok(types(consumerTraces).includes('pli/in'), 'consumer pli trace');
	t.ok(types(consumerTraces).filter((x) => x === 'rtp/out').length >= 5, 'consumer rtp traces');
	t.match(producerTraces[0], { timestamp: Number, info: { ssrc: SSRC } });
	await producer.enableTraceEvent([]);
	const count = producerTraces.length;
	producer.send(vp8Packet(600, 50000, false));
	await producer.dump();
	t.equal(producerTraces.length, count, 'no traces once disabled');
});
