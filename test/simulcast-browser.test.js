'use strict';
// Simulcast end to end with real Chromium and mediasoup-client: page A sends VP8 in
// three RID-identified simulcast encodings (1280x720 fake camera at 30 fps, scaled by
// 4, 2 and 1, each L1T3); the producer must learn every encoding that is sent. Page B
// consumes it through mediaplane: by default it gets the highest layer that is sent,
// setPreferredLayers() moves it down and up between spatial layers (page B's decoded
// frameWidth follows), and temporal layer 0 lowers page B's decoded frame rate without
// a stall (the dropped temporal layers leave no sequence-number gap the decoder waits on).
//
// Chromium's bandwidth estimate rises to cover the three encodings (1.75 Mbps) because
// mediaplane answers with transport-cc feedback (test/bwe-browser.test.js; without it
// the estimate fell to ~50 kbps within seconds and only the lowest encoding was left).
// The start bitrate (mediasoup-client's videoGoogleStartBitrate codec option) is raised
// so that every layer is up from the first second instead of after the ramp-up; the
// estimator stays free to go down. Chromium also sends no
// more encodings than the capture resolution allows (640x360 gives two, 1280x720
// three; --force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/ lifts that),
// hence the 720p capture. The fake camera runs at 20 fps unless its flag says fps=30.
// 'L1T3' is what mediasoup-client asks for anyway when no scalabilityMode is given.
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { sleep, waitFor } = require('./browser/wait');
const { consumeOnPage, receivedVideo, describeLayers, waitForDecodedWidth } = require('./browser/layers');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const vp8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };

const CAPTURE = { width: 1280, height: 720, frameRate: 30 };
const ENCODINGS = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 2, maxBitrate: 400000, scalabilityMode: 'L1T3' },
	{ scaleResolutionDownBy: 1, maxBitrate: 1200000, scalabilityMode: 'L1T3' },
];
const CODEC_OPTIONS = { videoGoogleStartBitrate: 2500 };
const PUBLISHER_ARGS = ['--use-fake-device-for-media-stream=fps=30'];

let worker;
let router;
let publisher;
let subscriber;
let video; // the server-side simulcast producer
let pageProducerId; // its id in page A
let capture; // page A's camera track settings
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs: [opus, vp8] });
	publisher = await startBrowserSession({ args: PUBLISHER_ARGS });
	subscriber = await startBrowserSession();
	await publisher.loadDevice(router.rtpCapabilities);
	await subscriber.loadDevice(router.rtpCapabilities);
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	const send = await publisher.connectSendTransport(sendTransport, {
		kind: 'video',
		routerRtpCapabilities: router.rtpCapabilities,
		produceOptions: { encodings: ENCODINGS, codecOptions: CODEC_OPTIONS, video: CAPTURE },
		onProduce: async ({ kind, rtpParameters }) => {
			video = await sendTransport.produce({ kind, rtpParameters });
			return { id: video.id };
		},
	});
	pageProducerId = send.producer.id;
	capture = send.producer.trackSettings;
});
t.teardown(async () => {
	await publisher?.close();
	await subscriber?.close();
	router?.close();
	worker?.close();
});

/** Page A's outbound-rtp stats by rid: { ssrc, frameWidth, framesPerSecond, framesEncoded, ... }. */
async function publisherOutbound() {
	const stats = await publisher.getProducerStats(pageProducerId);
	return new Map(stats.filter((s) => s.type === 'outbound-rtp' && s.rid).map((s) => [s.rid, s]));
}

// The layers page A sends, learnt once: [{ spatialLayer, rid, ssrc, width, fps }], lowest first.
let sentLayersPromise;
function sentLayers() {
	sentLayersPromise ??= (async () => {
		const rids = video.rtpParameters.encodings.map((e) => e.rid);
		const withPackets = async () => (await video.getStats()).filter((s) => s.packetCount > 0 && rids.includes(s.rid));
		await waitFor(async () => (await withPackets()).length >= 2, 15000, 'two encodings with packets at the producer',
			async () => JSON.stringify(await video.getStats()));
		// Give a third encoding the chance to start too, then take what is sent.
		await waitFor(async () => (await withPackets()).length === rids.length, 3000, 'every encoding').catch(() => {});
		await sleep(1000);
		const received = new Map((await withPackets()).map((s) => [s.rid, s]));
		const outbound = await publisherOutbound();
		const layers = [];
		rids.forEach((rid, spatialLayer) => {
			const atServer = received.get(rid);
			const atPage = outbound.get(rid);
			if (atServer && atPage?.framesEncoded > 0 && atPage.frameWidth) {
				layers.push({
					spatialLayer, rid, ssrc: atServer.ssrc, pageSsrc: atPage.ssrc, packetCount: atServer.packetCount,
					width: atPage.frameWidth, height: atPage.frameHeight, fps: atPage.framesPerSecond,
					scalabilityMode: atPage.scalabilityMode,
				});
			}
		});
		return layers;
	})();
	return sentLayersPromise;
}

