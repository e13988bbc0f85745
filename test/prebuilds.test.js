'use strict';
// The prebuilt addons that `npm run prebuild` writes (zig cross-compiles them, static
// libc++, Node-API entry points exported, OpenSSL/libuv/napi left to the node executable):
//
//   prebuilds/linux-x64/mediaplane.napi.glibc.node     x86_64-linux-gnu.2.28
//   prebuilds/linux-x64/mediaplane.napi.musl.node      x86_64-linux-musl
//   prebuilds/linux-arm64/mediaplane.napi.glibc.node   aarch64-linux-gnu.2.28
//   prebuilds/linux-arm64/mediaplane.napi.musl.node    aarch64-linux-musl
//
// (the names are those lib/addonLocation.js looks for: prebuildName()).
//
// For every prebuilds/<platform>-<arch>/*.node: its ELF header (machine of the arch);
// its dynamic section (NEEDED only libc and friends, or only musl's libc.so; no RPATH,
// TEXTREL or RELR); its version needs (GLIBC_* up to 2.28 and nothing else: no
// GLIBCXX/CXXABI/GCC, GLIBC_PRIVATE or GLIBC_ABI_DT_RELR); its exported symbols (the
// Node-API entry points only); every symbol it leaves undefined without a version must
// be exported by a node executable of that arch (or, for musl, by musl's libc); and the
// system's own loader must load it (glibc's ld.so with LD_BIND_NOW, musl's loader, under
// qemu-user for arm64) with nothing missing but what node provides. The glibc ones run
// test/fixtures/prebuild-smoke.js: x64 with this node, arm64 under qemu-aarch64-static
// with Node for linux-arm64 (scripts/ensure-arm64-node.js). There is no musl node here, so
// the musl ones get the static and loader checks only. Last, the package as users get it:
// npm pack, npm install of the tarball with no compiler, make or python on PATH, and the
// smoke run from node_modules/mediaplane.
//
// Without a prebuilds/ directory the file is skipped, unless MEDIAPLANE_REQUIRE_PREBUILDS
// is set. MEDIAPLANE_PREBUILDS_DIR checks another directory laid out like prebuilds/ (the
// package test then packs a staged copy of the package with it).
const t = require('tap');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ensureDebianProgram } = require('../scripts/ensure-debian-program');

const ROOT = path.join(__dirname, '..');
const REPO_PREBUILDS = path.join(ROOT, 'prebuilds');
const PREBUILDS = path.resolve(process.env.MEDIAPLANE_PREBUILDS_DIR || REPO_PREBUILDS);
const SMOKE = path.join(__dirname, 'fixtures', 'prebuild-smoke.js');
const CALLER = 'prebuilds.test.js';

const TARGETS = [['x64', 'glibc'], ['x64', 'musl'], ['arm64', 'glibc'], ['arm64', 'musl']];
// The names the package's own loader looks for (lib/addonLocation.js, built from
// src/ts/addonLocation.ts), so that a prebuild it would not find fails here; without a
// built lib/, mediaplane.<libc>.node.
function prebuildRelative(arch, libc) {
	try {
		const { prebuildName } = require('../lib/addonLocation');
		return path.relative('prebuilds', prebuildName('linux', arch, libc)).split(path.sep).join('/');
	} catch {
		return `linux-${arch}/mediaplane.${libc}.node`;
	}
}
const EXPECTED = TARGETS.map(([arch, libc]) => prebuildRelative(arch, libc));
const ARCHES = {
	x64: { machine: 62, machineName: 'x86-64', glibcLoader: 'ld-linux-x86-64.so.2' },
	arm64: { machine: 183, machineName: 'AArch64', glibcLoader: 'ld-linux-aarch64.so.1' },
};
const GLIBC_MAX = [2, 28];
const glibcNeededAllowed = (arch) => ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', ARCHES[arch].glibcLoader];
// zig links musl shared objects against its libc.so stub (soname "libc.so"), which musl's
// loader maps to itself, as it does every libc/libm/libpthread/libdl/librt name.
const MUSL_NEEDED_ALLOWED = ['libc.so'];
const REQUIRED_EXPORTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
// Linkers may export the _init/_fini of crti.o (musl's are global and default-visible).
const ALLOWED_EXPORTS = [...REQUIRED_EXPORTS, '_init', '_fini'];
const MUSL_LOADER_X64 = '/lib/ld-musl-x86_64.so.1';
const GLIBC_LOADER_X64 = '/lib64/ld-linux-x86-64.so.2';
const READELF = '/usr/bin/readelf';
const SMOKE_TIMEOUT_MS = 90_000;
const QEMU_SMOKE_TIMEOUT_MS = 150_000;
const NPM_TIMEOUT_MS = 150_000;

