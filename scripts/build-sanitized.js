#!/usr/bin/env node
// Test-only: builds the addon with AddressSanitizer and UBSan (gcc, -O1 -g1,
// -fno-sanitize-recover=undefined) into build-asan/, or with ThreadSanitizer
// (--thread: -fsanitize=thread, -O1 -g1) into build-tsan/, never touching build/Release.
//
//   node scripts/build-sanitized.js [--thread]          build (incremental), print the .node path
//   node scripts/build-sanitized.js [--thread] --env    build, then print `export` lines:
//     eval "$(node scripts/build-sanitized.js --env)"; node --expose-gc test/router.test.js
//
// How: node-gyp cannot build into another directory, so build-asan/tree/ holds copies
// of binding.gyp and deps/libsrtp.gyp and symlinks to src/ and libsrtp's source, and
// node-gyp runs there with -Dmediaplane_sanitize=1 (2 for ThreadSanitizer, in
// build-tsan/; the flags are a condition in binding.gyp and deps/libsrtp.gyp). Its output is
// build-asan/tree/build/Release/mediaplane.node. Make's own dependency tracking keeps
// later builds incremental (and rebuilds on flag changes: gyp's Makefiles compare
// command lines). Native builds on this machine are serialised with others through
// flock on /tmp/mediaplane-build.lock (MEDIAPLANE_BUILD_LOCK), 2 jobs
// (MEDIAPLANE_BUILD_JOBS).
//
// The addon is loaded by setting MEDIAPLANE_ADDON_PATH (src/ts/native.ts,
// test/addon.js), with libasan preloaded: Node itself is not instrumented, so ASan's
// runtime must be the first library in the process (sanitizerEnv() below).
// test/sanitized-socket.test.js runs the socket-level tests this way.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
// The two sanitized builds: where each lives and the gyp variable's value for it.
const VARIANTS = {
	address: { dir: 'build-asan', gypValue: 1 },
	thread: { dir: 'build-tsan', gypValue: 2 },
};
function variant(kind = 'address') {
	const v = VARIANTS[kind];
	if (!v) throw new TypeError(`unknown sanitizer build "${kind}" (address or thread)`);
	const outDir = path.join(root, v.dir);
	const treeDir = path.join(outDir, 'tree');
	return { ...v, outDir, treeDir, addonPath: path.join(treeDir, 'build', 'Release', 'mediaplane.node') };
}
const { outDir, addonPath } = variant('address');
const lockFile = process.env.MEDIAPLANE_BUILD_LOCK || '/tmp/mediaplane-build.lock';
const jobs = process.env.MEDIAPLANE_BUILD_JOBS || '2';

function nodeGypCommand() {
	const candidates = [
		process.env.npm_config_node_gyp,
		path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
	];
	const script = candidates.find((c) => c && fs.existsSync(c));
	return script ? [process.execPath, script] : ['node-gyp'];
}

// As scripts/install.js: the headers beside this node binary, so nothing is downloaded.
function nodeDirArgs() {
	if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function hasFlock() {
	return spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
}

// The staging tree: copies of the .gyp files (gyp resolves a symlinked .gyp file to
// its real path and would then write Makefiles and objects outside build-asan/), and
// symlinks to the source directories they name.
const COPIES = ['binding.gyp', path.join('deps', 'libsrtp.gyp')];
const LINKS = ['src', path.join('deps', 'libsrtp-2.5.0'), path.join('deps', 'srtp-config')];

function stageTree(treeDir) {
	for (const name of COPIES) {
		const from = path.join(root, name);
		const to = path.join(treeDir, name);
		fs.mkdirSync(path.dirname(to), { recursive: true });
		let same = false;
		try {
			same = fs.lstatSync(to).isFile() && fs.readFileSync(to).equals(fs.readFileSync(from));
		} catch {
			same = false;
		}
		if (!same) {
			fs.rmSync(to, { force: true, recursive: true });
			fs.copyFileSync(from, to);
		}
	}
	for (const name of LINKS) {
		const link = path.join(treeDir, name);
		const target = path.relative(path.dirname(link), path.join(root, name));
		let current;
		try {
			current = fs.readlinkSync(link);
		} catch {
			current = undefined;
		}
		if (current === target) continue;
		fs.rmSync(link, { force: true, recursive: true });
		fs.symlinkSync(target, link);
	}
}

function needsConfigure(treeDir) {
	const makefile = path.join(treeDir, 'build', 'Makefile');
	if (!fs.existsSync(makefile) || !fs.existsSync(path.join(treeDir, 'build', 'config.gypi'))) return true;
	const built = fs.statSync(makefile).mtimeMs;
	return COPIES.some((f) => fs.statSync(path.join(treeDir, f)).mtimeMs > built);
}

// Runs a command (under the build lock), its output to `log` (a function) or inherited.
function run(argv, log, treeDir) {
	const full = hasFlock() ? ['flock', lockFile, ...argv] : argv;
	return new Promise((resolve, reject) => {
		const child = spawn(full[0], full.slice(1), {
			cwd: treeDir,
			env: { ...process.env, JOBS: jobs },
			stdio: log ? ['ignore', 'pipe', 'pipe'] : 'inherit',
		});
		if (log) {
			child.stdout.on('data', log);
			child.stderr.on('data', log);
		}
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`"${full.join(' ')}" exited with ${code}`))));
	});
}

/**
 * Builds (or brings up to date) the sanitized addon. `log(chunk)` receives the build
 * output; without it the output is inherited. Resolves with the .node file's path.
 */
async function buildSanitized(log, kind = 'address') {
	const { treeDir, gypValue, addonPath: built } = variant(kind);
	fs.mkdirSync(treeDir, { recursive: true });
	if (!fs.existsSync(path.join(root, 'deps', 'libsrtp-2.5.0', 'srtp', 'srtp.c'))) {
		await run([process.execPath, path.join(root, 'deps', 'fetch-libsrtp.js')], log, treeDir);
	}
	stageTree(treeDir);
	const nodeGyp = nodeGypCommand();
	if (needsConfigure(treeDir)) {
		await run([...nodeGyp, 'configure', ...nodeDirArgs(), '--', `-Dmediaplane_sanitize=${gypValue}`], log, treeDir);
	}
	await run([...nodeGyp, 'build', `--jobs=${jobs}`, ...nodeDirArgs()], log, treeDir);
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
