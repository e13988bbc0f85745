'use strict';
// Resident memory added by idle workers and by routers. Run in a fresh process (the
// bench runner does) so that nothing else has grown the heap.
const mediaplane = require('..');
const { fmt, rssMiB } = require('./lib');

const WORKERS = 20;
const ROUTERS = 1000;

function settle() {
	if (global.gc) global.gc();
	return new Promise((resolve) => setTimeout(resolve, 300));
}

async function main() {
	// Load everything once so code pages and the first worker's one-time costs are
	// not counted per worker.
	(await mediaplane.createWorker()).close();
	await settle();

	const before = rssMiB();
	const workers = [];
	for (let i = 0; i < WORKERS; i++) workers.push(await mediaplane.createWorker());
	await Promise.all(workers.map((w) => w.dump()));
	await settle();
	const afterWorkers = rssMiB();

	const mediaCodecs = [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	];
	const routers = [];
	for (let i = 0; i < ROUTERS; i++) routers.push(await workers[0].createRouter({ mediaCodecs }));
	await settle();
	const afterRouters = rssMiB();

	const perWorker = (afterWorkers - before) / WORKERS;
	const perRouterKiB = ((afterRouters - afterWorkers) * 1024) / ROUTERS;
	console.log('memory (RSS)');
	console.log(`  idle worker      ${fmt(perWorker, 2)} MiB each (${WORKERS} workers; target < 3 MiB)`);
	console.log(`  1,000 routers    ${fmt(afterRouters - afterWorkers, 2)} MiB (${fmt(perRouterKiB, 1)} KiB each, JS objects included)`);
	for (const w of workers) w.close();
	return { perWorker, routersMiB: afterRouters - afterWorkers };
}

module.exports = main;
if (require.main === module) main();