// --- subprocesses: always bounded; the whole process group is killed on timeout ---

const liveGroups = new Set();
process.once('exit', () => {
	for (const pid of liveGroups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {}
	}
});

/** Runs a command; resolves { code, signal, stdout, stderr, timedOut, error } (never rejects). */
function run(command, args, { cwd = ROOT, env = process.env, timeoutMs = 60_000 } = {}) {
	return new Promise((resolve) => {
		let child;
		try {
			child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		} catch (error) {
			resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, error });
			return;
		}
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		let spawnError = null;
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		if (child.pid) liveGroups.add(child.pid);
		const killGroup = () => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		};
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup();
		}, timeoutMs);
		child.on('error', (error) => (spawnError = error));
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			killGroup(); // whatever it left behind in its group
			liveGroups.delete(child.pid);
			resolve({ code, signal, stdout, stderr, timedOut, error: spawnError });
		});
	});
}

function describeRun(what, result) {
	const status = result.error ? `failed to start (${result.error.message})`
		: result.timedOut ? 'timed out and was killed' : `exited with ${result.code ?? result.signal}`;
	return `${what} ${status}\n--- stdout (end) ---\n${result.stdout.slice(-3000)}\n--- stderr (end) ---\n${result.stderr.slice(-3000)}`;
}

// --- ELF ---

/** The ELF identification and header fields that matter here, read directly. */
function elfHeader(file) {
	const fd = fs.openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(64);
		const n = fs.readSync(fd, buffer, 0, 64, 0);
		if (n < 20 || buffer.readUInt32BE(0) !== 0x7f454c46) return { isElf: false };
		const littleEndian = buffer[5] === 1;
		return {
			isElf: true,
			class64: buffer[4] === 2,
			littleEndian,
			osAbi: buffer[7],
			type: littleEndian ? buffer.readUInt16LE(16) : buffer.readUInt16BE(16),
			machine: littleEndian ? buffer.readUInt16LE(18) : buffer.readUInt16BE(18),
		};
	} finally {
		fs.closeSync(fd);
	}
}

async function readelf(args, file) {
	const result = await run(READELF, ['-W', ...args, file], { timeoutMs: 60_000 });
	if (result.code !== 0) throw new Error(describeRun(`readelf ${args.join(' ')} ${file}`, result));
	return result.stdout;
}

/** Dynamic section entries: [{ tag, value }], NEEDED values unwrapped. */
async function dynamicEntries(file) {
	const entries = [];
	for (const line of (await readelf(['--dynamic'], file)).split('\n')) {
		const m = /^\s*0x[0-9a-f]+\s+\((\w+)\)\s+(.*)$/.exec(line);
		if (!m) continue;
		const bracketed = /\[([^\]]*)\]/.exec(m[2]);
		entries.push({ tag: m[1], value: bracketed && /^(NEEDED|SONAME|RPATH|RUNPATH)$/.test(m[1]) ? bracketed[1] : m[2].trim() });
	}
	return entries;
}

/** Version needs: [{ file, name }] from .gnu.version_r. */
async function versionNeeds(file) {
	const text = await readelf(['--version-info'], file);
	const start = text.indexOf('Version needs section');
	if (start < 0) return [];
	const needs = [];
	let current = null;
	for (const line of text.slice(start).split('\n').slice(1)) {
		if (/^\S/.test(line) && line.trim()) break; // the next section
		const fileMatch = /File: (\S+)/.exec(line);
		if (fileMatch) current = fileMatch[1];
		const nameMatch = /Name: (\S+)\s+Flags/.exec(line);
		if (nameMatch) needs.push({ file: current, name: nameMatch[1] });
	}
	return needs;
}

