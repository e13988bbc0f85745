'use strict';
// The in-process model: per-environment addon state (worker_threads), and workers that
// keep the process alive exactly while they are open.
const t = require('tap');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Worker: ThreadWorker } = require('node:worker_threads');
const mediaplane = require('..');

// Kills the child timeoutMs after it started or, with `armOn`, timeoutMs after its
// output first matched armOn (30 s at most before that): a slow start (a loaded machine,
// the ASan build of test/sanitized-socket.test.js) then does not count.
function runNode(script, timeoutMs, armOn) {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let timer;
		const arm = (ms) => {
			clearTimeout(timer);
			timer = setTimeout(() => child.kill('SIGKILL'), ms);
		};
		let armed = !armOn;
		child.stdout.on('data', (d) => {
			stdout += d;
			if (!armed && armOn.test(stdout)) {
				armed = true;
				arm(timeoutMs);
			}
		});
		child.stderr.on('data', (d) => (stderr += d));
		arm(armOn ? 30_000 : timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, stdout, stderr });
		});
	});
}

function runThread(name, exitWithOpenWorker) {
	return new Promise((resolve, reject) => {
		const thread = new ThreadWorker(path.join(__dirname, 'fixtures', 'worker-thread-user.js'), {
			workerData: { name, exitWithOpenWorker },
		});
		let report;
		thread.on('message', (m) => (report = m));
		thread.on('error', reject);
		thread.on('exit', (code) => resolve({ code, report }));
	});
}

t.test('the addon works in two worker_threads and the main thread at once', async (t) => {
	const mainWorker = await mediaplane.createWorker();
	const [a, b] = await Promise.all([runThread('a', false), runThread('b', true)]);
	for (const result of [a, b]) {
		t.equal(result.code, 0, 'thread exited cleanly');
		t.equal(result.report.routerIds.length, 2);
		t.same(result.report.dumpedRouterIds, result.report.routerIds, 'each env talks to its own workers');
		t.match(result.report.libsrtp, /2\.5\.0/);
	}
	t.same((await mainWorker.dump()).routerIds, [], 'main thread worker unaffected');
	mainWorker.close();
});

t.test('a process exits by itself once every worker is closed', async (t) => {
	const result = await runNode(path.join(__dirname, 'fixtures', 'exit-after-close.js'), 10000);
	t.equal(result.signal, null, 'not killed by the timeout');
	t.equal(result.code, 0, result.stderr);
	t.match(result.stdout, /closed/);
});

t.test('an open worker keeps the process alive, like a worker subprocess', async (t) => {
	const result = await runNode(path.join(__dirname, 'fixtures', 'stay-open.js'), 1500, /open/);
	t.match(result.stdout, /open/);
	t.equal(result.signal, 'SIGKILL', 'still running until the test stopped it');
});
