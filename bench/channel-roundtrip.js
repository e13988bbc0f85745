'use strict';
// Request round trips through the channel (router.dump(), a realistic small request
// with an object response): sequential (await each) and pipelined (1,000 in flight).
// Baseline in the same run: a postMessage ping-pong with a Node worker_thread, the
// built-in way to talk to another thread of this process.
const { Worker: ThreadWorker } = require('node:worker_threads');
const mediaplane = require('..');
const { nowMs, fmt } = require('./lib');

const SEQUENTIAL = 50000;
const PIPELINED = 300000;
const WINDOW = 1000;

async function sequential(router, count) {
	const t0 = nowMs();
	for (let i = 0; i < count; i++) await router.dump();
	return count / ((nowMs() - t0) / 1000);
}

async function pipelined(router, count, window) {
	const t0 = nowMs();
	for (let sent = 0; sent < count; sent += window) {
		const batch = new Array(window);
		for (let i = 0; i < window; i++) batch[i] = router.dump();
		await Promise.all(batch);
	}
	return count / ((nowMs() - t0) / 1000);
}

async function threadPingPong(count) {
	const thread = new ThreadWorker(`
		const { parentPort } = require('node:worker_threads');
		parentPort.on('message', (m) => parentPort.postMessage(m));
	`, { eval: true });
	await new Promise((resolve) => thread.once('online', resolve));
	const t0 = nowMs();
	for (let i = 0; i < count; i++) {
		thread.postMessage(i);
		await new Promise((resolve) => thread.once('message', resolve));
	}
	const rate = count / ((nowMs() - t0) / 1000);
	await thread.terminate();
	return rate;
}

async function main() {
	const worker = await mediaplane.createWorker();
	const router = await worker.createRouter();
	// Warm-up: JIT, allocator, and the threads' first scheduling.
	await sequential(router, 5000);
	await pipelined(router, 20000, WINDOW);

	const seq = await sequential(router, SEQUENTIAL);
	const pipe = await pipelined(router, PIPELINED, WINDOW);
	worker.close();
	await threadPingPong(2000);
	const baseline = await threadPingPong(20000);

	console.log('channel round trips (router.dump())');
	console.log(`  sequential  ${fmt(seq, 0)} /s   (target >= 60,000)`);
	console.log(`  pipelined   ${fmt(pipe, 0)} /s   (${WINDOW} in flight; target >= 300,000)`);
	console.log(`  baseline: worker_threads postMessage ping-pong ${fmt(baseline, 0)} /s`);
	console.log(`  ratio: sequential / ping-pong = ${fmt(seq / baseline, 2)}x`);
	return { seq, pipe, baseline };
}

module.exports = main;
if (require.main === module) main();
