'use strict';
// Helpers shared by the simulcast and SVC browser tests: page B consuming a video
// producer, and what page B decodes.
const { inbound, waitFor } = require('./wait');

/**
 * Consumes `producerId` on a new WebRtcTransport of `router` and receives it in `page`
 * (a browser session): paused first, so that the 'layerschange' listener is on before
 * anything flows, then resumed. Returns { consumer, layersEvents, recvTransport };
 * layersEvents collects every 'layerschange' (null when nothing is forwarded).
 */
async function consumeOnPage({ router, page, producerId, listenInfos }) {
	const recvTransport = await router.createWebRtcTransport({ listenInfos });
	const consumer = await recvTransport.consume({
		producerId, rtpCapabilities: (await page.getDeviceInfo()).recvRtpCapabilities, paused: true,
	});
	const layersEvents = [];
	consumer.on('layerschange', (layers) => layersEvents.push(layers ?? null));
	await page.connectRecvTransport(recvTransport, router.rtpCapabilities, {
		consumerParameters: { id: consumer.id, producerId, kind: 'video', rtpParameters: consumer.rtpParameters },
	});
	await consumer.resume();
	return { consumer, layersEvents, recvTransport };
}

/** The page's inbound-rtp video stats of `consumer` ({} before any). */
async function receivedVideo(page, consumer) {
	return inbound(await page.getConsumerStats(consumer.id), 'video');
}

/** One line on what the page decodes and the consumer's layers, for failure messages. */
async function describeLayers(page, consumer) {
	const s = await receivedVideo(page, consumer);
	return `page B: ${s.frameWidth}x${s.frameHeight}, ${s.framesDecoded} frames decoded, ${s.framesPerSecond} fps; ` +
		`currentLayers ${JSON.stringify(consumer.currentLayers)}, preferredLayers ${JSON.stringify(consumer.preferredLayers)}`;
}

/**
 * Resolves with the width once `page` decodes `consumer`'s video as wide as `width()`
 * says (asked afresh each time: Chromium may scale a layer down when the CPU is short).
 * `what` names the layer in the timeout message.
 */
async function waitForDecodedWidth({ page, consumer, width, timeoutMs, what }) {
	let wanted;
	await waitFor(async () => {
		wanted = await width();
		return (await receivedVideo(page, consumer)).frameWidth === wanted;
	}, timeoutMs, `page B decoding ${what}`, async () => `page A encodes it ${wanted} px wide; ${await describeLayers(page, consumer)}`);
	return wanted;
}

module.exports = { consumeOnPage, receivedVideo, describeLayers, waitForDecodedWidth };
