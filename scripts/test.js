#!/usr/bin/env node
// `npm test`: compiles the TypeScript layer, runs every test file under test/ with tap,
// and ends with a plain "N passed, N failed" line taken from tap's own summary.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const build = spawnSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
spawnSync(process.execPath, [path.join('scripts', 'write-esm-wrapper.js')], { cwd: root, stdio: 'inherit' });

// The browser tests need Debian's Chromium: install it now (as root, from apt) rather
// than inside the first browser test, where it would count against tap's timeout.
try {
	require('./ensure-chromium').ensureChromium();
} catch (error) {
	console.error(`warning: ${error.message}`);
}

const files = process.argv.slice(2);
const tapArgs = ['--disable-coverage', '--reporter=tap', '--timeout=240', '--node-arg=--expose-gc', ...files];
const tap = spawn(bin('tap'), tapArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

let tail = '';
tap.stdout.on('data', (chunk) => {
	process.stdout.write(chunk);
	tail = (tail + chunk.toString()).slice(-4096);
});

tap.on('close', (code) => {
	// tap's last lines include "# { total: N, pass: N, fail: N, skip: N }".
	const match = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tail);
	const passed = match ? Number(match[2] ?? 0) : 0;
	const failed = match ? Number(match[3] ?? 0) : code === 0 ? 0 : 1;
	const skipped = match ? Number(match[4] ?? 0) : 0;
	console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	process.exit(code === 0 && match && failed === 0 ? 0 : code || 1);
});
