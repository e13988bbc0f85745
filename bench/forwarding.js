'use strict';
// Forwarding: one VP8 stream (1,200-byte RTP packets at 1,000 packets/s) into a comedia
// PlainTransport producer, forwarded to N consumers on N PlainTransports, for N = 1, 10,
// 100, 500, in plain RTP and in SRTP (AES_CM_128_HMAC_SHA1_80 in and out). Per row:
// packets in and out per second, the worker thread's CPU time per forwarded packet
// (worker.getResourceUsage(), RUSAGE_THREAD), loss, and p50/p99 added latency. Next to
// them, measured in the same run on the same core, the machine's raw limits: a tight C
// sendmsg / sendmmsg(32) loop of the same packets to 127.0.0.1, without and with SRTP
// protect before each send; forwarded packets per worker CPU-second are printed as a
// ratio of each.
//
// Processes (pinned with taskset when it exists; the output says when it does not):
//   core 0  bench/forwarding/sfu.js: the SFU (one worker), driven over IPC
//   core 1  build/bench/fwdtool gen: the paced load generator (C, clock_nanosleep on
//           absolute deadlines; send time as CLOCK_MONOTONIC ns in the payload)
//           build/bench/fwdtool sink: one UDP socket all consumers send to, recvmmsg,
//           per-SSRC sequence continuity and latency histogram
//   core 0  build/bench/fwdtool raw: the raw loops (the sink drains them on core 1)
// SRTP on the load side is bench/forwarding/srtp-lite.h (system OpenSSL, RFC 3711 by
// hand, packet index advancing per packet), checked here against the addon's libsrtp
// before it is used. bench/forwarding/fwdtool.c is compiled with cc -O2 on every run.
//
// Each row runs with the engine's default way of sending UDP (UdpSendBatcher: one
// io_uring_enter per loop turn where the kernel allows it); at N = 100 the same rows
// also run with sendmmsg per socket (disableLiburing) and with one syscall per datagram
// (MEDIAPLANE_UDP_SEND=immediate, the engine before batching), and the raw loops add
// the shape of a fan-out over 100 sockets (100 connected sockets, one send each, or one
// io_uring_enter for all 100). FORWARDING_COMPARE=0 skips the comparison rows.
//
// WebRtcServer rows (FORWARDING_WEBRTC_SERVER=0 skips them): the SRTP fan-out at N = 100
// through one WebRtcServer socket, to 100 libdatachannel players (webrtc-players.js, on
// core 1) answered by mediaplane.webrtc.RTCPeerConnections; io_uring and sendmmsg.
//
// Scaling rows (FORWARDING_SCALING=0 skips them): 500 consumers of a 4,000 packets/s
// stream, a demand above what even two workers forward, with the SFU free to use both
// cores; one worker against two (half the consumers each, the producer piped in-process
// or over UDP), forwarded packets per second compared (issue 15's target: 2 workers >=
// 1.8x one). The sink there is `fwdtool hole`, which never reads, so the kernel drops
// what it delivers and neither the sink nor the light generator takes a worker's core.
//
// Options: --perf re-runs N = 100 (plain and SRTP) with `perf record -g` on the worker
// thread and prints where its time goes; --perf-cpu samples all of core 0 instead;
// --perf-only skips the table. Environment: FORWARDING_SECONDS (default 5),
// FORWARDING_N (default 1,10,100,500), FORWARDING_MODES (default rtp,srtp).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { fmt } = require('./lib');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'build', 'bench');
const tool = path.join(outDir, 'fwdtool');
const PPS = 1000;
const SECONDS = Number(process.env.FORWARDING_SECONDS || 5);
const COUNTS = (process.env.FORWARDING_N || '1,10,100,500').split(',').map(Number);
const MODES = (process.env.FORWARDING_MODES || 'rtp,srtp').split(',');
const RAW_SECONDS = 1.5;
const IDLE_MS = 1000;
const DRAIN_MS = 400;
const PRODUCER_SSRC = 0x11223344;
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const RAW_MODES = ['sendmsg', 'sendmmsg', 'srtp-sendmsg', 'srtp-sendmmsg', 'sockets-sendmsg', 'sockets-uring'];
// Issue 15's targets: at N = 100, forwarded packets per worker CPU-second >= 70% of the
// raw sendmmsg loop (plain) and of the raw SRTP + sendmmsg loop (SRTP); p99 < 1 ms.
const TARGET = { n: 100, plainRatio: 0.7, srtpRatio: 0.7, p99Ms: 1 };
const COMPARE = process.env.FORWARDING_COMPARE !== '0';
// The pipe rows, one worker against two joined by an in-process pipe (pipeToRouter) or a
// UDP PipeTransport pair: the cost of piping (one consumer of a PIPE_COST_PPS stream, on
// the second worker, so every packet crosses the pipe; the rate is high so that the
// pipe's cost stands out of the run-to-run noise of the rest), and a room of PIPE_N
// consumers of a PIPE_PPS stream split half and half.
const PIPE_COST_N = 1;
const PIPE_COST_PPS = Number(process.env.FORWARDING_PIPE_COST_PPS || 10000);
const PIPE_N = Number(process.env.FORWARDING_PIPE_N || 1000);
const PIPE_PPS = Number(process.env.FORWARDING_PIPE_PPS || 100);
const PIPES = process.env.FORWARDING_PIPES !== '0';
const COMPARED_WAYS = ['sendmmsg', 'immediate'];
// The scaling rows: forwarding at saturation with the SFU free to use both cores, one
// worker against two (consumers split half and half, the producer piped). The demand
// (SCALING_N consumers of a SCALING_PPS stream) is far above what even two workers can
// forward, so each row measures capacity. The sink is `fwdtool hole` (never reads: no
// CPU of its own) and the generator sends a few thousand packets per second, so the
// two cores go to the workers.
// The WebRtcServer rows (FORWARDING_WEBRTC_SERVER=0 skips them): N = 100 SRTP through one
// shared socket, with io_uring and with sendmmsg.
const WEBRTC_SERVER = process.env.FORWARDING_WEBRTC_SERVER !== '0';
const SCALING = process.env.FORWARDING_SCALING !== '0';
const SCALING_N = Number(process.env.FORWARDING_SCALING_N || 500);
const SCALING_PPS = Number(process.env.FORWARDING_SCALING_PPS || 4000);
const SCALING_TARGET = 1.8;
// Each configuration runs this many times, interleaved, and the median counts: on this
// VM one run of a saturated worker varies by up to 1.7x from the next.
const SCALING_REPEATS = Number(process.env.FORWARDING_SCALING_REPEATS || 3);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const haveCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

