'use strict';
// Send-side estimation on a PlainTransport (issue 12, item 1: "and PlainTransport where
// the peer negotiates it"): a consumer that negotiates transport-wide sequence numbers
// on a PlainTransport starts the estimator; the plain peer here is this test, over
// loopback UDP, answering every packet with transport-cc feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) written below. With every
// packet reported received the estimate holds; with a third reported lost it falls
// (draft-ietf-rmcat-gcc-02 §6), and getStats() shows it.
const t = require('tap');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const mediaplane = require('..');
const { extensionValue } = require('./plain/rtp-extensions');

const LOCAL = '127.0.0.1';
const SSRC = 44556677;
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 1000-byte VP8 key frame in one packet (so the consumer forwards from the first). */
function vp8Packet(seq, timestamp) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = 0x80 | 101;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(SSRC, 8);
	return Buffer.concat([header, Buffer.from([0x10, 0x00, 0, 0]), crypto.randomBytes(984)]);
}

/** The transport-wide sequence number of an RTP packet, or undefined. */
function transportSequence(packet, extensionId) {
	const value = extensionValue(packet, extensionId);
	return value && value.length === 2 ? value.readUInt16BE(0) : undefined;
}

/**
 * One transport-cc feedback (RTPFB FMT 15) about `packets` ([{ seq, arrivalUs | null }],
 * consecutive numbers from the first): run-length chunks, 1-byte deltas (250 us units).
 */
function transportCcFeedback(senderSsrc, mediaSsrc, packets, referenceUs, feedbackCount, notReceived) {
	const chunks = [];
	const deltas = [];
	let previousUs = referenceUs;
	// `notReceived` ({ statusCount, runs }): only "not received" runs of the given lengths.
	for (const run of notReceived?.runs ?? []) {
		const chunk = Buffer.alloc(2);
		chunk.writeUInt16BE(run);
		chunks.push(chunk);
	}
	for (let i = 0; i < packets.length;) {
		const received = packets[i].arrivalUs !== null;
		let run = 0;
		while (i + run < packets.length && (packets[i + run].arrivalUs !== null) === received && run < 8191) run++;
		const chunk = Buffer.alloc(2);
		chunk.writeUInt16BE(((received ? 1 : 0) << 13) | run); // T=0, symbol, run length
		chunks.push(chunk);
		for (let k = i; k < i + run; k++) {
			if (!received) continue;
			const delta = Math.max(0, Math.min(255, Math.round((packets[k].arrivalUs - previousUs) / 250)));
			deltas.push(delta);
			previousUs += delta * 250;
		}
		i += run;
	}
	const fixed = Buffer.alloc(8);
	fixed.writeUInt16BE(packets[0]?.seq ?? 0, 0);
	fixed.writeUInt16BE(notReceived?.statusCount ?? packets.length, 2);
	fixed.writeUIntBE(Math.floor(referenceUs / 64000) & 0xffffff, 4, 3);
	fixed[7] = feedbackCount & 0xff;
	let body = Buffer.concat([fixed, ...chunks, Buffer.from(deltas)]);
	if (body.length % 4) body = Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))]);
	const header = Buffer.alloc(12);
	header[0] = 0x80 | 15;
	header[1] = 205;
	header.writeUInt16BE((12 + body.length) / 4 - 1, 2);
	header.writeUInt32BE(senderSsrc, 4);
	header.writeUInt32BE(mediaSsrc, 8);
	return Buffer.concat([header, body]);
}

/**
 * A DirectTransport producer, and a PlainTransport connected to `peer`, a UDP socket of
 * this test (the plain peer), with no consumer yet.
 */
async function plainPeerSetup(t) {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const direct = await router.createDirectTransport();
	const producer = await direct.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
	});
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: false });
	const peer = dgram.createSocket('udp4');
	t.teardown(() => peer.close());
	await new Promise((resolve) => peer.bind(0, LOCAL, resolve));
	await plain.connect({ ip: LOCAL, port: peer.address().port });
	return { router, producer, plain, peer };
}

