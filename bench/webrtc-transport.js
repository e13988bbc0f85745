'use strict';
// WebRtcTransports created and closed per second, memory per idle transport, STUN
// binding responses per second (load from a separate process), and DTLS handshakes per
// second (client and server in-process through the addon's loopback hook).
const path = require('node:path');
const { fork } = require('node:child_process');
const mediaplane = require('..');
const { nowMs, fmt, rssMiB } = require('./lib');

const LISTEN = [{ protocol: 'udp', ip: '127.0.0.1' }];

async function createClose(router, count) {
	const t0 = nowMs();
	for (let i = 0; i < count; i++) {
		const transport = await router.createWebRtcTransport({ listenInfos: LISTEN });
		transport.close();
	}
	return count / ((nowMs() - t0) / 1000);
}

async function idleMemory(router, count) {
	global.gc?.();
	await new Promise((r) => setTimeout(r, 200));
	const before = rssMiB();
	const transports = [];
	for (let i = 0; i < count; i++) transports.push(await router.createWebRtcTransport({ listenInfos: LISTEN }));
	global.gc?.();
	await new Promise((r) => setTimeout(r, 200));
	const perTransportKiB = ((rssMiB() - before) * 1024) / count;
	for (const transport of transports) transport.close();
	return perTransportKiB;
}

function stunLoad(transport, durationMs, window) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, 'stun-load.js'), [
			transport.iceCandidates[0].port, transport.iceParameters.usernameFragment, transport.iceParameters.password,
			durationMs, window,
		]);
		child.once('message', (m) => {
			child.kill();
			resolve(m);
		});
		child.once('error', reject);
	});
}

async function main() {
	const worker = await mediaplane.createWorker({ rtcMinPort: 20000, rtcMaxPort: 29999 });
	const router = await worker.createRouter();
	await createClose(router, 200); // warm-up
	const perSecond = await createClose(router, 2000);
	const memoryKiB = await idleMemory(router, 1000);

	const transport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	await stunLoad(transport, 500, 32); // warm-up
	const usageBefore = await worker.getResourceUsage();
	const load = await stunLoad(transport, 3000, 32);
	const usageAfter = await worker.getResourceUsage();
	const workerCpuSeconds = (usageAfter.ru_utime + usageAfter.ru_stime - usageBefore.ru_utime - usageBefore.ru_stime) / 1000;
	const stunPerSecond = load.responses / load.seconds;
	worker.close();

	const native = require(path.join(__dirname, '..', 'lib', 'native.js')).addon;
	let dtlsLine = '  DTLS handshakes: (the addon has no dtlsLoopbackHandshake hook)';
	if (typeof native.dtlsLoopbackHandshake === 'function') {
		native.dtlsLoopbackHandshake({ iterations: 20 });
		const result = native.dtlsLoopbackHandshake({ iterations: 300 });
		const handshakesPerSecond = 300 / (result.elapsedMs / 1000);
		dtlsLine = `  DTLS handshakes  ${fmt(handshakesPerSecond, 0)} /s on one thread (client + server sides both counted in the time; suite ${result.suite})`;
	}

	console.log('WebRtcTransport');
	console.log(`  create + close   ${fmt(perSecond, 0)} transports/s (sequential, UDP on 127.0.0.1)`);
	console.log(`  idle transport   ${fmt(memoryKiB, 1)} KiB RSS each (1,000 open; target < 64 KiB beyond socket buffers)`);
	console.log(`  STUN responses   ${fmt(stunPerSecond, 0)} /s from a load process (32 in flight), ` +
		`${fmt(load.responses / Math.max(workerCpuSeconds, 1e-6), 0)} per worker CPU-second`);
	console.log(dtlsLine);
	return { perSecond, memoryKiB, stunPerSecond };
}

module.exports = main;
if (require.main === module) main();
