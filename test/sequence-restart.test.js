'use strict';
// A sender that restarts its RTP sequence (ffmpeg or a GStreamer pipeline restarted with
// the same SSRC, any sender after a long gap): 100 packets from seq 1000, then 200 from
// seq 40000 with a new random timestamp base. The producer validates sequence numbers
// as RFC 3550 A.1 does (two packets in sequence after a jump re-synchronise), so the
// stream resumes at once; consumers keep their own output sequence numbers and
// timestamps continuous across the restart and a key frame is asked of the sender.
// Real UDP sockets on 127.0.0.1: a test socket plays the sender (and answers NACKs
// with RTX), another the receiving endpoint; the last test restarts a real ffmpeg.
const t = require('tap');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const mediaplane = require('..');
const ff = require('./plain/ffmpeg');

const LOCAL = '127.0.0.1';
const LISTEN_INFO = { protocol: 'udp', ip: LOCAL };
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const SSRC = 0x1234abcd;
const RTX_SSRC = 0x1234abce;
const PT = 101;
const RTX_PT = 102;
const FIRST_RUN = { seq: 1000, count: 100 };
const SECOND_RUN = { seq: 40000, count: 200 };
const TS_PER_PACKET = 450; // 5 ms of 90 kHz clock, the pace we send at

let ffmpegMissing;
try {
	ff.ensureFfmpeg();
} catch (error) {
	ffmpegMissing = error.message;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (predicate()) return true;
		await sleep(20);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function socket(t) {
	const s = dgram.createSocket('udp4');
	t.teardown(() => s.close());
	await new Promise((resolve) => s.bind(0, LOCAL, resolve));
	return s;
}

const isRtcp = (m) => m.length >= 8 && m[1] >= 192 && m[1] <= 223;
const isRtp = (m) => m.length >= 12 && (m[0] >> 6) === 2 && !isRtcp(m);

// A one-packet VP8 frame (RFC 7741 §4.2 descriptor, §4.3 payload header: P = 0 is a key
// frame) whose payload carries `tag` (which input packet it is) in its bytes 4..7.
function vp8Payload(tag, key) {
	const head = Buffer.from([0x10, key ? 0x00 : 0x01, 0, 0, 0, 0, 0, 0]);
	head.writeUInt32BE(tag, 4);
	return Buffer.concat([head, crypto.randomBytes(200)]);
}

function rtpPacket({ pt = PT, seq, timestamp, ssrc = SSRC, payload }) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = pt | 0x80; // marker: one packet per frame
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	return Buffer.concat([header, payload]);
}

// The RTCP packets of a (compound or reduced-size) RTCP datagram.
function rtcpPackets(m) {
	const out = [];
	for (let offset = 0; offset + 4 <= m.length;) {
		const length = (m.readUInt16BE(offset + 2) + 1) * 4;
		if (offset + length > m.length) break;
		out.push({ pt: m[offset + 1], fmt: m[offset] & 0x1f, packet: m.subarray(offset, offset + length) });
		offset += length;
	}
	return out;
}

// Key frame requests and NACKed sequence numbers the sender got, with arrival times.
function watchFeedback(sender) {
	const feedback = { keyFrameRequests: [], nacked: [] };
	sender.on('message', (m) => {
		if (!isRtcp(m)) return;
		for (const { pt, fmt, packet } of rtcpPackets(m)) {
			if (packet.length < 12) continue;
			const mediaSsrc = packet.readUInt32BE(8);
			// PLI (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1: the SSRC is in the FCI).
			if (pt === 206 && fmt === 1 && mediaSsrc === SSRC) feedback.keyFrameRequests.push({ type: 'pli', at: Date.now() });
			if (pt === 206 && fmt === 4 && packet.length >= 20 && packet.readUInt32BE(12) === SSRC) {
				feedback.keyFrameRequests.push({ type: 'fir', at: Date.now() });
			}
			// Generic NACK (RFC 4585 §6.2.1): PID and a bitmask of the 16 following.
			if (pt === 205 && fmt === 1 && mediaSsrc === SSRC) {
				for (let o = 12; o + 4 <= packet.length; o += 4) {
					const pid = packet.readUInt16BE(o);
					const blp = packet.readUInt16BE(o + 2);
					feedback.nacked.push(pid);
					for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) feedback.nacked.push((pid + bit + 1) & 0xffff);
				}
			}
		}
	});
	return feedback;
}

