'use strict';
// PlainTransport with real ffmpeg peers on 127.0.0.1: ffmpeg sends a test pattern and a
// tone as RTP (or SRTP) into a comedia PlainTransport producer; a consumer on another
// PlainTransport sends to an ffmpeg receiver that must decode it. Also through a
// pipeToRouter() hop between two workers, and from a producer published by Chromium.
// Socket-level checks (a test socket as the peer) are in plain-pipe.test.js.
const t = require('tap');
const mediaplane = require('..');
const ff = require('./plain/ffmpeg');

const LOCAL = '127.0.0.1';
const LISTEN_INFO = { protocol: 'udp', ip: LOCAL };
const TIMEOUT_MS = 20000;
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const vp8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const h264 = {
	kind: 'video', mimeType: 'video/H264', clockRate: 90000,
	parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};

const VIDEO_SSRC = 22222222;
const AUDIO_SSRC = 33333333;

let ffmpegMissing;
try {
	ff.ensureFfmpeg();
} catch (error) {
	ffmpegMissing = error.message;
}

function producerRtpParameters(kind, codec) {
	if (kind === 'audio') {
		return {
			codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: AUDIO_SSRC }],
		};
	}
	if (codec === 'h264') {
		return {
			codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000,
				parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } }],
			encodings: [{ ssrc: VIDEO_SSRC }],
		};
	}
	return {
		codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
		encodings: [{ ssrc: VIDEO_SSRC }],
	};
}

/**
 * ffmpeg → comedia PlainTransport → producer. Returns { transport, producer, sender,
 * tuples (every 'tuple' event) }. With `srtp`, the transport has enableSrtp and ffmpeg
 * sends SRTP with a key the test makes (given to connect()).
 */
async function ffmpegProducer(t, router, { kind, codec, srtp = false, rtcpMux = true }) {
	const transport = await router.createPlainTransport({
		listenInfo: LISTEN_INFO,
		...(rtcpMux ? {} : { rtcpListenInfo: LISTEN_INFO }),
		rtcpMux,
		comedia: true,
		enableSrtp: srtp,
	});
	t.teardown(() => transport.close());
	const tuples = [];
	const rtcpTuples = [];
	transport.on('tuple', (tuple) => tuples.push(tuple));
	transport.on('rtcptuple', (tuple) => rtcpTuples.push(tuple));
	let senderKey;
	if (srtp) {
		senderKey = { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: ff.randomSrtpKey() };
		await transport.connect({ srtpParameters: senderKey });
	}
	const rtpParameters = producerRtpParameters(kind, codec);
	const producer = await transport.produce({ kind, rtpParameters });
	const sender = await ff.startRtpSender({
		kind,
		codec,
		ip: transport.tuple.localAddress ?? transport.tuple.localIp,
		port: transport.tuple.localPort,
		rtcpPort: rtcpMux ? transport.tuple.localPort : transport.rtcpTuple.localPort,
		payloadType: rtpParameters.codecs[0].payloadType,
		ssrc: rtpParameters.encodings[0].ssrc,
		srtp: senderKey,
		// Bounded even if a teardown never ran; every subtest is over well before.
		durationSec: 60,
	});
	t.teardown(() => sender.stop());
	return { transport, producer, sender, tuples, rtcpTuples };
}

/**
 * PlainTransport (not comedia) → ffmpeg receiver. Consumes `producerId` on `router` with
 * the router's capabilities, starts ffmpeg with an SDP built from consumer.rtpParameters
 * and connects the transport to ffmpeg's port. With `srtp`, the transport sends SRTP
 * keyed with transport.srtpParameters (the SDP's a=crypto). With `paused`, the consumer
 * is created paused and resumed once ffmpeg listens and the transport is connected (so
 * that the key frame asked for on resume reaches ffmpeg).
 */
