'use strict';
// The native addon for tests that call its internal hooks directly (srtpProtect,
// dtlsLoopbackHandshake, ...): the very module the library loaded (lib/native.js), so
// MEDIAPLANE_ADDON_PATH (test-only: test/sanitized-socket.test.js sets it to the ASan +
// UBSan build) applies to these calls too. Not a test file (tap runs test/*.test.js).
const native = require('../lib/native');

module.exports = {
	/** The loaded addon. */
	addon: native.addon,
	/** The .node file it came from (for worker_threads that load it themselves). */
	addonPath: native.addonPath,
};
