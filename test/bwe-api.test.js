'use strict';
// The send-side estimate through the API (issue 12), without a browser: a
// WebRtcTransport starts at initialAvailableOutgoingBitrate, reports it as getStats()'s
// availableOutgoingBitrate, and its limits are enforced and checked for consistency.
// (Estimation against real feedback: test/bwe/constrained-browser.acceptance.js.)
const t = require('tap');
const mediaplane = require('..');

const listenInfos = [{ protocol: 'udp', ip: '127.0.0.1' }];

t.test('availableOutgoingBitrate, limits and their validation', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter();
	const transport = await router.createWebRtcTransport({ listenInfos, initialAvailableOutgoingBitrate: 800000 });
	let [stats] = await transport.getStats();
	t.equal(stats.availableOutgoingBitrate, 800000, 'the estimate starts at initialAvailableOutgoingBitrate');

	await transport.setMaxOutgoingBitrate(500000);
	[stats] = await transport.getStats();
	t.ok(stats.availableOutgoingBitrate <= 500000, `capped by the maximum (${stats.availableOutgoingBitrate})`);
	t.equal(stats.maxOutgoingBitrate, 500000);
	await t.rejects(transport.setMinOutgoingBitrate(600000), /max outgoing bitrate/, 'min above max is rejected');
	await transport.setMinOutgoingBitrate(300000);
	await t.rejects(transport.setMaxOutgoingBitrate(200000), /min outgoing bitrate/, 'max below min is rejected');
	await transport.setMaxOutgoingBitrate(0);
	[stats] = await transport.getStats();
	t.equal(stats.minOutgoingBitrate, 300000);
	t.ok(stats.availableOutgoingBitrate >= 300000, 'never below the minimum');
	await t.rejects(transport.setMaxOutgoingBitrate(-1), TypeError);

	const plain = await router.createPlainTransport({ listenInfo: listenInfos[0] });
	const [plainStats] = await plain.getStats();
	t.equal(plainStats.availableOutgoingBitrate, undefined, 'no estimate without feedback from the peer');
});
