'use strict';
// Events that an engine object emits at once, before its TypeScript object exists.
//
// A producer emits its first 'score' with its first packet. When the sender is already
// sending (a browser starts as soon as its transport connects, before the application
// has called produce() on the server), that packet can be handled right after the
// produce request, and its event reach Node in the same wake-up as the response: before
// the Producer object has subscribed. Such events must be kept and handed to the new
// object, after its creating call resolved (so a listener attached then sees them).
//
// Real sockets on 127.0.0.1: a worker_thread sends RTP for twenty SSRCs as fast as it
// can while the main thread creates one producer per SSRC.
const t = require('tap');
const dgram = require('node:dgram');
const { Worker: Thread } = require('node:worker_threads');
const mediaplane = require('..');

const LOCAL = '127.0.0.1';
const PRODUCERS = 20;
const FIRST_SSRC = 0x11110000;
const PT = 101;

// The sender thread: one RTP packet per SSRC in turn, in bursts, until told to stop
// (or for 30 s at most).
const SENDER = `
const dgram = require('node:dgram');
const { workerData, parentPort } = require('node:worker_threads');
const { port, firstSsrc, count, pt, shared } = workerData;
// Optional shared counters, for a main thread that blocks: [0] packets sent, [1] pause.
const counters = shared ? new Int32Array(shared) : null;
const socket = dgram.createSocket('udp4');
const seqs = new Array(count).fill(0);
let stopped = false;
const deadline = Date.now() + 30000;
parentPort.on('message', () => { stopped = true; });
function burst() {
	if (stopped || Date.now() > deadline) { socket.close(); parentPort.postMessage('done'); return; }
	if (counters && Atomics.load(counters, 1)) { setTimeout(burst, 10); return; }
	if (counters) Atomics.add(counters, 0, 64);
	for (let n = 0; n < 64; n++) {
		const i = n % count;
		const packet = Buffer.alloc(12 + 20);
		packet[0] = 0x80;
		packet[1] = pt;
		packet.writeUInt16BE(seqs[i]++ & 0xffff, 2);
		packet.writeUInt32BE((seqs[i] * 3000) >>> 0, 4);
		packet.writeUInt32BE(firstSsrc + i, 8);
		packet[12] = 0x10; // VP8 descriptor: S = 1, partition 0
		socket.send(packet, port, '127.0.0.1');
	}
	setImmediate(burst);
}
socket.bind(0, '127.0.0.1', () => { parentPort.postMessage({ port: socket.address().port }); burst(); });
`;

t.test('a producer created while its SSRC is already arriving gets its first score event', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: true });

	const sender = new Thread(SENDER, {
		eval: true,
		workerData: { port: transport.tuple.localPort, firstSsrc: FIRST_SSRC, count: PRODUCERS, pt: PT },
	});
	const senderDone = new Promise((resolve) => sender.on('message', (m) => m === 'done' && resolve()));
	t.teardown(async () => {
		sender.postMessage('stop');
		await Promise.race([senderDone, new Promise((resolve) => setTimeout(resolve, 2000))]);
		await sender.terminate();
	});
	await new Promise((resolve) => sender.once('message', resolve));
	// comedia: the transport learns the sender's address from its first packet.
	const deadline = Date.now() + 5000;
	while (!transport.tuple.remotePort && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
	t.ok(transport.tuple.remotePort, 'the transport learnt the sender (comedia)');

	const producers = [];
	for (let i = 0; i < PRODUCERS; i++) {
		const producer = await transport.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }],
				encodings: [{ ssrc: FIRST_SSRC + i }],
			},
		});
		// Attached right after produce() resolved, as applications do.
		const events = [];
		producer.on('score', (score) => events.push(score));
		producers.push({ producer, events, ssrc: FIRST_SSRC + i });
	}

	// Every producer has received packets, so every one has had its first score: 10, the
	// score of a new stream. (Later scores may be lower: the sender overflows the
	// socket's buffer. Any later event differs from the one before it, so a first event
	// of 10 is the stream's first score, not a later one.)
	const until = Date.now() + 5000;
	while (Date.now() < until && producers.some(({ events }) => events.length === 0)) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	for (const { producer, events, ssrc } of producers) {
		t.ok(producer.score.some((s) => s.ssrc === ssrc), `producer of ssrc ${ssrc.toString(16)} has a score entry`);
		const first = events[0]?.find((s) => s.ssrc === ssrc);
		t.equal(first?.score, 10,
			`producer of ssrc ${ssrc.toString(16)}: a listener attached after produce() saw the first 'score' event (${JSON.stringify(events[0])})`);
	}
	const stats = await Promise.all(producers.map(({ producer }) => producer.getStats()));
	t.ok(stats.every((s) => s[0]?.packetCount > 0), 'every producer received packets');
});