async function ffmpegConsumer(t, router, producerId, { srtp = false, paused = false } = {}) {
	const transport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, rtcpMux: true, comedia: false, enableSrtp: srtp });
	t.teardown(() => transport.close());
	const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused });
	const receiver = await ff.startRtpReceiver({
		sdp: ([port]) => ff.buildSdp(ff.sdpMediaFromRtpParameters(consumer.rtpParameters, {
			ip: LOCAL, port, srtp: srtp ? transport.srtpParameters : undefined,
		})),
	});
	t.teardown(() => receiver.stop());
	await transport.connect({
		ip: LOCAL,
		port: receiver.port,
		// The key for what ffmpeg would send us (it sends nothing we need): any valid one.
		...(srtp ? { srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: ff.randomSrtpKey() } } : {}),
	});
	if (paused) await consumer.resume();
	return { transport, consumer, receiver };
}

async function waitDecoded(t, receiver, { video = 0, audio = 0 }, what, diagnostics = async () => ({})) {
	try {
		await ff.waitFor(
			() => receiver.getDecodedFrames() >= video && (audio === 0 || receiver.getDecodedAudioFrames() >= audio),
			TIMEOUT_MS, what
		);
	} catch (error) {
		t.fail(`${error.message}: ${JSON.stringify({
			videoFrames: receiver.getDecodedFrames(), audioFrames: receiver.getDecodedAudioFrames(), ...(await diagnostics()),
		})}\nffmpeg receiver stderr:\n${receiver.stderr().slice(-2000)}`);
		return false;
	}
	return true;
}

async function statsOf(...objects) {
	const out = {};
	for (const [name, object] of objects) {
		try {
			out[name] = await object.getStats();
		} catch (error) {
			out[name] = `getStats() failed: ${error.message}`;
		}
	}
	return out;
}