// Page B's consumer, created once.
let consumedPromise;
function consumed() {
	consumedPromise ??= consumeOnPage({ router, page: subscriber, producerId: video.id, listenInfos: LISTEN });
	return consumedPromise;
}

const received = (consumer) => receivedVideo(subscriber, consumer);
const describe = (consumer) => describeLayers(subscriber, consumer);

/**
 * Resolves once page B decodes frames as wide as page A now encodes `layer` (read
 * afresh each time: Chromium may scale a layer down when the CPU is short).
 */
function waitForLayerWidth(consumer, layer, timeoutMs) {
	return waitForDecodedWidth({
		page: subscriber, consumer, timeoutMs, what: `layer ${layer.spatialLayer} (${layer.rid})`,
		width: async () => (await publisherOutbound()).get(layer.rid)?.frameWidth ?? layer.width,
	});
}

/**
 * Page B's decoding over `ms`, sampled every 200 ms: { frames, fps, longestStallMs }
 * (fps from the stats' own timestamps).
 */
async function measureDecoding(consumer, ms = 2000) {
	const first = await received(consumer);
	let last = first;
	let lastChange = Date.now();
	let longestStallMs = 0;
	const until = Date.now() + ms;
	while (Date.now() < until) {
		await sleep(200);
		const now = await received(consumer);
		if ((now.framesDecoded ?? 0) > (last.framesDecoded ?? 0)) lastChange = Date.now();
		longestStallMs = Math.max(longestStallMs, Date.now() - lastChange);
		last = now;
	}
	const frames = (last.framesDecoded ?? 0) - (first.framesDecoded ?? 0);
	return { frames, fps: (frames * 1000) / (last.timestamp - first.timestamp), longestStallMs };
}

t.test('page A sends VP8 simulcast; the producer learns each encoding by its RID', async (t) => {
	t.equal(video.type, 'simulcast');
	t.same(video.rtpParameters.encodings.map((e) => e.rid), ['r0', 'r1', 'r2'], 'mediasoup-client names the encodings r0..r2');
	t.comment(`page A captures ${capture.width}x${capture.height} at ${capture.frameRate} fps`);
	const layers = await sentLayers();
	for (const l of layers) {
		t.comment(`layer ${l.spatialLayer} (${l.rid}): ${l.width}x${l.height} at ${l.fps} fps, ${l.scalabilityMode}, ` +
			`ssrc ${l.ssrc}, ${l.packetCount} packets at the producer`);
	}
	t.ok(layers.length >= 2, `at least two encodings are sent and received (${layers.length})`);
	t.equal(layers[0]?.spatialLayer, 0, 'the lowest encoding is among them');
	for (const l of layers) t.equal(l.ssrc, l.pageSsrc, `${l.rid}: the producer learnt page A's SSRC`);
	const widths = layers.map((l) => l.width);
	t.ok(widths.every((w, i) => i === 0 || w > widths[i - 1]), `the layers grow in width (${widths.join(', ')})`);
	const score = video.score;
	for (const l of layers) {
		const entry = score.find((s) => s.rid === l.rid);
		t.ok(entry && entry.score > 0, `${l.rid} has a score (${JSON.stringify(entry)})`);
	}
	const stats = await video.getStats();
	t.ok(stats.every((s) => s.type === 'inbound-rtp' && s.kind === 'video' && s.mimeType === 'video/VP8'),
		'producer stats: inbound-rtp VP8 entries');
	t.ok(stats.length >= layers.length, `one producer stats entry per received encoding (${stats.map((s) => s.rid).join(', ')})`);
});