// The receiving endpoint: every RTP packet the consumer sends, decoded.
function collectOutput(receiver) {
	const packets = [];
	receiver.on('message', (m) => {
		if (!isRtp(m)) return;
		const csrcs = (m[0] & 0x0f) * 4;
		let offset = 12 + csrcs;
		if (m[0] & 0x10) offset += 4 + m.readUInt16BE(offset + 2) * 4; // header extensions
		const payload = m.subarray(offset);
		const tag = payload.length >= 8 ? payload.readUInt32BE(4) : -1;
		packets.push({ seq: m.readUInt16BE(2), timestamp: m.readUInt32BE(4), ssrc: m.readUInt32BE(8), tag });
	});
	return packets;
}

const tagOf = (run, index) => run * 100000 + index;

/**
 * Sends the two runs from `sender` to `port`: FIRST_RUN then, after `gapMs`, SECOND_RUN
 * with the same SSRC, a new sequence base and a new random timestamp base (the first
 * packet of each run a key frame, as an encoder starts). `skip`: input sequence numbers
 * not sent (kept for an RTX answer). `sent` (a Map seq -> packet) is filled as packets go.
 */
async function sendRestartingStream(sender, port, { skip = new Set(), gapMs = 50, onRestart, sent = new Map(), pt = PT, secondSeq = SECOND_RUN.seq } = {}) {
	const timestampBase1 = crypto.randomBytes(4).readUInt32BE(0);
	// At least 2^30 away from the first run: a rewriter that kept the input's offset
	// would show a jump of more than three hours of 90 kHz clock.
	const timestampBase2 = (timestampBase1 + 0x40000000 + crypto.randomBytes(4).readUInt32BE(0) % 0x40000000) >>> 0;
	for (const [run, { seq, count }, base] of [[1, FIRST_RUN, timestampBase1], [2, { ...SECOND_RUN, seq: secondSeq }, timestampBase2]]) {
		if (run === 2) {
			await sleep(gapMs);
			onRestart?.();
		}
		for (let i = 0; i < count; i++) {
			const packet = { pt, seq: (seq + i) & 0xffff, timestamp: (base + i * TS_PER_PACKET) >>> 0, payload: vp8Payload(tagOf(run, i), i === 0) };
			sent.set(packet.seq, packet);
			if (!skip.has(packet.seq)) sender.send(rtpPacket(packet), port, LOCAL);
			await sleep(5);
		}
	}
	return { sent, timestampBase1, timestampBase2 };
}

