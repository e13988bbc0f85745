#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser tests and returns its path.
//
// The browser tests drive /usr/bin/chromium with playwright-core; no browser is ever
// downloaded (`npx playwright install` cannot work on this project's machines). When
// the binary is missing and we are root on Debian, Debian's `chromium` package is
// installed with apt-get (non-interactive). Anywhere else we fail with a message that
// says what to install.
//
// Usage: `const { ensureChromium } = require('./scripts/ensure-chromium')` or
// `node scripts/ensure-chromium.js` (prints the path; exit code 1 on failure).
'use strict';

const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const os = require('node:os');
const path = require('node:path');

const CHROMIUM_PATH = '/usr/bin/chromium';
// Test files run in parallel; only one of them may run apt-get at a time (apt-get
// update does not wait for a held lists lock), so they take this lock first.
const LOCK_DIR = path.join(os.tmpdir(), 'mediaplane-ensure-chromium.lock');
const LOCK_WAIT_MS = 20 * 60 * 1000;
// apt-get can take a while on a fresh machine (chromium pulls ~100 MB of packages).
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
				throw new Error(`ensureChromium: gave up waiting for ${LOCK_DIR} (held by pid ${owner})`);
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
		throw new Error(`ensureChromium: running "apt-get ${args.join(' ')}" failed: ${result.error.message}`);
	}
	if (result.status !== 0) {
		throw new Error(
			`ensureChromium: "apt-get ${args.join(' ')}" exited with ${result.status ?? result.signal}`
		);
	}
}

/**
 * Returns the path of the Chromium executable ('/usr/bin/chromium'), installing
 * Debian's `chromium` package first when it is missing and we may do so.
 * Throws an Error that says what to do otherwise.
 */
function ensureChromium() {
	if (isExecutable(CHROMIUM_PATH)) return CHROMIUM_PATH;

	if (process.platform !== 'linux' || !isDebian()) {
		throw new Error(
			`ensureChromium: ${CHROMIUM_PATH} not found, and this is not a Debian system with apt-get; ` +
				`install Chromium so that it is at ${CHROMIUM_PATH} to run the browser tests`
		);
	}
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error(
			`ensureChromium: ${CHROMIUM_PATH} not found; run "sudo apt-get install -y chromium" ` +
				`(or run the tests as root so that they can install it)`
		);
	}

	withInstallLock(() => {
		// Another test process may have installed it while we waited for the lock.
		if (isExecutable(CHROMIUM_PATH)) return;
		process.stderr.write(`ensureChromium: ${CHROMIUM_PATH} not found, installing Debian's chromium package\n`);
		if (!aptUpdated) {
			runApt(['update']);
			aptUpdated = true;
		}
		runApt(['install', '-y', 'chromium']);
	});

	if (!isExecutable(CHROMIUM_PATH)) {
		throw new Error(`ensureChromium: apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
	}
	return CHROMIUM_PATH;
}

module.exports = { ensureChromium, CHROMIUM_PATH };

if (require.main === module) {
	try {
		console.log(ensureChromium());
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
