'use strict';
// Worker lifecycle, settings, events and errors, against the real native engine.
const t = require('tap');
const debug = require('debug');
const mediaplane = require('..');
const { InvalidStateError } = mediaplane;

t.test('createWorker() starts a worker in this process', async (t) => {
	let observed;
	const onNewWorker = (w) => (observed = w);
	mediaplane.observer.on('newworker', onNewWorker);
	const worker = await mediaplane.createWorker({ appData: { foo: 'bar' } });
	mediaplane.observer.off('newworker', onNewWorker);
	t.equal(observed, worker, 'observer emits newworker');
	t.equal(worker.pid, process.pid, 'pid is the Node process pid');
	t.equal(worker.closed, false);
	t.equal(worker.died, false);
	t.same(worker.appData, { foo: 'bar' });
	worker.appData = { baz: 1 };
	t.same(worker.appData, { baz: 1 }, 'appData can be replaced');

	const dump = await worker.dump();
	t.equal(dump.pid, process.pid);
	t.same(dump.routerIds, []);
	t.same(dump.webRtcServerIds, []);
	t.same(dump.channelMessageHandlers, { channelRequestHandlers: [], channelNotificationHandlers: [] });

	const usage = await worker.getResourceUsage();
	for (const field of ['ru_utime', 'ru_stime', 'ru_maxrss', 'ru_ixrss', 'ru_idrss', 'ru_isrss', 'ru_minflt',
		'ru_majflt', 'ru_nswap', 'ru_inblock', 'ru_oublock', 'ru_msgsnd', 'ru_msgrcv', 'ru_nsignals', 'ru_nvcsw',
		'ru_nivcsw']) {
		t.type(usage[field], 'number', `getResourceUsage().${field}`);
	}
	t.ok(usage.ru_maxrss > 0);
	worker.close();
	t.equal(worker.closed, true);
});

t.test('the worker thread reports its own CPU time, not the process total', async (t) => {
	const worker = await mediaplane.createWorker();
	const before = await worker.getResourceUsage();
	// Burn CPU on the main thread only; the worker thread's time must barely move.
	const end = Date.now() + 300;
	while (Date.now() < end);
	const after = await worker.getResourceUsage();
	t.ok(after.ru_utime + after.ru_stime - (before.ru_utime + before.ru_stime) < 150,
		'worker thread CPU time grew far less than the 300 ms burnt on the main thread');
	worker.close();
});

t.test('several workers run at once, each with its own routers', async (t) => {
	const workers = await Promise.all([1, 2, 3].map(() => mediaplane.createWorker()));
	const routers = await Promise.all(workers.map((w) => w.createRouter()));
	for (let i = 0; i < workers.length; i++) {
		t.same((await workers[i].dump()).routerIds, [routers[i].id]);
	}
	for (const w of workers) w.close();
});

t.test('close() closes routers, emits events in order and rejects later requests', async (t) => {
	const worker = await mediaplane.createWorker();
	const router = await worker.createRouter();
	const order = [];
	router.on('workerclose', () => order.push('router workerclose'));
	router.observer.on('close', () => order.push('router observer close'));
	worker.observer.on('close', () => order.push('worker observer close'));
	// A request still in flight when close() runs must settle, not hang.
	const inFlight = worker.dump().then(() => 'resolved', (e) => e.name);
	worker.close();
	worker.close(); // idempotent
	t.same(order, ['router workerclose', 'router observer close', 'worker observer close']);
	t.equal(router.closed, true);
	t.ok(['resolved', 'WorkerClosedError'].includes(await inFlight), 'in-flight request settles');
	await t.rejects(worker.dump(), mediaplane.WorkerClosedError);
	await t.rejects(worker.getResourceUsage(), mediaplane.WorkerClosedError);
	await t.rejects(worker.updateSettings({ logLevel: 'debug' }), mediaplane.WorkerClosedError);
	await t.rejects(worker.createRouter(), mediaplane.WorkerClosedError);
	await t.rejects(router.dump(), mediaplane.WorkerClosedError);
	t.equal(worker.died, false, 'a normal close is not a death');
});

t.test('updateSettings() validates and applies log settings', async (t) => {
	const worker = await mediaplane.createWorker();
	await worker.updateSettings({ logLevel: 'warn', logTags: ['ice', 'dtls'] });
	await t.rejects(worker.updateSettings({ logLevel: 'loud' }), { name: 'TypeError', message: /logLevel/ });
	await t.rejects(worker.updateSettings({ logTags: 'ice' }), { name: 'TypeError', message: /logTags/ });
	await t.rejects(worker.updateSettings({ logTags: ['nope'] }), { name: 'TypeError', message: /logTags/ });
	worker.close();
});

t.test('engine log lines reach the debug package, filtered by logLevel', async (t) => {
	const lines = [];
	const originalLog = debug.log;
	debug.log = (...args) => lines.push(args.join(' '));
	debug.enable('mediaplane:*');
	t.teardown(() => {
		debug.log = originalLog;
		debug.disable();
	});

	const quiet = await mediaplane.createWorker({ logLevel: 'error' });
	await quiet.createRouter();
	quiet.close();
	t.notOk(lines.some((l) => l.includes('mediaplane:engine:Router')), 'no engine debug lines at logLevel error');

	const verbose = await mediaplane.createWorker({ logLevel: 'debug' });
	const router = await verbose.createRouter();
	await verbose.dump(); // the log line travels before this response
	t.ok(lines.some((l) => l.includes('mediaplane:engine:Router') && l.includes(`router ${router.id} created`)),
		'engine debug line printed under mediaplane:engine:Router');
	verbose.close();
});