/** Checks the consumer's output across the restart; `expectAll`: every input packet arrived. */
function checkOutput(t, output, consumer, { expectAll = true } = {}) {
	const ssrc = consumer.rtpParameters.encodings[0].ssrc;
	t.ok(output.every((p) => p.ssrc === ssrc), 'everything went out with the consumer SSRC');
	const byTag = new Map(output.map((p) => [p.tag, p]));
	const second = [];
	for (let i = 0; i < SECOND_RUN.count; i++) if (byTag.has(tagOf(2, i))) second.push(i);
	t.ok(second.length >= SECOND_RUN.count - 3, `the restarted stream is forwarded (${second.length} of ${SECOND_RUN.count})`);
	t.ok(second.length > 0 && second[0] <= 2, `from its first packets (first forwarded: #${second[0]} of the restart)`);
	if (expectAll) {
		t.equal(byTag.size, FIRST_RUN.count + SECOND_RUN.count, 'every input packet forwarded once');
		t.equal(output.length, byTag.size, 'no duplicates');
	}
	// In input order (first run, then second run), output sequence numbers go up by one
	// per packet: no gap at the restart, none for packets repaired late.
	const inOrder = [];
	for (const [run, { count }] of [[1, FIRST_RUN], [2, SECOND_RUN]]) {
		for (let i = 0; i < count; i++) if (byTag.has(tagOf(run, i))) inOrder.push(byTag.get(tagOf(run, i)));
	}
	const gaps = inOrder.filter((p, i) => i > 0 && p.seq !== ((inOrder[i - 1].seq + 1) & 0xffff));
	t.same(gaps.map((p) => p.tag), [], 'output sequence numbers continuous (+1 per packet) across the restart');
	// The timestamp across the restart advances by about the time that passed (we send
	// a packet every 5 ms plus a 50 ms gap: well under a second), not by the input's jump.
	const lastBefore = byTag.get(tagOf(1, FIRST_RUN.count - 1));
	const firstAfter = byTag.get(tagOf(2, second[0]));
	if (lastBefore && firstAfter) {
		const delta = (firstAfter.timestamp - lastBefore.timestamp) >>> 0;
		t.ok(delta > 0 && delta < 90000, `output timestamp advanced ${delta} ticks at the restart (< 1 s)`);
		// Inside the new run, timestamps keep the input's spacing.
		const next = byTag.get(tagOf(2, second[0] + 10));
		if (next) t.equal((next.timestamp - firstAfter.timestamp) >>> 0, 10 * TS_PER_PACKET, 'input timestamp spacing kept after the restart');
	} else {
		t.fail('the packets around the restart were forwarded');
	}
}

async function plainProducer(t, router, rtpParameters, kind = 'video') {
	const transport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, comedia: true });
	t.teardown(() => transport.close());
	const producer = await transport.produce({ kind, rtpParameters });
	return { transport, producer };
}

async function plainConsumer(t, router, producerId) {
	const receiver = await socket(t);
	const transport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, comedia: false });
	t.teardown(() => transport.close());
	await transport.connect({ ip: LOCAL, port: receiver.address().port });
	const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
	return { consumer, output: collectOutput(receiver) };
}

const vp8Parameters = {
	codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
	encodings: [{ ssrc: SSRC }],
};

t.test('PlainTransport producer: a restarted sender is forwarded at once, output continuous, key frame asked', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, vp8Parameters);
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	const feedback = watchFeedback(sender);

	let restartAt = Infinity;
	await sendRestartingStream(sender, transport.tuple.localPort, { onRestart: () => (restartAt = Date.now()) });
	await waitFor(() => output.length >= FIRST_RUN.count + SECOND_RUN.count, 5000, 'the forwarded packets').catch(() => {});
	checkOutput(t, output, consumer);

	await waitFor(() => feedback.keyFrameRequests.some((r) => r.at >= restartAt), 3000, 'a key frame request').catch(() => {});
	t.ok(feedback.keyFrameRequests.some((r) => r.at >= restartAt), 'a key frame request (PLI/FIR) reached the sender after the restart');

	const [stats] = await producer.getStats();
	t.ok(Math.abs(stats.packetsLost) <= 2, `producer packetsLost ${stats.packetsLost}: the jump is not loss`);
	t.ok(stats.packetCount >= FIRST_RUN.count + SECOND_RUN.count, `producer counted ${stats.packetCount} packets`);
	t.equal(stats.packetsDiscarded, 0, 'nothing discarded (the packet held at the jump went out)');
});

