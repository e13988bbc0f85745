#!/usr/bin/env node
'use strict';
// Send-side bandwidth estimation against a real receiver behind a changing bottleneck
// (issue 12): page A (Chromium) publishes VP8 simulcast (320x180, 640x360, 1280x720);
// page B (Chromium) consumes it through test/bwe/rate-limited-relay.js, a token bucket
// with ~50 ms of burst and a ~50 ms drop-tail queue on the SFU -> page B direction.
// The limit steps: unlimited 10 s -> 600 kbps 20 s -> 1.5 Mbps 20 s -> unlimited 10 s.
//
// Prints the estimate (page B's transport getStats() availableOutgoingBitrate) against
// the limit every 2 s, with what the bottleneck forwarded and dropped and the
// consumer's layers, then per step: the convergence time (from the step until the
// estimate is within +-25% of the limit and stays there to the step's end), the
// estimate/limit ratio after convergence, the loss, and when the consumer was on the
// top layer. Sampled every 500 ms.
//
//   node bench/bwe-constrained.js          (VP8 simulcast)
//   node bench/bwe-constrained.js --svc    (VP9 SVC L3T3_KEY)
//
// Needs Debian's Chromium (scripts/ensure-chromium.js installs it as root). Takes
// about 80 s. Not a test: nothing here fails on a figure.
const { startRoom, sentLayers, receiveThroughRelay, runPhases, onTopLayer, layersText } = require('../test/bwe/constrained-room');
const { waitFor } = require('../test/browser/wait');

const STEPS = [
	{ name: 'open', rateBps: Infinity, ms: 10000 },
	{ name: '600k', rateBps: 600_000, ms: 20000 },
	{ name: '1.5M', rateBps: 1_500_000, ms: 20000 },
	{ name: 'open2', rateBps: Infinity, ms: 10000 },
];
const SAMPLE_MS = 500;
const PRINT_EVERY = 4; // samples per printed row (2 s)
const WITHIN = 0.25;
const DEADLINE_MS = 240_000; // the whole run, set-up included

const kbps = (bps) => (Number.isFinite(bps) ? String(Math.round(bps / 1000)) : 'n/a');
const pad = (s, n) => String(s).padStart(n);
const median = (values) => {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};
const pct = (x) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : 'n/a');

/** Seconds from the step start until the estimate is within +-WITHIN of the limit for good (NaN: never). */
function convergence(rows, limitBps) {
	let since;
	for (const r of rows) {
		const ok = Number.isFinite(r.estimateBps) && Math.abs(r.estimateBps / limitBps - 1) <= WITHIN;
		if (ok && since === undefined) since = r;
		if (!ok) since = undefined;
	}
	return since ? { t: since.t, from: rows.indexOf(since) } : undefined;
}

