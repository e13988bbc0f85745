#!/usr/bin/env node
'use strict';
// `npm run bench`: runs each benchmark in a fresh Node process and prints its report.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const benches = ['worker-lifecycle.js', 'channel-roundtrip.js', 'memory.js', 'webrtc-transport.js', 'consumers.js', 'cpp-rtp.js', 'forwarding.js', 'datachannels.js', 'bwe-constrained.js'];
// Run only when named (`npm run bench -- soak [--minutes 60]`): 10 minutes or more.
const optIn = ['soak.js'];
const argv = process.argv.slice(2);
// Names before the first --flag choose benches; the flags go to each bench run.
const firstFlag = argv.findIndex((a) => a.startsWith('--'));
const only = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const flags = firstFlag < 0 ? [] : argv.slice(firstFlag);
let failed = 0;
for (const bench of [...benches, ...optIn]) {
	if (only.length ? !only.some((o) => bench.includes(o)) : optIn.includes(bench)) continue;
	const result = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, bench), ...flags], { stdio: 'inherit' });
	if (result.status !== 0) failed++;
	console.log('');
}
process.exit(failed ? 1 : 0);
