#!/usr/bin/env node
// npm "install" hook. A prebuilt addon for this platform (prebuilds/<platform>-<arch>,
// made by `npm run prebuild`) needs nothing; otherwise obtain the libsrtp release
// source and compile the addon with node-gyp.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);

function hasPrebuild() {
	return fs.existsSync(prebuildDir) && fs.readdirSync(prebuildDir).some((f) => f.endsWith('.node'));
}

function run(command, args) {
	console.log(`> ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error(`mediaplane: "${command} ${args.join(' ')}" failed`);
		process.exit(result.status ?? 1);
	}
}

if (hasPrebuild() && !process.env.MEDIAPLANE_BUILD_FROM_SOURCE) {
	console.log(`mediaplane: using the prebuilt addon in ${path.relative(root, prebuildDir)}`);
	process.exit(0);
}

// Build against the headers installed beside this node binary when there are any
// (Debian/NodeSource packages ship them in <prefix>/include/node), so that node-gyp
// never downloads a header tarball.
function nodeDirArgs() {
	if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

run(process.execPath, [path.join('deps', 'fetch-libsrtp.js')]);
// npm exposes its bundled node-gyp to install scripts; fall back to one on PATH.
const nodeGyp = process.env.npm_config_node_gyp;
if (nodeGyp && fs.existsSync(nodeGyp)) {
	run(process.execPath, [nodeGyp, 'rebuild', '--jobs=max', ...nodeDirArgs()]);
} else {
	run('node-gyp', ['rebuild', '--jobs=max', ...nodeDirArgs()]);
}