async function main() {
	const started = Date.now();
	const svc = process.argv.includes('--svc');
	const room = await startRoom({ svc });
	if (room.skipReason) {
		console.log(`bwe-constrained: skipped (${room.skipReason})`);
		await room.close();
		return;
	}
	let rx;
	const watchdog = setTimeout(() => {
		console.error(`bwe-constrained: not done after ${DEADLINE_MS / 1000} s; stopping`);
		Promise.resolve(rx?.close()).finally(() => room.close()).finally(() => process.exit(1));
	}, DEADLINE_MS);
	try {
		const layers = await sentLayers(room);
		const top = layers[layers.length - 1].spatialLayer;
		rx = await receiveThroughRelay(room, { rateBps: Infinity });
		const { consumer } = rx.consumers[0];
		const { viaRelay } = await rx.selectedTupleViaRelay();
		if (!viaRelay) throw new Error('page B\'s transport does not run through the relay');
		await waitFor(async () => ((await room.subscriber.call('getVideoReceiveStats', [consumer.id]))[consumer.id]?.framesDecoded ?? 0) >= 10,
			20000, 'page B decoding its first frames');

		console.log(`bwe-constrained: the SFU's estimate for page B (${svc ? 'VP9 SVC' : 'VP8 simulcast'} ` +
			`${layers.map((l) => `${l.width}x${l.height}`).join(' / ')}) behind a token bucket + 50 ms drop-tail queue`);
		const { rows } = await runPhases(room, rx, STEPS, { everyMs: SAMPLE_MS });

		console.log('');
		console.log(`${pad('t(s)', 5)} ${pad('step', 6)} ${pad('limit', 6)} ${pad('estim', 6)} ${pad('est/lim', 7)} ${pad('max', 6)} ${pad('desire', 6)} ${pad('prb', 3)} ${pad('out', 6)} ${pad('loss', 5)} ${pad('rtx-in', 6)}  layers`);
		const runStart = rows[0].at - SAMPLE_MS;
		for (let i = PRINT_EVERY - 1; i < rows.length; i += PRINT_EVERY) {
			const group = rows.slice(i - PRINT_EVERY + 1, i + 1);
			const r = rows[i];
			const offered = group.reduce((s, g) => s + g.relay.packetsOffered, 0);
			const dropped = group.reduce((s, g) => s + g.relay.packetsDropped, 0);
			const out = group.reduce((s, g) => s + g.relay.forwardedBps, 0) / group.length;
			const rtx = group.reduce((s, g) => s + g.relay.offeredRtxBps, 0) / group.length;
			const limited = Number.isFinite(r.limitBps);
			const maxEstimate = Math.max(...group.map((g) => g.estimateBps ?? NaN));
			console.log(`${pad(((r.at - runStart) / 1000).toFixed(0), 5)} ${pad(r.phase, 6)} ${pad(limited ? kbps(r.limitBps) : 'inf', 6)} ` +
				`${pad(kbps(r.estimateBps), 6)} ${pad(limited ? pct(r.estimateBps / r.limitBps) : '', 7)} ${pad(kbps(maxEstimate), 6)} ${pad(kbps(r.desiredBps), 6)} ${pad(group.reduce((n, g) => n + g.probations, 0), 3)} ${pad(kbps(out), 6)} ` +
				`${pad(`${offered ? ((100 * dropped) / offered).toFixed(0) : 0}%`, 5)} ${pad(kbps(rtx), 6)}  ${group.map((g) => layersText(g.consumers[0].layers)).join(' ')}`);
		}
		console.log('(kbps; estim = availableOutgoingBitrate at the row\'s end, max = the highest of its 4 samples, desire = desiredBitrate of the last bwe trace, prb = probe clusters (probation traces); out = forwarded by the bottleneck, loss = packets dropped there, ' +
			'rtx-in = retransmissions offered to it; layers = consumer.currentLayers every 500 ms)');

		console.log('');
		console.log(`per step (convergence: from the step until the estimate is within +-${WITHIN * 100}% of the limit and stays there):`);
		for (const step of STEPS) {
			const stepRows = rows.filter((r) => r.phase === step.name);
			const offered = stepRows.reduce((s, r) => s + r.relay.packetsOffered, 0);
			const dropped = stepRows.reduce((s, r) => s + r.relay.packetsDropped, 0);
			const onTop = stepRows.filter((r) => onTopLayer(r.consumers[0].layers, top));
			const firstTop = stepRows.find((r) => r.consumers[0].layers?.spatialLayer === top);
			const lastEstimate = stepRows[stepRows.length - 1]?.estimateBps;
			let line = `  ${step.name.padEnd(6)}`;
			if (Number.isFinite(step.rateBps)) {
				const c = convergence(stepRows, step.rateBps);
				const after = c ? stepRows.slice(c.from).map((r) => r.estimateBps / step.rateBps) : [];
				line += ` limit ${kbps(step.rateBps)} kbps: converged ${c ? `after ${c.t.toFixed(1)} s` : 'never'}` +
					(c ? `, then estimate ${pct(median(after))} of the limit (${pct(Math.min(...after))}..${pct(Math.max(...after))})` : '') +
					`; estimate at the end ${kbps(lastEstimate)} kbps`;
			} else {
				const over = stepRows.find((r) => r.estimateBps > 1_200_000);
				line += ` unlimited: estimate at the end ${kbps(lastEstimate)} kbps, above 1200 kbps ${over ? `after ${over.t.toFixed(1)} s` : 'never'}`;
			}
			line += `; loss ${offered ? ((100 * dropped) / offered).toFixed(1) : '0.0'}% (${dropped}/${offered} packets)` +
				`; top layer (S${top}T2) in ${onTop.length}/${stepRows.length} samples, spatial ${top} first at ${firstTop ? `${firstTop.t.toFixed(1)} s` : 'never'}`;
			console.log(line);
		}
		const [stats] = await rx.recvTransport.getStats();
		console.log(`  page B's transport sent ${Math.round(stats.bytesSent / 1024)} KiB, ${Math.round(stats.rtxBytesSent / 1024)} KiB of it RTX; ` +
			`${rx.traces.length} 'bwe' and ${rx.probations.length} 'probation' trace events; run ${((Date.now() - started) / 1000).toFixed(0)} s`);
	} finally {
		clearTimeout(watchdog);
		await rx?.close().catch(() => {});
		await room.close();
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(`bwe-constrained: ${error.stack || error.message}`);
		process.exit(1);
	}
);