t.test('a PlainTransport consumer with transport-cc: the estimate follows the peer\'s feedback', async (t) => {
	const { router, producer, plain, peer } = await plainPeerSetup(t);

	t.equal((await plain.getStats())[0].availableOutgoingBitrate, undefined, 'no estimate before a consumer negotiates transport-cc');
	const consumer = await plain.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const extension = consumer.rtpParameters.headerExtensions.find((e) => e.uri === TWCC_URI);
	t.ok(extension, 'the consumer negotiated transport-wide sequence numbers');
	const [started] = await plain.getStats();
	t.equal(started.availableOutgoingBitrate, 600000, 'the estimate starts at 600 kbps (mediasoup\'s default start)');

	// The plain peer: records what arrives, answers every 50 ms; `lose(seq)` marks a packet lost.
	let lose = () => false;
	const arrivals = [];
	let received = 0;
	peer.on('message', (message) => {
		if (message.length < 12 || message[1] >= 192 && message[1] <= 223) return; // RTCP
		const seq = transportSequence(message, extension.id);
		if (seq === undefined) return;
		received++;
		arrivals.push({ seq, arrivalUs: Number(process.hrtime.bigint() / 1000n) });
	});
	let feedbackCount = 0;
	let nextSeq;
	const feedbackTimer = setInterval(() => {
		if (arrivals.length === 0) return;
		arrivals.sort((a, b) => a.seq - b.seq);
		nextSeq ??= arrivals[0].seq;
		const bySeq = new Map(arrivals.map((a) => [a.seq, a.arrivalUs]));
		const last = arrivals[arrivals.length - 1].seq;
		const packets = [];
		for (let seq = nextSeq; seq <= last; seq++) packets.push({ seq, arrivalUs: lose(seq) ? null : bySeq.get(seq) ?? null });
		arrivals.length = 0;
		nextSeq = last + 1;
		const firstArrival = packets.find((p) => p.arrivalUs !== null)?.arrivalUs;
		if (firstArrival === undefined) return;
		const referenceUs = Math.floor(firstArrival / 64000) * 64000;
		const feedback = transportCcFeedback(1, SSRC, packets, referenceUs, feedbackCount++);
		peer.send(feedback, plain.tuple.localPort, LOCAL);
	}, 50);
	t.teardown(() => clearInterval(feedbackTimer));

	// 100 packets of 1 kB a second (~800 kbps), in 10 ms steps; bounded in time.
	let seq = 1;
	const sendFor = async (ms) => {
		const until = Date.now() + ms;
		while (Date.now() < until) {
			producer.send(vp8Packet(seq, seq * 900));
			seq++;
			await sleep(10);
		}
	};
	await sendFor(3000);
	const [open] = await plain.getStats();
	t.ok(received > 150, `the peer received the consumer's packets (${received})`);
	t.ok(open.availableOutgoingBitrate >= 500000, `every packet reported received: the estimate holds (${open.availableOutgoingBitrate})`);

	lose = (s) => s % 3 === 0; // a third lost
	await sendFor(3000);
	const [lossy] = await plain.getStats();
	t.ok(lossy.availableOutgoingBitrate < 0.8 * open.availableOutgoingBitrate,
		`a third reported lost: the estimate falls (${open.availableOutgoingBitrate} -> ${lossy.availableOutgoingBitrate})`);

	await plain.setMaxOutgoingBitrate(200000);
	const [capped] = await plain.getStats();
	t.ok(capped.availableOutgoingBitrate <= 200000 && capped.maxOutgoingBitrate === 200000, 'setMaxOutgoingBitrate() caps it on a PlainTransport too');
});

t.test('a pipe transport does not estimate; limits set before estimation apply once it starts', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	await plain.setMaxOutgoingBitrate(300000);
	await t.rejects(plain.setMinOutgoingBitrate(400000), /max outgoing bitrate/, 'min above max is rejected before estimation too');
	const direct = await router.createDirectTransport();
	const producer = await direct.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
	});
	await plain.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const [stats] = await plain.getStats();
	t.equal(stats.availableOutgoingBitrate, 300000, 'the estimate starts under the max set before it existed');
	const pipe = await router.createPipeTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	await pipe.consume({ producerId: producer.id });
	t.equal((await pipe.getStats())[0].availableOutgoingBitrate, undefined, 'a pipe transport has no estimate');
});

// Run-length chunks let a feedback announce 65,535 statuses in 40 bytes; each status is
// expanded and matched against what was sent. Past 200,000 statuses a second
// (Transport::kMaxFeedbackStatusesPerSecond) feedback is dropped and counted, so a peer
// cannot make every datagram cost milliseconds of the worker's time; a real receiver's
// feedback, a few hundred statuses each, is far below it.
t.test('transport-cc feedback beyond 200,000 statuses a second is dropped and counted', async (t) => {
	const { router, producer, plain, peer } = await plainPeerSetup(t);
	await plain.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });

	// 65,535 statuses "not received", in run-length chunks of at most 8191 (13 bits).
	const runs = [];
	for (let left = 65535; left > 0; left -= Math.min(8191, left)) runs.push(Math.min(8191, left));
	const huge = transportCcFeedback(1, SSRC, [], 0, 0, { statusCount: 65535, runs });
	const settle = async (expectedBytes, before) => {
		let stats;
		for (let i = 0; i < 100; i++) {
			[stats] = await plain.getStats();
			if (stats.bytesReceived - before >= expectedBytes) break;
			await sleep(20);
		}
		return stats;
	};
	const [before] = await plain.getStats();
	for (let i = 0; i < 100; i++) peer.send(huge, plain.tuple.localPort, LOCAL);
	const after = await settle(100 * huge.length, before.bytesReceived);
	const dropped = after.droppedPackets - before.droppedPackets;
	t.ok(dropped >= 90 && dropped <= 97, `feedback past the budget dropped and counted (${dropped} of 100; ${Math.floor(200000 / 65535)} fit)`);

	// A second later the budget has refilled: a real-sized feedback is taken.
	await sleep(1100);
	const small = transportCcFeedback(1, SSRC, Array.from({ length: 50 }, (_, i) => ({ seq: i, arrivalUs: null })), 0, 1);
	peer.send(small, plain.tuple.localPort, LOCAL);
	const later = await settle(small.length, after.bytesReceived);
	t.equal(later.droppedPackets, after.droppedPackets, 'a feedback of 50 statuses a second later is taken');
});
