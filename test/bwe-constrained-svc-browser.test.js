'use strict';
// Send-side bandwidth estimation towards a constrained receiver with VP9 SVC (issue 12:
// "The same with VP9 SVC"): page A publishes VP9 in L3T3_KEY (three spatial layers of
// three temporal layers, as test/svc-browser.test.js; skipped where this Chromium cannot
// send it), page B consumes it behind a relay limited to 600 kbps, then lifted. The
// checks and their thresholds are test/bwe-constrained-browser.test.js's (see there),
// in test/bwe/constrained-checks.js.
const t = require('tap');
const { constrainedTests } = require('./bwe/constrained-checks');

// ~50 s (two Chromiums, ~45 s of phases, set-up and teardown).
t.setTimeout(150_000);
constrainedTests(t, { svc: true });
