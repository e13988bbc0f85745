'use strict';
// The checks of test/bwe-constrained-browser.test.js (VP8 simulcast) and
// test/bwe/constrained-svc-browser.acceptance.js (VP9 SVC, by hand); see the former for what they do.
const { waitFor } = require('../browser/wait');
const {
	startRoom, sentLayers, receiveThroughRelay, runPhases, onTopLayer, formatTable, layersText, TOP_TEMPORAL_LAYER,
} = require('./constrained-room');


const LIMIT = 600_000;
const PRIORITY_LIMIT = 1_200_000;
const LIFTED_ESTIMATE = 1_200_000;

let room;
let layers; // the layers page A sends, lowest first
let top; // the highest spatial layer the producer receives

const median = (values) => {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
};
const kbps = (bps) => (Number.isFinite(bps) ? `${Math.round(bps / 1000)} kbps` : String(bps));

async function decoded(consumer) {
	const stats = await room.subscriber.call('getVideoReceiveStats', [consumer.id]);
	return stats[consumer.id]?.framesDecoded ?? 0;
}

/** The layer changes of a consumer, one line: "+3.2s S2T2, +20.1s S1T2, ...". */
function layerChanges(layersEvents, since) {
	return layersEvents.map((e) => `+${((e.at - since) / 1000).toFixed(1)}s ${layersText(e.layers)}`).join(', ') || 'none';
}

/** The producer's received bitrate per rid (or SSRC), one line. */
async function producerBitrates() {
	const stats = await room.producer.getStats();
	return stats.map((s) => `${s.rid ?? s.ssrc}: ${kbps(s.bitrate)}`).join(', ');
}