let worker1;
let worker2;
t.before(async () => {
	worker1 = await mediaplane.createWorker({ logLevel: 'warn' });
	worker2 = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(() => {
	worker1?.close();
	worker2?.close();
});

t.test('ffmpeg VP8 + opus → comedia PlainTransport → PlainTransport → ffmpeg decodes', { skip: ffmpegMissing }, async (t) => {
	const router = await worker1.createRouter({ mediaCodecs: [opus, vp8] });
	t.teardown(() => router.close());
	const video = await ffmpegProducer(t, router, { kind: 'video', codec: 'vp8' });
	const audio = await ffmpegProducer(t, router, { kind: 'audio', codec: 'opus' });
	const videoOut = await ffmpegConsumer(t, router, video.producer.id);
	const audioOut = await ffmpegConsumer(t, router, audio.producer.id);

	const diagnostics = () => statsOf(['videoProducer', video.producer], ['videoConsumer', videoOut.consumer],
		['videoInTransport', video.transport], ['videoOutTransport', videoOut.transport]);
	const videoOk = await waitDecoded(t, videoOut.receiver, { video: 60 }, 'ffmpeg to decode 60 VP8 frames', diagnostics);
	const audioOk = await waitDecoded(t, audioOut.receiver, { audio: 1 }, 'ffmpeg to decode opus', () =>
		statsOf(['audioProducer', audio.producer], ['audioConsumer', audioOut.consumer]));
	if (videoOk) t.ok(videoOut.receiver.getDecodedFrames() >= 60, `decoded ${videoOut.receiver.getDecodedFrames()} VP8 frames`);
	if (audioOk) {
		t.ok(audioOut.receiver.getDecodedAudioFrames() > 0,
			`decoded ${audioOut.receiver.getDecodedAudioFrames()} opus frames (${audioOut.receiver.getDecodedAudioSamples()} samples)`);
	}

	// comedia learned ffmpeg's RTP source address, once, and reported it.
	for (const [name, p] of [['video', video], ['audio', audio]]) {
		t.equal(p.tuples.length, 1, `${name}: one 'tuple' event`);
		t.match(p.tuples[0], { remoteIp: LOCAL, remotePort: p.sender.localPort, protocol: 'udp' },
			`${name}: the tuple is ffmpeg's source address (port ${p.sender.localPort})`);
		t.equal(p.transport.tuple.remotePort, p.sender.localPort, `${name}: transport.tuple follows`);
	}

	const [producerStats] = await video.producer.getStats();
	t.match(producerStats, { type: 'inbound-rtp', kind: 'video', mimeType: 'video/VP8', ssrc: VIDEO_SSRC });
	t.ok(producerStats.packetCount > 30, `producer counted ${producerStats.packetCount} packets`);
	const [consumerStats] = await videoOut.consumer.getStats();
	t.match(consumerStats, { type: 'outbound-rtp', kind: 'video', ssrc: videoOut.consumer.rtpParameters.encodings[0].ssrc });
	t.ok(consumerStats.packetCount > 30, `consumer counted ${consumerStats.packetCount} packets`);
	const [inStats] = await video.transport.getStats();
	t.match(inStats, { type: 'plain-rtp-transport', transportId: video.transport.id, comedia: true, rtcpMux: true });
	t.ok(inStats.bytesReceived > 10000, `transport received ${inStats.bytesReceived} bytes`);
	t.match(inStats.tuple, { remoteIp: LOCAL, remotePort: video.sender.localPort });
	const [outStats] = await videoOut.transport.getStats();
	t.match(outStats, { type: 'plain-rtp-transport', comedia: false });
	t.ok(outStats.bytesSent > 10000, `transport sent ${outStats.bytesSent} bytes`);
	t.match(outStats.tuple, { remoteIp: LOCAL, remotePort: videoOut.receiver.port });
});

t.test('ffmpeg H264 (packetization-mode 1) without rtcp-mux → ffmpeg decodes', { skip: ffmpegMissing }, async (t) => {
	const router = await worker1.createRouter({ mediaCodecs: [opus, h264] });
	t.teardown(() => router.close());
	const video = await ffmpegProducer(t, router, { kind: 'video', codec: 'h264', rtcpMux: false });
	t.ok(video.transport.rtcpTuple, 'a separate RTCP tuple without rtcp-mux');
	t.not(video.transport.rtcpTuple.localPort, video.transport.tuple.localPort);
	const out = await ffmpegConsumer(t, router, video.producer.id);
	if (await waitDecoded(t, out.receiver, { video: 60 }, 'ffmpeg to decode 60 H264 frames', () =>
		statsOf(['producer', video.producer], ['consumer', out.consumer]))) {
		t.ok(out.receiver.getDecodedFrames() >= 60, `decoded ${out.receiver.getDecodedFrames()} H264 frames`);
	}
	t.match(video.tuples[0], { remotePort: video.sender.localPort }, "'tuple' from the RTP source port");
	// ffmpeg sends its first RTCP sender report with the first packets.
	await ff.waitFor(() => video.rtcpTuples.length > 0, 5000, "'rtcptuple'").catch(() => {});
	t.match(video.rtcpTuples[0], { remoteIp: LOCAL, remotePort: video.sender.localRtcpPort },
		"'rtcptuple' from the RTCP source port");
});

t.test('SRTP both ways: ffmpeg → SRTP producer, SRTP consumer → ffmpeg', { skip: ffmpegMissing }, async (t) => {
	const router = await worker1.createRouter({ mediaCodecs: [opus, vp8] });
	t.teardown(() => router.close());
	const video = await ffmpegProducer(t, router, { kind: 'video', codec: 'vp8', srtp: true });
	const audio = await ffmpegProducer(t, router, { kind: 'audio', codec: 'opus', srtp: true });
	t.match(video.transport.srtpParameters, { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: /^[A-Za-z0-9+/]{40}$/ });
	const videoOut = await ffmpegConsumer(t, router, video.producer.id, { srtp: true });
	const audioOut = await ffmpegConsumer(t, router, audio.producer.id, { srtp: true });
	t.match(videoOut.receiver.sdp, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
	const videoOk = await waitDecoded(t, videoOut.receiver, { video: 60 }, 'ffmpeg to decode 60 VP8 frames over SRTP', () =>
		statsOf(['producer', video.producer], ['consumer', videoOut.consumer], ['inTransport', video.transport], ['outTransport', videoOut.transport]));
	const audioOk = await waitDecoded(t, audioOut.receiver, { audio: 1 }, 'ffmpeg to decode opus over SRTP', () =>
		statsOf(['producer', audio.producer], ['consumer', audioOut.consumer]));
	if (videoOk) t.pass(`decoded ${videoOut.receiver.getDecodedFrames()} VP8 frames over SRTP`);
	if (audioOk) t.pass(`decoded ${audioOut.receiver.getDecodedAudioFrames()} opus frames over SRTP`);
	t.equal(video.tuples.length, 1, "'tuple' on the first SRTP packet");
	t.match(video.tuples[0], { remotePort: video.sender.localPort });
});

t.test('SRTP with the wrong key: nothing is produced', { skip: ffmpegMissing }, async (t) => {
	const router = await worker1.createRouter({ mediaCodecs: [opus, vp8] });
	t.teardown(() => router.close());
	const transport = await router.createPlainTransport({ listenInfo: LISTEN_INFO, comedia: true, enableSrtp: true });
	t.teardown(() => transport.close());
	await transport.connect({ srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: ff.randomSrtpKey() } });
	const producer = await transport.produce({ kind: 'video', rtpParameters: producerRtpParameters('video', 'vp8') });
	const sender = await ff.startRtpSender({
		kind: 'video', codec: 'vp8', ip: LOCAL, port: transport.tuple.localPort, payloadType: 101, ssrc: VIDEO_SSRC,
		srtp: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: ff.randomSrtpKey() },
		durationSec: 30,
	});
	t.teardown(() => sender.stop());
	await new Promise((resolve) => setTimeout(resolve, 2000));
	t.ok(sender.running, 'ffmpeg kept sending');
	const stats = await producer.getStats();
	t.equal(stats[0]?.packetCount ?? 0, 0, 'no packet got through to the producer');
});

t.test('through pipeToRouter(): producer on worker 1, ffmpeg consumes on worker 2', { skip: ffmpegMissing }, async (t) => {
	const routerA = await worker1.createRouter({ mediaCodecs: [opus, vp8] });
	const routerB = await worker2.createRouter({ mediaCodecs: [opus, vp8] });
	t.teardown(() => {
		routerA.close();
		routerB.close();
	});
	const video = await ffmpegProducer(t, routerA, { kind: 'video', codec: 'vp8' });
	const audio = await ffmpegProducer(t, routerA, { kind: 'audio', codec: 'opus' });
	const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({ producerId: video.producer.id, router: routerB });
	t.equal(pipeProducer.id, video.producer.id, 'the piped producer keeps its id');
	t.equal(pipeConsumer.kind, 'video');
	const audioPipe = await routerA.pipeToRouter({ producerId: audio.producer.id, router: routerB });
	const videoOut = await ffmpegConsumer(t, routerB, video.producer.id);
	const audioOut = await ffmpegConsumer(t, routerB, audioPipe.pipeProducer.id);
	const videoOk = await waitDecoded(t, videoOut.receiver, { video: 60 }, 'ffmpeg to decode 60 VP8 frames through the pipe', () =>
		statsOf(['producer', video.producer], ['pipeConsumer', pipeConsumer], ['pipeProducer', pipeProducer], ['consumer', videoOut.consumer]));
	const audioOk = await waitDecoded(t, audioOut.receiver, { audio: 1 }, 'ffmpeg to decode opus through the pipe', () =>
		statsOf(['producer', audio.producer], ['pipeProducer', audioPipe.pipeProducer], ['consumer', audioOut.consumer]));
	if (videoOk) t.pass(`decoded ${videoOut.receiver.getDecodedFrames()} VP8 frames after the pipe hop`);
	if (audioOk) t.pass(`decoded ${audioOut.receiver.getDecodedAudioFrames()} opus frames after the pipe hop`);
	const [pipeProducerStats] = await pipeProducer.getStats();
	t.ok(pipeProducerStats?.packetCount > 30, `the pipe producer on router B counted ${pipeProducerStats?.packetCount} packets`);
});

t.test('a producer published by Chromium, consumed by ffmpeg through a PlainTransport', { skip: ffmpegMissing }, async (t) => {
	let startBrowserSession;
	try {
		({ startBrowserSession } = require('./browser/harness'));
		require('../scripts/ensure-chromium').ensureChromium();
	} catch (error) {
		t.skip(`no browser: ${error.message}`);
		return;
	}
	const router = await worker1.createRouter({ mediaCodecs: [opus, vp8] });
	t.teardown(() => router.close());
	const publisher = await startBrowserSession();
	t.teardown(() => publisher.close());
	await publisher.loadDevice(router.rtpCapabilities);
	const sendTransport = await router.createWebRtcTransport({ listenInfos: [LISTEN_INFO] });
	t.teardown(() => sendTransport.close());
	const producers = {};
	const onProduce = async ({ kind, rtpParameters }) => {
		producers[kind] = await sendTransport.produce({ kind, rtpParameters });
		return { id: producers[kind].id };
	};
	await publisher.connectSendTransport(sendTransport, { kind: 'video', onProduce, routerRtpCapabilities: router.rtpCapabilities });
	publisher.setTransportHandlers(sendTransport.id, {
		connect: async ({ dtlsParameters }) => sendTransport.connect({ dtlsParameters }),
		produce: onProduce,
	});
	await publisher.produce('audio', { transportId: sendTransport.id });
	t.ok(producers.video && producers.audio, 'Chromium produced video and audio');

	// Consumers created paused and resumed once ffmpeg listens: the key frame that
	// resume() asks Chromium for is the first thing ffmpeg gets.
	const videoOut = await ffmpegConsumer(t, router, producers.video.id, { paused: true });
	const audioOut = await ffmpegConsumer(t, router, producers.audio.id, { paused: true });
	const videoOk = await waitDecoded(t, videoOut.receiver, { video: 60 }, "ffmpeg to decode 60 frames of Chromium's VP8", () =>
		statsOf(['producer', producers.video], ['consumer', videoOut.consumer]));
	const audioOk = await waitDecoded(t, audioOut.receiver, { audio: 1 }, "ffmpeg to decode Chromium's opus", () =>
		statsOf(['producer', producers.audio], ['consumer', audioOut.consumer]));
	if (videoOk) t.pass(`decoded ${videoOut.receiver.getDecodedFrames()} frames of Chromium's VP8`);
	if (audioOk) t.pass(`decoded ${audioOut.receiver.getDecodedAudioFrames()} frames of Chromium's opus`);
	const [consumerStats] = await videoOut.consumer.getStats();
	t.ok(consumerStats.packetCount > 30, `consumer counted ${consumerStats.packetCount} packets`);

	// A consumer created unpaused before its transport is connected: whatever it
	// forwarded before connect() went nowhere, so it must start again from a key frame
	// once connected (mediasoup asks for one when the transport connects). Chromium's own
	// periodic key frames are 10 s or more apart; 6 s tells the two apart.
	const connectedAt = Date.now();
	const lateOut = await ffmpegConsumer(t, router, producers.video.id, { paused: false });
	const lateOk = await ff.waitFor(() => lateOut.receiver.getDecodedFrames() >= 30, 6000, 'frames').then(() => true, () => false);
	t.ok(lateOk, 'a consumer created before connect() decodes within 6 s of connect() ' +
		`(${lateOut.receiver.getDecodedFrames()} frames after ${Date.now() - connectedAt} ms; ` +
		`consumer: ${JSON.stringify((await lateOut.consumer.getStats())[0] ?? {})}; ` +
		`producer pliCount ${(await producers.video.getStats())[0]?.pliCount})`);
});
