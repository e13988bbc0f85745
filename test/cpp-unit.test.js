'use strict';
// The engine's C++ unit tests: compiles test/cpp/*.test.cpp and test/cpp/main.cpp with
// the engine sources listed in test/cpp/sources.json (pure C++, no OpenSSL, libuv or
// Node-API) under AddressSanitizer and UBSan into build/cpp-tests/engine-tests, runs it,
// and turns each "ok N - name" / "not ok N - name" line it prints into a tap assertion.
//
// Objects are rebuilt only when their source, a header they include (from g++'s -MMD
// dependency files) or the compiler flags changed. A sanitizer report or a crash fails
// the test that was running when it happened.
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..');
const testDir = path.join(__dirname, 'cpp');
const outDir = path.join(root, 'build', 'cpp-tests');
const objDir = path.join(outDir, 'obj');
const binary = path.join(outDir, 'engine-tests');
const compiler = process.env.CXX || 'g++';
const flags = [
	'-std=c++17',
	'-O1',
	'-g',
	'-fsanitize=address,undefined',
	'-fno-omit-frame-pointer',
	'-Wall',
	'-Wextra',
	'-I/usr/include/node',
	`-I${path.join(root, 'src', 'cpp', 'engine')}`,
	`-I${testDir}`,
];
const runTimeoutMs = 120_000;
const compileJobs = 2;

// Expands a pattern relative to the root: '*' and '?' within one path segment, '**'
// for any number of folders (zero included). Returns absolute paths, sorted.
function expandGlob(pattern) {
	const segments = pattern.split('/').filter(Boolean);
	const results = new Set();
	const toRegExp = (segment) =>
		new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
	const entries = (dir) => {
		try {
			return fs.readdirSync(dir, { withFileTypes: true });
		} catch {
			return [];
		}
	};
	const walk = (dir, index) => {
		if (index === segments.length) {
			if (fs.existsSync(dir) && fs.statSync(dir).isFile()) results.add(dir);
			return;
		}
		const segment = segments[index];
		if (segment === '**') {
			walk(dir, index + 1);
			for (const entry of entries(dir)) {
				if (entry.isDirectory()) walk(path.join(dir, entry.name), index);
			}
			return;
		}
		if (!/[*?]/.test(segment)) {
			walk(path.join(dir, segment), index + 1);
			return;
		}
		const matcher = toRegExp(segment);
		for (const entry of entries(dir)) {
			if (matcher.test(entry.name)) walk(path.join(dir, entry.name), index + 1);
		}
	};
	walk(root, 0);
	return [...results].sort();
}

function listSources() {
	const config = JSON.parse(fs.readFileSync(path.join(testDir, 'sources.json'), 'utf8'));
	const engine = config.sources.flatMap(expandGlob);
	const tests = fs
		.readdirSync(testDir)
		.filter((name) => name.endsWith('.test.cpp'))
		.sort()
		.map((name) => path.join(testDir, name));
	return [...new Set([...engine, ...tests, path.join(testDir, 'main.cpp')])];
}

function mtime(file) {
	try {
		return fs.statSync(file).mtimeMs;
	} catch {
		return undefined;
	}
}

// The files an object depends on, from the dependency file g++ wrote next to it.
function dependencies(depFile) {
	let text;
	try {
		text = fs.readFileSync(depFile, 'utf8');
	} catch {
		return undefined;
	}
	const colon = text.indexOf(': ');
	if (colon < 0) return undefined;
	return text
		.slice(colon + 2)
		.replace(/\\\n/g, ' ')
		.split(/\s+/)
		.filter(Boolean);
}

function objectFor(source) {
	const name = path.relative(root, source).replace(/[\\/]/g, '__').replace(/\.cpp$/, '.o');
	return path.join(objDir, name);
}

function isStale(source, object, flagsChanged) {
	if (flagsChanged) return true;
	const built = mtime(object);
	if (built === undefined) return true;
	const deps = dependencies(object.replace(/\.o$/, '.d'));
	if (!deps) return true;
	for (const dep of [source, ...deps]) {
		const changed = mtime(dep);
		if (changed === undefined || changed > built) return true;
	}
	return false;
}

function run(command, args, options = {}) {
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: root, ...options });
		let output = '';
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		child.on('error', (error) => resolve({ code: -1, output: `${output}${error.message}` }));
		child.on('close', (code, signal) => resolve({ code, signal, output }));
	});
}

// Compiles what changed (two jobs at a time) and links when any object is newer than
// the binary. Writes go to temporary names then rename, so a concurrent run never sees
// half a file.
async function build() {
	fs.mkdirSync(objDir, { recursive: true });
	const sources = listSources();
	const flagsFile = path.join(outDir, 'flags.json');
	const flagsText = JSON.stringify([compiler, ...flags]);
	let flagsChanged = true;
	try {
		flagsChanged = fs.readFileSync(flagsFile, 'utf8') !== flagsText;
	} catch {}

	const stale = sources.filter((source) => isStale(source, objectFor(source), flagsChanged));
	const errors = [];
	const queue = [...stale];
	const worker = async () => {
		for (let source = queue.shift(); source; source = queue.shift()) {
			const object = objectFor(source);
			const tmp = `${object}.${process.pid}.tmp`;
			const depTmp = `${tmp}.d`;
			const result = await run(compiler, [...flags, '-MMD', '-MF', depTmp, '-c', source, '-o', tmp]);
			if (result.code !== 0) {
				errors.push(`${path.relative(root, source)}:\n${result.output}`);
				fs.rmSync(tmp, { force: true });
				fs.rmSync(depTmp, { force: true });
				continue;
			}
			fs.renameSync(depTmp, object.replace(/\.o$/, '.d'));
			fs.renameSync(tmp, object);
		}
	};
	await Promise.all(Array.from({ length: compileJobs }, worker));
	if (errors.length) return { ok: false, output: errors.join('\n'), compiled: stale.length, sources };
	fs.writeFileSync(flagsFile, flagsText);

	const objects = sources.map(objectFor);
	const linked = mtime(binary);
	// Relink also when the list of sources changed (a source removed leaves no newer object).
	const listFile = path.join(outDir, 'objects.json');
	let listChanged = true;
	try {
		listChanged = fs.readFileSync(listFile, 'utf8') !== JSON.stringify(objects);
	} catch {}
	if (linked === undefined || listChanged || objects.some((object) => mtime(object) > linked)) {
		const tmp = `${binary}.${process.pid}.tmp`;
		const result = await run(compiler, [...flags, ...objects, '-o', tmp]);
		if (result.code !== 0) {
			fs.rmSync(tmp, { force: true });
			return { ok: false, output: `link:\n${result.output}`, compiled: stale.length, sources };
		}
		fs.renameSync(tmp, binary);
		fs.writeFileSync(listFile, JSON.stringify(objects));
	}
	return { ok: true, output: '', compiled: stale.length, sources };
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
	t.ok(built.ok, `compile ${built.sources.length} sources (${built.compiled} rebuilt)`, {
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
