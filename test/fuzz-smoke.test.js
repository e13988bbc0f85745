'use strict';
// Every libFuzzer target of fuzz/ for a short time (issue 14: "CI runs every target for
// a short time so a regression fails the submission"): `bash fuzz/run.sh N` builds the
// targets (clang with libFuzzer, ASan and UBSan; run.sh installs clang from apt where it
// is missing) and runs each for N seconds (MP_FUZZ_SMOKE_SECONDS, default 15) from the
// committed seeds in fuzz/corpus/ plus what earlier runs on this machine found. A crash,
// leak, undefined behaviour, timeout or broken invariant fails the target's check; the
// input is kept in build/fuzz/artifacts/ (fuzz/README.md says how to reproduce it).
//
// scripts/test.js runs this file last, alone: the fuzzers take both cores. The long runs
// (millions of executions per target) are `npm run fuzz -- <seconds>`, by hand.
const t = require('tap');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..');
const SECONDS = Number(process.env.MP_FUZZ_SMOKE_SECONDS ?? 15);
const TARGET_COUNT_BOUND = 20; // run.sh's targets, bounded for the timeout below

// Build (a few minutes the first time, on 2 cores) plus SECONDS per target.
t.setTimeout(15 * 60_000 + TARGET_COUNT_BOUND * SECONDS * 1000);

t.test(`every fuzz target for ${SECONDS} s`, async (t) => {
	const output = await new Promise((resolve, reject) => {
		const child = spawn('bash', [path.join('fuzz', 'run.sh'), String(SECONDS)], {
			cwd: root,
			env: { ...process.env, MEDIAPLANE_FUZZ_NO_LOG: '1' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let text = '';
		const keep = (chunk) => {
			text += chunk.toString();
			if (text.length > 2_000_000) text = text.slice(-1_000_000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, text }));
	});
	const lines = output.text.split('\n');
	const results = lines.map((line) => [line, /^(\w+): (ok|FAILED.*?) cov=/.exec(line)]).filter(([, m]) => m)
		.map(([line, m]) => [line, m[1], m[2]]);
	t.ok(results.length > 0, `fuzz/run.sh built and ran its targets (exit ${output.code})` +
		(results.length ? '' : `; the end of its output:\n${lines.slice(-40).join('\n')}`));
	for (const [line, target, verdict] of results) {
		t.ok(verdict === 'ok', `${target}: ${line.slice(target.length + 2)}` +
			(verdict === 'ok' ? '' : `\n${lines.filter((l) => l.includes(target)).slice(-20).join('\n')}`));
	}
	t.equal(output.code, 0, 'fuzz/run.sh exits 0');
});
