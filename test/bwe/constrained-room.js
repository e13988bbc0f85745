'use strict';
// The constrained-downlink scenario shared by test/bwe-constrained-browser.test.js and
// bench/bwe-constrained.js: page A (Chromium) publishes VP8 simulcast (three encodings,
// 1280x720 fake camera at 30 fps, as test/simulcast-browser.test.js does); page B
// consumes it through a WebRtcTransport whose packets towards page B pass a
// RateLimitedRelay (./rate-limited-relay.js); a sampler records, once a second, the
// SFU's estimate for page B's transport (getStats() availableOutgoingBitrate), the
// consumers' currentLayers, what the relay forwarded and dropped, and what page B
// decoded.
const mediaplane = require('../..');
const { startBrowserSession } = require('../browser/harness');
const { sleep, waitFor } = require('../browser/wait');
const { RateLimitedRelay, defaultClassify } = require('./rate-limited-relay');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const vp8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const vp9 = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } };

// As test/simulcast-browser.test.js: three L1T3 encodings of a 720p capture; the start
// bitrate raised so that every layer is up from the first second.
const CAPTURE = { width: 1280, height: 720, frameRate: 30 };
const ENCODINGS = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 2, maxBitrate: 400000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 1, maxBitrate: 1200000, scalabilityMode: 'L1T3' },
];
// VP9 SVC as test/svc-browser.test.js: one encoding, three spatial layers (each half as
// wide as the next) of three temporal layers, inter-layer prediction on key frames only.
const SVC_ENCODINGS = [{ scalabilityMode: 'L3T3_KEY' }];
const SVC_SPATIAL_LAYERS = 3;
const CODEC_OPTIONS = { videoGoogleStartBitrate: 2500 };
const PUBLISHER_ARGS = ['--use-fake-device-for-media-stream=fps=30'];
const TOP_TEMPORAL_LAYER = 2; // L1T3

/**
 * Worker, router, page A publishing (VP8 simulcast, or VP9 SVC with `svc`), page B
 * with a loaded device. close() stops the browsers, the router and the worker (waiting,
 * bounded, for the worker's 'subprocessclose'). With `svc`, room.skipReason says why
 * this Chromium cannot send VP9 in L3T3_KEY (and nothing is published).
 */
async function startRoom({ logLevel = 'warn', svc = false } = {}) {
	const room = { worker: undefined, router: undefined, publisher: undefined, subscriber: undefined, producer: undefined, svc, skipReason: undefined };
	room.close = async () => {
		await room.subscriber?.close().catch(() => {});
		await room.publisher?.close().catch(() => {});
		room.router?.close();
		const worker = room.worker;
		if (worker && !worker.closed) {
			const ended = new Promise((resolve) => {
				if (worker.subprocessClosed) resolve();
				else worker.once('subprocessclose', resolve);
			});
			worker.close();
			let timer;
			await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
			clearTimeout(timer);
		}
	};
	try {
		room.worker = await mediaplane.createWorker({ logLevel });
		room.router = await room.worker.createRouter({ mediaCodecs: [opus, svc ? vp9 : vp8] });
		room.publisher = await startBrowserSession({ args: PUBLISHER_ARGS });
		const device = await room.publisher.loadDevice(room.router.rtpCapabilities);
		if (svc) {
			room.skipReason = await svcSkipReason(room.publisher, device);
			if (room.skipReason) return room;
		}
		// MP_SUBSCRIBER_ARGS: extra Chromium flags for page B, to debug its receiver, e.g.
		// "--enable-logging=stderr --v=0" with DEBUG=pw:browser shows its WebRTC warnings.
		room.subscriber = await startBrowserSession(process.env.MP_SUBSCRIBER_ARGS ? { args: process.env.MP_SUBSCRIBER_ARGS.split(' ') } : {});
		await room.subscriber.loadDevice(room.router.rtpCapabilities);
		room.sendTransport = await room.router.createWebRtcTransport({ listenInfos: LISTEN });
		const send = await room.publisher.connectSendTransport(room.sendTransport, {
			kind: 'video',
			routerRtpCapabilities: room.router.rtpCapabilities,
			produceOptions: svc
				? { encodings: SVC_ENCODINGS, codecMimeType: 'video/VP9', codecOptions: CODEC_OPTIONS, video: CAPTURE }
				: { encodings: ENCODINGS, codecOptions: CODEC_OPTIONS, video: CAPTURE },
			onProduce: async ({ kind, rtpParameters }) => {
				room.producer = await room.sendTransport.produce({ kind, rtpParameters });
				return { id: room.producer.id };
			},
		});
		room.pageProducerId = send.producer.id;
		room.capture = send.producer.trackSettings;
		return room;
	} catch (error) {
		await room.close();
		throw error;
	}
}

