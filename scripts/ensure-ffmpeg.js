#!/usr/bin/env node
// Makes sure Debian's ffmpeg is installed for the plain RTP tests and returns its path.
//
// The PlainTransport tests use a real ffmpeg as the RTP/SRTP peer (test/plain/ffmpeg.js).
// When the binary is missing and we are root on Debian, Debian's `ffmpeg` package is
// installed with apt-get (non-interactive, once, one process at a time through a lock
// dir in the temp dir). Anywhere else we fail with a message that says what to install.
//
// Usage: `const { ensureFfmpeg } = require('./scripts/ensure-ffmpeg')` or
// `node scripts/ensure-ffmpeg.js` (prints the path; exit code 1 on failure).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const FFMPEG_PATH = '/usr/bin/ffmpeg';
// Test files run in parallel; only one of them may run apt-get at a time (apt-get
// update does not wait for a held lists lock), so they take this lock first. It is the
// same lock as ensure-chromium.js uses, so the two never run apt-get together either.
const LOCK_DIR = path.join(os.tmpdir(), 'mediaplane-ensure-chromium.lock');
const LOCK_WAIT_MS = 20 * 60 * 1000;
const APT_TIMEOUT_MS = 15 * 60 * 1000;

let aptUpdated = false;

function sleepSync(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function processAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

// mkdir is atomic: whoever creates LOCK_DIR holds the lock. A lock left by a process
// that died is taken over.
function withInstallLock(fn) {
	const deadline = Date.now() + LOCK_WAIT_MS;
	for (;;) {
		try {
			fs.mkdirSync(LOCK_DIR);
			fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let owner = NaN;
			try {
				owner = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
			} catch {}
			if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
				fs.rmSync(LOCK_DIR, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) {
				throw new Error(`ensureFfmpeg: gave up waiting for ${LOCK_DIR} (held by pid ${owner})`);
			}
			sleepSync(500);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(LOCK_DIR, { recursive: true, force: true });
	}
}

function isExecutable(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

function isDebian() {
	return fs.existsSync('/etc/debian_version') && isExecutable('/usr/bin/apt-get');
}

function runApt(args) {
	// apt's own output goes to stderr so that it never mixes with a TAP stream on stdout.
	const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
		stdio: ['ignore', process.stderr, process.stderr],
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		timeout: APT_TIMEOUT_MS,
	});
	if (result.error) {
		throw new Error(`ensureFfmpeg: running "apt-get ${args.join(' ')}" failed: ${result.error.message}`);
	}
	if (result.status !== 0) {
		throw new Error(`ensureFfmpeg: "apt-get ${args.join(' ')}" exited with ${result.status ?? result.signal}`);
	}
}

/**
 * Returns the path of the ffmpeg executable ('/usr/bin/ffmpeg'), installing Debian's
 * `ffmpeg` package first when it is missing and we may do so. Throws an Error that says
 * what to do otherwise.
 */
function ensureFfmpeg() {
	if (isExecutable(FFMPEG_PATH)) return FFMPEG_PATH;

	if (process.platform !== 'linux' || !isDebian()) {
		throw new Error(
			`ensureFfmpeg: ${FFMPEG_PATH} not found, and this is not a Debian system with apt-get; ` +
				`install ffmpeg so that it is at ${FFMPEG_PATH} to run the plain RTP tests`
		);
	}
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error(
			`ensureFfmpeg: ${FFMPEG_PATH} not found; run "sudo apt-get install -y ffmpeg" ` +
				`(or run the tests as root so that they can install it)`
		);
	}

	withInstallLock(() => {
		// Another test process may have installed it while we waited for the lock.
		if (isExecutable(FFMPEG_PATH)) return;
		process.stderr.write(`ensureFfmpeg: ${FFMPEG_PATH} not found, installing Debian's ffmpeg package\n`);
		if (!aptUpdated) {
			runApt(['update']);
			aptUpdated = true;
		}
		runApt(['install', '-y', '--no-install-recommends', 'ffmpeg']);
	});

	if (!isExecutable(FFMPEG_PATH)) {
		throw new Error(`ensureFfmpeg: apt-get installed ffmpeg but ${FFMPEG_PATH} is still missing`);
	}
	return FFMPEG_PATH;
}

module.exports = { ensureFfmpeg, FFMPEG_PATH };

if (require.main === module) {
	try {
		console.log(ensureFfmpeg());
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