async function constrainedDownlink(t) {
	t.comment(`page A captures ${room.capture.width}x${room.capture.height}; it sends ${layers.map((l) => `${l.rid ?? `S${l.spatialLayer}`} ${l.width}x${l.height}`).join(', ')}`);
	const rx = await receiveThroughRelay(room, { rateBps: Infinity });
	t.teardown(() => rx.close());
	const { consumer, layersEvents } = rx.consumers[0];
	t.equal(consumer.type, room.svc ? 'svc' : 'simulcast', `page B consumes the ${consumer.type} producer`);
	const { tuple, viaRelay } = await rx.selectedTupleViaRelay();
	t.ok(viaRelay, `page B's transport runs through the relay (SFU's selected tuple ${JSON.stringify(tuple)}, relay ports ${rx.relay.upstreamPorts().join(', ')})`);
	await waitFor(async () => (await decoded(consumer)) >= 10, 20000, 'page B decoding its first frames');
	const startedAt = Date.now();

	const { rows, phases } = await runPhases(room, rx, [
		{ name: 'open', rateBps: Infinity, ms: 8000, maxMs: 15000, until: (row) => onTopLayer(row.consumers[0].layers, top) },
		{ name: 'limited', rateBps: LIMIT, ms: 20000 },
		{ name: 'lifted', rateBps: Infinity, ms: 15000 },
	]);
	const [open, limited, lifted] = phases;
	for (const line of formatTable(rows)) t.comment(line);
	t.comment(`'layerschange': ${layerChanges(layersEvents, startedAt)} (run started +0s; limit at +${((limited.startedAt - startedAt) / 1000).toFixed(1)}s, ` +
		`lifted at +${((lifted.startedAt - startedAt) / 1000).toFixed(1)}s)`);
	t.comment(`'bwe' trace events: ${rx.traces.length}; last: ${JSON.stringify(rx.traces[rx.traces.length - 1] ?? null)}; ` +
		`'probation' trace events: ${rx.probations.length}`);
	t.comment(`producer's received bitrates now: ${await producerBitrates()}`);
	const [transportStats] = await rx.recvTransport.getStats();
	const [consumerStats] = await consumer.getStats();
	t.comment(`page B's transport: ${Math.round(transportStats.bytesSent / 1024)} KiB sent, ${Math.round(transportStats.rtxBytesSent / 1024)} KiB of it RTX; ` +
		`consumer: ${consumerStats.packetCount} packets, ${consumerStats.packetsRetransmitted} retransmitted, ${consumerStats.nackCount} NACKs, ${consumerStats.pliCount} PLIs`);

	const rowsOf = (name, fromS = 0, toS = Infinity) => rows.filter((r) => r.phase === name && r.t > fromS && r.t <= toS);
	const topText = `S${top}T${TOP_TEMPORAL_LAYER}`;
	const missingEstimate = (rs) => rs.some((r) => r.estimateBps === undefined);
	const NO_ESTIMATE = 'getStats()[0].availableOutgoingBitrate is missing: mediaplane reports no send-side estimate for page B\'s transport';

	// Unlimited: the top layer.
	const openRows = rowsOf('open');
	const reachedTop = openRows.find((r) => r.consumers[0].layers?.spatialLayer === top);
	t.ok(reachedTop, `unlimited: the consumer reaches the top spatial layer ${top} ` +
		(reachedTop ? `(currentLayers ${layersText(reachedTop.consumers[0].layers)} at ${reachedTop.t} s)` :
			`(never in ${openRows.length} s: ${openRows.map((r) => layersText(r.consumers[0].layers)).join(' ')})`));

	// Limited, after its first 6 s.
	const settled = rowsOf('limited', 6);
	const below = settled.filter((r) => !onTopLayer(r.consumers[0].layers, top));
	t.ok(below.length > settled.length / 2,
		`600 kbps: the consumer is below the top layer (${topText}) in most seconds after the first 6 s (${below.length}/${settled.length}: ` +
		`${settled.map((r) => layersText(r.consumers[0].layers)).join(' ')})` +
		(below.length > settled.length / 2 ? '' : ' — the SFU keeps forwarding the top layer into a 600 kbps link: no allocation caps the consumer\'s layers to the estimate'));

	const secondHalf = rowsOf('limited', 10);
	const estimates = secondHalf.map((r) => r.estimateBps);
	if (missingEstimate(secondHalf)) {
		t.fail(`600 kbps: the estimate stays below 2 x the limit in the phase's second half — ${NO_ESTIMATE}`);
	} else {
		const over = secondHalf.filter((r) => !(r.estimateBps < 2 * LIMIT));
		t.ok(over.length === 0, `600 kbps: availableOutgoingBitrate below ${kbps(2 * LIMIT)} through the phase's second half ` +
			`(${estimates.map((e) => Math.round(e / 1000)).join(' ')} kbps; median ${Math.round((100 * median(estimates)) / LIMIT)}% of the limit)`);
	}

	const lowLoss = settled.filter((r) => r.relay.lossPct < 10);
	t.ok(lowLoss.length > settled.length / 2,
		`600 kbps: most seconds after the first 6 s lose under 10% at the relay (${lowLoss.length}/${settled.length}; ` +
		`loss % ${settled.map((r) => r.relay.lossPct.toFixed(0)).join(' ')}; offered ${settled.map((r) => Math.round(r.relay.offeredBps / 1000)).join(' ')} kbps, ` +
		`of which RTX ${settled.map((r) => Math.round(r.relay.offeredRtxBps / 1000)).join(' ')} kbps)`);

	const watch = await room.subscriber.call('getDecodingWatch', consumer.id, { fromMs: limited.startedAt + 6000, toMs: limited.endedAt, gapMs: 500 });
	t.ok(watch.longestGapMs <= 2000, `600 kbps: page B keeps decoding after the first 6 s (longest gap in framesDecoded ${watch.longestGapMs} ms; ` +
		`gaps over 500 ms: ${watch.gaps.map((g) => `+${((g.from - limited.startedAt) / 1000).toFixed(1)}s ${g.ms} ms`).join(', ') || 'none'})`);

	// Lifted.
	const liftedRows = rowsOf('lifted');
	if (missingEstimate(liftedRows)) {
		t.fail(`lifted: the estimate rises above ${kbps(LIFTED_ESTIMATE)} — ${NO_ESTIMATE}`);
	} else {
		const risen = liftedRows.find((r) => r.estimateBps > LIFTED_ESTIMATE);
		t.ok(risen, `lifted: availableOutgoingBitrate rises above ${kbps(LIFTED_ESTIMATE)} ` +
			(risen ? `(${kbps(risen.estimateBps)} at ${risen.t} s)` : `(${liftedRows.map((r) => Math.round(r.estimateBps / 1000)).join(' ')} kbps)`));
	}
	const back = liftedRows.find((r) => r.consumers[0].layers?.spatialLayer === top);
	t.ok(back, `lifted: the consumer is back on the top spatial layer ${top} within ${liftedRows.length} s ` +
		(back ? `(at ${back.t} s)` : `(${liftedRows.map((r) => layersText(r.consumers[0].layers)).join(' ')})`));

	t.ok(rx.traces.length > 0, `'bwe' trace events fire on page B's transport after enableTraceEvent(['bwe']) (${rx.traces.length})`);

	// The figures of this run (issue 12 asks for them per run).
	const settledEstimates = settled.map((r) => r.estimateBps).filter(Number.isFinite);
	const firstBelow = rowsOf('limited').find((r) => !onTopLayer(r.consumers[0].layers, top));
	t.comment(`figures: limited phase after 6 s: estimate median ${settledEstimates.length ? `${Math.round((100 * median(settledEstimates)) / LIMIT)}%` : 'n/a'} ` +
		`(min ${settledEstimates.length ? Math.round((100 * Math.min(...settledEstimates)) / LIMIT) : 'n/a'}%, max ${settledEstimates.length ? Math.round((100 * Math.max(...settledEstimates)) / LIMIT) : 'n/a'}%) of the limit; ` +
		`median loss ${median(settled.map((r) => r.relay.lossPct))?.toFixed(1)}%; first second below the top layer: ${firstBelow ? `${firstBelow.t} s` : 'never'}; ` +
		`back on top after the lift: ${back ? `${back.t} s` : 'no'}; longest decoding gap after 6 s: ${watch.longestGapMs} ms; open phase ${((open.endedAt - open.startedAt) / 1000).toFixed(0)} s`);
}

