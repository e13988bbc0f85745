'use strict';
// H.264 simulcast end to end: page A (Chromium, mediasoup-client) sends H.264
// (42e01f, packetization-mode 1) in three encodings at 1280x720; page B consumes it
// through mediaplane. H.264 carries no temporal layer ids and no picture ids, so this
// checks the codec-independent part of simulcast: the default top layer, and
// setPreferredLayers() switching down and back up on key frames (H.264 IDR detection).
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { waitFor } = require('./browser/wait');
const { consumeOnPage, receivedVideo, waitForDecodedWidth } = require('./browser/layers');

const LISTEN = [{ protocol: 'udp', ip: '127.0.0.1' }];
const h264 = {
	kind: 'video', mimeType: 'video/H264', clockRate: 90000,
	parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};
const ENCODINGS = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150000 },
	{ scaleResolutionDownBy: 2, maxBitrate: 400000 },
	{ scaleResolutionDownBy: 1, maxBitrate: 1200000 },
];

t.test('H.264 simulcast: top layer by default, switch down and up', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	const router = await worker.createRouter({ mediaCodecs: [h264] });
	const publisher = await startBrowserSession({ args: ['--use-fake-device-for-media-stream=fps=30'] });
	const subscriber = await startBrowserSession();
	t.teardown(async () => {
		await publisher.close();
		await subscriber.close();
		worker.close();
	});
	await publisher.loadDevice(router.rtpCapabilities);
	await subscriber.loadDevice(router.rtpCapabilities);
	const canH264 = (await publisher.getDeviceInfo()).sendRtpCapabilities.codecs.some((c) => c.mimeType.toLowerCase() === 'video/h264');
	if (!canH264) {
		t.skip('this Chromium does not send H.264');
		return;
	}
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	let producer;
	const send = await publisher.connectSendTransport(sendTransport, {
		kind: 'video',
		routerRtpCapabilities: router.rtpCapabilities,
		produceOptions: {
			encodings: ENCODINGS, codecMimeType: 'video/H264', codecOptions: { videoGoogleStartBitrate: 2500 },
			video: { width: 1280, height: 720, frameRate: 30 },
		},
		onProduce: async ({ kind, rtpParameters }) => {
			producer = await sendTransport.produce({ kind, rtpParameters });
			return { id: producer.id };
		},
	});
	t.equal(producer.type, 'simulcast');
	// The widths page A encodes, per rid.
	const widths = async () => {
		const stats = await publisher.getProducerStats(send.producer.id);
		return new Map(stats.filter((s) => s.type === 'outbound-rtp' && s.rid && s.frameWidth).map((s) => [s.rid, s.frameWidth]));
	};
	await waitFor(async () => (await widths()).size === 3, 15000, 'three encodings from page A', async () => JSON.stringify([...(await widths())]));

	const { consumer } = await consumeOnPage({ router, page: subscriber, producerId: producer.id, listenInfos: LISTEN });
	t.equal(consumer.type, 'simulcast');
	const decodesRid = (rid, timeoutMs) =>
		waitForDecodedWidth({ page: subscriber, consumer, timeoutMs, what: rid, width: async () => (await widths()).get(rid) });

	const top = await decodesRid('r2', 15000);
	t.pass(`page B decodes the top layer (${top} px)`);
	t.equal(consumer.currentLayers?.spatialLayer, 2);
	await consumer.setPreferredLayers({ spatialLayer: 0 });
	const bottom = await decodesRid('r0', 5000);
	t.pass(`down to layer 0 (${bottom} px)`);
	t.equal(consumer.currentLayers?.spatialLayer, 0);
	const before = (await receivedVideo(subscriber, consumer)).framesDecoded;
	await new Promise((resolve) => setTimeout(resolve, 1000));
	t.ok((await receivedVideo(subscriber, consumer)).framesDecoded > before + 10, 'page B keeps decoding on layer 0');
	await consumer.setPreferredLayers({ spatialLayer: 2 });
	const backUp = await decodesRid('r2', 5000);
	t.pass(`back up to layer 2 (${backUp} px)`);
});