t.test('page B consumes the simulcast producer and decodes it', async (t) => {
	const { consumer } = await consumed();
	t.equal(consumer.type, 'simulcast');
	t.equal(consumer.rtpParameters.encodings.length, 1, 'one stream towards page B');
	t.equal(consumer.rtpParameters.encodings[0].scalabilityMode, 'L3T3', 'three spatial, three temporal layers');
	t.same(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 2 }, 'the highest layers are preferred by default');
	await waitFor(async () => ((await received(consumer)).framesDecoded ?? 0) >= 30, 20000, '30 frames decoded by page B',
		() => describe(consumer));
	t.pass('page B decodes');
});

t.test('by default page B gets the highest layer that is sent', async (t) => {
	const layers = await sentLayers();
	const top = layers[layers.length - 1];
	const { consumer, layersEvents } = await consumed();
	await waitFor(() => consumer.currentLayers?.spatialLayer === top.spatialLayer, 10000,
		`currentLayers.spatialLayer ${top.spatialLayer}`, () => describe(consumer));
	t.ok(layersEvents.length >= 1, `'layerschange' fired (${JSON.stringify(layersEvents)})`);
	const width = await waitForLayerWidth(consumer, top, 10000);
	t.pass(`page B decodes layer ${top.spatialLayer} (${width} px wide)`);
});

t.test('setPreferredLayers(): spatial layer 0, then back to the highest', async (t) => {
	const layers = await sentLayers();
	const [bottom] = layers;
	const top = layers[layers.length - 1];
	const { consumer } = await consumed();
	// Start from the highest layer, so that going down is seen.
	await waitForLayerWidth(consumer, top, 10000);

	await consumer.setPreferredLayers({ spatialLayer: 0 });
	t.equal(consumer.preferredLayers?.spatialLayer, 0, 'preferredLayers updated');
	let switchedAt = Date.now();
	let width = await waitForLayerWidth(consumer, bottom, 5000);
	t.pass(`page B went down to layer 0 (${width} px) in ${Date.now() - switchedAt} ms`);
	await waitFor(() => consumer.currentLayers?.spatialLayer === 0, 2000, 'currentLayers.spatialLayer 0', () => describe(consumer));
	t.equal(consumer.currentLayers.spatialLayer, 0);
	// getStats(): the consumer's stream, then the producer stream it now forwards.
	const consumerStats = await consumer.getStats();
	t.same(consumerStats.map((s) => s.type), ['outbound-rtp', 'inbound-rtp'], 'consumer stats: its stream and the forwarded one');
	t.equal(consumerStats[1].rid, bottom.rid, `the inbound-rtp entry is layer 0's (${consumerStats[1].rid})`);
	const low = await measureDecoding(consumer, 1000);
	t.ok(low.frames > 0, `page B keeps decoding on layer 0 (${low.frames} frames in 1 s)`);

	await consumer.setPreferredLayers({ spatialLayer: top.spatialLayer });
	switchedAt = Date.now();
	width = await waitForLayerWidth(consumer, top, 5000);
	t.pass(`page B went back up to layer ${top.spatialLayer} (${width} px) in ${Date.now() - switchedAt} ms`);
	await waitFor(() => consumer.currentLayers?.spatialLayer === top.spatialLayer, 2000,
		`currentLayers.spatialLayer ${top.spatialLayer}`, () => describe(consumer));
	t.equal(consumer.currentLayers.spatialLayer, top.spatialLayer);
});

