'use strict';
// Send-side bandwidth estimation towards a constrained receiver with VP9 SVC (issue 12:
// "The same with VP9 SVC"): page A publishes VP9 in L3T3_KEY (three spatial layers of
// three temporal layers, as test/svc-browser.test.js; skipped where this Chromium cannot
// send it), page B consumes it behind a relay limited to 600 kbps, then lifted. The
// checks and their thresholds are test/bwe-constrained-browser.test.js's (see there),
// in test/bwe/constrained-checks.js.
//
// NOT in `npm test` yet (issue 12 stays open for it): before the loss repair (a lost
// or declined retransmission repaired at once, docs/BANDWIDTH_ESTIMATION.md) about 1 run
// of 4 stopped decoding for ~3 s after a periodic probe's loss burst; with it, 5 of 5
// runs passed with gaps of 0.2-0.3 s. Run it by hand:
//   node_modules/.bin/tap --disable-coverage --timeout=240 test/bwe/constrained-svc-browser.acceptance.js
// and move it back to test/ (as bwe-constrained-svc-browser.test.js) once it has a longer clean record.
const t = require('tap');
const { constrainedTests } = require('./constrained-checks');

// ~50 s (two Chromiums, ~45 s of phases, set-up and teardown).
t.setTimeout(150_000);
constrainedTests(t, { svc: true });
