'use strict';
// The SFU side of the forwarding benchmark, run by bench/forwarding.js in its own
// process (pinned with `taskset -c 0` when available) and driven over the IPC channel:
//   setup    one worker, one router, a comedia PlainTransport producer (SRTP when asked)
//            and N PlainTransports, each with one consumer, sending to the sink's port
//   snapshot the worker thread's CPU time (worker.getResourceUsage(): RUSAGE_THREAD) and
//            the CPU ticks of every thread of this process (/proc/self/task/*/stat)
//   stats    producer and consumer packet counts, the producer transport's dropped packets,
//            resident memory
//   close    closes the worker and exits
const fs = require('node:fs');
const crypto = require('node:crypto');
const mediaplane = require('../..');

const LOCAL = '127.0.0.1';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

let worker;
let inTransport;
let producer;
const outTransports = [];
const consumers = [];
let workerTids = [];

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

async function setup({ n, srtp, senderKeyHex, sinkPort, ssrc }) {
	const before = new Set(tids());
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	workerTids = tids().filter((tid) => !before.has(tid));
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
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
	const createOne = async () => {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: srtp, srtpCryptoSuite: SUITE,
		});
		await transport.connect({
			ip: LOCAL, port: sinkPort,
			// The sink never sends, so the remote key only has to be valid.
			...(srtp ? { srtpParameters: { cryptoSuite: SUITE, keyBase64: crypto.randomBytes(30).toString('base64') } } : {}),
		});
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		outTransports.push(transport);
		consumers.push(consumer);
	};
	for (let i = 0; i < n; i += 50) {
		await Promise.all(Array.from({ length: Math.min(50, n - i) }, createOne));
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

async function snapshot() {
	const usage = await worker.getResourceUsage();
	return {
		workerCpuMs: usage.ru_utime + usage.ru_stime, voluntarySwitches: usage.ru_nvcsw, involuntarySwitches: usage.ru_nivcsw,
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
	};
}

const handlers = { setup, snapshot, stats, close: async () => { worker?.close(); setTimeout(() => process.exit(0), 50); return {}; } };

process.on('message', async ({ id, cmd, args }) => {
	try {
		process.send({ id, ok: true, result: await handlers[cmd](args) });
	} catch (error) {
		process.send({ id, ok: false, error: String(error?.stack || error) });
	}
});
process.on('disconnect', () => process.exit(0));
