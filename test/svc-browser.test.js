'use strict';
// VP9 SVC end to end with real Chromium and mediasoup-client: page A sends VP9 with one
// encoding in scalability mode L3T3_KEY (three spatial layers, each 1/2 the width of the
// next, three temporal layers; spatial layers depend on each other only in key
// pictures) from a 1280x720 fake camera at 30 fps; the producer is an SVC producer. Page
// B consumes it through mediaplane: by default it gets every layer, setPreferredLayers()
// moves it between spatial layers (page B's decoded frameWidth follows: 320, 640, 1280)
// and temporal layer 0 lowers page B's decoded frame rate without a stall.
//
// What Chromium (libvpx) sends for L3T3_KEY, as seen through a PlainTransport consumer:
// flexible mode (F=1) with 15-bit picture ids, one picture id and RTP timestamp for all
// spatial layers of a picture, each layer frame in its own packets (B on the first, E on
// the last), the marker bit only on the last packet of spatial layer 2; the scalability
// structure (V, with the three resolutions, no GOF) only on the first packet of key
// pictures; key pictures have P=0 on every layer and D=1 on layers 1 and 2, other
// pictures P=1, D=0 with one P_DIFF (4 on T0, 2 on T1, 1 on T2; temporal pattern
// T0 T2 T1 T2). A consumer that forwards fewer spatial layers must set the marker bit on
// the end of the top forwarded layer (or Chromium does not decode at all) and may go up
// only at a key picture (or Chromium freezes until its PLI is answered).
//
// Chromium's bandwidth estimate: as in simulcast-browser.test.js, transport-cc feedback
// from mediaplane lets it cover all three spatial layers (~2 Mbps at 720p30); the start
// bitrate is raised so that they are all up from the first second. The
// fake camera runs at 20 fps unless its flag says fps=30.
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { sleep, waitFor } = require('./browser/wait');
const { consumeOnPage, receivedVideo, describeLayers, waitForDecodedWidth } = require('./browser/layers');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const vp9 = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } };

const MODE = 'L3T3_KEY';
const SPATIAL_LAYERS = 3;
const CAPTURE = { width: 1280, height: 720, frameRate: 30 };
const ENCODINGS = [{ scalabilityMode: MODE }];
const CODEC_OPTIONS = { videoGoogleStartBitrate: 2500 };
const PUBLISHER_ARGS = ['--use-fake-device-for-media-stream=fps=30'];

