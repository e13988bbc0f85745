'use strict';
// Transport-wide congestion control feedback, end to end: page A (Chromium,
// mediasoup-client) sends VP8 simulcast in three encodings (1280x720 at 30 fps) with
// no bitrate pinning. mediaplane answers the transport-wide sequence numbers with
// transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01), so
// Chromium's bandwidth estimate (GoogCC) can rise, and it keeps every layer up. Without
// feedback the estimate fell to ~50 kbps within 12 s and only the lowest layer was left.
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { sleep, waitFor } = require('./browser/wait');

const LISTEN = [{ protocol: 'udp', ip: '127.0.0.1' }];
const vp8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const ENCODINGS = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150000 },
	{ scaleResolutionDownBy: 2, maxBitrate: 400000 },
	{ scaleResolutionDownBy: 1, maxBitrate: 1200000 },
];

t.test('with transport-cc feedback Chromium keeps its estimate up and sends every simulcast layer', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	const router = await worker.createRouter({ mediaCodecs: [vp8] });
	const publisher = await startBrowserSession({ args: ['--use-fake-device-for-media-stream=fps=30'] });
	t.teardown(async () => {
		await publisher.close();
		worker.close();
	});
	await publisher.loadDevice(router.rtpCapabilities);
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	let producer;
	const send = await publisher.connectSendTransport(sendTransport, {
		kind: 'video',
		routerRtpCapabilities: router.rtpCapabilities,
		produceOptions: { encodings: ENCODINGS, video: { width: 1280, height: 720, frameRate: 30 } },
		onProduce: async ({ kind, rtpParameters }) => {
			producer = await sendTransport.produce({ kind, rtpParameters });
			return { id: producer.id };
		},
	});
	t.ok(producer.rtpParameters.headerExtensions.some((e) => /transport-wide-cc/.test(e.uri)), 'transport-wide sequence numbers negotiated');

	const estimate = async () => {
		const { stats } = await publisher.getStats(send.transportId);
		const pair = stats.find((s) => s.type === 'candidate-pair' && s.availableOutgoingBitrate !== undefined && s.nominated);
		return pair?.availableOutgoingBitrate ?? 0;
	};
	const packetsByRid = async () => new Map((await producer.getStats()).map((s) => [s.rid, s.packetCount]));

	// Chromium starts at ~300 kbps and probes upwards; 12 s is where, without feedback,
	// the estimate had already collapsed.
	const samples = [];
	for (let i = 0; i < 12; i++) {
		await sleep(1000);
		samples.push(Math.round((await estimate()) / 1000));
	}
	t.comment(`page A's estimate (availableOutgoingBitrate) each second, kbps: ${samples.join(', ')}`);
	t.ok(samples[samples.length - 1] >= 1500, `the estimate rose to cover all three layers (${samples[samples.length - 1]} kbps >= 1500)`);
	const before = await packetsByRid();
	await sleep(3000);
	const after = await packetsByRid();
	for (const rid of ['r0', 'r1', 'r2']) {
		const sent = (after.get(rid) ?? 0) - (before.get(rid) ?? 0);
		t.ok(sent > 30, `${rid} still flows after 15 s (${sent} packets in the last 3 s)`);
	}
	const [transportStats] = await sendTransport.getStats();
	t.ok(transportStats.rtpBytesReceived > 1e6, `the producer transport received ${Math.round(transportStats.rtpBytesReceived / 1024)} KiB`);
	await waitFor(async () => (await estimate()) > 0, 1000, 'a final estimate');

	// setMaxIncomingBitrate(): mediaplane tells page A the limit as REMB, which Chromium
	// takes as the bound of its own (transport-cc) estimate; 0 lifts it again.
	const LIMIT = 400000;
	const receivedBitrate = async () => (await sendTransport.getStats())[0].recvBitrate;
	await sendTransport.setMaxIncomingBitrate(LIMIT);
	t.equal((await sendTransport.getStats())[0].maxIncomingBitrate, LIMIT, 'getStats() reports maxIncomingBitrate');
	const limited = [];
	let bounded = false;
	for (let i = 0; i < 10 && !bounded; i++) {
		await sleep(1000);
		const e = await estimate();
		limited.push(Math.round(e / 1000));
		bounded = e > 0 && e <= LIMIT * 1.05;
	}
	t.ok(bounded, `page A's estimate falls to the ${LIMIT / 1000} kbps limit within 10 s (kbps each second: ${limited.join(', ')})`);
	await sleep(3000);
	const limitedRate = await receivedBitrate();
	t.ok(limitedRate < LIMIT * 1.5, `what the transport receives follows it (${Math.round(limitedRate / 1000)} kbps < ${(LIMIT * 1.5) / 1000} kbps)`);

	await sendTransport.setMaxIncomingBitrate(0);
	const lifted = [];
	let risen = false;
	for (let i = 0; i < 15 && !risen; i++) {
		await sleep(1000);
		const e = await estimate();
		lifted.push(Math.round(e / 1000));
		risen = e > LIMIT * 2;
	}
	t.ok(risen, `with the limit removed the estimate rises above ${(LIMIT * 2) / 1000} kbps again within 15 s (kbps each second: ${lifted.join(', ')})`);
	t.notOk('maxIncomingBitrate' in (await sendTransport.getStats())[0], 'getStats() has no maxIncomingBitrate once it is removed');
});
