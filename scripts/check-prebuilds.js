#!/usr/bin/env node
// `prepublishOnly`: refuses to publish a package without its four prebuilt addons, or
// with prebuilds older than the engine's sources. prebuilds/ is not committed and the
// package runs no install script, so a tarball without them would give every user a
// "no prebuilt addon" error. Run `npm run prebuild` first.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { TARGETS } = require('./prebuild');

const root = path.join(__dirname, '..');

function newestMtime(dir) {
	let newest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
	}
	return newest;
}

const sourcesChanged = Math.max(
	newestMtime(path.join(root, 'src', 'cpp')),
	newestMtime(path.join(root, 'cmake')),
	fs.statSync(path.join(root, 'CMakeLists.txt')).mtimeMs,
);
const problems = [];
for (const target of TARGETS) {
	const file = path.join('prebuilds', target.dir, `mediaplane.napi.${target.libc}.node`);
	const full = path.join(root, file);
	if (!fs.existsSync(full)) problems.push(`${file} is missing`);
	else if (fs.statSync(full).mtimeMs < sourcesChanged) problems.push(`${file} is older than the engine's sources`);
}
if (problems.length) {
	console.error(`check-prebuilds: ${problems.join('; ')}. Run "npm run prebuild" before publishing.`);
	process.exit(1);
}
console.log(`check-prebuilds: the ${TARGETS.length} prebuilds are there and up to date`);