/** Why this Chromium cannot send VP9 L3T3_KEY (as test/svc-browser.test.js), or undefined. */
async function svcSkipReason(publisher, device) {
	const senderVp9 = await publisher.evaluate(() => (RTCRtpSender.getCapabilities('video')?.codecs ?? [])
		.filter((c) => c.mimeType.toLowerCase() === 'video/vp9')
		.map((c) => ({ scalabilityModes: c.scalabilityModes ?? [] })));
	if (!device.sendRtpCapabilities.codecs.some((c) => c.mimeType.toLowerCase() === 'video/vp9') || senderVp9.length === 0) {
		return 'this Chromium cannot send VP9';
	}
	if (senderVp9.some((c) => c.scalabilityModes.length) && !senderVp9.some((c) => c.scalabilityModes.includes('L3T3_KEY'))) {
		return 'this Chromium cannot send VP9 in L3T3_KEY';
	}
	return undefined;
}

/**
 * The layers page A sends and the producer receives, lowest first:
 * [{ spatialLayer, rid, width, height }]. Simulcast: one per encoding with packets
 * (waits, bounded, for two; then up to 3 s more for every one). SVC: the spatial layers
 * of the one stream (rid undefined; widths halving down from the encoded one).
 */
async function sentLayers(room, timeoutMs = 15000) {
	const { producer, publisher, pageProducerId } = room;
	if (room.svc) {
		await waitFor(async () => (await producer.getStats()).some((s) => s.packetCount > 0), timeoutMs, 'packets at the SVC producer');
		const outbound = (await publisher.getProducerStats(pageProducerId)).find((s) => s.type === 'outbound-rtp') ?? {};
		const width = outbound.frameWidth ?? CAPTURE.width;
		const height = outbound.frameHeight ?? CAPTURE.height;
		return Array.from({ length: SVC_SPATIAL_LAYERS }, (_, s) => {
			const scale = 2 ** (SVC_SPATIAL_LAYERS - 1 - s);
			return { spatialLayer: s, rid: undefined, width: Math.round(width / scale), height: Math.round(height / scale) };
		});
	}
	const rids = producer.rtpParameters.encodings.map((e) => e.rid);
	const withPackets = async () => (await producer.getStats()).filter((s) => s.packetCount > 0 && rids.includes(s.rid));
	await waitFor(async () => (await withPackets()).length >= 2, timeoutMs, 'two encodings with packets at the producer',
		async () => JSON.stringify(await producer.getStats()));
	await waitFor(async () => (await withPackets()).length === rids.length, 3000, 'every encoding').catch(() => {});
	await sleep(500);
	const received = new Set((await withPackets()).map((s) => s.rid));
	const outbound = new Map((await publisher.getProducerStats(pageProducerId))
		.filter((s) => s.type === 'outbound-rtp' && s.rid).map((s) => [s.rid, s]));
	const layers = [];
	rids.forEach((rid, spatialLayer) => {
		const o = outbound.get(rid);
		if (received.has(rid) && o?.framesEncoded > 0) layers.push({ spatialLayer, rid, width: o.frameWidth, height: o.frameHeight });
	});
	return layers;
}

/**
 * Page B receives `count` consumers of the room's producer on one new WebRtcTransport,
 * through a RateLimitedRelay at `rateBps` (Infinity: unlimited). Enables 'bwe' trace
 * events on the transport and records them, records each consumer's 'layerschange',
 * and starts a decoding watch in the page for each consumer.
 * Returns { recvTransport, relay, consumers: [{ consumer, layersEvents }], traces ('bwe'),
 * probations ('probation' traces: one per probe cluster where the engine sends them),
 * selectedTupleViaRelay(), close() }.
 */
