'use strict';
// The SFU side of the forwarding benchmark, run by bench/forwarding.js in its own
// process (pinned with `taskset -c 0` when available) and driven over the IPC channel:
//   setup    one worker, one router, a comedia PlainTransport producer (SRTP when asked)
//            and N PlainTransports, each with one consumer, sending to the sink's port;
//            with workers: 2, a second worker whose router gets the producer piped
//            (pipe: 'in-process' = router.pipeToRouter(), 'udp' = a PipeTransport pair
//            made and connected by hand, as between processes) and a share of the
//            consumers (onSecond: half by default)
//            with webRtcServer: true, no consumers yet: a WebRtcServer on 127.0.0.1
//   answer   { offers }: for each offer (a libdatachannel player, webrtc-players.js) a
//            mediaplane.webrtc.RTCPeerConnection on that WebRtcServer that sends the
//            producer; returns the answers (each consumer sends through the server's
//            one socket)
//   snapshot the worker thread's CPU time (worker.getResourceUsage(): RUSAGE_THREAD) and
//            the CPU ticks of every thread of this process (/proc/self/task/*/stat)
//   stats    producer and consumer packet counts, the producer transport's dropped packets,
//            resident memory
//   close    closes the worker and exits
const fs = require('node:fs');
const crypto = require('node:crypto');
const mediaplane = require('../..');
const { addon } = require('../../lib/native.js');

const LOCAL = '127.0.0.1';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

let worker;
const workers = [];
let inTransport;
let producer;
const outTransports = [];
const consumers = [];
let workerTids = [];
let routers = [];
let webRtcServer;
const peerConnections = [];

function tids() {
	return fs.readdirSync('/proc/self/task');
}

function threadTimes() {
	const out = {};
	for (const tid of tids()) {
		try {
			const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			// Fields 14 and 15 of stat (utime, stime), counted from the state field (3).
			out[tid] = (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
		} catch {
			// the thread ended
		}
	}
	return out;
}

// The producer on `routerB` through a pipe pair: in-process (pipeToRouter) or UDP.
async function pipeProducer(routerA, routerB, pipe) {
	if (pipe === 'in-process') return (await routerA.pipeToRouter({ producerId: producer.id, router: routerB })).pipeProducer;
	const options = { listenInfo: { protocol: 'udp', ip: LOCAL } };
	const [local, remote] = await Promise.all([routerA.createPipeTransport(options), routerB.createPipeTransport(options)]);
	await local.connect({ ip: LOCAL, port: remote.tuple.localPort });
	await remote.connect({ ip: LOCAL, port: local.tuple.localPort });
	const pipeConsumer = await local.consume({ producerId: producer.id });
	return remote.produce({ id: producer.id, kind: pipeConsumer.kind, rtpParameters: pipeConsumer.rtpParameters });
}

async function setup({ n, srtp, senderKeyHex, sinkPort, ssrc, workerCount = 1, pipe, onSecond = 0.5, webRtcServer: useServer = false }) {
	const before = new Set(tids());
	for (let i = 0; i < workerCount; i++) workers.push(await mediaplane.createWorker({ logLevel: 'warn' }));
	worker = workers[0];
	workerTids = tids().filter((tid) => !before.has(tid));
	const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
	routers = await Promise.all(workers.map((w) => w.createRouter({ mediaCodecs })));
	const router = routers[0];
	inTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, enableSrtp: srtp });
	if (srtp) {
		await inTransport.connect({
			srtpParameters: { cryptoSuite: SUITE, keyBase64: Buffer.from(senderKeyHex, 'hex').toString('base64') },
		});
	}
	producer = await inTransport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{
				mimeType: 'video/VP8', payloadType: 101, clockRate: 90000,
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
			}],
			encodings: [{ ssrc }],
		},
	});
	// Consumers on the second worker's router consume the piped producer.
	const sources = [{ router, producerId: producer.id }];
	if (routers[1]) sources.push({ router: routers[1], producerId: (await pipeProducer(router, routers[1], pipe)).id });
	// The first n × (1 − onSecond) consumers on the first worker, the rest on the second.
	const onFirst = sources.length > 1 ? Math.round(n * (1 - onSecond)) : n;
	let created = 0;
	const createOne = async () => {
		const { router, producerId } = sources[created++ < onFirst ? 0 : 1];
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: srtp, srtpCryptoSuite: SUITE,
		});
		await transport.connect({
			ip: LOCAL, port: sinkPort,
			// The sink never sends, so the remote key only has to be valid.
			...(srtp ? { srtpParameters: { cryptoSuite: SUITE, keyBase64: crypto.randomBytes(30).toString('base64') } } : {}),
		});
		const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
		outTransports.push(transport);
		consumers.push(consumer);
	};
	if (useServer) {
		webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }] });
	} else {
		for (let i = 0; i < n; i += 50) {
			await Promise.all(Array.from({ length: Math.min(50, n - i) }, createOne));
		}
	}
	return {
		inPort: inTransport.tuple.localPort,
		pid: process.pid,
		// How the worker sends UDP (MEDIAPLANE_UDP_SEND from the parent; io_uring is in use
		// when the dump has its counters).
		udpSend: process.env.MEDIAPLANE_UDP_SEND || ((await worker.dump()).liburing ? 'uring' : 'sendmmsg'),
		rssMiB: process.memoryUsage().rss / 2 ** 20,
		workerTids,
		consumers: consumers.map((consumer, i) => ({
			ssrc: consumer.rtpParameters.encodings[0].ssrc,
			keyHex: srtp ? Buffer.from(outTransports[i].srtpParameters.keyBase64, 'base64').toString('hex') : '-',
			headerExtensions: consumer.rtpParameters.headerExtensions.map((e) => e.uri),
		})),
	};
}

