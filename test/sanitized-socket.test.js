'use strict';
// The socket-level tests against an ASan + UBSan build of the addon (issue 14,
// "Sanitized builds in CI"). scripts/build-sanitized.js builds it into build-asan/
// (incrementally; build/Release is never touched), then each file of FILES runs in a
// child `node` with libasan preloaded (Node is not instrumented, so ASan's runtime must
// come first) and MEDIAPLANE_ADDON_PATH pointing at the sanitized addon (src/ts/native.ts
// and test/addon.js load it instead of build/Release). A file passes when it exits 0,
// its output has no sanitizer report, and its report directory stays empty (ASan's
// log_path, inherited by grandchildren such as test/fixtures scripts; GCC's UBSan
// runtime prints to stderr, which the file's output includes).
//
// Options (scripts/build-sanitized.js, sanitizerEnv): detect_leaks=0 (Node is not
// instrumented and does not free everything at exit; the fuzzers and the C++ unit tests
// run LeakSanitizer), halt_on_error=1 and -fno-sanitize-recover=undefined (UB is fatal
// at its first report), print_stacktrace=1.
//
// scripts/test.js runs this file in a group of its own after the browser tests and
// before the fuzz smoke run; the children run MP_SANITIZED_JOBS (2) at a time. To run it
// alone: node_modules/.bin/tap --disable-coverage test/sanitized-socket.test.js
// (MP_SANITIZED_FILES=router,worker to choose files).
const t = require('tap');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { runSanitizedChild, childEnv } = require('./sanitized-child');
const { buildSanitized, sanitizerEnv, addonPath, outDir } = require('../scripts/build-sanitized');

const root = path.join(__dirname, '..');

// The non-browser files that drive the engine through sockets (UDP/TCP, ICE, DTLS,
// SRTP, SCTP, pipes) or its request channel, slowest first so that two children share
// the two cores evenly. Left out: the browser files (Chromium and its encoders under an
// uninstrumented Node would only slow the run down; the packet paths they use are the
// ones these files drive), test/cpp-unit.test.js and test/fuzz-smoke.test.js (already
// sanitized), the files that do not load the addon or that build and pack it (ortc,
// h264ProfileLevelId, pack, package), and conformance (a TypeScript compile, mostly).
// test/dtls.test.js runs its in-memory handshakes (forged records included) through
// test/addon.js, so against the sanitized build too.
const FILES = [
	'sequence-restart',
	'lifecycle-stress',
	'datachannel-plain',
	'webrtc-transport',
	'ssrc-bounds',
	'plain-pipe',
	'udp-send-batching',
	'pipe-in-process',
	'bwe-plain',
	'listen-info',
	'data-pipe',
	'data-direct',
	'datachannel-libdatachannel',
	'producer-consumer',
	'stun-client',
	'worker',
	'srtp',
	'bad-input',
	'direct-transport',
	'packet-id',
	'bwe-api',
	'active-speaker-observer',
	'audio-level-observer',
	'router',
	'process',
	'thread-names',
	'realm',
	'bad-input-sweep',
	'dtls',
];
const selected = process.env.MP_SANITIZED_FILES ? process.env.MP_SANITIZED_FILES.split(',').map((f) => f.trim()).filter(Boolean) : FILES;
const JOBS = Math.max(1, Number(process.env.MP_SANITIZED_JOBS ?? 2));
const FILE_TIMEOUT_MS = 300_000;
// The build (a few minutes from scratch on 2 cores) and the files, with room to spare.
t.setTimeout(15 * 60_000 + Math.ceil(selected.length / JOBS) * 60_000);

const REPORT = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer/;

async function runFile(name) {
	const file = path.join('test', `${name}.test.js`);
	const logDir = path.join(outDir, 'logs', name);
	const result = await runSanitizedChild({ args: ['--expose-gc', file], env: sanitizerEnv(logDir), logDir, timeoutMs: FILE_TIMEOUT_MS });
	return { name, file, ...result };
}

async function runAll(names) {
	const results = new Map();
	const queue = [...names];
	const worker = async () => {
		for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
			results.set(name, await runFile(name));
		}
	};
	await Promise.all(Array.from({ length: Math.min(JOBS, names.length) }, worker));
	return names.map((name) => results.get(name));
}

t.test('the socket-level tests under AddressSanitizer and UBSan', async (t) => {
	let buildLog = '';
	const buildStart = Date.now();
	try {
		await buildSanitized((chunk) => {
			buildLog = (buildLog + chunk.toString()).slice(-20_000);
		});
	} catch (error) {
		t.fail(`scripts/build-sanitized.js: ${error.message}\n${buildLog.split('\n').slice(-40).join('\n')}`);
		return;
	}
	t.comment(`sanitized addon ready in ${((Date.now() - buildStart) / 1000).toFixed(1)} s: ${path.relative(root, addonPath)}`);

	// The children really load the sanitized addon, with ASan's runtime in the process.
	const probe = await new Promise((resolve) => {
		const code = `const lib = require('./lib'); const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
			console.log(JSON.stringify({ workerBin: lib.workerBin, asan: /libasan/.test(maps), ubsan: /libubsan/.test(maps),
				addon: maps.includes(${JSON.stringify(addonPath)}) }));`;
		const child = spawn(process.execPath, ['-e', code], { cwd: root, env: childEnv(sanitizerEnv()), stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (c) => (out += c));
		child.stderr.on('data', (c) => (out += c));
		child.on('close', () => resolve(out));
	});
	let loaded;
	try {
		loaded = JSON.parse(probe.trim().split('\n').pop());
	} catch {
		loaded = undefined;
	}
	t.same(loaded, { workerBin: addonPath, asan: true, ubsan: true, addon: true }, `a child loads the sanitized addon with libasan and libubsan mapped${loaded ? '' : `\n${probe}`}`);
	if (!loaded?.addon) return;

	const runStart = Date.now();
	for (const r of await runAll(selected)) {
		const summary = /# \{ total: .*\}/.exec(r.output)?.[0] ?? '(no tap summary)';
		const found = REPORT.exec(r.output);
		const problems = [];
		if (r.timedOut) problems.push(`timed out after ${FILE_TIMEOUT_MS / 1000} s`);
		else if (r.code !== 0) problems.push(`exit ${r.code ?? r.signal}`);
		if (found) problems.push(`"${found[0]}" in its output`);
		if (r.reports.length) problems.push(`${r.reports.length} sanitizer report file(s)`);
		const detail = problems.length
			? { sanitizerReports: r.reports.join('\n') || 'none', outputTail: r.output.split('\n').slice(-150).join('\n') }
			: {};
		t.ok(problems.length === 0, `${r.file}: ${problems.length ? problems.join(', ') : 'clean'}; ${summary.replace(/^# /, '')} in ${r.seconds.toFixed(1)} s`, detail);
	}
	t.comment(`${selected.length} files in ${((Date.now() - runStart) / 1000).toFixed(1)} s, ${JOBS} at a time`);
});