t.test('RTX on the producer: NACKs only for real losses on both sides of the restart, repairs forwarded in place', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, {
		codecs: [
			{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
			{ mimeType: 'video/rtx', payloadType: RTX_PT, clockRate: 90000, parameters: { apt: PT } },
		],
		encodings: [{ ssrc: SSRC, rtx: { ssrc: RTX_SSRC } }],
	});
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	const feedback = watchFeedback(sender);
	const port = transport.tuple.localPort;

	// Answer NACKs with RTX (RFC 4588 §4: the original sequence number, then the original
	// payload). The RTX stream restarts too: its own sequence numbers start over with
	// the media's restart.
	const lostFirst = FIRST_RUN.seq + 50;
	const lostSecond = SECOND_RUN.seq + 50;
	const skip = new Set([lostFirst, lostSecond]);
	let rtxSeq = 5000;
	const sent = new Map();
	const answered = new Set();
	const rtxAnswer = (seq) => {
		const original = sent.get(seq);
		if (!original || !skip.has(seq) || answered.has(seq)) return;
		answered.add(seq);
		const osn = Buffer.alloc(2);
		osn.writeUInt16BE(seq);
		sender.send(rtpPacket({ pt: RTX_PT, ssrc: RTX_SSRC, seq: rtxSeq++, timestamp: original.timestamp, payload: Buffer.concat([osn, original.payload]) }), port, LOCAL);
	};
	let nackedSoFar = 0;
	const poll = setInterval(() => {
		for (; nackedSoFar < feedback.nacked.length; nackedSoFar++) rtxAnswer(feedback.nacked[nackedSoFar]);
	}, 5);
	t.teardown(() => clearInterval(poll));

	await sendRestartingStream(sender, port, { skip, sent, onRestart: () => (rtxSeq = 61000) });
	// A late NACK for the second loss may come after the last packet.
	await waitFor(() => answered.has(lostSecond), 3000, 'the NACK of the loss after the restart').catch(() => {});
	await waitFor(() => output.length >= FIRST_RUN.count + SECOND_RUN.count, 3000, 'the forwarded packets').catch(() => {});
	clearInterval(poll);

	const nacked = new Set(feedback.nacked);
	t.ok(nacked.has(lostFirst) && nacked.has(lostSecond), `both losses NACKed (${[...nacked].join(', ')})`);
	t.same([...nacked].filter((s) => !skip.has(s)), [], 'nothing else NACKed: no storm for the ~39,000 numbers the jump skipped');
	t.ok(feedback.nacked.length <= 10, `${feedback.nacked.length} NACKed numbers in all`);
	checkOutput(t, output, consumer);

	const [stats] = await producer.getStats();
	t.ok(stats.packetsRepaired >= 2, `producer repaired ${stats.packetsRepaired} packets`);
	t.ok(Math.abs(stats.packetsLost) <= 2, `producer packetsLost ${stats.packetsLost}`);
	t.ok(stats.nackPacketCount <= 10, `producer nackPacketCount ${stats.nackPacketCount}`);
});

t.test('a restart that lands just ahead in sequence (within MAX_DROPOUT) is told by its timestamps: no NACKs', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, {
		codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
		encodings: [{ ssrc: SSRC }],
	});
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	const feedback = watchFeedback(sender);
	let restartAt = Infinity;
	// 500 numbers after the first run's last: RFC 3550 A.1 alone would call it a gap.
	const secondSeq = FIRST_RUN.seq + FIRST_RUN.count + 500;
	await sendRestartingStream(sender, transport.tuple.localPort, { secondSeq, onRestart: () => (restartAt = Date.now()) });
	await waitFor(() => output.length >= FIRST_RUN.count + SECOND_RUN.count, 5000, 'the forwarded packets').catch(() => {});
	checkOutput(t, output, consumer);
	await waitFor(() => feedback.keyFrameRequests.some((r) => r.at >= restartAt), 3000, 'a key frame request').catch(() => {});
	t.ok(feedback.keyFrameRequests.some((r) => r.at >= restartAt), 'a key frame request reached the sender after the restart');
	await sleep(200);
	t.same(feedback.nacked, [], 'no NACK for the 500 numbers skipped');
	const [stats] = await producer.getStats();
	t.equal(stats.packetsLost, 0, 'producer packetsLost 0');
});