/** .dynsym entries: [{ name, version, type, bind, ndx }]. */
async function dynamicSymbols(file) {
	const symbols = [];
	for (const line of (await readelf(['--dyn-syms'], file)).split('\n')) {
		const m = /^\s*\d+:\s+[0-9a-f]+\s+\S+\s+(\w+)\s+(\w+)\s+(\w+)\s+(?:\[[^\]]*\]\s+)?(\S+)\s*(.*)$/.exec(line);
		if (!m || !m[5]) continue;
		const nameMatch = /^([^@\s]+)(?:@@?([^\s(]+))?/.exec(m[5]);
		if (!nameMatch) continue;
		symbols.push({ type: m[1], bind: m[2], visibility: m[3], ndx: m[4], name: nameMatch[1], version: nameMatch[2] || null });
	}
	return symbols;
}

const exportCache = new Map();
/** Names a shared object or executable exports in its .dynsym (defined, global or weak). */
async function exportedNames(file) {
	if (!exportCache.has(file)) {
		exportCache.set(file, dynamicSymbols(file).then((symbols) => new Set(symbols
			.filter((s) => s.ndx !== 'UND' && s.bind !== 'LOCAL' && s.type !== 'SECTION' && s.type !== 'FILE')
			.map((s) => s.name))));
	}
	return exportCache.get(file);
}

function compareVersions(a, b) {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d) return d;
	}
	return 0;
}

// --- the programs the checks need ---

function ensureReadelf() {
	ensureDebianProgram({ caller: CALLER, program: READELF, pkg: 'binutils', purpose: 'the prebuild checks' });
}

function ensureMuslLoaderX64() {
	return ensureDebianProgram({ caller: CALLER, program: MUSL_LOADER_X64, pkg: 'musl', purpose: 'the musl prebuild checks' });
}

let arm64Promise;
/** { qemu, node, root, glibcLoader, muslLoader } (downloads once, cached under build/). */
function arm64() {
	arm64Promise ??= Promise.resolve().then(() => require('../scripts/ensure-arm64-node').ensureArm64Node());
	return arm64Promise;
}

/** The node executable whose exports resolve a prebuild's undefined symbols. */
async function nodeFor(arch) {
	if (arch === process.arch) return process.execPath;
	if (arch === 'arm64') return (await arm64()).node;
	throw new Error(`no node executable for ${arch}`);
}

// --- the checks of one file ---