let skipReason; // set when this Chromium cannot send VP9 in L3T3_KEY
let worker;
let router;
let publisher;
let subscriber;
let video; // the server-side VP9 producer
let pageProducerId; // its id in page A
let capture; // page A's camera track settings
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs: [opus, vp9] });
	publisher = await startBrowserSession({ args: PUBLISHER_ARGS });
	const device = await publisher.loadDevice(router.rtpCapabilities);
	const senderVp9 = await publisher.evaluate(() =>
		(RTCRtpSender.getCapabilities('video')?.codecs ?? [])
			.filter((c) => c.mimeType.toLowerCase() === 'video/vp9')
			.map((c) => ({ sdpFmtpLine: c.sdpFmtpLine ?? '', scalabilityModes: c.scalabilityModes ?? [] })));
	if (!device.sendRtpCapabilities.codecs.some((c) => c.mimeType.toLowerCase() === 'video/vp9') || senderVp9.length === 0) {
		skipReason = 'this Chromium cannot send VP9';
		return;
	}
	// Chromium lists the scalability modes each codec can encode (since M111); trust an empty list.
	if (senderVp9.some((c) => c.scalabilityModes.length) && !senderVp9.some((c) => c.scalabilityModes.includes(MODE))) {
		skipReason = `this Chromium cannot send VP9 in ${MODE} (${JSON.stringify(senderVp9)})`;
		return;
	}
	subscriber = await startBrowserSession();
	await subscriber.loadDevice(router.rtpCapabilities);
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	const send = await publisher.connectSendTransport(sendTransport, {
		kind: 'video',
		routerRtpCapabilities: router.rtpCapabilities,
		produceOptions: { encodings: ENCODINGS, codecMimeType: 'video/VP9', codecOptions: CODEC_OPTIONS, video: CAPTURE },
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

/** A subtest that is skipped (with the reason) when this Chromium cannot send VP9 SVC. */
function svcTest(name, fn) {
	t.test(name, async (t) => {
		if (skipReason) {
			t.skip(skipReason);
			return;
		}
		await fn(t);
	});
}

/** Page A's outbound-rtp stats of its one VP9 stream. */
async function publisherOutbound() {
	const stats = await publisher.getProducerStats(pageProducerId);
	const outbound = stats.find((s) => s.type === 'outbound-rtp') ?? {};
	return { ...outbound, codec: stats.find((s) => s.id === outbound.codecId) };
}

/**
 * The width of spatial layer `spatialLayer` as page A now encodes it (read afresh each
 * time: Chromium may scale the stream down when the CPU is short). Its outbound-rtp
 * frameWidth is the top layer's; each layer below is half as wide.
 */
async function layerWidth(spatialLayer) {
	const top = (await publisherOutbound()).frameWidth ?? CAPTURE.width;
	return Math.round(top / 2 ** (SPATIAL_LAYERS - 1 - spatialLayer));
}

// Page B's consumer, created once.
let consumedPromise;
function consumed() {
	consumedPromise ??= consumeOnPage({ router, page: subscriber, producerId: video.id, listenInfos: LISTEN });
	return consumedPromise;
}

const received = (consumer) => receivedVideo(subscriber, consumer);
const describe = (consumer) => describeLayers(subscriber, consumer);

/** Resolves with the width once page B decodes frames as wide as page A now encodes spatial layer `spatialLayer`. */
function waitForLayerWidth(consumer, spatialLayer, timeoutMs) {
	return waitForDecodedWidth({
		page: subscriber, consumer, timeoutMs, what: `spatial layer ${spatialLayer}`, width: () => layerWidth(spatialLayer),
	});
}

/**
 * Samples page B's decoding every 200 ms until stop() is called, which resolves with
 * { frames, fps, longestStallMs } (fps from the stats' own timestamps). The subtest's
 * teardown stops it too, should the subtest fail before.
 */
function watchDecoding(t, consumer) {
	let stopped = false;
	const done = (async () => {
		const first = await received(consumer);
		let last = first;
		let lastChange = Date.now();
		let longestStallMs = 0;
		while (!stopped) {
			await sleep(200);
			const now = await received(consumer);
			if ((now.framesDecoded ?? 0) > (last.framesDecoded ?? 0)) lastChange = Date.now();
			longestStallMs = Math.max(longestStallMs, Date.now() - lastChange);
			last = now;
		}
		const frames = (last.framesDecoded ?? 0) - (first.framesDecoded ?? 0);
		return { frames, fps: (frames * 1000) / (last.timestamp - first.timestamp), longestStallMs };
	})();
	done.catch(() => {}); // awaited by stop(); never an unhandled rejection
	const stop = () => {
		stopped = true;
		return done;
	};
	t.teardown(() => stop().catch(() => {}));
	return stop;
}

/** Page B's decoding over `ms`: { frames, fps, longestStallMs }. */
async function measureDecoding(t, consumer, ms = 2000) {
	const stop = watchDecoding(t, consumer);
	await sleep(ms);
	return stop();
}

svcTest('page A sends VP9 L3T3_KEY; the producer is an SVC producer', async (t) => {
	t.comment(`page A captures ${capture.width}x${capture.height} at ${capture.frameRate} fps`);
	t.equal(video.kind, 'video', 'a video producer');
	t.equal(video.rtpParameters.codecs[0].mimeType.toLowerCase(), 'video/vp9', 'page A sends VP9');
	t.equal(video.rtpParameters.encodings.length, 1, 'one encoding');
	t.equal(video.rtpParameters.encodings[0].scalabilityMode, MODE, `its scalabilityMode is ${MODE}`);
	t.equal(video.type, 'svc', 'producer.type');
	await waitFor(async () => (await publisherOutbound()).framesEncoded > 0, 10000, 'page A encoding',
		async () => JSON.stringify(await publisherOutbound()));
	await sleep(1000);
	const out = await publisherOutbound();
	t.comment(`page A outbound-rtp: ${out.frameWidth}x${out.frameHeight} at ${out.framesPerSecond} fps, ` +
		`scalabilityMode ${out.scalabilityMode}, encoder ${out.encoderImplementation}, ${out.codec?.mimeType} ` +
		`(${out.codec?.sdpFmtpLine}), quality limitation ${out.qualityLimitationReason}`);
	t.equal(out.scalabilityMode, MODE, `page A encodes ${MODE}`);
	await waitFor(async () => (await video.getStats()).some((s) => s.packetCount > 0), 10000, 'packets at the producer',
		async () => JSON.stringify(await video.getStats()));
	const [stats] = await video.getStats();
	t.equal(stats.mimeType, 'video/VP9', 'producer stats: VP9');
	t.ok(video.score.length === 1 && video.score[0].score > 0, `the producer has a score (${JSON.stringify(video.score)})`);
});

svcTest('page B consumes the SVC producer and decodes it at full width', async (t) => {
	const { consumer } = await consumed();
	t.equal(consumer.type, 'svc', 'consumer.type');
	t.equal(consumer.rtpParameters.encodings.length, 1, 'one stream towards page B');
	t.equal(consumer.rtpParameters.encodings[0].scalabilityMode, MODE, `its scalabilityMode is ${MODE}`);
	t.same(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 2 }, 'the highest layers are preferred by default');
	await waitFor(async () => ((await received(consumer)).framesDecoded ?? 0) >= 30, 20000, '30 frames decoded by page B',
		() => describe(consumer));
	t.pass('page B decodes 30 frames');
	await waitFor(async () => (await received(consumer)).frameWidth === CAPTURE.width, 10000,
		`page B decoding ${CAPTURE.width} px wide frames`, () => describe(consumer));
	t.pass(`page B decodes the top spatial layer (${CAPTURE.width} px wide)`);
});

svcTest('by default page B gets the highest layers', async (t) => {
	const { consumer, layersEvents } = await consumed();
	await waitFor(() => consumer.currentLayers?.spatialLayer === 2 && consumer.currentLayers?.temporalLayer === 2, 10000,
		'currentLayers { spatialLayer: 2, temporalLayer: 2 }', () => describe(consumer));
	t.same(consumer.currentLayers, { spatialLayer: 2, temporalLayer: 2 });
	t.ok(layersEvents.length >= 1, `'layerschange' fired (${JSON.stringify(layersEvents)})`);
});

svcTest('setPreferredLayers(): spatial layer 0, then 1, then back to 2', async (t) => {
	const { consumer } = await consumed();
	// Start from the top layer, so that going down is seen.
	await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
	await waitForLayerWidth(consumer, 2, 10000);

	// Down to 0: in L3T3_KEY layer 0 depends on nothing above it, so no key frame is needed.
	let watch = watchDecoding(t, consumer);
	await consumer.setPreferredLayers({ spatialLayer: 0 });
	t.equal(consumer.preferredLayers?.spatialLayer, 0, 'preferredLayers updated');
	let switchedAt = Date.now();
	let width = await waitForLayerWidth(consumer, 0, 5000);
	t.pass(`page B went down to spatial layer 0 (${width} px) in ${Date.now() - switchedAt} ms`);
	t.equal(width, CAPTURE.width / 4, 'the lowest layer is a quarter of the capture width');
	await waitFor(() => consumer.currentLayers?.spatialLayer === 0, 2000, 'currentLayers.spatialLayer 0', () => describe(consumer));
	t.equal(consumer.currentLayers.spatialLayer, 0, 'currentLayers.spatialLayer 0');
	await sleep(1000);
	let during = await watch();
	t.comment(`page B around the switch down: ${during.frames} frames, longest stall ${during.longestStallMs} ms`);
	t.ok(during.longestStallMs <= 1000, `no stall longer than 1 s going down (${during.longestStallMs} ms)`);
	let after = await measureDecoding(t, consumer, 1500);
	t.ok(after.frames > 0, `page B keeps decoding on spatial layer 0 (${after.frames} frames in 1.5 s, ${after.fps.toFixed(1)} fps)`);
	t.ok(after.longestStallMs <= 1000, `no stall longer than 1 s on layer 0 (${after.longestStallMs} ms)`);
	t.equal((await received(consumer)).frameWidth, await layerWidth(0), 'still spatial layer 0');

	// Up to 1 and then 2: each up-switch waits for a key picture.
	for (const spatialLayer of [1, 2]) {
		watch = watchDecoding(t, consumer);
		await consumer.setPreferredLayers({ spatialLayer });
		t.equal(consumer.preferredLayers?.spatialLayer, spatialLayer, 'preferredLayers updated');
		switchedAt = Date.now();
		width = await waitForLayerWidth(consumer, spatialLayer, 5000);
		t.pass(`page B went up to spatial layer ${spatialLayer} (${width} px) in ${Date.now() - switchedAt} ms`);
		await waitFor(() => consumer.currentLayers?.spatialLayer === spatialLayer, 2000, `currentLayers.spatialLayer ${spatialLayer}`,
			() => describe(consumer));
		t.equal(consumer.currentLayers.spatialLayer, spatialLayer, `currentLayers.spatialLayer ${spatialLayer}`);
		during = await watch();
		t.comment(`page B around the switch up to ${spatialLayer}: ${during.frames} frames, longest stall ${during.longestStallMs} ms`);
		// Switching up before the key picture makes the decoder drop frames and freeze for seconds.
		t.ok(during.longestStallMs <= 1000, `no stall longer than 1 s going up to ${spatialLayer} (${during.longestStallMs} ms)`);
		after = await measureDecoding(t, consumer, 1500);
		t.ok(after.frames > 0, `page B keeps decoding on spatial layer ${spatialLayer} (${after.frames} frames in 1.5 s)`);
		t.ok(after.longestStallMs <= 1000, `no stall longer than 1 s on layer ${spatialLayer} (${after.longestStallMs} ms)`);
	}
	t.equal(width, CAPTURE.width, 'back at full width');
});

svcTest('setPreferredLayers(): temporal layer 0 lowers the frame rate without a stall', async (t) => {
	const { consumer } = await consumed();
	await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
	const width = await waitForLayerWidth(consumer, 2, 5000);
	await sleep(500);
	const full = await measureDecoding(t, consumer);
	t.comment(`all temporal layers: ${full.fps.toFixed(1)} fps decoded (page A encodes ${(await publisherOutbound()).framesPerSecond} fps)`);
	t.ok(full.frames > 0, 'page B decodes with all temporal layers');

	await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 0 });
	t.same(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 0 }, 'preferredLayers updated');
	await waitFor(() => consumer.currentLayers?.temporalLayer === 0, 5000, 'currentLayers.temporalLayer 0', () => describe(consumer));
	t.same(consumer.currentLayers, { spatialLayer: 2, temporalLayer: 0 });
	await sleep(500);
	const reduced = await measureDecoding(t, consumer);
	t.comment(`temporal layer 0: ${reduced.fps.toFixed(1)} fps decoded, longest stall ${reduced.longestStallMs} ms`);
	t.ok(reduced.frames > 0, `page B keeps decoding (${reduced.frames} frames in 2 s)`);
	t.ok(reduced.fps < 0.6 * full.fps, `the frame rate drops (${reduced.fps.toFixed(1)} < 60% of ${full.fps.toFixed(1)} fps)`);
	t.ok(reduced.longestStallMs <= 1000, `no stall longer than 1 s (${reduced.longestStallMs} ms)`);
	t.equal((await received(consumer)).frameWidth, width, 'still the top spatial layer');

	await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
	await waitFor(() => consumer.currentLayers?.temporalLayer === 2, 5000, 'currentLayers.temporalLayer 2', () => describe(consumer));
	await sleep(500);
	const restored = await measureDecoding(t, consumer);
	t.ok(restored.fps > 0.8 * full.fps, `all temporal layers again: ${restored.fps.toFixed(1)} fps`);
	t.equal((await received(consumer)).frameWidth, width, 'still the top spatial layer');
});
