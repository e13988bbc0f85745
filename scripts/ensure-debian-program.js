#!/usr/bin/env node
'use strict';
// Installs a Debian package the tests need (chromium, ffmpeg) when its program is
// missing: as root on Debian, with apt-get (non-interactive), one test process at a time
// through a lock directory (test files run in parallel and apt-get update does not wait
// for a held lists lock). Anywhere else it fails with a message that says what to install.
// Used by ensure-chromium.js and ensure-ffmpeg.js.

const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const os = require('node:os');
const path = require('node:path');

// One lock for every package the tests install: only one test process runs apt-get.
const LOCK_DIR = path.join(os.tmpdir(), 'mediaplane-ensure-debian-program.lock');
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
function withInstallLock(caller, fn) {
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
				throw new Error(`${caller}: gave up waiting for ${LOCK_DIR} (held by pid ${owner})`);
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

function runApt(caller, args) {
	// apt's own output goes to stderr so that it never mixes with a TAP stream on stdout.
	const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
		stdio: ['ignore', process.stderr, process.stderr],
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		timeout: APT_TIMEOUT_MS,
	});
	if (result.error) {
		throw new Error(`${caller}: running "apt-get ${args.join(' ')}" failed: ${result.error.message}`);
	}
	if (result.status !== 0) {
		throw new Error(
			`${caller}: "apt-get ${args.join(' ')}" exited with ${result.status ?? result.signal}`
		);
	}
}

/**
 * Returns `program` (an absolute path), installing Debian's `pkg` first when it is
 * missing and we may do so; throws an Error that says what to do otherwise. `caller`
 * names the error messages; `aptArgs` are extra apt-get install options.
 */
function ensureDebianProgram({ caller, program, pkg, purpose, aptArgs = [] }) {
	if (isExecutable(program)) return program;

	if (process.platform !== 'linux' || !isDebian()) {
		throw new Error(
			`${caller}: ${program} not found, and this is not a Debian system with apt-get; ` +
				`install ${pkg} so that it is at ${program} to run ${purpose}`
		);
	}
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error(
			`${caller}: ${program} not found; run "sudo apt-get install -y ${pkg}" ` +
				`(or run the tests as root so that they can install it)`
		);
	}

	withInstallLock(caller, () => {
		// Another test process may have installed it while we waited for the lock.
		if (isExecutable(program)) return;
		process.stderr.write(`${caller}: ${program} not found, installing Debian's ${pkg} package\n`);
		if (!aptUpdated) {
			runApt(caller, ['update']);
			aptUpdated = true;
		}
		runApt(caller, ['install', '-y', ...aptArgs, pkg]);
	});

	if (!isExecutable(program)) {
		throw new Error(`${caller}: apt-get installed ${pkg} but ${program} is still missing`);
	}
	return program;
}

/** Runs `ensure` as a command-line tool: prints the path, exit code 1 on failure. */
function runAsScript(ensure) {
	try {
		console.log(ensure());
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}

module.exports = { ensureDebianProgram, runAsScript };
