'use strict';
// Runs one node child under a sanitizer build, for test/sanitized-socket.test.js (ASan +
// UBSan) and test/sanitized-thread.test.js (TSan). Not a test file.
//
//   const result = await runSanitizedChild({ args, env: sanitizerEnv(logDir), logDir, timeoutMs });
//   // { code, signal, timedOut, output (the end of stdout + stderr), reports, seconds }
//
// The child gets this process's environment without tap's own variables (they would
// make it report to this runner instead of printing TAP) plus `env`; it runs in its own
// process group, so that a timeout kills the processes it started too. `reports` are
// the files the sanitizer wrote in `logDir` (its log_path, which grandchildren inherit),
// each as "--- <name>\n<text>"; logDir is emptied first.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.join(__dirname, '..');
const MAX_OUTPUT = 4_000_000;

function childEnv(extra) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(TAP|_TAPJS)/.test(key) || key === 'NODE_OPTIONS') continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

function runSanitizedChild({ args, env, logDir, timeoutMs }) {
	fs.rmSync(logDir, { recursive: true, force: true });
	fs.mkdirSync(logDir, { recursive: true });
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(process.execPath, args, { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let output = '';
		const keep = (chunk) => {
			output += chunk.toString();
			if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT / 2);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}, timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const reports = fs.readdirSync(logDir).sort().map((f) => `--- ${f}\n${fs.readFileSync(path.join(logDir, f), 'utf8')}`);
			resolve({ code, signal, timedOut, output, reports, seconds: (Date.now() - started) / 1000 });
		});
	});
}

module.exports = { runSanitizedChild, childEnv };