t.test('through pipeToRouter() across two workers', async (t) => {
	const workerA = await mediaplane.createWorker({ logLevel: 'warn' });
	const workerB = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => {
		workerA.close();
		workerB.close();
	});
	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, routerA, vp8Parameters);
	const { pipeProducer } = await routerA.pipeToRouter({ producerId: producer.id, router: routerB });
	const { consumer, output } = await plainConsumer(t, routerB, pipeProducer.id);
	const sender = await socket(t);
	const feedback = watchFeedback(sender);

	let restartAt = Infinity;
	await sendRestartingStream(sender, transport.tuple.localPort, { onRestart: () => (restartAt = Date.now()) });
	await waitFor(() => output.length >= FIRST_RUN.count + SECOND_RUN.count, 5000, 'packets through the pipe').catch(() => {});
	checkOutput(t, output, consumer);
	await waitFor(() => feedback.keyFrameRequests.some((r) => r.at >= restartAt), 3000, 'a key frame request').catch(() => {});
	t.ok(feedback.keyFrameRequests.some((r) => r.at >= restartAt), 'a key frame request reached the sender after the restart');
	const [pipedStats] = await pipeProducer.getStats();
	t.ok(Math.abs(pipedStats.packetsLost) <= 2, `the piped producer saw one continuous stream (packetsLost ${pipedStats.packetsLost})`);
});

t.test('audio (opus, no RTCP feedback): the restarted stream continues at once', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, {
		codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
		encodings: [{ ssrc: SSRC }],
	}, 'audio');
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	await sendRestartingStream(sender, transport.tuple.localPort, { pt: 100 });
	await waitFor(() => output.length >= FIRST_RUN.count + SECOND_RUN.count, 5000, 'the forwarded packets').catch(() => {});
	checkOutput(t, output, consumer);
	const [stats] = await producer.getStats();
	t.equal(stats.packetsLost, 0, 'producer packetsLost 0');
});

t.test('simulcast: the forwarded encoding restarts, the consumer resumes on it', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const LOW = 0x0a0a0a0a;
	const HIGH = 0x0b0b0b0b;
	const { transport, producer } = await plainProducer(t, router, {
		codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
		encodings: [{ ssrc: LOW }, { ssrc: HIGH }],
	});
	t.equal(producer.type, 'simulcast', 'a simulcast producer');
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	t.equal(consumer.type, 'simulcast', 'a simulcast consumer');
	const sender = await socket(t);
	const feedback = { high: [] };
	sender.on('message', (m) => {
		if (!isRtcp(m)) return;
		for (const { pt, fmt, packet } of rtcpPackets(m)) {
			if (pt === 206 && fmt === 1 && packet.length >= 12 && packet.readUInt32BE(8) === HIGH) feedback.high.push(Date.now());
		}
	});
	const port = transport.tuple.localPort;
	// Both encodings, a packet each every 5 ms, a key frame every 10 packets; the high
	// one restarts after 150 packets (seq and timestamp), the low one goes on.
	const lowBase = 5000;
	const highBases = [crypto.randomBytes(4).readUInt32BE(0)];
	highBases.push((highBases[0] + 0x40000000 + crypto.randomBytes(4).readUInt32BE(0) % 0x40000000) >>> 0);
	const tagHigh = (run, i) => 1000000 + tagOf(run, i);
	let restartAt = Infinity;
	for (let i = 0; i < 300; i++) {
		const run = i < 150 ? 1 : 2;
		const j = run === 1 ? i : i - 150;
		if (i === 150) restartAt = Date.now();
		sender.send(rtpPacket({ ssrc: LOW, seq: 20000 + i, timestamp: lowBase + i * TS_PER_PACKET, payload: vp8Payload(tagOf(1, i), i % 10 === 0) }), port, LOCAL);
		const highSeq = run === 1 ? 1000 + j : 40000 + j;
		sender.send(rtpPacket({ ssrc: HIGH, seq: highSeq, timestamp: highBases[run - 1] + j * TS_PER_PACKET, payload: vp8Payload(tagHigh(run, j), j % 10 === 0) }), port, LOCAL);
		await sleep(5);
	}
	await sleep(200);
	const tags = new Set(output.map((p) => p.tag));
	const highBefore = [...Array(150).keys()].filter((j) => tags.has(tagHigh(1, j)));
	const highAfter = [...Array(150).keys()].filter((j) => tags.has(tagHigh(2, j)));
	t.ok(highBefore.length > 50, `the consumer forwarded the high encoding before the restart (${highBefore.length} packets)`);
	t.ok(highAfter.length >= 145, `and after it (${highAfter.length} of 150)`);
	t.ok(highAfter.length > 0 && highAfter[0] <= 2, `from its first packets (#${highAfter[0]})`);
	const gaps = output.filter((p, i) => i > 0 && p.seq !== ((output[i - 1].seq + 1) & 0xffff));
	t.same(gaps.map((p) => p.tag), [], 'output sequence numbers continuous');
	const jumps = output.filter((p, i) => i > 0 && ((p.timestamp - output[i - 1].timestamp) >>> 0) > 90000);
	t.same(jumps.map((p) => p.tag), [], 'no output timestamp jump of more than a second');
	t.ok(feedback.high.some((at) => at >= restartAt), 'a PLI for the restarted encoding reached the sender');
});