t.test('a fatal engine error emits died, closes routers, and the process lives', async (t) => {
	process.env.MEDIAPLANE_ENABLE_TEST_HOOKS = '1';
	const worker = await mediaplane.createWorker();
	delete process.env.MEDIAPLANE_ENABLE_TEST_HOOKS;
	const router = await worker.createRouter();
	const order = [];
	router.on('workerclose', () => order.push('router workerclose'));
	worker.observer.on('close', () => order.push('worker observer close'));
	let subprocessCloses = 0;
	worker.on('subprocessclose', (...args) => {
		subprocessCloses += 1;
		order.push('subprocessclose');
		t.same(args, [], 'subprocessclose carries no arguments, as mediasoup');
	});
	const died = new Promise((resolve) => worker.on('died', (error) => {
		order.push('died');
		resolve(error);
	}));
	// A throwing 'died' listener must surface as 'listenererror', not crash.
	worker.on('died', () => {
		throw new Error('listener bug');
	});
	const listenerError = new Promise((resolve) => worker.on('listenererror', (event, error) => resolve([event, error])));
	await t.rejects(worker.simulateFatalErrorForTesting(), /simulated fatal error/);
	const error = await died;
	t.type(error, Error);
	t.match(error.message, /simulated fatal error/);
	t.equal(worker.died, true);
	t.equal(worker.closed, true);
	t.equal(router.closed, true);
	t.same(order, ['router workerclose', 'died', 'subprocessclose', 'worker observer close'],
		"as mediasoup's workerDied(): died, subprocessclose, then observer close");
	t.equal(worker.subprocessClosed, true);
	t.equal(subprocessCloses, 1);
	const [event, listenerFailure] = await listenerError;
	t.equal(event, 'died');
	t.equal(listenerFailure.message, 'listener bug');
	await t.rejects(worker.dump(), mediaplane.WorkerClosedError);
	// The process and other workers are unaffected.
	const other = await mediaplane.createWorker();
	t.equal((await other.dump()).pid, process.pid);
	other.close();
});

t.test('the test-only fatal error request is refused without test hooks', async (t) => {
	const worker = await mediaplane.createWorker();
	await t.rejects(worker.simulateFatalErrorForTesting(), /test hooks are disabled/);
	t.equal(worker.died, false);
	worker.close();
});

t.test('creating and closing many workers frees their memory', async (t) => {
	const cycle = async () => {
		const worker = await mediaplane.createWorker();
		await Promise.all([worker.createRouter(), worker.createRouter()]);
		await worker.dump();
		worker.close();
		await new Promise((resolve) => {
			const check = () => (worker.subprocessClosed ? resolve() : setImmediate(check));
			check();
		});
	};
	for (let i = 0; i < 50; i++) await cycle(); // warm up allocators and the JIT
	global.gc?.();
	const before = process.memoryUsage().rss;
	for (let i = 0; i < 300; i++) await cycle();
	global.gc?.();
	const grownMiB = (process.memoryUsage().rss - before) / (1024 * 1024);
	// Under ASan (test/sanitized-socket.test.js) freed memory waits in its quarantine (256
	// MiB at most) before it is reused: growth up to that much is the sanitizer's.
	const quarantineMiB = process.env.MEDIAPLANE_SANITIZED ? 256 : 0;
	t.ok(grownMiB < 25 + quarantineMiB, `RSS grew ${grownMiB.toFixed(1)} MiB over 300 workers (a leaked 8 MiB thread stack each would be far more)`);
});

t.test('subprocessclose fires once the worker thread has ended after close(), as mediasoup subprocesses', async (t) => {
	const worker = await mediaplane.createWorker();
	await worker.createRouter();
	t.equal(worker.subprocessClosed, false);
	let count = 0;
	const closed = new Promise((resolve) => worker.on('subprocessclose', (...args) => {
		count += 1;
		resolve(args);
	}));
	worker.close();
	t.equal(worker.closed, true);
	// The usual shutdown pattern of mediasoup applications and test suites.
	if (!worker.subprocessClosed) t.same(await closed, []);
	t.equal(worker.subprocessClosed, true);
	worker.close();
	await new Promise((resolve) => setTimeout(resolve, 50));
	t.equal(count, 1, 'emitted once, even after another close()');
	await t.rejects(worker.dump(), mediaplane.WorkerClosedError);
});

t.test('createWorker({ workerBin }) is validated as mediasoup does, then unused', async (t) => {
	await t.rejects(mediaplane.createWorker({ workerBin: 42 }), { name: 'TypeError', message: /workerBin/ });
	await t.rejects(mediaplane.createWorker({ workerBin: '/nonexistent/mediasoup-worker' }), { name: 'Error', message: /workerBin/ });
	const worker = await mediaplane.createWorker({ workerBin: mediaplane.workerBin });
	t.equal(worker.closed, false);
	worker.close();
});