async function answer({ offers }) {
	const answers = [];
	for (const offer of offers) {
		const pc = new mediaplane.webrtc.RTCPeerConnection({ router: routers[0], transportOptions: { webRtcServer } });
		peerConnections.push(pc);
		await pc.setRemoteDescription({ type: 'offer', sdp: offer });
		pc.addProducer(producer);
		const description = await pc.createAnswer();
		await pc.setLocalDescription(description);
		const made = pc.getConsumers();
		if (made.length !== 1) throw new Error(`expected one consumer per player, the RTCPeerConnection made ${made.length}`);
		consumers.push(...made);
		answers.push(description.sdp);
	}
	return { answers, socketPort: (await webRtcServer.dump()).udpSockets[0].port };
}

async function snapshot() {
	const usages = await Promise.all(workers.map((w) => w.getResourceUsage()));
	const perWorkerCpuMs = usages.map((u) => u.ru_utime + u.ru_stime);
	return {
		workerCpuMs: perWorkerCpuMs.reduce((a, b) => a + b, 0), perWorkerCpuMs,
		voluntarySwitches: usages.reduce((a, u) => a + u.ru_nvcsw, 0), involuntarySwitches: usages.reduce((a, u) => a + u.ru_nivcsw, 0),
		threadMs: threadTimes(), atNs: process.hrtime.bigint().toString(),
		// schedstat: on-CPU ns, ns spent runnable but waiting for the CPU, timeslices.
		workerRunDelayMs: workerTids.reduce((sum, tid) => {
			try {
				return sum + Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
			} catch {
				return sum;
			}
		}, 0),
	};
}

async function stats() {
	const [producerStats] = await producer.getStats();
	const [inStats] = await inTransport.getStats();
	let consumerPackets = 0;
	let consumerBytes = 0;
	let minConsumerPackets = Infinity;
	for (let i = 0; i < consumers.length; i += 100) {
		const batch = await Promise.all(consumers.slice(i, i + 100).map((c) => c.getStats()));
		for (const list of batch) {
			const s = list.find((x) => x.type === 'outbound-rtp') || list[0];
			consumerPackets += s.packetCount;
			consumerBytes += s.byteCount;
			minConsumerPackets = Math.min(minConsumerPackets, s.packetCount);
		}
	}
	return {
		producerPackets: producerStats?.packetCount ?? 0,
		producerLost: producerStats?.packetsLost ?? 0,
		inDropped: inStats.droppedPackets ?? 0,
		inBytes: inStats.rtpBytesReceived ?? 0,
		consumerPackets, consumerBytes,
		// Retransmission history is what grows with traffic: compare with setup's.
		rssMiB: process.memoryUsage().rss / 2 ** 20,
		minConsumerPackets: consumers.length ? minConsumerPackets : 0,
		// In-process pipe links of this process (the addon's test hook), both directions:
		// datagrams sent into them and how often a sender had to wake the other worker.
		pipeLinkSent: addon.inProcessPipeLinks().reduce((a, l) => a + l.sides[0].sent + l.sides[1].sent, 0),
		pipeLinkWakeups: addon.inProcessPipeLinks().reduce((a, l) => a + l.sides[0].wakeups + l.sides[1].wakeups, 0),
	};
}

const handlers = { setup, answer, snapshot, stats, close: async () => { for (const w of workers) w.close(); setTimeout(() => process.exit(0), 50); return {}; } };

process.on('message', async ({ id, cmd, args }) => {
	try {
		process.send({ id, ok: true, result: await handlers[cmd](args) });
	} catch (error) {
		process.send({ id, ok: false, error: String(error?.stack || error) });
	}
});
process.on('disconnect', () => process.exit(0));
