#!/usr/bin/env node
'use strict';
// `npm run bench`: runs each benchmark in a fresh Node process and prints its report.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const benches = ['worker-lifecycle.js', 'channel-roundtrip.js', 'memory.js', 'webrtc-transport.js', 'consumers.js', 'cpp-rtp.js', 'forwarding.js', 'datachannels.js', 'bwe-constrained.js'];
const only = process.argv.slice(2);
let failed = 0;
for (const bench of benches) {
	if (only.length && !only.some((o) => bench.includes(o))) continue;
	const result = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, bench)], { stdio: 'inherit' });
	if (result.status !== 0) failed++;
	console.log('');
}
process.exit(failed ? 1 : 0);
