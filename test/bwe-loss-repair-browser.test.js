'use strict';
// Loss repair towards a Chromium receiver (issue 12, "retransmissions under control"):
// Chromium NACKs a lost packet once and never again; when that one retransmission is
// lost too, or declined, it waits 3 s with no decodable frame before it asks for a key
// frame itself. mediaplane therefore resends a retransmission that transport-wide
// feedback reports lost (Transport::ResendLostRetransmissions) and asks the producer
// for a key frame when it declines a resend (Consumer::RequestKeyFrameForLoss).
//
// Page A publishes VP9 SVC (L3T3_KEY, as test/svc-browser.test.js); page B consumes it
// at S1T1 (every forwarded frame is a reference of a later one: a frame that never
// completes stops decoding until a key frame) through test/bwe/rate-limited-relay.js,
// unlimited, which every 2 s drops one media packet and the first retransmission after
// it. Before the repair, page B froze for ~3 s after most of those drops.
//
// A VP9 SVC receiver given a frame ~100 ms late sometimes decoded nothing more until
// its own 3 s key frame request even so, so the SFU also asks the producer for a key
// frame then (Consumer::OnRetransmissionLost).
const t = require('tap');
const { startRoom, receiveThroughRelay } = require('./bwe/constrained-room');
const { waitFor, sleep } = require('./browser/wait');

const DROP_EVERY_MS = 2000;
const RUN_MS = 14000;

t.setTimeout(150_000);

t.test('a lost retransmission is repaired without a 3 s freeze', async (t) => {
	const room = await startRoom({ svc: true });
	t.teardown(() => room.close());
	if (room.skipReason) {
		t.skip(room.skipReason);
		return;
	}
	const rx = await receiveThroughRelay(room, { rateBps: Infinity });
	t.teardown(() => rx.close());
	const { consumer } = rx.consumers[0];
	const pageStats = async () => (await room.subscriber.call('getVideoReceiveStats', [consumer.id]))[consumer.id] ?? {};
	await waitFor(async () => ((await pageStats()).framesDecoded ?? 0) >= 30, 20000, 'page B decoding its first frames');
	await consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 1 });
	await waitFor(async () => consumer.currentLayers?.spatialLayer === 1 && consumer.currentLayers?.temporalLayer === 1, 10000,
		'the consumer on S1T1');
	await sleep(1000);

	let dropMedia = false;
	let dropRtx = false;
	const dropped = { media: 0, rtx: 0 };
	rx.relay.setDropFilter((kind, message) => {
		if (kind === 'rtp' && dropMedia) {
			dropMedia = false;
			dropRtx = true;
			dropped.media++;
			return true;
		}
		if (kind === 'rtx' && dropRtx) {
			dropRtx = false;
			dropped.rtx++;
			return true;
		}
		return false;
	});
	const before = await pageStats();
	const [statsBefore] = await consumer.getStats();
	const startedAt = await room.subscriber.call('watchDecoding', consumer.id, { intervalMs: 100, maxMs: RUN_MS + 10000 });
	const timer = setInterval(() => (dropMedia = true), DROP_EVERY_MS);
	t.teardown(() => clearInterval(timer));
	await sleep(RUN_MS);
	clearInterval(timer);
	rx.relay.setDropFilter(undefined);
	const watch = await room.subscriber.call('getDecodingWatch', consumer.id, { fromMs: startedAt, gapMs: 500 });
	const after = await pageStats();
	const [statsAfter] = await consumer.getStats();
	const grew = (key) => (after[key] ?? 0) - (before[key] ?? 0);
	t.comment(`dropped ${dropped.media} media packets and ${dropped.rtx} retransmissions; page B: ${grew('nackCount')} NACKs, ` +
		`${grew('retransmittedPacketsReceived')} retransmissions received, ${grew('pliCount')} PLIs, ${grew('keyFramesDecoded')} key frames, ` +
		`${grew('framesDecoded')} frames decoded; SFU: ${statsAfter.packetsRetransmitted - statsBefore.packetsRetransmitted} retransmitted`);

	t.ok(dropped.media >= 5 && dropped.rtx >= 5, `the relay lost media packets and their first retransmission (${dropped.media}, ${dropped.rtx})`);
	t.ok(statsAfter.packetsRetransmitted - statsBefore.packetsRetransmitted > dropped.rtx,
		'the SFU resent the lost retransmissions (more retransmissions than NACKed packets)');
	t.ok(watch.longestGapMs <= 1000, `page B keeps decoding (longest gap in framesDecoded ${watch.longestGapMs} ms; ` +
		`gaps over 500 ms: ${watch.gaps.map((g) => `+${((g.from - startedAt) / 1000).toFixed(1)}s ${g.ms} ms`).join(', ') || 'none'})`);
	t.equal(grew('pliCount'), 0, 'page B never had to ask for a key frame');
	t.ok(grew('keyFramesDecoded') >= 1, `the SFU asked for key frames after the late frames (${grew('keyFramesDecoded')} decoded)`);
});