t.test('a stray packet far off the sequence is dropped, not a restart', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, vp8Parameters);
	const { output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	const port = transport.tuple.localPort;
	const send = (seq, i, key = false) =>
		sender.send(rtpPacket({ seq, timestamp: 1000 + i * TS_PER_PACKET, payload: vp8Payload(tagOf(1, i), key) }), port, LOCAL);
	for (let i = 0; i < 20; i++) {
		send(FIRST_RUN.seq + i, i, i === 0);
		if (i === 10) send(30000, 999, true); // a stray, between two in-order packets
		await sleep(5);
	}
	await waitFor(() => output.length >= 20, 3000, '20 forwarded packets').catch(() => {});
	await sleep(100);
	t.equal(output.length, 20, 'the 20 in-order packets, not the stray');
	t.notOk(output.some((p) => p.tag === tagOf(1, 999)), 'the stray was not forwarded');
	t.ok(output.every((p, i) => i === 0 || p.seq === ((output[i - 1].seq + 1) & 0xffff)), 'output continuous');
	const [stats] = await producer.getStats();
	t.equal(stats.packetsDiscarded, 1, 'the stray counted as discarded');
	t.equal(stats.packetsLost, 0, 'no loss');
});

t.test('ffmpeg VP8 restarted with the same SSRC keeps being decoded', { skip: ffmpegMissing }, async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const producerTransport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, comedia: true });
	t.teardown(() => producerTransport.close());
	const producer = await producerTransport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
			encodings: [{ ssrc: SSRC }],
		},
	});
	// Our own socket as a second consumer, to check the output numbering.
	const { consumer, output } = await plainConsumer(t, router, producer.id);
	// ffmpeg decoding what a consumer sends.
	const outTransport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, rtcpMux: true, comedia: false });
	t.teardown(() => outTransport.close());
	const decodingConsumer = await outTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const receiver = await ff.startRtpReceiver({
		sdp: ([port]) => ff.buildSdp(ff.sdpMediaFromRtpParameters(decodingConsumer.rtpParameters, { ip: LOCAL, port })),
	});
	t.teardown(() => receiver.stop());
	await outTransport.connect({ ip: LOCAL, port: receiver.port });

	// The restarted ffmpeg must send from the same ports: the comedia transport only
	// takes packets from the tuple it learned.
	const senderOptions = {
		kind: 'video', codec: 'vp8', ip: LOCAL, port: producerTransport.tuple.localPort, payloadType: PT, ssrc: SSRC, durationSec: 30,
	};
	const first = await ff.startRtpSender({ ...senderOptions, seq: FIRST_RUN.seq });
	t.teardown(() => first.stop());
	await ff.waitFor(() => receiver.getDecodedFrames() >= 30, 20000, 'ffmpeg to decode the first sender');
	await first.stop();
	await sleep(300);
	const decodedAtRestart = receiver.getDecodedFrames();
	const forwardedAtRestart = output.length;

	const second = await ff.startRtpSender({
		...senderOptions, seq: SECOND_RUN.seq, localPort: first.localPort, localRtcpPort: first.localRtcpPort,
	});
	t.teardown(() => second.stop());
	try {
		await ff.waitFor(() => receiver.getDecodedFrames() >= decodedAtRestart + 45, 20000, 'ffmpeg to decode the restarted sender');
	} catch (error) {
		t.fail(`${error.message}: decoded ${receiver.getDecodedFrames()} (${decodedAtRestart} at the restart), ` +
			`forwarded ${output.length - forwardedAtRestart} packets since\n${receiver.stderr().slice(-1500)}`);
	}
	await second.stop();
	t.ok(receiver.getDecodedFrames() >= decodedAtRestart + 45,
		`decoded ${receiver.getDecodedFrames() - decodedAtRestart} frames after the restart (${decodedAtRestart} before)`);

	// The restart really was one (ffmpeg used the sequence numbers asked for), and the
	// output stayed one stream.
	const ssrc = consumer.rtpParameters.encodings[0].ssrc;
	t.ok(output.length - forwardedAtRestart > 45, `${output.length - forwardedAtRestart} packets forwarded after the restart`);
	const gaps = output.filter((p, i) => i > 0 && p.seq !== ((output[i - 1].seq + 1) & 0xffff));
	t.same(gaps.map((p) => p.seq), [], 'output sequence numbers continuous across the restart');
	t.ok(output.every((p) => p.ssrc === ssrc), 'everything went out with the consumer SSRC');
	const boundary = output[forwardedAtRestart];
	const before = output[forwardedAtRestart - 1];
	if (boundary && before) {
		const delta = (boundary.timestamp - before.timestamp) >>> 0;
		// ~0.3 s of pause plus ffmpeg's start-up: a few seconds at most, not a random jump.
		t.ok(delta > 0 && delta < 10 * 90000, `output timestamp advanced ${delta} ticks at the restart`);
	}
	const [stats] = await producer.getStats();
	t.ok(Math.abs(stats.packetsLost) <= 5, `producer packetsLost ${stats.packetsLost}`);
});

