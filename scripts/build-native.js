#!/usr/bin/env node
// Builds the engine from source with CMake (CMakeLists.txt is the one build graph).
//
//   node scripts/build-native.js                  the addon, with cmake-js, into build/Release/
//   node scripts/build-native.js --CDNAME=value   the same, configured again with a CMake option
//                                                 (npm run build:native -- --CDNAME=value)
//   node scripts/build-native.js --preset asan    a CMakePresets.json build (asan, tsan,
//                                                 fuzz, bench), optionally --target <name>
//
// `npm run build:native` runs the first; `npm test`, `npm start` and `npm run bench` run it first in a checkout.
// A user whose platform has no prebuilt addon runs it in node_modules/mediaplane. It
// needs: cmake >= 3.21 (installed with apt-get on Debian when missing and we are root),
// a C++17 compiler, and the headers of the running node (<prefix>/include/node, which
// Node's own tarballs, Debian and NodeSource install).
//
// Builds on one machine are serialised through flock on /tmp/mediaplane-build.lock
// (MEDIAPLANE_BUILD_LOCK) where flock exists; MEDIAPLANE_BUILD_JOBS sets the parallel
// jobs (default: the number of CPUs).
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const lockFile = process.env.MEDIAPLANE_BUILD_LOCK || '/tmp/mediaplane-build.lock';
const jobs = String(process.env.MEDIAPLANE_BUILD_JOBS || (os.availableParallelism?.() ?? os.cpus().length));

/** The presets' output directories (CMakePresets.json binaryDir), by preset name. */
const PRESET_DIRS = {
	asan: 'build-asan',
	tsan: 'build-tsan',
	fuzz: path.join('build', 'fuzz'),
	bench: path.join('build', 'cpp-bench'),
};

function onPath(program) {
	return spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** cmake's path; on Debian (as root) apt-get installs it when it is missing. */
function ensureCmake() {
	const found = onPath('cmake');
	if (found) return found;
	const { ensureDebianProgram } = require('./ensure-debian-program');
	return ensureDebianProgram({ caller: 'build-native', program: '/usr/bin/cmake', pkg: 'cmake', purpose: 'the native build' });
}

/** The directory holding the running node's headers, when it has them. */
function nodeHeadersPrefix() {
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The cmake-js command line: the project's devDependency, else npx fetches it. */
function cmakeJsCommand() {
	try {
		return [process.execPath, require.resolve('cmake-js/bin/cmake-js', { paths: [root] })];
	} catch {
		return ['npx', '--yes', 'cmake-js@8'];
	}
}

// Runs argv under the build lock. `log(chunk)` receives the output; without it the
// output is inherited. Rejects with the command line and exit code on failure.
function run(argv, { log, env, cwd = root } = {}) {
	const full = onPath('flock') ? ['flock', lockFile, ...argv] : argv;
	return new Promise((resolve, reject) => {
		const child = spawn(full[0], full.slice(1), {
			cwd,
			env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: jobs, ...env },
			stdio: log ? ['ignore', 'pipe', 'pipe'] : 'inherit',
		});
		if (log) {
			child.stdout.on('data', log);
			child.stderr.on('data', log);
		}
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`"${argv.join(' ')}" exited with ${code}`))));
	});
}

/**
 * True when `dir` holds a finished configure: CMake writes CMakeCache.txt even when
 * configuring fails, but the generator's file only when it succeeds.
 */
function isConfigured(dir) {
	return ['build.ninja', 'Makefile'].some((file) => fs.existsSync(path.join(dir, file)));
}

/** Forget a failed configure, so that the next build configures again. */
function dropFailedConfigure(dir) {
	if (!isConfigured(dir)) fs.rmSync(path.join(dir, 'CMakeCache.txt'), { force: true });
}

/**
 * The addon with cmake-js (Release) into build/Release/mediaplane.node. cmake-js reads
 * Node's headers from npm_config_nodedir, set here to the running node's own, and CMake
 * is told which node that is (MEDIAPLANE_NODE_EXECUTABLE), so the addon compiles against
 * the headers of the node that runs the build. `cmakeOptions`: --CDNAME=value arguments
 * for CMake; given any, the build directory is configured again with them.
 */
async function buildAddon({ log, cmakeOptions = [] } = {}) {
	ensureCmake();
	const prefix = nodeHeadersPrefix();
	const env = prefix ? { npm_config_nodedir: prefix } : {};
	const out = path.join(root, 'build');
	dropFailedConfigure(out);
	const options = ['--out', out, `--CDMEDIAPLANE_NODE_EXECUTABLE=${process.execPath}`, ...cmakeOptions];
	if (cmakeOptions.length) await run([...cmakeJsCommand(), 'configure', ...options], { log, env });
	await run([...cmakeJsCommand(), 'build', ...options, '--parallel', jobs], { log, env });
	return path.join(out, 'Release', 'mediaplane.node');
}

/**
 * A CMakePresets.json build: configures when needed (CMake itself notices changes to
 * CMakeLists.txt and the sources), then builds `target` (default: all). Resolves with
 * the build directory.
 */
async function buildPreset(preset, { target, log } = {}) {
	if (!PRESET_DIRS[preset]) throw new TypeError(`unknown preset "${preset}" (${Object.keys(PRESET_DIRS).join(', ')})`);
	const cmake = ensureCmake();
	const dir = path.join(root, PRESET_DIRS[preset]);
	if (!isConfigured(dir)) {
		await run([cmake, '--preset', preset, `-DMEDIAPLANE_NODE_EXECUTABLE=${process.execPath}`], { log });
	}
	await run([cmake, '--build', dir, '--parallel', jobs, ...(target ? ['--target', target] : [])], { log });
	return dir;
}

module.exports = { buildAddon, buildPreset, ensureCmake, isConfigured, dropFailedConfigure, PRESET_DIRS, root };

if (require.main === module) {
	const args = process.argv.slice(2);
	const option = (name) => {
		const i = args.indexOf(name);
		return i >= 0 ? args[i + 1] : undefined;
	};
	if (args.includes('--ensure-cmake')) {
		console.log(ensureCmake());
		process.exit(0);
	}
	const preset = option('--preset');
	const cmakeOptions = args.filter((arg) => arg.startsWith('--CD'));
	const done = preset ? buildPreset(preset, { target: option('--target') }) : buildAddon({ cmakeOptions });
	done
		.then((output) => console.log(`build-native: ${path.relative(process.cwd(), output) || '.'}`))
		.catch((error) => {
			console.error(`build-native: ${error.message}`);
			process.exit(1);
		});
}