async function twoPriorities(t) {
	const rx = await receiveThroughRelay(room, { rateBps: Infinity, count: 2 });
	t.teardown(() => rx.close());
	const [a, b] = rx.consumers.map((c) => c.consumer);
	await a.setPriority(5);
	await b.setPriority(1);
	t.same([a.priority, b.priority], [5, 1], 'priorities 5 and 1');
	const { viaRelay } = await rx.selectedTupleViaRelay();
	t.ok(viaRelay, 'page B\'s transport runs through the relay');
	await waitFor(async () => (await decoded(a)) >= 10 && (await decoded(b)) >= 10, 20000, 'page B decoding both consumers');
	const startedAt = Date.now();
	const topBitrate = (await room.producer.getStats()).find((s) => s.rid === layers[layers.length - 1].rid)?.bitrate;

	const { rows } = await runPhases(room, rx, [
		{ name: 'a=5,b=1', rateBps: PRIORITY_LIMIT, ms: 15000 },
		{ name: 'a=1,b=5', rateBps: PRIORITY_LIMIT, ms: 15000 },
	], {
		onPhase: async (phase) => {
			if (phase.name === 'a=1,b=5') {
				await a.setPriority(1);
				await b.setPriority(5);
			}
		},
	});
	for (const line of formatTable(rows)) t.comment(line);
	t.comment(`'layerschange' a: ${layerChanges(rx.consumers[0].layersEvents, startedAt)}`);
	t.comment(`'layerschange' b: ${layerChanges(rx.consumers[1].layersEvents, startedAt)}`);
	t.comment(`the top layer (${layers[layers.length - 1].rid}) arrived at ${kbps(topBitrate)} before the limit; now ${await producerBitrates()}`);
	t.same([a.priority, b.priority], [1, 5], 'priorities swapped');

	const spatial = (l) => (l ? l.spatialLayer : -1);
	const SETTLE_S = 5;
	let bothOnTop = 0;
	let judged = 0;
	for (const [name, high, low] of [['a=5,b=1', 0, 1], ['a=1,b=5', 1, 0]]) {
		const phaseRows = rows.filter((r) => r.phase === name && r.t > SETTLE_S);
		judged += phaseRows.length;
		bothOnTop += phaseRows.filter((r) => spatial(r.consumers[0].layers) === top && spatial(r.consumers[1].layers) === top).length;
		const holds = phaseRows.filter((r) => spatial(r.consumers[high].layers) >= spatial(r.consumers[low].layers));
		const strictly = phaseRows.filter((r) => spatial(r.consumers[high].layers) > spatial(r.consumers[low].layers));
		t.ok(holds.length > phaseRows.length / 2,
			`${name}: the priority-5 consumer (${'ab'[high]}) holds a higher or equal spatial layer in most seconds after ${SETTLE_S} s ` +
			`(${holds.length}/${phaseRows.length}, strictly higher in ${strictly.length}; ${'ab'[high]}/${'ab'[low]}: ` +
			`${phaseRows.map((r) => `${spatial(r.consumers[high].layers)}/${spatial(r.consumers[low].layers)}`).join(' ')})`);
	}
	// The comparison above means something only if 1.2 Mbps cannot carry the top layer
	// twice: then the allocator must give one of them less.
	if (Number.isFinite(topBitrate) && 2 * topBitrate > 1.1 * PRIORITY_LIMIT) {
		t.ok(bothOnTop <= judged / 2, `the limit makes a choice: both consumers on the top spatial layer in ${bothOnTop}/${judged} seconds ` +
			`(the top layer arrives at ${kbps(topBitrate)}, twice that is over ${kbps(PRIORITY_LIMIT)})` +
			(bothOnTop <= judged / 2 ? '' : ' — both are forwarded the top layer through a 1.2 Mbps link: no allocation by priority'));
	} else {
		t.comment(`not checked whether the limit makes a choice: the top layer arrives at ${kbps(topBitrate)}, twice that fits ${kbps(PRIORITY_LIMIT)}`);
	}
}

/**
 * The constrained-downlink checks in `t`, with a room of its own: VP8 simulcast (and
 * then the two-priorities check), or VP9 SVC with `svc`.
 */
function constrainedTests(t, { svc }) {
	t.test(svc ? 'VP9 SVC (L3T3_KEY)' : 'VP8 simulcast (3 x L1T3)', async (t) => {
		room = await startRoom({ svc });
		t.teardown(() => room.close());
		if (room.skipReason) {
			t.skip(room.skipReason);
			return;
		}
		layers = await sentLayers(room);
		top = layers[layers.length - 1].spatialLayer;
		await t.test('600 kbps downlink: the estimate follows it, the consumer steps down, page B keeps decoding; back up when lifted', constrainedDownlink);
		// The issue's priority check is about simulcast consumers.
		if (!svc) await t.test('two consumers under 1.2 Mbps: the higher priority holds the better layer, also after a swap', twoPriorities);
	});
}

module.exports = { constrainedTests };
