'use strict';
// The engine's C++ unit tests: test/cpp/*.test.cpp and test/cpp/main.cpp linked with
// the engine's pure C++ library (mediaplane_core in CMakeLists.txt) under AddressSanitizer
// and UBSan, in the "asan" CMake preset's build-asan/engine-tests (the same build
// directory and flags as the sanitized addon of test/sanitized-socket.test.js). Runs it
// and turns each "ok N - name" / "not ok N - name" line it prints into a tap assertion.
//
// CMake rebuilds only what changed. A sanitizer report or a crash fails the test that
// was running when it happened.
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { buildPreset, PRESET_DIRS } = require('../scripts/build-native');

const root = path.join(__dirname, '..');
const outDir = path.join(root, PRESET_DIRS.asan);
const binary = path.join(outDir, 'engine-tests');
const runTimeoutMs = 120_000;

// Builds (or brings up to date) the engine-tests target; its output when it fails.
async function build() {
	let output = '';
	try {
		await buildPreset('asan', { target: 'engine-tests', log: (chunk) => (output += chunk) });
		return { ok: true, output };
	} catch (error) {
		return { ok: false, output: `${output}\n${error.message}` };
	}
}

// Runs the binary with stdout and stderr into one file, so sanitizer reports land
// between the "# start" and result lines of the test that caused them.
function runTests(args, timeoutMs) {
	const logFile = path.join(outDir, `engine-tests.${process.pid}.log`);
	const fd = fs.openSync(logFile, 'w');
	return new Promise((resolve) => {
		const env = {
			...process.env,
			ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
			UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=0',
		};
		const child = spawn(binary, args, { cwd: root, stdio: ['ignore', fd, fd], env });
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, Math.max(timeoutMs, 1000));
		const finish = (code, signal, error) => {
			clearTimeout(timer);
			fs.closeSync(fd);
			const output = fs.readFileSync(logFile, 'utf8');
			fs.rmSync(logFile, { force: true });
			resolve({ code, signal, timedOut, output: error ? `${output}\n${error.message}` : output });
		};
		child.on('error', (error) => finish(-1, null, error));
		child.on('exit', (code, signal) => finish(code, signal));
	});
}

const sanitizerReport = /runtime error:|ERROR: (?:Address|Leak|UndefinedBehavior)Sanitizer|SUMMARY: \w+Sanitizer/;

// Splits one run's output into per-test results, the test running when output ended
// (if the binary crashed) and lines printed outside any test.
function parseRun(output) {
	const run = { planned: undefined, results: [], crashed: undefined, outside: [] };
	let running; // { name, details: [] } between "# start" and its result line
	for (const line of output.split('\n')) {
		let match;
		if ((match = /^1\.\.(\d+)$/.exec(line))) {
			run.planned = Number(match[1]);
		} else if ((match = /^# start \d+ - (.*)$/.exec(line))) {
			running = { name: match[1], details: [] };
		} else if ((match = /^(ok|not ok) \d+ - (.*)$/.exec(line))) {
			const details = running ? running.details : [];
			const sanitized = details.some((text) => sanitizerReport.test(text));
			run.results.push({ name: match[2], passed: match[1] === 'ok' && !sanitized, details });
			running = undefined;
		} else if (running) {
			running.details.push(line);
		} else if (line.trim() && !/^# \d+ passed, \d+ failed$/.test(line)) {
			run.outside.push(line);
		}
	}
	run.crashed = running;
	return run;
}

// The engine's sources are compiled from scratch on a fresh clone, while other test
// files run beside this one: 128–227 s in recent CI runs, and once over scripts/test.js's
// 240 s per file. The build's own time bound is inside build().
t.setTimeout(12 * 60_000);

t.test('engine C++ unit tests', async (t) => {
	const built = await build();
	t.ok(built.ok, 'build the engine-tests target (cmake --preset asan)', {
		diagnostic: !built.ok,
		compilerOutput: built.output.slice(-8000),
	});
	if (!built.ok) return;

	// One run normally; after a crash, resume with the tests that follow the one that
	// crashed, so every test still reports by name.
	const deadline = Date.now() + runTimeoutMs;
	let planned;
	let reported = 0;
	let args = [];
	const outside = [];
	let last;
	for (;;) {
		last = await runTests(args, deadline - Date.now());
		const run = parseRun(last.output);
		planned ??= run.planned;
		outside.push(...run.outside);
		for (const result of run.results) {
			t.ok(result.passed, result.name, { diagnostic: !result.passed, output: result.details.join('\n') });
			++reported;
		}
		if (!run.crashed) break;
		// The binary stopped inside a test: a sanitizer abort, a signal or the timeout.
		t.fail(`${run.crashed.name} (crashed: code ${last.code}, signal ${last.signal})`, {
			output: run.crashed.details.slice(-200).join('\n'),
		});
		++reported;
		if (last.timedOut) break;
		args = ['--after', run.crashed.name];
	}
	t.ok(planned !== undefined, 'the test binary printed its plan', { output: last.output.slice(-4000) });
	t.equal(reported, planned, 'every planned test reported a result');
	t.notOk(last.timedOut, `finished within ${runTimeoutMs / 1000} s`);
	t.notOk(
		outside.some((text) => sanitizerReport.test(text)),
		'no sanitizer report outside a test (leaks are reported at exit)',
		{ output: outside.slice(-200).join('\n') },
	);
	t.ok(
		last.code === 0 || (last.code === 1 && reported === planned),
		`the test binary exited normally (code ${last.code}, signal ${last.signal})`,
	);
});