async function checkFile(t, relative) {
	const file = path.join(PREBUILDS, relative);
	const [platformArch, base] = relative.split('/');
	const arch = /^linux-(x64|arm64)$/.exec(platformArch)?.[1];
	if (!arch) {
		t.skip(`no checks for ${platformArch} (only linux-x64 and linux-arm64)`);
		return;
	}
	const libc = /\.(glibc|musl)\.node$/.exec(base)?.[1];
	if (!t.ok(libc, `${relative}: the file name carries its libc tag (.glibc.node or .musl.node) for node-gyp-build`)) return;
	t.comment(`${relative}: ${fs.statSync(file).size} bytes`);

	const header = elfHeader(file);
	await t.test('a. ELF header', async (t) => {
		t.ok(header.isElf, 'an ELF file');
		t.ok(header.class64 && header.littleEndian, '64-bit little-endian');
		t.equal(header.type, 3, 'ET_DYN (a shared object)');
		t.equal(header.machine, ARCHES[arch].machine, `machine ${ARCHES[arch].machineName} (${ARCHES[arch].machine}) for ${platformArch}`);
		if (libc === 'musl') t.not(header.osAbi, 3, 'OS/ABI is not GNU (GNU_IFUNC/GNU_UNIQUE, which musl does not support)');
	});
	if (!header.isElf) return;

	const [dynamic, needs, symbols] = await Promise.all([dynamicEntries(file), versionNeeds(file), dynamicSymbols(file)]);
	const needed = dynamic.filter((e) => e.tag === 'NEEDED').map((e) => e.value);

	await t.test(`b. libraries and versions (${libc})`, async (t) => {
		t.comment(`NEEDED: ${needed.join(', ') || '(none)'}`);
		t.comment(`version needs: ${needs.map((n) => `${n.name} (${n.file})`).join(', ') || '(none)'}`);
		const tags = new Set(dynamic.map((e) => e.tag));
		for (const tag of ['RPATH', 'RUNPATH', 'TEXTREL', 'RELR']) t.notOk(tags.has(tag), `no ${tag} in the dynamic section`);
		const flags = dynamic.filter((e) => e.tag === 'FLAGS').map((e) => e.value).join(' ');
		t.notOk(/TEXTREL/.test(flags), 'no DF_TEXTREL');
		if (libc === 'glibc') {
			const allowed = glibcNeededAllowed(arch);
			t.same(needed.filter((n) => !allowed.includes(n)), [], `NEEDED only from ${allowed.join(', ')}`);
			t.same(needed.filter((n) => /libstdc\+\+|libgcc_s|libc\+\+/.test(n)), [], 'no libstdc++, libgcc_s or libc++ NEEDED');
			const bad = needs.filter((n) => !/^GLIBC_\d+(\.\d+)*$/.test(n.name));
			t.same(bad.map((n) => `${n.name} (${n.file})`), [],
				'no version needs but GLIBC_<n> (none of GLIBCXX_*, CXXABI_*, GCC_*, GLIBC_PRIVATE, GLIBC_ABI_DT_RELR)');
			const glibc = needs.filter((n) => /^GLIBC_\d/.test(n.name))
				.map((n) => ({ ...n, version: n.name.slice(6).split('.').map(Number) }))
				.sort((a, b) => compareVersions(b.version, a.version));
			t.ok(glibc.length > 0, 'needs versioned glibc symbols (linked against glibc stubs)');
			if (glibc.length) {
				t.ok(compareVersions(glibc[0].version, GLIBC_MAX) <= 0,
					`highest GLIBC version needed is ${glibc[0].name} (${glibc[0].file}), at most GLIBC_${GLIBC_MAX.join('.')}`);
			}
			const versionedTooNew = symbols.filter((s) => s.ndx === 'UND' && s.version && /^GLIBC_\d/.test(s.version) &&
				compareVersions(s.version.slice(6).split('.').map(Number), GLIBC_MAX) > 0);
			t.same(versionedTooNew.map((s) => `${s.name}@${s.version}`), [], `no symbol needed in a glibc newer than ${GLIBC_MAX.join('.')}`);
		} else {
			t.same(needed.filter((n) => !MUSL_NEEDED_ALLOWED.includes(n)), [], `NEEDED only ${MUSL_NEEDED_ALLOWED.join(', ')}`);
			t.same(needs.map((n) => `${n.name} (${n.file})`), [], 'no version needs (musl has no symbol versioning)');
			t.same(symbols.filter((s) => s.type === 'IFUNC' || s.bind === 'UNIQUE').map((s) => s.name), [],
				'no GNU_IFUNC or GNU_UNIQUE symbols');
			const relocations = (await readelf(['--relocs'], file)).split('\n').filter((l) => /_IRELATIVE\b/.test(l));
			t.same(relocations, [], 'no IRELATIVE relocations (musl does not resolve IFUNCs)');
		}
	});

	await t.test('c. exported symbols', async (t) => {
		const exported = symbols.filter((s) => s.ndx !== 'UND' && s.bind !== 'LOCAL' && s.type !== 'SECTION' && s.type !== 'FILE');
		const names = exported.map((s) => s.name);
		t.same(names.filter((n) => !ALLOWED_EXPORTS.includes(n)).slice(0, 50), [], `exports nothing but ${ALLOWED_EXPORTS.join(', ')}` +
			(names.length > ALLOWED_EXPORTS.length ? ` (it exports ${names.length} symbols; first 50 others listed)` : ''));
		for (const name of REQUIRED_EXPORTS) t.ok(names.includes(name), `exports ${name}`);
	});

	const undefinedSymbols = symbols.filter((s) => s.ndx === 'UND' && s.name);
	await t.test('d. undefined symbols resolve from node (and libc)', async (t) => {
		let node;
		try {
			node = await nodeFor(arch);
		} catch (error) {
			t.fail(`no ${arch} node executable to check against: ${error.message}`);
			return;
		}
		const nodeExports = await exportedNames(node);
		t.ok(nodeExports.has('napi_create_object') && nodeExports.has('uv_loop_init'), `${node} exports Node-API and libuv`);
		let libcExports = new Set();
		if (libc === 'musl') {
			const muslLibc = arch === 'x64' ? ensureMuslLoaderX64() : (await arm64()).muslLoader;
			libcExports = await exportedNames(fs.realpathSync(muslLibc));
			t.ok(libcExports.has('memcpy'), `musl's libc.so (${muslLibc}) read`);
		}
		const strong = undefinedSymbols.filter((s) => !s.version && s.bind !== 'WEAK');
		const weak = undefinedSymbols.filter((s) => !s.version && s.bind === 'WEAK');
		const unresolved = strong.filter((s) => !nodeExports.has(s.name) && !libcExports.has(s.name)).map((s) => s.name);
		t.same(unresolved, [], `every unversioned undefined symbol (${strong.length}) is exported by ${arch} node` +
			(libc === 'musl' ? ' or musl libc' : ''));
		if (weak.length) t.comment(`weak undefined (may stay unresolved): ${weak.map((s) => s.name).join(', ')}`);
		const fromNode = strong.filter((s) => nodeExports.has(s.name)).map((s) => s.name);
		t.ok(fromNode.some((n) => n.startsWith('napi_')), 'takes Node-API from node');
		t.ok(fromNode.some((n) => n.startsWith('uv_')), 'takes libuv from node');
		t.ok(fromNode.some((n) => /^(EVP_|SSL_|OpenSSL_|OPENSSL_|X509_|BIO_)/.test(n)), 'takes OpenSSL from node');
		t.same(symbols.filter((s) => s.ndx !== 'UND' && /^(EVP_|SSL_|uv_|napi_create)/.test(s.name)).map((s) => s.name), [],
			'defines no OpenSSL, libuv or Node-API symbol of its own in .dynsym');
	});

	await t.test(`loads with the ${arch} ${libc} loader`, async (t) => {
		let command;
		let args;
		let env = { ...process.env };
		let arm;
		if (arch === 'arm64') {
			try {
				arm = await arm64();
			} catch (error) {
				t.fail(`no qemu-user and arm64 root: ${error.message}`);
				return;
			}
		} else if (arch !== process.arch) {
			t.skip(`cannot run ${arch} code here`);
			return;
		}
		if (libc === 'glibc') {
			// ldd -r: LD_TRACE_LOADED_OBJECTS lists, LD_BIND_NOW + LD_WARN resolve every symbol.
			env = { ...env, LD_TRACE_LOADED_OBJECTS: '1', LD_WARN: 'yes', LD_BIND_NOW: 'yes' };
			const loader = arm ? arm.glibcLoader : GLIBC_LOADER_X64;
			[command, args] = arm ? [arm.qemu, ['-L', arm.root, loader, file]] : [loader, [file]];
		} else {
			const loader = arm ? arm.muslLoader : ensureMuslLoaderX64();
			[command, args] = arm ? [arm.qemu, ['-L', arm.root, loader, '--list', file]] : [loader, ['--list', file]];
		}
		const result = await run(command, args, { env, timeoutMs: 60_000 });
		const output = `${result.stdout}\n${result.stderr}`;
		t.notOk(result.timedOut || result.error, `the loader ran: ${command} ${args.join(' ')}`);
		t.match(result.stdout, libc === 'glibc' ? /libc\.so\.6 => \S+/ : /libc\.so => \S+/, 'it resolved libc');
		const missingLibraries = output.split('\n').filter((l) => /=> not found|Error loading shared library|cannot open shared object/.test(l));
		t.same(missingLibraries, [], 'every NEEDED library found');
		const versionErrors = output.split('\n').filter((l) => /version `[^']+' not found/.test(l));
		t.same(versionErrors, [], 'every symbol version found');
		const otherErrors = output.split('\n').filter((l) => /Error relocating/.test(l) && !/symbol not found/.test(l));
		t.same(otherErrors, [], 'no relocation errors but unresolved symbols');
		const unresolved = [...output.matchAll(libc === 'glibc' ? /undefined symbol: (\S+)/g : /Error relocating [^:]+: ([^:]+): symbol not found/g)]
			.map((m) => m[1]);
		const nodeExports = await exportedNames(await nodeFor(arch));
		t.same(unresolved.filter((n) => !nodeExports.has(n)), [], `the ${unresolved.length} symbols the loader left unresolved are all exported by ${arch} node`);
	});

	if (libc === 'glibc') {
		await t.test(`e. runs the smoke test (${arch}${arch === process.arch ? '' : ', under qemu-user'})`, async (t) => {
			if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
				t.fail('lib/index.js is missing: build the TypeScript layer first (npm run build:ts)');
				return;
			}
			let command;
			let args;
			let timeoutMs = SMOKE_TIMEOUT_MS;
			if (arch === process.arch) {
				[command, args] = [process.execPath, [SMOKE, ROOT]];
			} else if (arch === 'arm64') {
				let arm;
				try {
					arm = await arm64();
				} catch (error) {
					t.fail(`no qemu-user and arm64 node: ${error.message}`);
					return;
				}
				timeoutMs = QEMU_SMOKE_TIMEOUT_MS;
				[command, args] = [arm.qemu, ['-L', arm.root, arm.node, SMOKE, ROOT, `--timeout-ms=${timeoutMs - 20_000}`]];
			} else {
				t.skip(`cannot run ${arch} code here`);
				return;
			}
			const result = await run(command, args, { env: { ...process.env, MEDIAPLANE_ADDON_PATH: file }, timeoutMs });
			const report = smokeReport(t, result, `smoke run of ${relative}`);
			if (!report) return;
			t.equal(report.arch, arch, `ran as ${arch}`);
			t.equal(report.workerBin, file, 'loaded this prebuild');
		});
	}
}

/** Checks a smoke run's exit and JSON line; returns the report when it parsed. */
function smokeReport(t, result, what) {
	const line = result.stdout.split('\n').filter((l) => l.startsWith('{')).pop();
	let report = null;
	try {
		report = line ? JSON.parse(line) : null;
	} catch {}
	t.ok(report, `${what} printed its JSON line`);
	if (report) t.comment(`${what}: ${line}`);
	if (!t.ok(result.code === 0 && report?.ok === true, `${what} succeeded` + (report?.error ? `: ${report.error.split('\n')[0]}` : ''))) {
		t.comment(report ? `${what}: ${result.timedOut ? 'timed out and was killed; ' : ''}stderr (end):\n${result.stderr.slice(-3000)}` : describeRun(what, result));
		return null;
	}
	t.ok(report.forwarded >= 20 && report.decrypted === report.forwarded && report.payloadsMatched >= 20,
		'RTP forwarded from one PlainTransport to the other, SRTP both ways');
	t.equal(report.stun?.type, 'success', 'the WebRtcTransport answered ICE');
	return report;
}

// --- the package as users receive it ---

function which(program, searchPath = process.env.PATH || '') {
	for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
		const candidate = path.join(dir, program);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {}
	}
	return null;
}

/** A PATH with node, npm and sh only (no cc, gcc, g++, clang, make, cmake, python, zig). */
function bareBin(dir) {
	const npm = which('npm');
	if (!npm) throw new Error('npm is not on PATH');
	fs.mkdirSync(dir);
	fs.symlinkSync(process.execPath, path.join(dir, 'node'));
	fs.symlinkSync(fs.realpathSync(npm), path.join(dir, 'npm'));
	fs.symlinkSync('/bin/sh', path.join(dir, 'sh'));
	return dir;
}

/** The environment of a user's shell: no npm_* of a surrounding npm run, no test knobs. */
function userEnv(binDir) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(npm_|MEDIAPLANE_|TAP|NODE_OPTIONS$|INIT_CWD$)/i.test(key)) continue;
		env[key] = value;
	}
	return { ...env, PATH: binDir, CC: '/bin/false', CXX: '/bin/false', npm_config_nodedir: '/nonexistent', npm_config_update_notifier: 'false' };
}

async function checkPackage(t) {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-prebuilds-pack-'));
	t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const scripts = pkg.scripts || {};
	for (const hook of ['preinstall', 'install', 'postinstall']) {
		t.notOk(scripts[hook], `package.json has no "${hook}" script` + (scripts[hook] ? ` (it has "${scripts[hook]}"): users must not run anything at install` : ''));
	}
	// npm 11 lists a dependency's "prepare" among the scripts "not yet covered by
	// allowScripts" although it never runs it for a registry or tarball install
	// ("prepack" does not count).
	t.notOk(scripts.prepare, 'package.json has no "prepare" script' + (scripts.prepare ? ` (it has "${scripts.prepare}"; npm 11 warns about it at install: allowScripts)` : ''));
	t.not(pkg.gypfile, true, 'package.json does not say "gypfile": true');
	if (!t.ok(fs.existsSync(path.join(ROOT, 'lib', 'index.js')), 'lib/ is built (npm run build:ts) to be packed')) return;

	// The directory to pack: the repo, or a staged copy of its package files with
	// MEDIAPLANE_PREBUILDS_DIR as prebuilds/.
	let packDir = ROOT;
	if (PREBUILDS !== REPO_PREBUILDS) {
		const listing = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { timeoutMs: 120_000 });
		if (!t.equal(listing.code, 0, 'npm pack --dry-run lists the package files')) return t.comment(describeRun('npm pack --dry-run', listing));
		packDir = path.join(work, 'stage');
		for (const { path: file } of JSON.parse(listing.stdout)[0].files) {
			if (file.startsWith('prebuilds/')) continue;
			fs.mkdirSync(path.dirname(path.join(packDir, file)), { recursive: true });
			fs.copyFileSync(path.join(ROOT, file), path.join(packDir, file));
		}
		if (fs.existsSync(PREBUILDS)) fs.cpSync(PREBUILDS, path.join(packDir, 'prebuilds'), { recursive: true });
	}
	const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: packDir, timeoutMs: 120_000 });
	if (!t.equal(packed.code, 0, 'npm pack')) return t.comment(describeRun('npm pack', packed));
	const [{ filename, files, size }] = JSON.parse(packed.stdout);
	const tarball = path.join(work, filename);
	const inPackage = files.map((f) => f.path);
	t.comment(`${filename}: ${size} bytes, ${inPackage.length} files`);
	t.notOk(inPackage.includes('binding.gyp'), 'no binding.gyp in the package (npm runs "node-gyp rebuild" at install for a package with one)');
	for (const expected of EXPECTED) t.ok(inPackage.includes(`prebuilds/${expected}`), `the package holds prebuilds/${expected}`);

	const binDir = bareBin(path.join(work, 'bin'));
	for (const tool of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'cmake', 'python3', 'python', 'zig']) {
		if (which(tool, binDir)) t.fail(`${tool} is on the stripped PATH`);
	}
	const env = userEnv(binDir);
	const app = path.join(work, 'app');
	fs.mkdirSync(app);
	fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
	const install = await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: app, env, timeoutMs: NPM_TIMEOUT_MS });
	const output = `${install.stdout}\n${install.stderr}`;
	t.comment(`npm install printed:\n${output.trim() || '(nothing)'}`);
	t.equal(install.code, 0, 'npm install of the tarball exits 0 with no compiler, make or python on PATH') || t.comment(describeRun('npm install', install));
	const flagged = output.split('\n').filter((l) => /install[- ]scripts?|allowScripts|gyp|^> \S+ (pre|post)?install$/i.test(l.trim()));
	t.same(flagged, [], 'npm printed no install-script, allowScripts or gyp line');
	const installed = path.join(app, 'node_modules', 'mediaplane');
	if (!t.ok(fs.existsSync(path.join(installed, 'package.json')), 'node_modules/mediaplane installed')) return;
	t.notOk(fs.existsSync(path.join(installed, 'build')), 'no build/ directory in node_modules/mediaplane');
	t.notOk(fs.existsSync(path.join(installed, 'binding.gyp')), 'no binding.gyp in node_modules/mediaplane');

	const smoke = await run(process.execPath, [SMOKE, installed], { cwd: app, env, timeoutMs: SMOKE_TIMEOUT_MS });
	const report = smokeReport(t, smoke, 'smoke run of the installed package');
	if (!report) return;
	const hostLibc = process.report?.getReport?.().header?.glibcVersionRuntime ? 'glibc' : 'musl';
	const hostPrebuild = prebuildRelative(process.arch, hostLibc);
	t.equal(report.workerBin, path.join(installed, 'prebuilds', hostPrebuild), `the installed package loaded prebuilds/${hostPrebuild}`);
}

// --- the file ---

function listPrebuilds() {
	const found = [];
	for (const dir of fs.readdirSync(PREBUILDS, { withFileTypes: true })) {
		if (!dir.isDirectory()) continue;
		for (const file of fs.readdirSync(path.join(PREBUILDS, dir.name))) {
			if (file.endsWith('.node')) found.push(`${dir.name}/${file}`);
		}
	}
	return found.sort();
}

const makesPrebuilds = PREBUILDS === REPO_PREBUILDS && process.env.MEDIAPLANE_SKIP_PREBUILD !== '1';

// `npm run prebuild` first: from scratch it cross-compiles the engine four times (zig
// also builds its libc++ once per target); when the prebuilds are up to date it takes
// seconds. The checks then see what the current sources make, never a stale file.
async function makePrebuilds() {
	const made = await run(process.execPath, [path.join('scripts', 'prebuild.js')], { timeoutMs: 50 * 60_000 });
	const output = `${made.stdout}${made.stderr}`;
	if (made.code !== 0) {
		throw new Error(`npm run prebuild failed (exit ${made.code}${made.timedOut ? ', timed out' : ''}):\n${output.slice(-6000)}`);
	}
	return output;
}

if (!makesPrebuilds && !fs.existsSync(PREBUILDS) && !process.env.MEDIAPLANE_REQUIRE_PREBUILDS) {
	t.plan(0, `no ${PREBUILDS} directory; set MEDIAPLANE_REQUIRE_PREBUILDS=1 to fail on its absence instead`);
} else {
	// The prebuild from scratch, the first run's qemu-user-static install and arm64
	// node download (each step bounded on its own); later runs take about a minute.
	t.setTimeout(60 * 60_000);
	t.test('prebuilds', async (t) => {
		if (makesPrebuilds) {
			const started = Date.now();
			const output = await makePrebuilds();
			t.pass(`npm run prebuild (${((Date.now() - started) / 1000).toFixed(0)} s)`);
			for (const line of output.split('\n').filter((l) => l.startsWith('prebuild: '))) t.comment(line);
		}
		const found = fs.existsSync(PREBUILDS) ? listPrebuilds() : [];
		ensureReadelf();

		t.test('the four prebuilds are there', async (t) => {
			t.comment(`expected (the names lib/addonLocation.js looks for): ${EXPECTED.join(', ')}`);
			t.ok(fs.existsSync(PREBUILDS), `${PREBUILDS} exists`);
			for (const expected of EXPECTED) t.ok(found.includes(expected), `${expected} is present`);
			const others = found.filter((f) => !EXPECTED.includes(f));
			if (others.length) t.comment(`also present (checked as well): ${others.join(', ')}`);
		});

		for (const relative of found) t.test(relative, (t) => checkFile(t, relative));

		t.test('g. the packed package installs with no build tools and runs', (t) => checkPackage(t));
	});
}