t.test('setPreferredLayers(): temporal layer 0 lowers the frame rate without a stall', async (t) => {
	const layers = await sentLayers();
	const top = layers[layers.length - 1];
	const { consumer } = await consumed();
	await consumer.setPreferredLayers({ spatialLayer: top.spatialLayer, temporalLayer: 2 });
	const width = await waitForLayerWidth(consumer, top, 5000);
	await sleep(500);
	const full = await measureDecoding(consumer);
	t.comment(`all temporal layers: ${full.fps.toFixed(1)} fps decoded (page A encodes ${top.fps} fps)`);
	t.ok(full.frames > 0, 'page B decodes with all temporal layers');

	await consumer.setPreferredLayers({ spatialLayer: top.spatialLayer, temporalLayer: 0 });
	t.same(consumer.preferredLayers, { spatialLayer: top.spatialLayer, temporalLayer: 0 }, 'preferredLayers updated');
	await waitFor(() => consumer.currentLayers?.temporalLayer === 0, 5000, 'currentLayers.temporalLayer 0',
		() => describe(consumer));
	t.same(consumer.currentLayers, { spatialLayer: top.spatialLayer, temporalLayer: 0 });
	await sleep(500);
	const reduced = await measureDecoding(consumer);
	t.comment(`temporal layer 0: ${reduced.fps.toFixed(1)} fps decoded, longest stall ${reduced.longestStallMs} ms`);
	t.ok(reduced.frames > 0, `page B keeps decoding (${reduced.frames} frames in 2 s)`);
	t.ok(reduced.fps < 0.6 * full.fps, `the frame rate drops (${reduced.fps.toFixed(1)} < 60% of ${full.fps.toFixed(1)} fps)`);
	t.ok(reduced.longestStallMs <= 1000, `no stall longer than 1 s (${reduced.longestStallMs} ms)`);
	t.equal((await received(consumer)).frameWidth, width, 'still the highest spatial layer');

	await consumer.setPreferredLayers({ spatialLayer: top.spatialLayer, temporalLayer: 2 });
	await waitFor(() => consumer.currentLayers?.temporalLayer === 2, 5000, 'currentLayers.temporalLayer 2',
		() => describe(consumer));
	await sleep(500);
	const restored = await measureDecoding(consumer);
	t.ok(restored.fps > 0.8 * full.fps, `all temporal layers again: ${restored.fps.toFixed(1)} fps`);
});

/**
 * Per rid, what page A sends ({ active, framesEncoded, packetsSent, bytesSent, frameWidth })
 * and what the producer receives ({ packetCount }), for telling a stopped encoding from
 * one that only pads.
 */
async function sendingByRid() {
	const outbound = await publisherOutbound();
	const atServer = new Map((await video.getStats()).map((s) => [s.rid, s]));
	return new Map(video.rtpParameters.encodings.map(({ rid }) => {
		const o = outbound.get(rid) ?? {};
		return [rid, {
			active: o.active, framesEncoded: o.framesEncoded ?? 0, packetsSent: o.packetsSent ?? 0, bytesSent: o.bytesSent ?? 0,
			frameWidth: o.frameWidth, serverPackets: atServer.get(rid)?.packetCount ?? 0,
		}];
	}));
}

/** What each rid sent between two sendingByRid() snapshots, as one line. */
function sendingDelta(before, after, ms) {
	return [...after].map(([rid, a]) => {
		const b = before.get(rid);
		return `${rid} active=${a.active}: +${a.framesEncoded - b.framesEncoded} frames, +${a.packetsSent - b.packetsSent} packets ` +
			`(+${a.bytesSent - b.bytesSent} bytes) sent, +${a.serverPackets - b.serverPackets} at the producer`;
	}).join('; ') + ` in ${ms} ms`;
}

