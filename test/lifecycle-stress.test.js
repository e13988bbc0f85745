'use strict';
// Worker lifecycle under stress (issue 14): engine workers created and closed from the
// main thread and two worker_threads at once, requests in flight while they close,
// RTP trace and data-message events flowing during teardown, and a worker_thread
// terminated while its engine workers are open. test/fixtures/lifecycle-stress.js does
// the work in a child process (so that a crash or hang is this test's failure, not the
// runner's); test/sanitized-thread.test.js runs the same under ThreadSanitizer.
const t = require('tap');
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROUNDS = 12;

t.test('workers closing under load from three threads: every request settles, nothing crashes', async (t) => {
	const script = path.join(__dirname, 'fixtures', 'lifecycle-stress.js');
	const child = spawn(process.execPath, [script, String(ROUNDS)], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d) => (stdout += d));
	child.stderr.on('data', (d) => (stderr += d));
	const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
	const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
	clearTimeout(killer);
	t.equal(signal, null, `not killed (${stderr.slice(-2000)})`);
	t.equal(code, 0, `exit code (${stdout.slice(-2000)}${stderr.slice(-2000)})`);
	const reports = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
	t.same(reports.map((r) => r.name), ['main', 'thread-a', 'thread-b', 'thread-terminated']);
	for (const report of reports.slice(0, 3)) {
		t.equal(report.rounds, ROUNDS, `${report.name}: every round ran`);
		t.ok(report.settled >= ROUNDS * 80, `${report.name}: ${report.settled} requests settled`);
		t.equal(report.unsettled, 0, `${report.name}: none left pending`);
		t.same(report.errors, [], `${report.name}: no unexpected error`);
	}
	t.equal(reports[3].terminated, true, 'the busy worker_thread was terminated');
	t.match(stdout, /lifecycle stress: ok/);
});