let pinning = false;
let pinNote = '';
let boost = false; // nice -n -10 for the SFU and the raw loops (root or CAP_SYS_NICE)
// core: 0 or 1, or 'any' (not pinned: the scaling rows' SFU, which uses both cores).
function pinned(core, command, args) {
	// (This process runs on core 1 when pinning: 'any' must widen the child's set again.)
	const cores = core === 'any' ? `0-${os.cpus().length - 1}` : String(core);
	const [c, a] = pinning ? ['taskset', ['-c', cores, command, ...args]] : [command, args];
	return boost && core !== 1 ? ['nice', ['-n', '-10', c, ...a]] : [c, a];
}

function fail(message) {
	console.log(`  FAILED: ${message}`);
	process.exit(1);
}

function compile() {
	fs.mkdirSync(outDir, { recursive: true });
	const cc = process.env.CC || 'cc';
	if (!haveCommand(cc)) fail(`no C compiler (${cc})`);
	// The system OpenSSL headers when installed, else Node's (both OpenSSL 3).
	const include = fs.existsSync('/usr/include/openssl/evp.h') ? [] : ['-I/usr/include/node'];
	const result = spawnSync(cc, ['-O2', '-Wall', '-Wno-deprecated-declarations', ...include,
		path.join(__dirname, 'forwarding', 'fwdtool.c'), '-o', tool, '-l:libcrypto.so.3'], { encoding: 'utf8' });
	if (result.status !== 0) fail(`${cc} exited with ${result.status}\n${result.stderr || result.error?.message}`);
}

// srtp-lite.h against the addon's libsrtp, both directions, including a sequence wrap.
function checkSrtp() {
	const addon = require(path.join(root, 'lib', 'native.js')).addon;
	const key = crypto.randomBytes(30);
	for (const seq of [0, 4321, 65535]) {
		const packet = crypto.randomBytes(1200);
		packet[0] = 0x80;
		packet[1] = 101;
		packet.writeUInt16BE(seq, 2);
		const reference = addon.srtpProtect(SUITE, key, packet, false);
		const run = (cmd, hex) => spawnSync(tool, [cmd, key.toString('hex'), String(seq), hex], { encoding: 'utf8' }).stdout.trim();
		if (run('protect', packet.toString('hex')) !== reference.toString('hex')) fail('srtp-lite protect differs from libsrtp');
		if (run('unprotect', reference.toString('hex')) !== packet.toString('hex')) fail('srtp-lite cannot unprotect libsrtp output');
	}
}

function lineReader(stream) {
	let buffer = '';
	const lines = [];
	const waiters = [];
	stream.setEncoding('utf8');
	stream.on('data', (chunk) => {
		buffer += chunk;
		let i;
		while ((i = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, i);
			buffer = buffer.slice(i + 1);
			if (waiters.length) waiters.shift()(line);
			else lines.push(line);
		}
	});
	return (timeoutMs = 30000) => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('timed out reading a child process')), timeoutMs);
		waiters.push((line) => {
			clearTimeout(timer);
			resolve(line);
		});
	}));
}

async function startSink() {
	const [command, args] = pinned(1, tool, ['sink']);
	const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
	const next = lineReader(child.stdout);
	const port = Number((await next()).split(' ')[1]);
	return {
		port,
		async configure(streams) {
			child.stdin.write(streams.map((s) => `ssrc ${s.ssrc} ${s.keyHex}\n`).join('') + 'ready\n');
			if ((await next()) !== 'ready') throw new Error('sink not ready');
		},
		kill() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		},
		async stop() {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.stdin.end('stop\n');
			const perInput = JSON.parse(await next());
			const result = JSON.parse(await next());
			await exited;
			return { ...result, ...perInput };
		},
	};
}

function startSfu(udpSend, core = 0) {
	const env = { ...process.env };
	if (udpSend) env.MEDIAPLANE_UDP_SEND = udpSend;
	return startIpcChild(path.join(__dirname, 'forwarding', 'sfu.js'), core, env, 'the SFU process');
}

// A Node child process driven over IPC: call(cmd, args) resolves with its answer.
function startIpcChild(script, core, env, name) {
	const [command, args] = pinned(core, process.execPath, [script]);
	// With sched_autogroup (on by default), nice only ranks tasks within one session:
	// the SFU gets a session of its own and that autogroup gets nice -10 too.
	const detached = boost && core !== 1;
	const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached, env });
	if (detached) {
		try {
			fs.writeFileSync(`/proc/${child.pid}/autogroup`, '-10');
		} catch {
			// no autogroup support: nice alone applies
		}
	}
	const pending = new Map();
	let nextId = 0;
	child.on('message', ({ id, ok, result, error }) => {
		const { resolve, reject } = pending.get(id);
		pending.delete(id);
		if (ok) resolve(result);
		else reject(new Error(error));
	});
	let exit;
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
		exit = `${name} exited (code ${code}, signal ${signal})`;
		for (const { reject } of pending.values()) reject(new Error(exit));
		pending.clear();
		resolve();
	}));
	child.on('error', () => {}); // a send after the exit; reported through `exit`
	return {
		call: (cmd, args) => new Promise((resolve, reject) => {
			if (exit) return reject(new Error(exit));
			const id = nextId++;
			pending.set(id, { resolve, reject });
			child.send({ id, cmd, args }, (error) => error && !exit && reject(error));
		}),
		async close(cmd = 'close') {
			if (!exit) await this.call(cmd).catch(() => {});
			await exited;
		},
	};
}

