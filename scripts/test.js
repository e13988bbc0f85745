#!/usr/bin/env node
// `npm test`: compiles the TypeScript layer and the addon, runs every test file under test/ with tap
// (the files that start Chromium one at a time, after the others; then the sanitized
// run and the fuzz smoke run, each alone), and ends with a plain
// "N passed, N failed" line summed from tap's own summaries.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const build = spawnSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
spawnSync(process.execPath, [path.join('scripts', 'write-esm-wrapper.js')], { cwd: root, stdio: 'inherit' });
// The addon from source (cmake-js, build/Release; incremental), which the tests load.
const native = spawnSync(process.execPath, [path.join('scripts', 'build-native.js')], { cwd: root, stdio: 'inherit' });
if (native.status !== 0) process.exit(native.status ?? 1);

// The browser tests need Debian's Chromium (and one Firefox ESR): install them now (as root, from apt) rather
// than inside the first browser test, where it would count against tap's timeout.
for (const ensure of [() => require('./ensure-chromium').ensureChromium(), () => require('./ensure-firefox').ensureFirefox()]) {
	try {
		ensure();
	} catch (error) {
		console.error(`warning: ${error.message}`);
	}
}

// Browser test files run one at a time, after the others (which run in parallel): two
// rooms of Chromiums at once on a 2-core machine starve each other's encoders and the
// in-process relay of test/bwe-constrained-*.test.js, and their timing checks then
// measure the machine rather than the engine.
const fs = require('node:fs');
const requested = process.argv.slice(2);
const all = requested.length
	? requested
	: fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('test', f));
const usesBrowser = (file) => /browser\/harness|ensure-firefox|bwe\/constrained-(checks|room)/.test(fs.readFileSync(path.join(root, file), 'utf8'));
// The fuzz smoke run (test/fuzz-smoke.test.js) takes both cores: last, alone.
const fuzzes = (file) => /fuzz[\\/]run\.sh|'fuzz', 'run\.sh'/.test(fs.readFileSync(path.join(root, file), 'utf8'));
// The sanitized run (test/sanitized-socket.test.js: the ASan + UBSan addon build, then
// the socket-level files two at a time) takes both cores too, and the timing checks of
// the files it runs must not share them with other tests: alone, after the browser files.
const sanitizes = (file) => /scripts\/build-sanitized/.test(fs.readFileSync(path.join(root, file), 'utf8'));
// The prebuilds (test/prebuilds.test.js: four cross-compiled builds of the engine, then
// their checks) take both cores for minutes: alone, last.
const prebuilds = (file) => /scripts', 'prebuild\.js'/.test(fs.readFileSync(path.join(root, file), 'utf8'));
const alone = (file) => fuzzes(file) || sanitizes(file) || prebuilds(file);
const groups = [
	{ files: all.filter((f) => !usesBrowser(f) && !alone(f)), jobs: [] },
	{ files: all.filter((f) => usesBrowser(f) && !alone(f)), jobs: ['--jobs=1'] },
	{ files: all.filter((f) => sanitizes(f) && !fuzzes(f) && !prebuilds(f)), jobs: ['--jobs=1'] },
	{ files: all.filter((f) => fuzzes(f) && !prebuilds(f)), jobs: ['--jobs=1'] },
	{ files: all.filter(prebuilds), jobs: ['--jobs=1'] },
].filter((g) => g.files.length);

function runTap(files, extraArgs) {
	const tapArgs = ['--disable-coverage', '--reporter=tap', '--timeout=240', '--node-arg=--expose-gc', ...extraArgs, ...files];
	return new Promise((resolve) => {
		const tap = spawn(bin('tap'), tapArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
		let tail = '';
		tap.stdout.on('data', (chunk) => {
			process.stdout.write(chunk);
			tail = (tail + chunk.toString()).slice(-4096);
		});
		tap.on('close', (code) => {
			// tap's last lines include "# { total: N, pass: N, fail: N, skip: N }".
			const match = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tail);
			resolve({
				code,
				matched: Boolean(match),
				passed: match ? Number(match[2] ?? 0) : 0,
				failed: match ? Number(match[3] ?? 0) : code === 0 ? 0 : 1,
				skipped: match ? Number(match[4] ?? 0) : 0,
			});
		});
	});
}

(async () => {
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	let ok = true;
	for (const group of groups) {
		const result = await runTap(group.files, group.jobs);
		passed += result.passed;
		failed += result.failed;
		skipped += result.skipped;
		ok = ok && result.code === 0 && result.matched && result.failed === 0;
	}
	console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	process.exit(ok ? 0 : 1);
})();
