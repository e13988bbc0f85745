'use strict';
// Soak (issue 14): a room that runs for minutes with everything a long-lived deployment
// sees, and a check that memory and handles stop growing after warm-up.
//
//   npm run bench -- soak                    10 minutes (default)
//   node --expose-gc bench/soak.js --minutes 60 [--slots 50] [--warmup 2] [--no-churn] [--semi-space 16]
//
// The room: ffmpeg sends real-rate VP8 (320x240, 30 fps, 500 kbps) and opus (20 ms) as
// RTP through a lossy relay (5% random loss, 0-20 ms jitter, so packets also reorder)
// into two comedia PlainTransports. `slots` PlainTransports (default 50) each consume
// both producers (100 consumers) and send to one sink socket that counts what arrives.
// Every second one slot (never slot 0) is closed and replaced: a transport and its two
// consumers leave, new ones join. A garbage stream (random bytes, some with an RTP or
// RTCP first byte) of 200 datagrams/s hits slot 0's transport, and a second one the
// video producer's transport, each from its peer's own address (the relay's, the sink's)
// so that they pass the connected sockets and reach the engine's parsers.
//
// Each minute it prints RSS, JS heap, open file descriptors, libuv handles of the Node
// thread, worker CPU (getResourceUsage), packets forwarded to the sink, and the engine's
// object counts (router dump). It fails (exit 1) when, from the end of warm-up to the
// end, RSS grows by more than max(16 MiB, 10%), or descriptors or handles grow by more
// than 8, or nothing was forwarded in a minute.
//
// The run has a fixed-size V8 young generation (--min-semi-space-size =
// --max-semi-space-size = --semi-space, 16 MiB, V8's own maximum on 64-bit): soak.js
// starts itself again with those flags unless node was given a semi-space flag. With
// V8's adaptive default the new space doubles (4 -> 8 -> 16 -> 32 MiB for its two
// semi-spaces) each time the bytes that survived scavenges since the last doubling
// exceed its size; churn's long-lived JS objects add up to that after about 300 and
// 800 replaced slots (minutes 5 and 14 here). Each doubling adds its pages to RSS and,
// because scavenges get rarer, the malloc'd backing stores of the dead Buffers the
// sink and relay sockets receive (~4,000 datagrams/s) pile up longer between them:
// RSS rose in two steps by ~40 MiB (72 -> 111 MiB) while the live malloc bytes after
// each scavenge stayed at ~5 MiB (heaptrack) and the engine's live allocations were
// flat; with a 1 MiB semi-space the same run was flat. A pinned young generation
// reaches its size in the first minute(s), so growth after warm-up is leaks, not V8's
// sizing. The `young MiB` column is the new space's resident size. What RSS still gains
// after that (+4 to +6 MiB in 7 to 18 minutes) is malloc's high-water mark of that
// sawtooth (27 -> 32 MiB peaks before a scavenge, 5.8 MiB live after one, heaptrack).
const dgram = require('node:dgram');
const fs = require('node:fs');
const crypto = require('node:crypto');
const mediaplane = require('..');
const { startRtpSender } = require('../test/plain/ffmpeg');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const at = args.indexOf(`--${name}`);
	if (at < 0) return fallback;
	const value = Number(args[at + 1]);
	if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} needs a positive number`);
	return value;
};
const MINUTES = option('minutes', 10);
const SLOTS = Math.round(option('slots', 50));
const WARMUP_MINUTES = Math.min(option('warmup', 2), Math.max(1, MINUTES - 1));
// --no-churn: no slot is replaced (to tell churn's memory from the media path's).
const CHURN = !args.includes('--no-churn');
const SEMI_SPACE_MIB = Math.round(option('semi-space', 16));
const v8 = require('node:v8');
const LOCAL = '127.0.0.1';
const LOSS = 0.05;
const JITTER_MS = 20;
const GARBAGE_PER_SECOND = 200;

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes) => (bytes / 1048576).toFixed(1);

function bindSocket() {
	const socket = dgram.createSocket('udp4');
	return new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, LOCAL, () => {
			socket.off('error', reject);
			resolve(socket);
		});
	});
}

/** ffmpeg -> relay.port -> target: drops LOSS of the packets, delays the rest 0..JITTER_MS. */
async function startLossyRelay(targetPort) {
	const inbound = await bindSocket();
	const outbound = await bindSocket();
	const timers = new Set();
	let forwarded = 0;
	let dropped = 0;
	inbound.on('message', (message) => {
		if (Math.random() < LOSS) {
			dropped++;
			return;
		}
		const timer = setTimeout(() => {
			timers.delete(timer);
			forwarded++;
			outbound.send(message, targetPort, LOCAL);
		}, Math.random() * JITTER_MS);
		timers.add(timer);
	});
	return {
		port: inbound.address().port,
		outbound, // the source the producer's comedia transport learned
		counts: () => ({ forwarded, dropped }),
		close() {
			for (const timer of timers) clearTimeout(timer);
			inbound.close();
			outbound.close();
		},
	};
}

/**
 * Random datagrams to `portOf()`, GARBAGE_PER_SECOND a second, from `socket`: the
 * transports' sockets are connect(2)ed to their peer, so the kernel drops anything from
 * another source; garbage that reaches the engine's parsers comes from the peer's tuple.
 */
function startGarbage(socket, portOf) {
	let sent = 0;
	const timer = setInterval(() => {
		for (let i = 0; i < GARBAGE_PER_SECOND / 10; i++) {
			const bytes = crypto.randomBytes(1 + Math.floor(Math.random() * 1400));
			// Some look like RTP (0x80..0xbf) or RTCP (second byte 200..206), to go deeper.
			if (i % 3 === 0) bytes[0] = 0x80 | (bytes[0] & 0x3f);
			if (i % 6 === 0 && bytes.length > 1) bytes[1] = 200 + (bytes[1] % 7);
			socket.send(bytes, portOf(), LOCAL);
			sent++;
		}
	}, 100);
	return { sent: () => sent, close: () => clearInterval(timer) };
}

function openFds() {
	try {
		return fs.readdirSync('/proc/self/fd').length;
	} catch {
		return NaN;
	}
}

async function main() {
	const worker = await mediaplane.createWorker({ logLevel: 'error' });
	const router = await worker.createRouter({ mediaCodecs });
	const sink = await bindSocket();
	let sinkPackets = 0;
	sink.on('message', () => sinkPackets++);

	const producers = {};
	const relays = [];
	const senders = [];
	const inputs = [
		{ kind: 'video', codec: 'vp8', mimeType: 'video/VP8', clockRate: 90000, payloadType: 101, ssrc: 1111 },
		{ kind: 'audio', codec: 'opus', mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 100, ssrc: 2222 },
	];
	const producerTransports = {};
	for (const input of inputs) {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: true });
		producerTransports[input.kind] = transport;
		producers[input.kind] = await transport.produce({
			kind: input.kind,
			rtpParameters: {
				codecs: [{
					mimeType: input.mimeType, payloadType: input.payloadType, clockRate: input.clockRate,
					...(input.channels ? { channels: input.channels } : {}), rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
				}],
				encodings: [{ ssrc: input.ssrc }],
			},
		});
		const relay = await startLossyRelay(transport.tuple.localPort);
		relays.push(relay);
		senders.push(await startRtpSender({ kind: input.kind, codec: input.codec, port: relay.port, payloadType: input.payloadType, ssrc: input.ssrc }));
	}

	const rtpCapabilities = router.rtpCapabilities;
	const slots = new Array(SLOTS);
	async function openSlot(index) {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true, comedia: false });
		await transport.connect({ ip: LOCAL, port: sink.address().port });
		const consumers = [];
		for (const kind of ['video', 'audio']) consumers.push(await transport.consume({ producerId: producers[kind].id, rtpCapabilities }));
		slots[index] = { transport, consumers };
	}
	for (let i = 0; i < SLOTS; i++) await openSlot(i);
	const garbage = [
		startGarbage(sink, () => slots[0].transport.tuple.localPort),
		startGarbage(relays[0].outbound, () => producerTransports.video.tuple.localPort),
	];

	let churned = 0;
	let churnBusy = false;
	const churn = setInterval(async () => {
		if (!CHURN || churnBusy || SLOTS < 2) return;
		churnBusy = true;
		try {
			const index = 1 + Math.floor(Math.random() * (SLOTS - 1));
			slots[index].transport.close();
			await openSlot(index);
			churned++;
		} catch (error) {
			console.error(`churn failed: ${error.message}`);
		} finally {
			churnBusy = false;
		}
	}, 1000);

	console.log(`soak: ${MINUTES} min, ${SLOTS} slots (${2 * SLOTS} consumers), warm-up ${WARMUP_MINUTES} min, ` +
		`${LOSS * 100}% loss + 0-${JITTER_MS} ms jitter on the way in, one slot replaced a second, ${2 * GARBAGE_PER_SECOND} garbage datagrams/s`);
	console.log(`V8 young generation: ${process.execArgv.filter((a) => a.includes('semi-space')).join(' ') || 'adaptive'}`);
	console.log('  min   RSS MiB  heap MiB  young MiB  fds  handles  worker CPU %  forwarded/s  transports  consumers  churned');
	const samples = [];
	let lastCpu = await worker.getResourceUsage();
	let lastSink = sinkPackets;
	let lastAt = Date.now();
	for (let minute = 1; minute <= MINUTES; minute++) {
		await sleep(60_000 - (Date.now() - lastAt) % 60_000);
		if (global.gc) global.gc();
		const now = Date.now();
		const cpu = await worker.getResourceUsage();
		const cpuMs = (cpu.ru_utime + cpu.ru_stime) - (lastCpu.ru_utime + lastCpu.ru_stime);
		const dump = await router.dump();
		const memory = process.memoryUsage();
		const sample = {
			minute,
			rss: memory.rss,
			heap: memory.heapUsed,
			young: v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.physical_space_size ?? NaN,
			fds: openFds(),
			handles: process._getActiveHandles().length,
			cpuPct: (100 * cpuMs) / (now - lastAt),
			forwardedPerSecond: ((sinkPackets - lastSink) * 1000) / (now - lastAt),
			transports: dump.transportIds.length,
			consumers: (dump.mapProducerIdConsumerIds ?? []).reduce((n, entry) => n + (entry.values?.length ?? 0), 0),
		};
		samples.push(sample);
		lastCpu = cpu;
		lastSink = sinkPackets;
		lastAt = now;
		console.log(`  ${String(minute).padStart(3)}  ${mib(sample.rss).padStart(8)}  ${mib(sample.heap).padStart(8)}  ${mib(sample.young).padStart(9)}  ${String(sample.fds).padStart(3)}  ` +
			`${String(sample.handles).padStart(7)}  ${sample.cpuPct.toFixed(1).padStart(12)}  ${sample.forwardedPerSecond.toFixed(0).padStart(11)}  ` +
			`${String(sample.transports).padStart(10)}  ${String(sample.consumers).padStart(9)}  ${String(churned).padStart(7)}`);
	}

	clearInterval(churn);
	for (const g of garbage) g.close();
	for (const sender of senders) await sender.stop();
	for (const relay of relays) relay.close();
	const relayCounts = relays.map((r) => r.counts());
	const dropped = await Promise.all([producerTransports.video, slots[0].transport].map(async (t) => (await t.getStats())[0]?.droppedPackets));
	worker.close();
	sink.close();

	const base = samples[WARMUP_MINUTES - 1];
	const last = samples[samples.length - 1];
	const failures = [];
	const rssGrowth = last.rss - base.rss;
	if (rssGrowth > Math.max(16 * 1048576, 0.1 * base.rss)) failures.push(`RSS grew ${mib(rssGrowth)} MiB after warm-up`);
	if (last.fds - base.fds > 8) failures.push(`open descriptors grew by ${last.fds - base.fds}`);
	if (last.handles - base.handles > 8) failures.push(`handles grew by ${last.handles - base.handles}`);
	const idle = samples.filter((s) => s.forwardedPerSecond < 1);
	if (idle.length) failures.push(`nothing forwarded in minute(s) ${idle.map((s) => s.minute).join(', ')}`);
	console.log(`relays: ${relayCounts.map((c) => `${c.forwarded} forwarded, ${c.dropped} dropped`).join('; ')}; ` +
		`garbage sent: ${garbage.map((g) => g.sent()).join(' + ')}; droppedPackets (getStats): video producer transport ${dropped[0]}, slot 0 ${dropped[1]}`);
	console.log(`after warm-up (minute ${WARMUP_MINUTES} -> ${last.minute}): RSS ${rssGrowth >= 0 ? '+' : ''}${mib(rssGrowth)} MiB, ` +
		`heap ${last.heap - base.heap >= 0 ? '+' : ''}${mib(last.heap - base.heap)} MiB, fds ${last.fds - base.fds >= 0 ? '+' : ''}${last.fds - base.fds}, ` +
		`handles ${last.handles - base.handles >= 0 ? '+' : ''}${last.handles - base.handles}`);
	console.log(failures.length ? `soak FAILED: ${failures.join('; ')}` : 'soak ok: flat after warm-up');
	process.exitCode = failures.length ? 1 : 0;
}

if (process.execArgv.some((arg) => arg.includes('semi-space-size'))) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
} else {
	// Again with a fixed young generation (see the top); the exit status is the child's.
	const { spawn } = require('node:child_process');
	const flags = [...new Set([...process.execArgv, '--expose-gc'])];
	const child = spawn(process.execPath, [...flags, `--min-semi-space-size=${SEMI_SPACE_MIB}`, `--max-semi-space-size=${SEMI_SPACE_MIB}`, __filename, ...args], { stdio: 'inherit' });
	for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