// Regression: a consumer used to go silent after 32,768 packets of one uninterrupted
// segment (its segment start fell more than half the sequence space behind, and modular
// comparison then called every new packet older), and came back 32,768 packets later:
// ~3.6 minutes of video at 150 packets/s. 70,000 packets cross the 32,768 and 65,536
// marks and a sequence wrap.
t.test('a consumer keeps forwarding past 32,768 and 65,536 packets of one stream', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const { transport, producer } = await plainProducer(t, router, vp8Parameters);
	const { output } = await plainConsumer(t, router, producer.id);
	const sender = await socket(t);
	const port = transport.tuple.localPort;
	const COUNT = 70000;
	const start = 60000; // wraps at 65,536 early on as well
	// Bursts of 50, each sent once the one before has come out (no socket buffer ever
	// overflows, so nothing is lost and the count is exact); bounded by a deadline.
	const deadline = Date.now() + 60000;
	const BURST = 50;
	for (let i = 0; i < COUNT && Date.now() < deadline; i += BURST) {
		for (let j = i; j < Math.min(i + BURST, COUNT); j++) {
			sender.send(rtpPacket({ seq: start + j, timestamp: 1000 + j * 30, payload: vp8Payload(j, j === 0) }), port, LOCAL);
		}
		while (output.length < i && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
	}
	await waitFor(() => output.length >= COUNT, 5000, 'every packet').catch(() => {});
	const [stats] = await producer.getStats();
	t.equal(stats.packetCount, COUNT, 'the producer received every packet');
	t.equal(output.length, COUNT, `the consumer forwarded every packet (${output.length} of ${COUNT})`);
	const gaps = output.filter((p, i) => i > 0 && p.seq !== ((output[i - 1].seq + 1) & 0xffff)).length;
	t.equal(gaps, 0, 'output sequence numbers continuous through their wraps');
	t.equal(output.filter((p, i) => p.tag === i).length, COUNT, 'in input order');
});