function runTool(core, args) {
	const [command, argv] = pinned(core, tool, args);
	return new Promise((resolve, reject) => {
		const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('exit', (code) => {
			try {
				resolve(JSON.parse(out.trim().split('\n').pop()));
			} catch {
				reject(new Error(`fwdtool ${args[0]} exited with ${code}: ${out}`));
			}
		});
	});
}

// Ticks per CPU from /proc/stat: [busy, softirq, total] (USER_HZ).
function cpuTicks() {
	const out = {};
	for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
		const m = /^cpu(\d+)\s+(.*)$/.exec(line);
		if (!m) continue;
		const v = m[2].split(/\s+/).map(Number);
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
		out[m[1]] = { busy: total - v[3] - v[4], softirq: v[6], steal: v[7], total };
	}
	return out;
}

function cpuShare(before, after, cpu) {
	const a = before[cpu];
	const b = after[cpu];
	if (!a || !b) return {};
	const total = b.total - a.total || 1;
	return { busy: (b.busy - a.busy) / total, softirq: (b.softirq - a.softirq) / total, steal: (b.steal - a.steal) / total };
}

// Receive-queue drops of the UDP socket bound to 127.0.0.1:port (last column).
function udpDrops(port) {
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
		const fields = line.trim().split(/\s+/);
		if (fields[1]?.endsWith(`:${hexPort}`)) return Number(fields[fields.length - 1]);
	}
	return NaN;
}

async function measureRaw() {
	const sink = await startSink();
	await sink.configure([]);
	const raw = {};
	for (const mode of RAW_MODES) raw[mode] = await runTool(0, ['raw', String(sink.port), mode, String(RAW_SECONDS)]);
	await sink.stop();
	return raw;
}

async function runScenario({ n, srtp, perf = false, udpSend, workerCount = 1, pipe, pps = PPS, onSecond }) {
	const sink = await startSink();
	const sfu = startSfu(udpSend);
	try {
		const senderKey = crypto.randomBytes(30);
		const setup = await sfu.call('setup', { n, srtp, senderKeyHex: senderKey.toString('hex'), sinkPort: sink.port, ssrc: PRODUCER_SSRC, workerCount, pipe, onSecond });
		await sink.configure(setup.consumers);
		await sfu.call('stats');
		const s0 = await sfu.call('snapshot');
		await sleep(IDLE_MS);
		const s1 = await sfu.call('snapshot');
		const ticks1 = cpuTicks();

		let perfRun;
		const perfData = path.join(outDir, `forwarding-${srtp ? 'srtp' : 'rtp'}-${n}.perf.data`);
		if (perf) {
			const target = perf === 'cpu' ? ['-a', '-C', '0'] : ['-t', setup.workerTids.join(',')];
			const events = process.env.FORWARDING_PERF_ARGS ? process.env.FORWARDING_PERF_ARGS.split(' ') : ['-F', '2999'];
			const [command, args] = pinned(1, 'perf', ['record', '-q', '-g', ...events, '-o', perfData,
				...target, '--', 'sleep', String(Math.max(1, SECONDS - 1.5))]);
			perfRun = new Promise((resolve) => spawn(command, args, { stdio: 'ignore' }).on('exit', resolve));
		}
		const genArgs = ['gen', String(setup.inPort), String(pps), String(pps * SECONDS), String(PRODUCER_SSRC), '101'];
		if (srtp) genArgs.push(senderKey.toString('hex'));
		const gen = await runTool(1, genArgs);
		await sleep(DRAIN_MS);
		const s2 = await sfu.call('snapshot');
		const ticks2 = cpuTicks();
		const stats = await sfu.call('stats');
		const inDrops = udpDrops(setup.inPort);
		const sinkDrops = udpDrops(sink.port);
		if (perfRun) await perfRun;
		const received = await sink.stop();

		const windowSeconds = Number(BigInt(s2.atNs) - BigInt(s1.atNs)) / 1e9;
		const workerCpuMs = s2.workerCpuMs - s1.workerCpuMs;
		const idleCpuMsPerSecond = (s1.workerCpuMs - s0.workerCpuMs) / (Number(BigInt(s1.atNs) - BigInt(s0.atNs)) / 1e9);
		const mainTid = String(setup.pid);
		const mainThreadMs = (s2.threadMs[mainTid] ?? 0) - (s1.threadMs[mainTid] ?? 0);
		const expected = n * gen.sent;
		const unique = received.received - received.duplicates;
		return {
			mode: srtp ? 'srtp' : 'rtp',
			n,
			udpSend: setup.udpSend,
			workers: workerCount,
			pipe: pipe ?? null,
			onSecond: workerCount > 1 ? (onSecond ?? 0.5) : 0,
			pps,
			perWorkerCpuMs: s2.perWorkerCpuMs.map((ms, i) => ms - s1.perWorkerCpuMs[i]),
			pipeWakeupsPerDatagram: stats.pipeLinkSent ? stats.pipeLinkWakeups / stats.pipeLinkSent : null,
			sent: gen.sent,
			inPerSecond: stats.producerPackets / gen.seconds,
			outPerSecond: stats.consumerPackets / gen.seconds,
			packetsIn: stats.producerPackets,
			packetsOut: stats.consumerPackets,
			workerCpuMs,
			workerLoad: workerCpuMs / 1000 / windowSeconds,
			workerUsPerPacket: (workerCpuMs * 1000) / stats.consumerPackets,
			packetsPerCpuSecond: stats.consumerPackets / (workerCpuMs / 1000),
			idleCpuMsPerSecond,
			mainThreadMs,
			workerRunQueueWaitMs: s2.workerRunDelayMs - s1.workerRunDelayMs,
			workerInvoluntarySwitches: s2.involuntarySwitches - s1.involuntarySwitches,
			workerVoluntarySwitches: s2.voluntarySwitches - s1.voluntarySwitches,
			core0: cpuShare(ticks1, ticks2, '0'),
			core1: cpuShare(ticks1, ticks2, '1'),
			received: unique,
			lost: expected - unique,
			lossPercent: expected ? (100 * (expected - unique)) / expected : 0,
			gaps: received.gaps,
			inSocketDrops: inDrops,
			sinkSocketDrops: sinkDrops,
			producerTransportDropped: stats.inDropped,
			// RSS added while the traffic flowed (retransmission history warming up).
			rssGrowthKiBPerConsumer: ((stats.rssMiB - setup.rssMiB) * 1024) / n,
			p50Ms: received.p50Us / 1000,
			p99Ms: received.p99Us / 1000,
			p999Ms: received.p999Us / 1000,
			maxMs: received.maxUs / 1000,
			streams: received.streams,
			unknown: received.unknown,
			payloadMismatches: received.payloadMismatches,
			authChecked: received.authChecked,
			authFailed: received.authFailed,
			genMaxLateUs: gen.maxLateUs,
			genRealtime: gen.fifo,
			sinkKernelTimestamps: received.kernelTimestamps && received.noTimestamp === 0,
			sinkUserMeanMs: received.userMeanUs / 1000,
			sinkCpuMs: received.cpuMs,
			firstCopyP50Ms: received.firstCopyP50Us / 1000,
			firstCopyP99Ms: received.firstCopyP99Us / 1000,
			fanoutSpreadP50Ms: received.spreadP50Us / 1000,
			fanoutSpreadP99Ms: received.spreadP99Us / 1000,
			worstInputs: received.worstInputs, // [generator counter, first copy µs, last copy µs]
			headerExtensions: setup.consumers[0]?.headerExtensions ?? [],
			workerTids: setup.workerTids,
			perfData: perf ? perfData : undefined,
		};
	} finally {
		await sfu.close();
		sink.kill();
	}
}

