'use strict';
// createWorker() to ready and worker.close(), over 50 workers, next to the cost of
// starting a child process that answers one message on a pipe (the floor for a
// subprocess-based SFU worker), measured in the same run.
const { spawn } = require('node:child_process');
const mediaplane = require('..');
const { stats, nowMs, fmt } = require('./lib');

const COUNT = 50;

function waitUntil(predicate) {
	return new Promise((resolve) => {
		const check = () => (predicate() ? resolve() : setImmediate(check));
		check();
	});
}

async function childProcessStart() {
	// /bin/sh writes one line and waits: the cheapest "subprocess ready" handshake.
	const start = nowMs();
	const child = spawn('/bin/sh', ['-c', 'echo ready; read x'], { stdio: ['pipe', 'pipe', 'ignore'] });
	await new Promise((resolve) => child.stdout.once('data', resolve));
	const ready = nowMs() - start;
	const closeStart = nowMs();
	child.stdin.end('\n');
	await new Promise((resolve) => child.once('exit', resolve));
	return { ready, closed: nowMs() - closeStart };
}

async function main() {
	// Warm up code paths (and the JIT) once.
	(await mediaplane.createWorker()).close();
	await childProcessStart();

	const ready = [];
	const closeCall = [];
	const closeDone = [];
	for (let i = 0; i < COUNT; i++) {
		const t0 = nowMs();
		const worker = await mediaplane.createWorker();
		ready.push(nowMs() - t0);
		const t1 = nowMs();
		worker.close();
		closeCall.push(nowMs() - t1);
		await waitUntil(() => worker.subprocessClosed);
		closeDone.push(nowMs() - t1);
	}

	const childReady = [];
	const childClose = [];
	for (let i = 0; i < COUNT; i++) {
		const r = await childProcessStart();
		childReady.push(r.ready);
		childClose.push(r.closed);
	}

	const s = { ready: stats(ready), closeCall: stats(closeCall), closeDone: stats(closeDone), childReady: stats(childReady), childClose: stats(childClose) };
	console.log(`worker lifecycle over ${COUNT} workers (ms)`);
	console.log(`  createWorker() to ready      median ${fmt(s.ready.median)}  p99 ${fmt(s.ready.p99)}   (target: median < 2 ms)`);
	console.log(`  worker.close() call          median ${fmt(s.closeCall.median)}  p99 ${fmt(s.closeCall.p99)}`);
	console.log(`  close() until thread ended   median ${fmt(s.closeDone.median)}  p99 ${fmt(s.closeDone.p99)}`);
	console.log(`  baseline: child process start+handshake median ${fmt(s.childReady.median)}  p99 ${fmt(s.childReady.p99)}; exit median ${fmt(s.childClose.median)}`);
	console.log(`  ratio: child-process start / createWorker = ${fmt(s.childReady.median / s.ready.median, 1)}x`);
	return s;
}

module.exports = main;
if (require.main === module) main();