async function receiveThroughRelay(room, { rateBps = Infinity, count = 1, burstMs, queueMs, transportOptions } = {}) {
	const { router, subscriber, producer } = room;
	const recvTransport = await router.createWebRtcTransport({ listenInfos: LISTEN, ...(transportOptions ?? {}) });
	const rx = { recvTransport, relay: undefined, consumers: [], traces: [], probations: [] };
	rx.close = async () => {
		for (const { consumer } of rx.consumers) await subscriber.call('stopDecodingWatch', consumer.id).catch(() => {});
		await subscriber.closeTransport(recvTransport.id).catch(() => {});
		recvTransport.close();
		await rx.relay?.close();
	};
	try {
		recvTransport.on('trace', (trace) => (trace.type === 'probation' ? rx.probations : rx.traces).push({ at: Date.now(), ...trace }));
		await recvTransport.enableTraceEvent(['bwe', 'probation']);
		const rtpCapabilities = (await subscriber.getDeviceInfo()).recvRtpCapabilities;
		for (let i = 0; i < count; i++) {
			const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
			const layersEvents = [];
			consumer.on('layerschange', (layers) => layersEvents.push({ at: Date.now(), layers: layers ?? null }));
			rx.consumers.push({ consumer, layersEvents });
		}
		// RTX by payload type, so that the relay can say how much of what it is offered is
		// retransmission (probes on the RTX stream count as 'rtx' too).
		const rtxPayloadTypes = new Set(rx.consumers.flatMap(({ consumer }) => consumer.rtpParameters.codecs
			.filter((c) => c.mimeType.toLowerCase().endsWith('/rtx')).map((c) => c.payloadType)));
		const classify = (message) => {
			const kind = defaultClassify(message);
			return kind === 'rtp' && rtxPayloadTypes.has(message[1] & 0x7f) ? 'rtx' : kind;
		};
		rx.relay = await RateLimitedRelay.create({
			target: { address: LOCAL, port: recvTransport.iceCandidates[0].port }, rateBps, burstMs, queueMs, classify,
		});
		const viaRelay = {
			id: recvTransport.id,
			iceParameters: recvTransport.iceParameters,
			iceCandidates: recvTransport.iceCandidates.map((c) => ({ ...c, port: rx.relay.port })),
			dtlsParameters: recvTransport.dtlsParameters,
			connect: (params) => recvTransport.connect(params),
		};
		for (const [i, { consumer }] of rx.consumers.entries()) {
			const consumerParameters = { id: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
			if (i === 0) await subscriber.connectRecvTransport(viaRelay, router.rtpCapabilities, { consumerParameters });
			else await subscriber.consume({ transportId: recvTransport.id, ...consumerParameters });
			await subscriber.call('watchDecoding', consumer.id, { intervalMs: 100, maxMs: 300_000 });
		}
		for (const { consumer } of rx.consumers) await consumer.resume();
		/** Whether the SFU's selected ICE tuple is one of the relay's (bounded wait). */
		rx.selectedTupleViaRelay = async (timeoutMs = 10000) => {
			let tuple;
			await waitFor(async () => {
				tuple = (await recvTransport.getStats())[0]?.iceSelectedTuple;
				return tuple;
			}, timeoutMs, 'a selected ICE tuple on page B\'s transport').catch(() => {});
			return { tuple, viaRelay: Boolean(tuple && rx.relay.upstreamPorts().includes(tuple.remotePort)) };
		};
		return rx;
	} catch (error) {
		await rx.close().catch(() => {});
		throw error;
	}
}

/** True when `layers` (a consumer's currentLayers) is the top spatial and temporal layer. */
function onTopLayer(layers, topSpatial) {
	return Boolean(layers) && layers.spatialLayer === topSpatial && (layers.temporalLayer ?? TOP_TEMPORAL_LAYER) >= TOP_TEMPORAL_LAYER;
}

/**
 * Runs `phases` ([{ name, rateBps, ms, until?, maxMs? }]) one after the other: sets the
 * relay's rate at each phase's start and samples every `everyMs` (default 1000). A phase
 * lasts `ms`, or, with `until(row)`, until `until` is true of a row after `ms` have
 * passed, at most `maxMs`. `onPhase(phase, startedAt)` is called at each phase start
 * (after the rate is set), e.g. to change priorities. Returns { rows, phases: [{ name,
 * rateBps, startedAt, endedAt }] }; a row: { phase, t (s since the phase start), T (s
 * since the run start), at, limitBps, estimateBps, sendBps, rtxSendBps, relay: {
 * offeredBps, forwardedBps, offeredRtxBps, packetsOffered, packetsDropped, lossPct,
 * maxQueueDelayMs }, consumers: [{ layers, framesDecoded, framesDelta, fps, width,
 * height }], traces and probations (counts of 'bwe' and 'probation' traces since the
 * last row), traceBps and desiredBps (the last
 * trace's availableBitrate and desiredBitrate) }.
 */
async function runPhases(room, rx, phases, { everyMs = 1000, onPhase, onRow } = {}) {
	const { subscriber } = room;
	const { recvTransport, relay, consumers } = rx;
	const ids = consumers.map(({ consumer }) => consumer.id);
	const rows = [];
	const done = [];
	const runStart = Date.now();
	let previousRelay = relay.snapshot();
	let previousFrames = await subscriber.call('getVideoReceiveStats', ids);
	let previousTraces = rx.traces.length;
	let previousProbations = rx.probations.length;
	let queueWatch = 0;
	const onSecond = (entry) => {
		queueWatch = Math.max(queueWatch, entry.maxQueueDelayMs);
	};
	relay.on('second', onSecond);
	try {
		for (const phase of phases) {
			relay.setRate(phase.rateBps);
			const startedAt = Date.now();
			if (onPhase) await onPhase(phase, startedAt);
			const record = { name: phase.name, rateBps: phase.rateBps, startedAt, endedAt: undefined };
			done.push(record);
			const maxMs = Math.max(phase.ms, phase.maxMs ?? phase.ms);
			for (let k = 1; ; k++) {
				const due = startedAt + k * everyMs;
				if (due - startedAt > maxMs) break;
				await sleep(Math.max(0, due - Date.now()));
				const [stats] = await recvTransport.getStats();
				const snap = relay.snapshot();
				const d = RateLimitedRelay.delta(previousRelay, snap);
				previousRelay = snap;
				const page = await subscriber.call('getVideoReceiveStats', ids);
				const at = Date.now();
				const seconds = Math.max(0.001, d.ms / 1000);
				const lastTrace = rx.traces[rx.traces.length - 1];
				const row = {
					phase: phase.name,
					t: Math.round((at - startedAt) / 100) / 10,
					T: Math.round((at - runStart) / 100) / 10,
					at,
					limitBps: relay.rateBps,
					estimateBps: stats.availableOutgoingBitrate,
					sendBps: stats.sendBitrate,
					rtxSendBps: stats.rtxSendBitrate,
					relay: {
						offeredBps: Math.round((d.bytesOffered * 8) / seconds),
						forwardedBps: Math.round((d.bytesForwarded * 8) / seconds),
						offeredRtxBps: Math.round(((d.offeredByKind.rtx ?? 0) * 8) / seconds),
						packetsOffered: d.packetsOffered,
						packetsDropped: d.packetsDropped,
						lossPct: d.packetsOffered ? (100 * d.packetsDropped) / d.packetsOffered : 0,
						maxQueueDelayMs: Math.max(queueWatch, Math.round(relay.maxQueueDelayMs)),
					},
					consumers: consumers.map(({ consumer }) => {
						const now = page[consumer.id] ?? {};
						const before = previousFrames[consumer.id] ?? {};
						const framesDelta = (now.framesDecoded ?? 0) - (before.framesDecoded ?? 0);
						const ms = now.timestamp && before.timestamp ? now.timestamp - before.timestamp : d.ms;
						const grew = (key) => (now[key] ?? 0) - (before[key] ?? 0);
						return {
							layers: consumer.currentLayers ? { ...consumer.currentLayers } : null,
							framesDecoded: now.framesDecoded ?? 0,
							framesDelta,
							// page B's receiver that second: frames assembled, dropped, key frames
							// decoded, packets lost, NACKs and PLIs it sent
							receiver: {
								framesReceived: grew('framesReceived'),
								framesDropped: grew('framesDropped'),
								keyFramesDecoded: grew('keyFramesDecoded'),
								packetsLost: grew('packetsLost'),
								nacks: grew('nackCount'),
								retransmitted: grew('retransmittedPacketsReceived'),
								plis: grew('pliCount'),
							},
							fps: ms > 0 ? (framesDelta * 1000) / ms : 0,
							width: now.frameWidth,
							height: now.frameHeight,
						};
					}),
					traces: rx.traces.length - previousTraces,
					probations: rx.probations.length - previousProbations,
					traceBps: lastTrace?.info?.availableBitrate ?? lastTrace?.availableBitrate,
					desiredBps: lastTrace?.info?.desiredBitrate ?? lastTrace?.desiredBitrate,
				};
				queueWatch = 0;
				previousFrames = page;
				previousTraces = rx.traces.length;
				previousProbations = rx.probations.length;
				rows.push(row);
				if (onRow) onRow(row);
				if (at - startedAt >= phase.ms - everyMs / 2 && (!phase.until || phase.until(row))) break;
			}
			record.endedAt = Date.now();
		}
	} finally {
		relay.off('second', onSecond);
	}
	return { rows, phases: done };
}

const kbps = (bps) => (bps === undefined || bps === null ? '   n/a' : String(Math.round(bps / 1000)).padStart(6));
const layersText = (l) => (l ? `S${l.spatialLayer}T${l.temporalLayer ?? '?'}` : 'none');

/** The rows as a fixed-width table (an array of lines). */
function formatTable(rows) {
	const consumerCount = rows[0]?.consumers.length ?? 0;
	const consumerHead = Array.from({ length: consumerCount }, (_, i) => ` | c${i} layer  fps  width  rcv drp key lost nack rtx pli`).join('');
	const lines = [
		`phase      t(s) | limit  estim  trace prb | sfu-out   rtx | relay-in  out  loss%  qms${consumerHead}`,
	];
	for (const r of rows) {
		const limit = Number.isFinite(r.limitBps) ? kbps(r.limitBps) : '   inf';
		let line = `${r.phase.padEnd(9)} ${r.t.toFixed(1).padStart(5)} |${limit} ${kbps(r.estimateBps)} ${kbps(r.traceBps)} ${String(r.probations).padStart(3)} |` +
			`${kbps(r.sendBps)} ${kbps(r.rtxSendBps)} |  ${kbps(r.relay.offeredBps)} ${kbps(r.relay.forwardedBps)} ` +
			`${r.relay.lossPct.toFixed(1).padStart(5)} ${String(r.relay.maxQueueDelayMs).padStart(4)}`;
		for (const c of r.consumers) {
			const rc = c.receiver;
			line += ` | ${layersText(c.layers).padEnd(8)} ${c.fps.toFixed(0).padStart(4)} ${String(c.width ?? '-').padStart(5)} ` +
				`${[rc.framesReceived, rc.framesDropped, rc.keyFramesDecoded, rc.packetsLost, rc.nacks, rc.retransmitted, rc.plis].map((v, k) => String(v).padStart([4, 3, 3, 4, 4, 3, 3][k])).join(' ')}`;
		}
		lines.push(line);
	}
	lines.push('(kbps; estim = getStats() availableOutgoingBitrate of page B\'s transport, trace = last \'bwe\' trace availableBitrate, prb = \'probation\' traces (probe clusters) that second, ' +
		'sfu-out/rtx = its sendBitrate/rtxSendBitrate; relay-in = offered by the SFU to the bottleneck, out = forwarded to page B, ' +
		'loss% = packets dropped at the bottleneck, qms = longest queueing delay; layer = consumer.currentLayers; fps = frames page B decoded; ' +
		'page B\'s inbound-rtp that second: rcv = frames received, drp = dropped, key = key frames decoded, lost = packets lost, nack/pli = NACKs/PLIs it sent, rtx = retransmissions it received)');
	return lines;
}

module.exports = {
	LOCAL,
	LISTEN,
	CAPTURE,
	ENCODINGS,
	TOP_TEMPORAL_LAYER,
	startRoom,
	sentLayers,
	receiveThroughRelay,
	runPhases,
	onTopLayer,
	formatTable,
	layersText,
};
