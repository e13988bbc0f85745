#!/usr/bin/env node
'use strict';
// Makes sure Debian's Chromium is installed for the browser tests and returns its path.
//
// The browser tests drive /usr/bin/chromium with playwright-core; no browser is ever
// downloaded (`npx playwright install` cannot work on this project's machines).
//
// Usage: `const { ensureChromium } = require('./scripts/ensure-chromium')` or
// `node scripts/ensure-chromium.js` (prints the path; exit code 1 on failure).

const { ensureDebianProgram, runAsScript } = require('./ensure-debian-program');

const CHROMIUM_PATH = '/usr/bin/chromium';

function ensureChromium() {
	return ensureDebianProgram({ caller: 'ensureChromium', program: CHROMIUM_PATH, pkg: 'chromium', purpose: 'the browser tests' });
}

module.exports = { ensureChromium, CHROMIUM_PATH };

if (require.main === module) runAsScript(ensureChromium);
