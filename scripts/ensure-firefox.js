#!/usr/bin/env node
'use strict';
// Makes sure Debian's Firefox ESR is installed for the Firefox interop test
// (test/whip-whep-firefox.test.js) and returns its path. Firefox is run directly,
// headless, on a page that reports back over HTTP: no WebDriver and nothing downloaded
// but the Debian package.
//
// Usage: `const { ensureFirefox } = require('./scripts/ensure-firefox')` or
// `node scripts/ensure-firefox.js` (prints the path; exit code 1 on failure).

const { ensureDebianProgram, runAsScript } = require('./ensure-debian-program');

const FIREFOX_PATH = '/usr/bin/firefox-esr';

function ensureFirefox() {
	return ensureDebianProgram({ caller: 'ensureFirefox', program: FIREFOX_PATH, pkg: 'firefox-esr', purpose: 'the Firefox interop test' });
}

module.exports = { ensureFirefox, FIREFOX_PATH };

if (require.main === module) runAsScript(ensureFirefox);