function perfReport(row) {
	const report = (args) => (spawnSync('perf', ['report', '-i', row.perfData, '--stdio', '-g', 'none', ...args],
		{ encoding: 'utf8', maxBuffer: 64 << 20 }).stdout || '').split('\n')
		.filter((l) => /^\s+\d/.test(l)).map((l) => l.replace(/\s+-\s+-\s*$/, '').replace(/\s+/g, ' ').trim());
	const dsos = report(['--no-children', '--sort', 'dso']).slice(0, 5);
	const lines = report(['--no-children', '--sort', 'dso,symbol']).slice(0, 15);
	// Inclusive time of the steps of the forwarding path.
	const steps = /UdpSocket::SendPacket|SrtpSession::ProtectRtp|Consumer::SendRtpPacket$|Producer::ReceiveRtpPacket|\[k\] net_rx_action|\[k\] ip_route_output_flow|RetransmissionBuffer::Store|\[\.\] sysmalloc|\[k\] do_epoll_wait|__libc_recvmsg/;
	const inclusive = report(['--children', '--sort', 'symbol']).filter((l) => steps.test(l));
	return { dsos, lines, inclusive };
}

// --perf: where the worker thread's time goes at N = 100 (plain and SRTP), from a
// separate run with perf attached (perf's sampling would disturb the table's numbers).
// --perf-cpu samples all of core 0 instead (worker, softirq, anything else there).
// The WebRtcServer rows: N libdatachannel players (webrtc-players.js, on core 1 with the
// generator) on WebRtcTransports of one WebRtcServer, made by mediaplane.webrtc
// RTCPeerConnections; the SRTP input of the SRTP rows. Every copy of the fan-out leaves
// through the server's one socket, the shape of the raw "SRTP protect + sendmmsg" loop.
// Loss comes from the sampled players (see webrtc-players.js).
async function runWebRtcServer({ n, udpSend }) {
	const players = startIpcChild(path.join(__dirname, 'forwarding', 'webrtc-players.js'), 1, process.env, 'the players process');
	const sfu = startSfu(udpSend);
	try {
		const senderKey = crypto.randomBytes(30);
		const setup = await sfu.call('setup', { n, srtp: true, senderKeyHex: senderKey.toString('hex'), ssrc: PRODUCER_SSRC, webRtcServer: true });
		const { offers } = await players.call('offers', { n });
		const { answers } = await sfu.call('answer', { offers });
		const { open } = await players.call('answers', { answers });
		if (open !== n) throw new Error(`${open} of ${n} players connected`);
		const before = await sfu.call('stats');
		const s1 = await sfu.call('snapshot');
		const gen = await runTool(1, ['gen', String(setup.inPort), String(PPS), String(PPS * SECONDS), String(PRODUCER_SSRC), '101', senderKey.toString('hex')]);
		await sleep(DRAIN_MS);
		const s2 = await sfu.call('snapshot');
		const after = await sfu.call('stats');
		const sampled = await players.call('stop');
		const workerCpuMs = s2.workerCpuMs - s1.workerCpuMs;
		const packetsOut = after.consumerPackets - before.consumerPackets;
		const windowSeconds = Number(BigInt(s2.atNs) - BigInt(s1.atNs)) / 1e9;
		return {
			mode: 'srtp', n, udpSend: setup.udpSend, sent: gen.sent,
			outPerSecond: packetsOut / gen.seconds,
			workerLoad: workerCpuMs / 1000 / windowSeconds,
			workerUsPerPacket: (workerCpuMs * 1000) / packetsOut,
			packetsPerCpuSecond: packetsOut / (workerCpuMs / 1000),
			packetsOut,
			sampledPlayers: sampled.sampled,
			sampledLossPercent: (100 * (sampled.sampled * gen.sent - sampled.received)) / (sampled.sampled * gen.sent),
			sampledGaps: sampled.gaps,
			sampledP50Ms: sampled.p50Ms,
			sampledP99Ms: sampled.p99Ms,
		};
	} finally {
		await sfu.close();
		await players.close('stop');
	}
}

