'use strict';
// The channel and the worker lifecycle under ThreadSanitizer (issue 14), on every `npm
// test`. scripts/build-sanitized.js --thread builds the addon with -fsanitize=thread
// into build-tsan/ (incrementally; build/Release is never touched); then, each in a
// child `node` with libtsan preloaded and MEDIAPLANE_ADDON_PATH pointing at that build:
//  - test/fixtures/lifecycle-stress.js: engine workers created and closed from the main
//    thread and two worker_threads at once, requests in flight while they close, RTP
//    traces and data messages during teardown, a busy worker_thread terminated;
//  - test/worker.test.js (300 workers created and closed, fatal errors, subprocessclose)
//    and test/process.test.js (the addon in worker_threads, process exit);
//  - test/pipe-in-process.test.js (pipeToRouter() across workers: packets handed from
//    one worker thread to the other through the in-process link's rings).
// Also the engine's cross-thread data structures, as C++ unit tests built with
// -fsanitize=thread (test/cpp/spsc_datagram_ring.test.cpp: the in-process pipe's ring,
// one producer and one consumer thread).
// A run fails on a non-zero exit or any report file (TSan's log_path, which
// grandchildren inherit). The options (halt_on_error, ignore_noninstrumented_modules and
// why) are in scripts/build-sanitized.js, threadSanitizerEnv.
//
// Alone: node_modules/.bin/tap --disable-coverage test/sanitized-thread.test.js
const t = require('tap');
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { runSanitizedChild } = require('./sanitized-child');
const { buildSanitized, threadSanitizerEnv, variant } = require('../scripts/build-sanitized');
const { buildPreset } = require('../scripts/build-native');

const root = path.join(__dirname, '..');
const { outDir, addonPath } = variant('thread');
const RUN_TIMEOUT_MS = 300_000;
const RUNS = [
	{ name: 'lifecycle-stress', args: [path.join('test', 'fixtures', 'lifecycle-stress.js'), '30'], ok: /lifecycle stress: ok/ },
	{ name: 'worker', args: ['--expose-gc', path.join('test', 'worker.test.js')], ok: /# \{ total: \d+, pass: \d+ \}/ },
	{ name: 'process', args: ['--expose-gc', path.join('test', 'process.test.js')], ok: /# \{ total: \d+, pass: \d+ \}/ },
	// In-process pipes: datagrams cross between two worker threads through rings.
	{ name: 'pipe-in-process', args: ['--expose-gc', path.join('test', 'pipe-in-process.test.js')], ok: /# \{ total: \d+, pass: \d+ \}/ },
];
t.setTimeout(15 * 60_000 + RUNS.length * RUN_TIMEOUT_MS);

function runUnderTsan({ name, args }) {
	const logDir = path.join(outDir, 'logs', name);
	return runSanitizedChild({ args, env: threadSanitizerEnv(logDir), logDir, timeoutMs: RUN_TIMEOUT_MS });
}

t.test('the worker lifecycle and the channel under ThreadSanitizer', async (t) => {
	let buildLog = '';
	const buildStart = Date.now();
	try {
		await buildSanitized((chunk) => {
			buildLog = (buildLog + chunk.toString()).slice(-20_000);
		}, 'thread');
	} catch (error) {
		t.fail(`ThreadSanitizer build failed: ${error.message}\n${buildLog}`);
		return;
	}
	t.comment(`ThreadSanitizer addon ready in ${((Date.now() - buildStart) / 1000).toFixed(1)} s: ${path.relative(root, addonPath)}`);
	for (const run of RUNS) {
		const result = await runUnderTsan(run);
		const tail = result.output.slice(-3000);
		t.same(result.reports, [], `${run.name}: no ThreadSanitizer report${result.reports.length ? `\n${result.reports.join('\n').slice(0, 20_000)}` : ''}`);
		t.ok(result.code === 0 && result.signal === null && run.ok.test(result.output),
			`${run.name}: passed in ${result.seconds.toFixed(1)} s (exit ${result.code}${result.signal ? `, ${result.signal}` : ''})${result.code === 0 ? '' : `\n${tail}`}`);
	}
});

t.test('cross-thread engine structures (C++ unit tests) under ThreadSanitizer', async (t) => {
	const binary = path.join(outDir, 'cross-thread-tests');
	let buildLog = '';
	try {
		await buildPreset('tsan', { target: 'cross-thread-tests', log: (chunk) => (buildLog += chunk) });
	} catch (error) {
		t.fail(`build failed: ${error.message}\n${buildLog.slice(-4000)}`);
		return;
	}
	const run = spawnSync(binary, [], { cwd: root, encoding: 'utf8', timeout: RUN_TIMEOUT_MS,
		env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1' } });
	const output = `${run.stdout}${run.stderr}`;
	t.notMatch(output, /WARNING: ThreadSanitizer/, 'no ThreadSanitizer report');
	const passed = run.status === 0 && /# \d+ passed, 0 failed/.test(output);
	t.ok(passed, `the tests passed (exit ${run.status})${passed ? '' : `\n${output.slice(-2000)}`}`);
});