t.test('the sender stops the upper layers (setMaxSpatialLayer): the consumer falls back to layer 0, then goes back up', async (t) => {
	const layers = await sentLayers();
	const [bottom] = layers;
	const top = layers[layers.length - 1];
	const { consumer, layersEvents } = await consumed();
	// Page A sends every encoding again whatever happens below, for later subtests.
	let lowered = false;
	t.teardown(async () => {
		if (lowered) await publisher.setMaxSpatialLayer(pageProducerId, ENCODINGS.length - 1);
	});

	await consumer.setPreferredLayers({ spatialLayer: top.spatialLayer });
	await waitForLayerWidth(consumer, top, 10000);
	t.equal(consumer.currentLayers?.spatialLayer, top.spatialLayer, `page B starts on layer ${top.spatialLayer}`);

	const eventsBefore = layersEvents.length;
	const decodingDuringFallback = measureDecoding(consumer, 4000);
	let before = await sendingByRid();
	let switchedAt = Date.now();
	lowered = true;
	const lowering = await publisher.setMaxSpatialLayer(pageProducerId, 0);
	t.comment(`page A setMaxSpatialLayer(0) in ${Date.now() - switchedAt} ms: ${JSON.stringify(lowering)}`);
	let width = await waitForLayerWidth(consumer, bottom, 6000);
	t.pass(`page B fell back to layer 0 (${width} px) ${Date.now() - switchedAt} ms after page A stopped the upper layers`);
	await waitFor(() => consumer.currentLayers?.spatialLayer === 0, 2000, 'currentLayers.spatialLayer 0', () => describe(consumer));
	t.equal(consumer.currentLayers.spatialLayer, 0, 'currentLayers.spatialLayer 0');
	await waitFor(() => layersEvents.slice(eventsBefore).some((l) => l?.spatialLayer === 0), 2000, "a 'layerschange' to layer 0");
	t.pass(`'layerschange' reported spatial layer 0 (${JSON.stringify(layersEvents.slice(eventsBefore))})`);
	const fallback = await decodingDuringFallback;
	t.comment(`page B during the fallback: ${fallback.frames} frames in 4 s, longest stall ${fallback.longestStallMs} ms`);
	const low = await measureDecoding(consumer, 1000);
	t.ok(low.frames > 0, `page B keeps decoding on layer 0 (${low.frames} frames in 1 s)`);
	let after = await sendingByRid();
	t.comment(`page A while limited to layer 0: ${sendingDelta(before, after, Date.now() - switchedAt)}`);
	before = await sendingByRid();
	await sleep(1000);
	t.comment(`page A while limited to layer 0, a later second: ${sendingDelta(before, await sendingByRid(), 1000)}`);

	switchedAt = Date.now();
	const raising = await publisher.setMaxSpatialLayer(pageProducerId, top.spatialLayer);
	lowered = top.spatialLayer < ENCODINGS.length - 1;
	t.comment(`page A setMaxSpatialLayer(${top.spatialLayer}) in ${Date.now() - switchedAt} ms: ${JSON.stringify(raising)}`);
	width = await waitForLayerWidth(consumer, top, 8000);
	t.pass(`page B went back up to layer ${top.spatialLayer} (${width} px) ${Date.now() - switchedAt} ms after page A resumed it`);
	await waitFor(() => consumer.currentLayers?.spatialLayer === top.spatialLayer, 2000,
		`currentLayers.spatialLayer ${top.spatialLayer}`, () => describe(consumer));
	t.equal(consumer.currentLayers.spatialLayer, top.spatialLayer, `currentLayers.spatialLayer ${top.spatialLayer}`);
	const high = await measureDecoding(consumer, 1000);
	t.ok(high.frames > 0, `page B keeps decoding on layer ${top.spatialLayer} (${high.frames} frames in 1 s)`);
});

t.test('pipeToRouter() carries every simulcast stream; a consumer on the other worker switches layers', async (t) => {
	const layers = await sentLayers();
	const [bottom] = layers;
	const top = layers[layers.length - 1];
	const otherWorker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => otherWorker.close());
	const otherRouter = await otherWorker.createRouter({ mediaCodecs: [opus, vp8] });
	const { pipeConsumer, pipeProducer } = await router.pipeToRouter({ producerId: video.id, router: otherRouter });
	t.equal(pipeConsumer.type, 'pipe');
	t.equal(pipeConsumer.rtpParameters.encodings.length, video.rtpParameters.encodings.length, 'one pipe stream per encoding');
	t.equal(pipeProducer.type, 'simulcast');
	// Every layer page A sends arrives at the piped producer, each as its own stream.
	await waitFor(async () => (await pipeProducer.getStats()).filter((s) => s.packetCount > 0).length >= layers.length,
		10000, `${layers.length} streams with packets at the piped producer`, async () => JSON.stringify(await pipeProducer.getStats()));
	const pipeStats = await pipeConsumer.getStats();
	t.ok(pipeStats.filter((s) => s.type === 'outbound-rtp' && s.packetCount > 0).length >= layers.length,
		`the pipe consumer sends ${layers.length} streams`);

	const { consumer } = await consumeOnPage({ router: otherRouter, page: subscriber, producerId: pipeProducer.id, listenInfos: LISTEN });
	t.equal(consumer.type, 'simulcast');
	let width = await waitForLayerWidth(consumer, top, 10000);
	t.pass(`page B decodes layer ${top.spatialLayer} (${width} px) through the pipe`);
	await consumer.setPreferredLayers({ spatialLayer: 0 });
	width = await waitForLayerWidth(consumer, bottom, 5000);
	t.pass(`and layer 0 (${width} px) after setPreferredLayers()`);
	t.equal(consumer.currentLayers?.spatialLayer, 0);
});