// A sink that never reads (fwdtool hole): the kernel's loopback delivery still runs, in
// the sending worker's softirq, as for a real sink.
async function startHole() {
	const [command, args] = pinned(1, tool, ['hole']);
	const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
	const port = Number((await lineReader(child.stdout)()).split(' ')[1]);
	return { port, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.stdin.end(); }) };
}

// One scaling row: SCALING_N consumers of a SCALING_PPS stream, on one worker or split
// over two joined by `pipe`; the SFU process is not pinned, so its workers can take a
// core each. Returns forwarded packets per second (consumer packet counts over the
// generator's run) and each worker's CPU share.
async function runScaling({ workerCount, pipe }) {
	const hole = await startHole();
	const sfu = startSfu(undefined, 'any');
	try {
		const setup = await sfu.call('setup', { n: SCALING_N, srtp: false, sinkPort: hole.port, ssrc: PRODUCER_SSRC, workerCount, pipe });
		const before = await sfu.call('stats');
		const s1 = await sfu.call('snapshot');
		const ticks1 = cpuTicks();
		const gen = await runTool(1, ['gen', String(setup.inPort), String(SCALING_PPS), String(SCALING_PPS * SECONDS), String(PRODUCER_SSRC), '101']);
		const s2 = await sfu.call('snapshot');
		const ticks2 = cpuTicks();
		const after = await sfu.call('stats');
		const wallSeconds = Number(BigInt(s2.atNs) - BigInt(s1.atNs)) / 1e9;
		const forwarded = after.consumerPackets - before.consumerPackets;
		return {
			workers: workerCount, pipe: pipe ?? null, n: SCALING_N, pps: SCALING_PPS, sent: gen.sent,
			inPerSecond: (after.producerPackets - before.producerPackets) / wallSeconds,
			forwardedPerSecond: forwarded / wallSeconds,
			workerLoads: s2.perWorkerCpuMs.map((ms, i) => (ms - s1.perWorkerCpuMs[i]) / 1000 / wallSeconds),
			inSocketDrops: udpDrops(setup.inPort),
			pipeWakeupsPerDatagram: pipe === 'in-process' ? (after.pipeLinkWakeups - before.pipeLinkWakeups) / Math.max(1, after.pipeLinkSent - before.pipeLinkSent) : null,
			core0: cpuShare(ticks1, ticks2, '0'),
			core1: cpuShare(ticks1, ticks2, '1'),
		};
	} finally {
		await sfu.close();
		await hole.stop();
	}
}

async function profile() {
	if (!haveCommand('perf')) {
		console.log('  --perf: perf not found');
		return undefined;
	}
	const mode = process.argv.includes('--perf-cpu') ? 'cpu' : 'thread';
	const profiles = [];
	for (const srtp of [false, true]) {
		const row = await runScenario({ n: TARGET.n, srtp, perf: mode });
		const { dsos, lines, inclusive } = perfReport(row);
		profiles.push({ mode: row.mode, n: row.n, perfData: row.perfData, dsos, top: lines, inclusive });
		const what = mode === 'cpu' ? 'all of core 0 (perf record -g -a -C 0)' : `the worker thread (perf record -g -t ${row.workerTids.join(',')})`;
		console.log(`  profile of ${what}, ${row.mode} N=${row.n}, ${row.perfData}`);
		console.log(`    (that run: worker ${fmt(100 * row.workerLoad, 0)}%, ${fmt(row.workerUsPerPacket, 2)} µs/packet, loss ${fmt(row.lossPercent, 2)}%, p99 ${fmt(row.p99Ms, 3)} ms)`);
		console.log(`    by object: ${dsos.join('; ')}`);
		console.log('    inclusive (children, self) of the forwarding path:');
		for (const l of inclusive) console.log(`      ${l}`);
		console.log('    hottest symbols (self):');
		for (const l of lines) console.log(`      ${l}`);
	}
	return profiles;
}

function setUpPinning() {
	if (haveCommand('taskset') && os.cpus().length >= 2) {
		pinning = true;
		pinNote = 'SFU on core 0 (taskset -c 0), load generator + sink on core 1, raw loops on core 0';
		spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
	} else {
		pinNote = haveCommand('taskset') ? 'UNPINNED: fewer than 2 CPUs' : 'UNPINNED: taskset (util-linux) not found';
	}
	// On a shared machine, neighbours on core 0 would otherwise decide loss and latency.
	boost = spawnSync('nice', ['-n', '-10', 'nice'], { encoding: 'utf8' }).stdout?.trim() === '-10';
	pinNote += boost ? '; SFU (own session and autogroup) and raw loops at nice -10' : '; no priority boost (nice -10 not permitted)';
}