t.test("a creating request that reuses a live object's id is refused, and that object's events keep flowing", async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: true });
	const codecs = [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }];
	const producer = await transport.produce({ kind: 'video', rtpParameters: { codecs, encodings: [{ ssrc: 1111 }] } });
	await producer.enableTraceEvent(['rtp']);
	const traces = [];
	producer.on('trace', (trace) => traces.push(trace));

	// On another transport: the first transport would refuse the id before asking the
	// engine; the engine refuses it for the whole worker.
	const other = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: true });
	await t.rejects(
		other.produce({ id: producer.id, kind: 'video', rtpParameters: { codecs, encodings: [{ ssrc: 2222 }] } }),
		'produce() on another transport with the id of a live producer is refused by the engine'
	);

	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	const until = Date.now() + 5000;
	for (let seq = 0; traces.length === 0 && Date.now() < until; seq++) {
		const packet = Buffer.alloc(12 + 20);
		packet[0] = 0x80;
		packet[1] = PT;
		packet.writeUInt16BE(seq, 2);
		packet.writeUInt32BE(1111, 8);
		packet[12] = 0x10;
		socket.send(packet, transport.tuple.localPort, LOCAL);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	t.ok(traces.length > 0 && traces[0].type === 'rtp', `the first producer still gets its 'trace' events (${traces.length})`);
	t.equal(producer.closed, false);
});

// The worker thread's notifications wait for the Node main thread in the channel. While
// that thread is blocked (a long synchronous task) or slower than the engine, events
// whose rate a remote peer decides (here a producer's 'rtp' trace, one per packet) would
// pile up without bound: past Channel::kMaxPendingNotifications (65,536) they are
// dropped and counted. Responses and state events are never dropped.
t.test('notifications beyond the bound are dropped while the main thread is blocked; responses and later events flow', async (t) => {
	const BOUND = 65536;
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: true });
	const codecs = [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }];
	const producer = await transport.produce({ kind: 'video', rtpParameters: { codecs, encodings: [{ ssrc: FIRST_SSRC }] } });
	await producer.enableTraceEvent(['rtp']);
	let traces = 0;
	producer.on('trace', () => traces++);

	const shared = new SharedArrayBuffer(8);
	const counters = new Int32Array(shared);
	const sender = new Thread(SENDER, {
		eval: true,
		workerData: { port: transport.tuple.localPort, firstSsrc: FIRST_SSRC, count: 1, pt: PT, shared },
	});
	const senderDone = new Promise((resolve) => sender.on('message', (m) => m === 'done' && resolve()));
	t.teardown(async () => {
		sender.postMessage('stop');
		await Promise.race([senderDone, new Promise((resolve) => setTimeout(resolve, 2000))]);
		await sender.terminate();
	});
	const flowing = Date.now() + 5000;
	while (traces === 0 && Date.now() < flowing) await new Promise((resolve) => setTimeout(resolve, 10));
	t.ok(traces > 0, 'trace events flow');
	const [before] = await producer.getStats();

	// Block this thread until the sender has sent three times the bound (at most 20 s),
	// pause it, and give the engine a moment to handle what is on its socket.
	const sleeper = new Int32Array(new SharedArrayBuffer(4));
	const blockedUntil = Date.now() + 20000;
	while (Atomics.load(counters, 0) < 3 * BOUND && Date.now() < blockedUntil) Atomics.wait(sleeper, 0, 0, 50);
	Atomics.store(counters, 1, 1);
	Atomics.wait(sleeper, 0, 0, 300);
	const tracesAtUnblock = traces;

	const [after] = await producer.getStats();
	await new Promise((resolve) => setTimeout(resolve, 100));
	const delivered = traces - tracesAtUnblock;
	const handled = after.packetCount - before.packetCount;
	t.ok(handled > BOUND, `the engine handled more packets than the bound while the main thread was blocked (${handled})`);
	// The bound holds per wake-up of the main thread; events the engine made after the
	// first one (packets still on its socket) may follow, a few at most.
	t.ok(delivered <= BOUND + 2048, `about ${BOUND} of their trace events were kept (${delivered})`);
	t.ok(delivered < handled, `the rest were dropped (${handled - delivered})`);

	// Events flow again once the main thread takes them.
	const resumed = traces;
	Atomics.store(counters, 1, 0);
	const until = Date.now() + 5000;
	while (traces === resumed && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
	t.ok(traces > resumed, 'trace events are delivered again afterwards');
});
