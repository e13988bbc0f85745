#!/usr/bin/env node
'use strict';
// Makes sure Debian's ffmpeg is installed for the plain RTP tests and returns its path.
//
// The PlainTransport tests use a real ffmpeg as the RTP/SRTP peer (test/plain/ffmpeg.js).
//
// Usage: `const { ensureFfmpeg } = require('./scripts/ensure-ffmpeg')` or
// `node scripts/ensure-ffmpeg.js` (prints the path; exit code 1 on failure).

const { ensureDebianProgram, runAsScript } = require('./ensure-debian-program');

const FFMPEG_PATH = '/usr/bin/ffmpeg';

function ensureFfmpeg() {
	return ensureDebianProgram({
		caller: 'ensureFfmpeg',
		program: FFMPEG_PATH,
		pkg: 'ffmpeg',
		purpose: 'the plain RTP tests',
		aptArgs: ['--no-install-recommends'],
	});
}

module.exports = { ensureFfmpeg, FFMPEG_PATH };

if (require.main === module) runAsScript(ensureFfmpeg);
