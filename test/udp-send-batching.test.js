'use strict';
// Batched UDP sends (src/cpp/engine/net/UdpSendBatcher): every way the engine can send
// (io_uring, the default where the kernel allows it; sendmmsg, with disableLiburing;
// one syscall per datagram, MEDIAPLANE_UDP_SEND=immediate) delivers a fan-out
// completely, in order and unchanged, over real sockets on 127.0.0.1: a test socket
// sends opus RTP in bursts (several packets per loop turn, so that one socket gets
// several datagrams in one batch) to a comedia PlainTransport, and 20 consumers, each
// on its own PlainTransport, send to 20 test sockets. Closing transports while the
// fan-out flows loses nothing else and leaves the worker answering.
const t = require('tap');
const dgram = require('node:dgram');
const mediaplane = require('..');

const LOCAL = '127.0.0.1';
const CONSUMERS = 20;
const PACKETS = 300;
const BURST = 30;
const SSRC = 0x1234abcd;
const mediaCodecs = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];
const rtpParameters = {
	codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: SSRC }],
};

function opusPacket(seq) {
	const packet = Buffer.alloc(12 + 160);
	packet[0] = 0x80;
	packet[1] = 100;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE((seq * 960) >>> 0, 4);
	packet.writeUInt32BE(SSRC, 8);
	for (let i = 12; i < packet.length; i++) packet[i] = (seq * 31 + i) & 0xff;
	packet.writeUInt32BE(seq, 12); // the input's number, to check order and content
	return packet;
}

// RFC 3550 §5.1 (and §5.3.1 for the extension): the payload after CSRCs and extension.
function parseRtp(m) {
	if (m.length < 12 || m[0] >> 6 !== 2) return null;
	const pt = m[1] & 0x7f;
	if (pt >= 64 && pt <= 95) return null; // RTCP (RFC 5761 §4)
	let offset = 12 + (m[0] & 0x0f) * 4;
	if (m[0] & 0x10) offset += 4 + m.readUInt16BE(offset + 2) * 4;
	return { seq: m.readUInt16BE(2), ssrc: m.readUInt32BE(8), payload: m.subarray(offset) };
}

async function socket(t) {
	const s = dgram.createSocket('udp4');
	t.teardown(() => s.close());
	await new Promise((resolve) => s.bind(0, LOCAL, resolve));
	return s;
}

async function waitFor(predicate, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline && !predicate()) await new Promise((r) => setTimeout(r, 20));
	return predicate();
}

async function createWorker(t, mode) {
	const previous = process.env.MEDIAPLANE_UDP_SEND;
	if (mode.env) process.env.MEDIAPLANE_UDP_SEND = mode.env;
	try {
		const worker = await mediaplane.createWorker(mode.settings);
		t.teardown(() => worker.close());
		return worker;
	} finally {
		if (previous === undefined) delete process.env.MEDIAPLANE_UDP_SEND;
		else process.env.MEDIAPLANE_UDP_SEND = previous;
	}
}

// A room: one producer on a comedia PlainTransport, CONSUMERS consumers each on a
// PlainTransport connected to its own test socket.
async function room(t, worker) {
	const router = await worker.createRouter({ mediaCodecs });
	const input = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, rtcpMux: true });
	const producer = await input.produce({ kind: 'audio', rtpParameters });
	const sender = await socket(t);
	const outputs = [];
	for (let i = 0; i < CONSUMERS; i++) {
		const receiver = await socket(t);
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true });
		await transport.connect({ ip: LOCAL, port: receiver.address().port });
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const received = [];
		receiver.on('message', (m) => {
			const rtp = parseRtp(m);
			if (rtp) received.push(rtp);
		});
		outputs.push({ transport, consumer, received });
	}
	const send = async (from, count) => {
		for (let seq = from; seq < from + count; seq += BURST) {
			for (let i = seq; i < Math.min(seq + BURST, from + count); i++) {
				sender.send(opusPacket(i), input.tuple.localPort, LOCAL);
			}
			await new Promise((r) => setTimeout(r, 5));
		}
	};
	return { router, input, producer, outputs, send };
}

