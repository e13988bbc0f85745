#!/usr/bin/env node
// Test-only: builds the addon with AddressSanitizer and UBSan (-O1 -g1,
// -fno-sanitize-recover=undefined) into build-asan/, or with ThreadSanitizer
// (--thread) into build-tsan/, never touching build/Release. Both are CMake presets
// (CMakePresets.json "asan" and "tsan"; cmake/Sanitizers.cmake has the flags) built by
// scripts/build-native.js, which serialises builds on this machine through flock.
//
//   node scripts/build-sanitized.js [--thread]          build (incremental), print the .node path
//   node scripts/build-sanitized.js [--thread] --env    build, then print `export` lines:
//     eval "$(node scripts/build-sanitized.js --env)"; node --expose-gc test/router.test.js
//
// The addon is loaded by setting MEDIAPLANE_ADDON_PATH (src/ts/native.ts,
// test/addon.js), with libasan preloaded: Node itself is not instrumented, so ASan's
// runtime must be the first library in the process (sanitizerEnv() below).
// test/sanitized-socket.test.js runs the socket-level tests this way.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildPreset, PRESET_DIRS, root } = require('./build-native');

// The two sanitized builds: their CMake preset and where the addon lands.
const VARIANTS = {
	address: { preset: 'asan' },
	thread: { preset: 'tsan' },
};
function variant(kind = 'address') {
	const v = VARIANTS[kind];
	if (!v) throw new TypeError(`unknown sanitizer build "${kind}" (address or thread)`);
	const outDir = path.join(root, PRESET_DIRS[v.preset]);
	return { ...v, outDir, addonPath: path.join(outDir, 'mediaplane.node') };
}
const { outDir, addonPath } = variant('address');

/**
 * Builds (or brings up to date) the sanitized addon. `log(chunk)` receives the build
 * output; without it the output is inherited. Resolves with the .node file's path.
 */
async function buildSanitized(log, kind = 'address') {
	const { preset, addonPath: built } = variant(kind);
	await buildPreset(preset, { target: 'mediaplane', log });
	return built;
}

/** A sanitizer runtime to preload: gcc's libasan / libtsan (libasan8, libtsan2 on Debian 12, which g++ pulls in). */
function runtimePath(name = 'libasan.so') {
	const cc = process.env.CC || 'gcc';
	const result = spawnSync(cc, [`-print-file-name=${name}`], { encoding: 'utf8' });
	const printed = (result.stdout || '').trim();
	if (result.status !== 0 || !path.isAbsolute(printed) || !fs.existsSync(printed)) {
		throw new Error(`${cc} -print-file-name=${name} found no ${name} (Debian: apt-get install g++ pulls it in)`);
	}
	return fs.realpathSync(printed);
}
const libasanPath = () => runtimePath('libasan.so');

/**
 * The environment that loads the sanitized addon in a child node. `logDir`: ASan
 * reports go to files there (<logDir>/report.<pid>) instead of stderr, so a report from
 * any process of the run (grandchildren included) can be found afterwards. UBSan
 * reports go to stderr (GCC 12's UBSan runtime does not take log_path here).
 *
 * detect_leaks=0: Node is not instrumented and does not free everything at exit; leaks
 * are the fuzzers' and the C++ unit tests' business (they run LeakSanitizer).
 * -fno-sanitize-recover=undefined plus halt_on_error=1 make UB fatal at its first report.
 */
function sanitizerEnv(logDir) {
	// exitcode 66 (ASan) and 67 (UBSan) tell a sanitizer's exit from a test failure's 1.
	const asan = ['detect_leaks=0', 'halt_on_error=1', 'abort_on_error=0', 'exitcode=66'];
	const ubsan = ['halt_on_error=1', 'print_stacktrace=1', 'exitcode=67'];
	if (logDir) asan.push(`log_path=${path.join(logDir, 'report')}`);
	return {
		LD_PRELOAD: libasanPath(),
		ASAN_OPTIONS: asan.join(':'),
		UBSAN_OPTIONS: ubsan.join(':'),
		MEDIAPLANE_ADDON_PATH: addonPath,
		// The RSS bounds of a few tests allow for ASan's quarantine then.
		MEDIAPLANE_SANITIZED: '1',
	};
}

/**
 * The environment that loads the ThreadSanitizer build in a child node. Reports go to
 * <logDir>/report.<pid> when logDir is given; exitcode 68 tells TSan's exit from a test
 * failure's. halt_on_error=1: the first race fails the run.
 */
function threadSanitizerEnv(logDir) {
	// ignore_noninstrumented_modules=1: Node and V8 are not instrumented, so TSan does not
	// see their atomics, and their calls into intercepted functions (mutex destruction,
	// free) then look like races (measured: V8's DefaultJobState on every run). With it,
	// interceptors report only for calls from instrumented code, i.e. the addon; a race
	// planted between the main thread and a worker thread in Channel.cpp was reported.
	const tsan = ['halt_on_error=1', 'exitcode=68', 'second_deadlock_stack=1', 'ignore_noninstrumented_modules=1'];
	if (logDir) tsan.push(`log_path=${path.join(logDir, 'report')}`);
	return {
		LD_PRELOAD: runtimePath('libtsan.so'),
		TSAN_OPTIONS: tsan.join(':'),
		MEDIAPLANE_ADDON_PATH: variant('thread').addonPath,
		MEDIAPLANE_SANITIZED: '1',
	};
}

module.exports = { buildSanitized, sanitizerEnv, threadSanitizerEnv, libasanPath, runtimePath, variant, addonPath, outDir };

if (require.main === module) {
	const printEnv = process.argv.includes('--env');
	const kind = process.argv.includes('--thread') ? 'thread' : 'address';
	buildSanitized(printEnv ? (chunk) => process.stderr.write(chunk) : undefined, kind).then(
		(file) => {
			if (!printEnv) {
				console.log(file);
				return;
			}
			const env = kind === 'thread' ? threadSanitizerEnv() : sanitizerEnv();
			for (const [key, value] of Object.entries(env)) console.log(`export ${key}='${value}'`);
		},
		(error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
