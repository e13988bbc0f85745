'use strict';
// Bounded waits for the data channel tests: every promise a test waits on goes through
// one of these, so that a missing event fails the test with a message instead of
// hanging it until tap's timeout.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection "<what>: timed out after <ms> ms". */
function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The arguments of the next `event` of an EventEmitter (as an array), within `ms`.
 * `filter(...args)` may pick which emission counts.
 */
function nextEvent(emitter, event, ms, filter) {
	let listener;
	const fired = new Promise((resolve) => {
		listener = (...args) => {
			if (!filter || filter(...args)) resolve(args);
		};
		emitter.on(event, listener);
	});
	return withTimeout(fired, ms, `event '${event}'`).finally(() => emitter.off(event, listener));
}

/**
 * Polls `predicate` every `intervalMs` (default 50) for up to `ms` and returns its first
 * truthy value; otherwise throws "timed out waiting for <what>" with `state()` appended.
 */
async function waitFor(predicate, ms, what, state, intervalMs = 50) {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await predicate();
		if (value) return value;
		if (Date.now() >= deadline) break;
		await sleep(intervalMs);
	}
	throw new Error(`timed out waiting for ${what}${state ? ` (${await state()})` : ''}`);
}

/** Resolves once `transport.sctpState` is `wanted`; rejects on 'failed'/'closed' or after `ms`. */
function waitForSctpState(transport, wanted, ms) {
	let listener;
	const reached = new Promise((resolve, reject) => {
		if (transport.sctpState === wanted) {
			resolve(wanted);
			return;
		}
		listener = (state) => {
			if (state === wanted) resolve(state);
			else if ((state === 'failed' || state === 'closed') && wanted !== state) reject(new Error(`sctpState went '${state}' waiting for '${wanted}'`));
		};
		transport.on('sctpstatechange', listener);
	});
	return withTimeout(reached, ms, `transport ${transport.id} sctpState '${wanted}' (now '${transport.sctpState}')`).finally(() => {
		if (listener) transport.off('sctpstatechange', listener);
	});
}

module.exports = { sleep, withTimeout, nextEvent, waitFor, waitForSctpState };