// Every consumer got inputs [from, from + count) in order, payloads unchanged.
function checkDelivery(t, outputs, from, count, label) {
	let complete = 0;
	let ordered = 0;
	let intact = 0;
	for (const { received, consumer } of outputs) {
		const numbers = received.map((p) => (p.payload.length >= 4 ? p.payload.readUInt32BE(0) : -1));
		const expected = Array.from({ length: count }, (_, i) => from + i);
		if (numbers.length === count && numbers.every((n, i) => n === expected[i])) complete++;
		let inOrder = received.length > 0;
		for (let i = 0; i < received.length; i++) {
			if (i > 0 && received[i].seq !== ((received[i - 1].seq + 1) & 0xffff)) inOrder = false;
			if (received[i].ssrc !== consumer.rtpParameters.encodings[0].ssrc) inOrder = false;
		}
		if (inOrder) ordered++;
		const unchanged = received.every((p, i) => p.payload.equals(opusPacket(numbers[i]).subarray(12)));
		if (received.length > 0 && unchanged) intact++;
	}
	t.equal(complete, outputs.length, `${label}: every consumer received inputs ${from}..${from + count - 1}, each once, in input order`);
	t.equal(ordered, outputs.length, `${label}: consecutive sequence numbers and the consumer's SSRC at every consumer`);
	t.equal(intact, outputs.length, `${label}: payloads unchanged`);
}

const modes = [
	{ name: 'io_uring (default)', settings: {} },
	{ name: 'sendmmsg (disableLiburing)', settings: { disableLiburing: true } },
	{ name: 'one syscall per datagram (MEDIAPLANE_UDP_SEND=immediate)', settings: {}, env: 'immediate' },
];

for (const mode of modes) {
	t.test(`fan-out to ${CONSUMERS} PlainTransports: ${mode.name}`, async (t) => {
		const worker = await createWorker(t, mode);
		const { producer, outputs, send } = await room(t, worker);
		const before = await worker.dump();
		await send(0, PACKETS);
		const arrived = await waitFor(() => outputs.every((o) => o.received.length >= PACKETS), 5000);
		t.ok(arrived, 'all consumers received all packets within 5 s');
		t.equal((await producer.getStats())[0]?.packetCount, PACKETS, 'the producer counted every input');
		checkDelivery(t, outputs, 0, PACKETS, mode.name);

		const after = await worker.dump();
		if (mode.env === 'immediate' || mode.settings.disableLiburing) {
			t.equal(after.liburing, undefined, 'no io_uring counters when the worker does not use io_uring');
		} else if (after.liburing) {
			t.ok(after.liburing.sqeProcessCount - (before.liburing?.sqeProcessCount ?? 0) >= PACKETS * CONSUMERS,
				`io_uring took every forwarded datagram (${after.liburing.sqeProcessCount} submitted)`);
			t.equal(after.liburing.sqeMissCount, 0, 'none had to be sent another way');
		} else {
			t.comment('io_uring is unavailable on this machine: the worker batches with sendmmsg');
		}
		const sendErrors = await Promise.all(outputs.map(async (o) => (await o.transport.getStats())[0].bytesSent));
		t.ok(sendErrors.every((bytes) => bytes >= PACKETS * 172), 'every transport counted the bytes it sent');
	});
}

t.test('transports closed while the fan-out flows: the others get everything, the worker answers', async (t) => {
	const worker = await createWorker(t, modes[0]);
	const { outputs, send } = await room(t, worker);
	const sending = send(0, PACKETS);
	// Close half of the transports in the middle of the traffic, each from a timer so
	// that some close with datagrams of theirs queued in the batch.
	await new Promise((r) => setTimeout(r, 20));
	const closing = outputs.filter((_, i) => i % 2 === 0);
	for (const o of closing) o.transport.close();
	await sending;
	const kept = outputs.filter((_, i) => i % 2 === 1);
	t.ok(await waitFor(() => kept.every((o) => o.received.length >= PACKETS), 5000), 'the others received everything');
	checkDelivery(t, kept, 0, PACKETS, 'kept transports');
	t.ok(closing.every((o) => o.received.length < PACKETS), 'the closed ones stopped receiving');
	const dump = await worker.dump();
	t.equal(dump.routerIds.length, 1, 'the worker answers');
	if (dump.liburing) t.equal(dump.liburing.sqeMissCount, 0, 'no datagram fell out of the ring');
});
