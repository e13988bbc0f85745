'use strict';
// Small helpers shared by the browser tests: bounded polling and reading stats.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` every 100 ms for up to `timeoutMs` and returns its first truthy
 * value; otherwise throws "timed out waiting for <what>", with `state()` appended when
 * given (to say what was seen instead).
 */
async function waitFor(predicate, timeoutMs, what, state) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await predicate();
		if (last) return last;
		await sleep(100);
	}
	throw new Error(`timed out waiting for ${what}${state ? ` (${await state()})` : ''}`);
}

/** The page's inbound-rtp entry of `kind` in a getStats() list, or {}. */
function inbound(stats, kind) {
	return stats.find((s) => s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === kind) ?? {};
}

module.exports = { sleep, waitFor, inbound };