async function main() {
	if (os.platform() !== 'linux') fail('Linux only (recvmmsg, sendmmsg, /proc)');
	setUpPinning();
	compile();
	checkSrtp();
	if (process.argv.includes('--perf-only')) return profile();

	const rawRuns = [await measureRaw()];
	const rows = [];
	for (const srtp of [false, true]) {
		if (!MODES.includes(srtp ? 'srtp' : 'rtp')) continue;
		for (const n of COUNTS) rows.push(await runScenario({ n, srtp }));
	}
	const compared = [];
	if (COMPARE) {
		for (const srtp of [false, true]) {
			for (const udpSend of COMPARED_WAYS) compared.push(await runScenario({ n: TARGET.n, srtp, udpSend }));
		}
	}
	const pipeCost = [];
	const piped = [];
	if (PIPES) {
		for (const [workerCount, pipe] of [[1, undefined], [2, 'in-process'], [2, 'udp']]) {
			pipeCost.push(await runScenario({ n: PIPE_COST_N, srtp: false, workerCount, pipe, onSecond: 1, pps: PIPE_COST_PPS }));
		}
		for (const [workerCount, pipe] of [[1, undefined], [2, 'in-process'], [2, 'udp']]) {
			piped.push(await runScenario({ n: PIPE_N, srtp: false, workerCount, pipe, pps: PIPE_PPS }));
		}
	}
	const serverRows = [];
	if (WEBRTC_SERVER) {
		for (const udpSend of [undefined, 'sendmmsg']) serverRows.push(await runWebRtcServer({ n: TARGET.n, udpSend }));
	}
	const scaling = [];
	if (SCALING) {
		const configurations = [[1, undefined], [2, 'in-process'], [2, 'udp']];
		const runs = configurations.map(() => []);
		for (let repeat = 0; repeat < SCALING_REPEATS; repeat++) {
			for (const [i, [workerCount, pipe]] of configurations.entries()) runs[i].push(await runScaling({ workerCount, pipe }));
		}
		for (const list of runs) {
			const sorted = [...list].sort((a, b) => a.forwardedPerSecond - b.forwardedPerSecond);
			scaling.push({ ...sorted[Math.floor(sorted.length / 2)], runs: list.map((r) => Math.round(r.forwardedPerSecond)) });
		}
	}
	rawRuns.push(await measureRaw());
	// The best of the two raw runs (one before, one after the SFU rows): noise on a
	// shared machine only ever lowers a raw figure, and a lower raw figure would flatter
	// the ratios.
	const raw = {};
	for (const mode of RAW_MODES) {
		raw[mode] = Math.max(...rawRuns.map((r) => r[mode].packetsPerCpuSecond));
	}
	for (const row of [...rows, ...compared, ...pipeCost, ...piped, ...serverRows]) {
		const [single, batch] = row.mode === 'srtp' ? ['srtp-sendmsg', 'srtp-sendmmsg'] : ['sendmsg', 'sendmmsg'];
		row.ratioSendmsg = row.packetsPerCpuSecond / raw[single];
		row.ratioSendmmsg = row.packetsPerCpuSecond / raw[batch];
	}

	console.log(`forwarding (1 VP8 stream, 1,200-byte RTP at ${PPS} packets/s into a comedia PlainTransport -> N PlainTransport consumers; ${SECONDS} s per row)`);
	console.log(`  pinning: ${pinNote}`);
	console.log(`  raw limits, 1,200-byte UDP to 127.0.0.1 (best of 2 runs of ${RAW_SECONDS} s, thread CPU time):`);
	console.log(`    sendmsg                  ${fmt(raw.sendmsg, 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw.sendmsg, 2)} µs each)`);
	console.log(`    sendmmsg (32)            ${fmt(raw.sendmmsg, 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw.sendmmsg, 2)} µs each)`);
	console.log(`    SRTP protect + sendmsg   ${fmt(raw['srtp-sendmsg'], 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw['srtp-sendmsg'], 2)} µs each)`);
	console.log(`    SRTP protect + sendmmsg  ${fmt(raw['srtp-sendmmsg'], 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw['srtp-sendmmsg'], 2)} µs each)`);
	console.log(`    100 sockets, send each   ${fmt(raw['sockets-sendmsg'], 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw['sockets-sendmsg'], 2)} µs each)`);
	console.log(raw['sockets-uring'] ? `    100 sockets, io_uring    ${fmt(raw['sockets-uring'], 0).padStart(8)} packets per CPU-second (${fmt(1e6 / raw['sockets-uring'], 2)} µs each; 100 entries per io_uring_enter)`
		: '    100 sockets, io_uring    unavailable on this machine');
	console.log(`  mediaplane (UDP sent with ${rows[0]?.udpSend ?? '?'}; ratios: forwarded packets per worker CPU-second / the raw loop of the same mode, sendmsg | sendmmsg)`);
	const header = '    mode     N   in/s     out/s  worker  µs/pkt  pkts/CPU-s  vs sendmsg  vs mmsg    loss   p50 ms   p99 ms';
	console.log(header);
	const printRow = (r, suffix = '') => {
		console.log(`    ${r.mode.padEnd(4)} ${String(r.n).padStart(4)} ${fmt(r.inPerSecond, 0).padStart(6)} ${fmt(r.outPerSecond, 0).padStart(9)}` +
			` ${(fmt(100 * r.workerLoad, 0) + '%').padStart(7)} ${fmt(r.workerUsPerPacket, 2).padStart(7)} ${fmt(r.packetsPerCpuSecond, 0).padStart(11)}` +
			` ${(fmt(100 * r.ratioSendmsg, 1) + '%').padStart(11)} ${(fmt(100 * r.ratioSendmmsg, 1) + '%').padStart(8)}` +
			` ${(fmt(r.lossPercent, 2) + '%').padStart(7)} ${fmt(r.p50Ms, 3).padStart(8)} ${fmt(r.p99Ms, 3).padStart(8)}${suffix}`);
	};
	for (const r of rows) printRow(r);
	if (compared.length) {
		console.log(`  the ways of sending UDP at N = ${TARGET.n} (the row above with ${rows[0]?.udpSend}; sendmmsg: disableLiburing, one call per socket and turn;`);
		console.log('  immediate: one sendmsg per datagram, as before batching)');
		for (const r of [...rows.filter((r) => r.n === TARGET.n), ...compared]) printRow(r, `  ${r.udpSend}`);
	}
	if (piped.length) {
		console.log('  pipes: one worker, or two joined by a pipe (in-process: pipeToRouter(), rings between the worker threads; udp: a');
		console.log('  PipeTransport pair over 127.0.0.1, as between processes). Both workers share core 0 (CPU time is what is compared).');
		console.log('    rows     N   pps  on B  workers  pipe          out/s   CPU ms/s (A, B)   µs/fwd pkt    loss   p50 ms   p99 ms  wake-ups/datagram');
		const printPiped = (label, r) => {
			const seconds = r.sent / r.pps;
			const cpuPerSecond = r.perWorkerCpuMs.map((ms) => fmt(ms / seconds, 0)).join(', ');
			console.log(`    ${label.padEnd(5)} ${String(r.n).padStart(4)} ${String(r.pps).padStart(5)} ${(fmt(100 * r.onSecond, 0) + '%').padStart(5)} ${String(r.workers).padStart(8)}  ${(r.pipe ?? '-').padEnd(10)}` +
				` ${fmt(r.outPerSecond, 0).padStart(9)}   ${cpuPerSecond.padEnd(16)} ${fmt(r.workerUsPerPacket, 2).padStart(10)}` +
				` ${(fmt(r.lossPercent, 2) + '%').padStart(7)} ${fmt(r.p50Ms, 3).padStart(8)} ${fmt(r.p99Ms, 3).padStart(8)}` +
				`  ${r.pipeWakeupsPerDatagram === null ? '' : fmt(r.pipeWakeupsPerDatagram, 3)}`);
		};
		for (const r of pipeCost) printPiped('cost', r);
		for (const r of piped) printPiped('room', r);
		const find = (list, pipe) => list.find((r) => (r.pipe ?? undefined) === pipe);
		const [single, inProcess, udp] = [undefined, 'in-process', 'udp'].map((p) => find(pipeCost, p));
		if (single && inProcess && udp) {
			// Every input packet crosses the pipe once: the pipe's cost is what the two
			// workers spend beyond the one worker doing the same forwarding.
			const cost = (r) => ((r.workerCpuMs - single.workerCpuMs) * 1000) / r.sent;
			console.log(`    a piped packet costs ${fmt(cost(inProcess), 2)} µs in-process and ${fmt(cost(udp), 2)} µs over UDP (both workers, send and receive):` +
				` in-process ${fmt(100 * cost(inProcess) / cost(udp), 0)}% of UDP (target <= 20%)`);
		}
		const [roomSingle, roomInProcess] = [undefined, 'in-process'].map((p) => find(piped, p));
		if (roomSingle && roomInProcess) {
			// Capacity if each worker had a core of its own: the busier worker decides.
			const capacity = (r) => r.outPerSecond / (Math.max(...r.perWorkerCpuMs) / 1000 / (r.sent / r.pps));
			console.log(`    forwarding capacity with a core per worker (out/s ÷ the busier worker's CPU share; this machine's second core runs the load`);
			console.log(`    generator and sink): 1 worker ${fmt(capacity(roomSingle), 0)}/s, 2 workers in-process ${fmt(capacity(roomInProcess), 0)}/s` +
				` (${fmt(capacity(roomInProcess) / capacity(roomSingle), 2)}x; target >= 1.8x)`);
		}
	}
	if (serverRows.length) {
		console.log(`  WebRtcServer: N libdatachannel players on WebRtcTransports of one WebRtcServer (mediaplane.webrtc.RTCPeerConnection),`);
		console.log('  SRTP in and out: every copy leaves through one socket; loss from 10 sampled players (their latency is not');
		console.log('  comparable: it includes libdatachannel\'s hop to a JavaScript thread that shares core 1 with 100 players\' SRTP)');
		console.log('    mode     N  send      out/s  worker  µs/pkt  pkts/CPU-s  vs srtp+sendmmsg  sampled loss');
		for (const r of serverRows) {
			console.log(`    ${r.mode.padEnd(4)} ${String(r.n).padStart(4)}  ${r.udpSend.padEnd(8)} ${fmt(r.outPerSecond, 0).padStart(9)} ${(fmt(100 * r.workerLoad, 0) + '%').padStart(7)}` +
				` ${fmt(r.workerUsPerPacket, 2).padStart(7)} ${fmt(r.packetsPerCpuSecond, 0).padStart(11)} ${(fmt(100 * r.ratioSendmmsg, 1) + '%').padStart(17)}` +
				` ${(fmt(r.sampledLossPercent, 2) + '%').padStart(13)}`);
		}
		const plainTransports = rows.find((r) => r.mode === 'srtp' && r.n === TARGET.n);
		if (plainTransports) {
			console.log(`    (the same fan-out over ${TARGET.n} PlainTransports, a socket each, above: ${fmt(plainTransports.workerUsPerPacket, 2)} µs per forwarded packet)`);
		}
	}
	if (scaling.length) {
		console.log(`  scaling: ${SCALING_N} consumers of a ${SCALING_PPS} packets/s stream (demand ${fmt(SCALING_N * SCALING_PPS, 0)} packets/s, above capacity), the SFU`);
		console.log('  unpinned so that each worker can have a core, the sink a socket that is never read, the generator on core 1;');
		console.log(`  each configuration ${SCALING_REPEATS} times, interleaved: the median run, and forwarded/s of every run`);
		console.log('    workers  pipe          in/s   forwarded/s   worker load (A, B)   producer socket drops   wake-ups per piped datagram   runs');
		for (const r of scaling) {
			console.log(`    ${String(r.workers).padStart(7)}  ${(r.pipe ?? '-').padEnd(10)} ${fmt(r.inPerSecond, 0).padStart(6)} ${fmt(r.forwardedPerSecond, 0).padStart(13)}` +
				`   ${r.workerLoads.map((l) => fmt(100 * l, 0) + '%').join(', ').padEnd(18)} ${String(r.inSocketDrops).padStart(10)}` +
				`   ${(r.pipeWakeupsPerDatagram === null ? '' : fmt(r.pipeWakeupsPerDatagram, 3)).padStart(27)}   ${r.runs.map((v) => fmt(v, 0)).join(' / ')}`);
		}
	}
	console.log('    (worker = worker-thread CPU time / wall time (RUSAGE_THREAD; the loopback receive path runs in it too, as in the raw loops);');
	console.log('     loss = 1 − distinct packets at the sink / (N × packets sent); latency = kernel receive time at the sink − send time)');
	console.log('  latency detail: first copy out of the SFU p50/p99 | fan-out spread (last − first copy of one input) p50/p99 | worst input |');
	console.log('  time the worker thread spent runnable but waiting for core 0 (schedstat run_delay: other tasks on the core)');
	for (const r of rows) {
		const [counter, first, last] = r.worstInputs[0] ?? [];
		console.log(`    ${r.mode.padEnd(4)} ${String(r.n).padStart(4)}  first ${fmt(r.firstCopyP50Ms, 3)}/${fmt(r.firstCopyP99Ms, 3)} ms` +
			`  spread ${fmt(r.fanoutSpreadP50Ms, 3)}/${fmt(r.fanoutSpreadP99Ms, 3)} ms` +
			(counter === undefined ? '' : `  worst: input #${counter} first ${fmt(first / 1000, 1)} ms, last ${fmt(last / 1000, 1)} ms`) +
			`  worker runnable-but-waiting ${fmt(r.workerRunQueueWaitMs, 1)} ms`);
	}
	console.log('  memory: SFU process RSS added while the traffic flowed, per consumer (retransmission history: consumer headers,');
	console.log('  payloads shared between consumers; RetransmissionBuffer keeps up to 1,024 packets or 2 s per video stream)');
	console.log(`    ${rows.map((r) => `${r.mode}/${r.n} ${fmt(r.rssGrowthKiBPerConsumer, 1)} KiB`).join(', ')}`);
	for (const r of rows) {
		const where = [];
		if (r.inSocketDrops) where.push(`${r.inSocketDrops} dropped in the producer socket's receive queue (worker too slow)`);
		if (r.sinkSocketDrops) where.push(`${r.sinkSocketDrops} dropped in the sink's receive queue`);
		if (r.packetsIn < r.sent) where.push(`producer counted ${r.packetsIn} of ${r.sent}`);
		if (r.packetsOut < r.packetsIn * r.n) where.push(`consumers sent ${r.packetsOut} of ${r.packetsIn * r.n}`);
		if (where.length && r.lost) console.log(`    loss ${r.mode} N=${r.n}: ${where.join('; ')}`);
	}
	const idle = rows.map((r) => `${r.mode}/${r.n} ${fmt(r.idleCpuMsPerSecond, 1)}`).join(', ');
	console.log(`    idle worker CPU before traffic, ms per s: ${idle}`);

	const at = (mode) => rows.find((r) => r.n === TARGET.n && r.mode === mode);
	const checks = [];
	const plain = at('rtp');
	const secure = at('srtp');
	if (plain) {
		checks.push({ name: `N=${TARGET.n} RTP: forwarded/CPU-s >= ${TARGET.plainRatio * 100}% of raw sendmmsg`, value: `${fmt(100 * plain.ratioSendmmsg, 1)}%`, pass: plain.ratioSendmmsg >= TARGET.plainRatio });
	}
	if (secure) {
		checks.push({ name: `N=${TARGET.n} SRTP: forwarded/CPU-s >= ${TARGET.srtpRatio * 100}% of raw SRTP+sendmmsg`, value: `${fmt(100 * secure.ratioSendmmsg, 1)}%`, pass: secure.ratioSendmmsg >= TARGET.srtpRatio });
	}
	for (const r of [plain, secure].filter(Boolean)) {
		checks.push({ name: `N=${TARGET.n} ${r.mode.toUpperCase()}: zero loss`, value: `${r.lost} lost`, pass: r.lost === 0 });
		checks.push({ name: `N=${TARGET.n} ${r.mode.toUpperCase()}: p99 added latency < ${TARGET.p99Ms} ms`, value: `${fmt(r.p99Ms, 3)} ms`, pass: r.p99Ms < TARGET.p99Ms });
	}
	const [oneWorker, twoWorkers] = [scaling.find((r) => r.workers === 1), scaling.find((r) => r.pipe === 'in-process')];
	if (oneWorker && twoWorkers) {
		const ratio = twoWorkers.forwardedPerSecond / oneWorker.forwardedPerSecond;
		checks.push({ name: `2 workers (in-process pipe) forward >= ${SCALING_TARGET}x what 1 worker does, on 2 cores`, value: `${fmt(ratio, 2)}x`, pass: ratio >= SCALING_TARGET });
	}
	console.log('  targets (issue 15):');
	for (const c of checks) console.log(`    ${c.pass ? 'MET   ' : 'MISSED'} ${c.name}: ${c.value}`);

	// Correctness of the run itself (not targets): these fail the benchmark.
	const problems = [];
	for (const r of [...rows, ...compared, ...pipeCost, ...piped]) {
		if (r.streams !== r.n) problems.push(`${r.mode}/${r.n}: ${r.streams} of ${r.n} consumer streams reached the sink`);
		if (r.payloadMismatches) problems.push(`${r.mode}/${r.n}: ${r.payloadMismatches} payloads did not match their sequence number`);
		if (r.authFailed) problems.push(`${r.mode}/${r.n}: ${r.authFailed} of ${r.authChecked} sampled SRTP tags did not verify`);
		if (r.unknown) problems.push(`${r.mode}/${r.n}: ${r.unknown} packets with an unknown SSRC`);
	}
	for (const p of problems) console.log(`  FAILED: ${p}`);

	const profiles = process.argv.some((a) => a.startsWith('--perf')) ? await profile() : undefined;

	const json = {
		bench: 'forwarding', pps: PPS, seconds: SECONDS, packetBytes: 1200, pinning, pinNote,
		raw, rawRuns: rawRuns.map((r) => Object.fromEntries(RAW_MODES.map((m) => [m, Math.round(r[m].packetsPerCpuSecond)]))),
		rows: rows.map(({ workerTids, perfData, headerExtensions, ...rest }) => rest),
		compared: compared.map(({ workerTids, perfData, headerExtensions, ...rest }) => rest),
		pipeCost: pipeCost.map(({ workerTids, perfData, headerExtensions, ...rest }) => rest),
		piped: piped.map(({ workerTids, perfData, headerExtensions, ...rest }) => rest),
		scaling,
		webRtcServer: serverRows,
		consumerHeaderExtensions: rows[0]?.headerExtensions,
		targets: checks, problems, profiles,
	};
	console.log(JSON.stringify(json));
	if (problems.length) process.exit(1);
	return json;
}

module.exports = main;
if (require.main === module) {
	main().catch((error) => {
		console.log(`  FAILED: ${error.stack || error}`);
		process.exit(1);
	});
}
