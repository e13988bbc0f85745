'use strict';
// The SFU's job, end to end: page A (Chromium, mediasoup-client, fake camera and
// microphone) produces; page B consumes through mediaplane and must decode. VP8, H264
// and VP9; fan-out to eight consumers; pause/resume restarting on a key frame; and 5%
// loss injected by a relay in front of page B, repaired by NACK/RTX.
const t = require('tap');
const dgram = require('node:dgram');
const mediaplane = require('..');
const { startBrowserSession } = require('./browser/harness');
const { waitFor, inbound } = require('./browser/wait');

const LOCAL = '127.0.0.1';
const LISTEN = [{ protocol: 'udp', ip: LOCAL }];
const opus = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const vp8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const h264 = {
	kind: 'video', mimeType: 'video/H264', clockRate: 90000,
	parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};
const vp9 = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } };

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(() => worker?.close());

/**
 * A room of two pages: `publisher` sends through one transport, `subscriber` receives
 * through its own. Returns helpers to produce and consume.
 */
async function room(t, mediaCodecs) {
	const router = await worker.createRouter({ mediaCodecs });
	const publisher = await startBrowserSession();
	const subscriber = await startBrowserSession();
	t.teardown(async () => {
		await publisher.close();
		await subscriber.close();
		router.close();
	});
	await publisher.loadDevice(router.rtpCapabilities);
	await subscriber.loadDevice(router.rtpCapabilities);
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	const producers = {};
	const produce = async (kind, produceOptions = {}) => {
		let created;
		const onProduce = async ({ kind: k, rtpParameters }) => {
			created = await sendTransport.produce({ kind: k, rtpParameters });
			producers[k] = created;
			return { id: created.id };
		};
		if (Object.keys(producers).length === 0) {
			await publisher.connectSendTransport(sendTransport, { kind, onProduce, produceOptions, routerRtpCapabilities: router.rtpCapabilities });
		} else {
			publisher.setTransportHandlers(sendTransport.id, {
				connect: async ({ dtlsParameters }) => sendTransport.connect({ dtlsParameters }),
				produce: onProduce,
			});
			await publisher.produce(kind, { transportId: sendTransport.id, ...produceOptions });
		}
		return created;
	};
	const recvCapabilities = async () => (await subscriber.getDeviceInfo()).recvRtpCapabilities;
	let recvReady = false;
	const consume = async (producer, { transport, paused = true } = {}) => {
		const recvTransport = transport ?? (await router.createWebRtcTransport({ listenInfos: LISTEN }));
		const consumer = await recvTransport.consume({
			producerId: producer.id, rtpCapabilities: await recvCapabilities(), paused,
		});
		const consumerParameters = { id: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
		if (!transport || !recvReady) {
			await subscriber.connectRecvTransport(recvTransport, router.rtpCapabilities, { consumerParameters });
			recvReady = true;
		} else {
			await subscriber.consume({ transportId: recvTransport.id, ...consumerParameters });
		}
		if (paused) await consumer.resume();
		return { consumer, recvTransport };
	};
	return { router, publisher, subscriber, sendTransport, produce, consume, producers };
}

async function framesDecoded(subscriber, consumer) {
	return inbound(await subscriber.getConsumerStats(consumer.id), 'video').framesDecoded ?? 0;
}

t.test('VP8 video and opus audio: page B decodes page A', async (t) => {
	const r = await room(t, [opus, vp8]);
	const video = await r.produce('video');
	const audio = await r.produce('audio');
	t.equal(video.kind, 'video');
	t.equal(audio.kind, 'audio');
	t.equal(video.type, 'simple');
	const { consumer: videoConsumer, recvTransport } = await r.consume(video);
	const { consumer: audioConsumer } = await r.consume(audio, { transport: recvTransport });
	await waitFor(async () => (await framesDecoded(r.subscriber, videoConsumer)) >= 60, 20000, '60 decoded frames');
	await waitFor(async () => (inbound(await r.subscriber.getConsumerStats(audioConsumer.id), 'audio').packetsReceived ?? 0) >= 100,
		20000, '100 audio packets');
	const producerStats = await video.getStats();
	t.match(producerStats[0], { type: 'inbound-rtp', kind: 'video', mimeType: 'video/VP8' });
	t.ok(producerStats[0].packetCount > 30 && producerStats[0].byteCount > 5000, 'producer stats count packets');
	t.ok(producerStats[0].packetsLost >= 0, `no negative loss on a lossless path (${producerStats[0].packetsLost})`);
	const [consumerStats] = await videoConsumer.getStats();
	t.match(consumerStats, { type: 'outbound-rtp', kind: 'video', ssrc: videoConsumer.rtpParameters.encodings[0].ssrc });
	t.ok(consumerStats.packetCount > 30, 'consumer stats count packets');
	const routerDump = await r.router.dump();
	t.same(routerDump.mapProducerIdConsumerIds.find((e) => e.key === video.id).values, [videoConsumer.id]);
	t.ok(video.score.length === 1 && video.score[0].score > 0, `producer score ${JSON.stringify(video.score)}`);
	t.ok(videoConsumer.score.producerScore > 0, 'consumer knows the producer score');

	// Chromium puts the audio level (RFC 6464) on its opus packets: an AudioLevelObserver
	// reports the microphone (the fake one beeps; a -127 dBov threshold takes any level).
	t.ok(audio.rtpParameters.headerExtensions.some((e) => e.uri === 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'),
		'page A sends audio levels');
	const levels = await r.router.createAudioLevelObserver({ threshold: -127, interval: 250 });
	await levels.addProducer({ producerId: audio.id });
	const volumes = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('no volumes event within 5 s')), 5000);
		levels.once('volumes', (v) => {
			clearTimeout(timer);
			resolve(v);
		});
	});
	t.equal(volumes[0].producer.id, audio.id, `the observer reports page A's microphone (${volumes[0].volume} dBov)`);
	t.ok(volumes[0].volume <= 0 && volumes[0].volume >= -127, 'a volume in dBov');
	levels.close();
});

t.test('H264 (42e01f, packetization-mode 1)', async (t) => {
	const r = await room(t, [opus, h264]);
	const video = await r.produce('video', { codecMimeType: 'video/H264' });
	t.equal(video.rtpParameters.codecs[0].mimeType.toLowerCase(), 'video/h264');
	const { consumer } = await r.consume(video);
	await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) >= 60, 20000, '60 decoded H264 frames');
	t.pass('H264 decoded');
});

t.test('VP9 where Chromium offers it', async (t) => {
	const r = await room(t, [opus, vp9]);
	const canVp9 = (await r.publisher.getDeviceInfo()).sendRtpCapabilities.codecs.some((c) => c.mimeType === 'video/VP9');
	if (!canVp9) {
		t.skip('this Chromium does not offer VP9');
		return;
	}
	const video = await r.produce('video', { codecMimeType: 'video/VP9' });
	const { consumer } = await r.consume(video);
	await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) >= 60, 20000, '60 decoded VP9 frames');
	t.pass('VP9 decoded');
});

t.test('fan-out: one producer, eight consumers on separate transports', async (t) => {
	const r = await room(t, [opus, vp8]);
	const video = await r.produce('video');
	const consumers = [];
	for (let i = 0; i < 8; i++) {
		const recvTransport = await r.router.createWebRtcTransport({ listenInfos: LISTEN });
		const consumer = await recvTransport.consume({
			producerId: video.id, rtpCapabilities: (await r.subscriber.getDeviceInfo()).recvRtpCapabilities, paused: true,
		});
		await r.subscriber.connectRecvTransport(recvTransport, r.router.rtpCapabilities, {
			consumerParameters: { id: consumer.id, producerId: video.id, kind: 'video', rtpParameters: consumer.rtpParameters },
		});
		await consumer.resume();
		consumers.push(consumer);
	}
	for (const consumer of consumers) {
		await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) >= 20, 20000, `frames on ${consumer.id}`);
	}
	t.pass('all eight decode');
	const dump = await r.router.dump();
	t.equal(dump.mapProducerIdConsumerIds.find((e) => e.key === video.id).values.length, 8);
});

t.test('pause and resume: frames stop, then restart from a key frame within 2 s', async (t) => {
	const r = await room(t, [opus, vp8]);
	const video = await r.produce('video');
	const { consumer } = await r.consume(video);
	await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) >= 30, 20000, 'frames before pausing');

	const events = [];
	consumer.on('producerpause', () => events.push('producerpause'));
	consumer.on('producerresume', () => events.push('producerresume'));
	for (const target of ['producer', 'consumer']) {
		const object = target === 'producer' ? video : consumer;
		await object.pause();
		t.equal(object.paused, true);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const stopped = await framesDecoded(r.subscriber, consumer);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		t.ok((await framesDecoded(r.subscriber, consumer)) - stopped <= 2, `${target} paused: frames stopped`);
		const resumedAt = Date.now();
		await object.resume();
		await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) > stopped + 5, 5000, `${target} resumed frames`);
		t.ok(Date.now() - resumedAt < 2500, `${target} resumed within 2 s (${Date.now() - resumedAt} ms)`);
	}
	t.same(events, ['producerpause', 'producerresume']);
	const [stats] = await consumer.getStats();
	t.ok(stats.pliCount >= 0);
	const producerStats = await video.getStats();
	t.ok(producerStats[0].pliCount >= 1, 'key frames were requested from the producer');
});

t.test('5% loss towards page B is repaired: NACKs, retransmissions, no long freeze', async (t) => {
	const r = await room(t, [opus, vp8]);
	const video = await r.produce('video');
	const recvTransport = await r.router.createWebRtcTransport({ listenInfos: LISTEN });
	const sfuPort = recvTransport.iceCandidates[0].port;

	// A relay in front of the SFU: page B talks to it; it drops 5% of the RTP going
	// to page B (not RTCP, STUN or DTLS).
	const relay = dgram.createSocket('udp4');
	await new Promise((resolve) => relay.bind(0, LOCAL, resolve));
	const upstream = dgram.createSocket('udp4');
	await new Promise((resolve) => upstream.bind(0, LOCAL, resolve));
	t.teardown(() => {
		relay.close();
		upstream.close();
	});
	let browserAddress;
	let dropped = 0;
	let forwarded = 0;
	let rtpSeen = 0;
	relay.on('message', (message, rinfo) => {
		browserAddress = rinfo;
		upstream.send(message, sfuPort, LOCAL);
	});
	upstream.on('message', (message) => {
		if (!browserAddress) return;
		const isRtp = message[0] >= 128 && message[0] <= 191 && !(message[1] >= 192 && message[1] <= 223);
		// Every 20th RTP packet: exactly 5%, deterministic.
		if (isRtp && ++rtpSeen % 20 === 0) {
			dropped++;
			return;
		}
		forwarded++;
		relay.send(message, browserAddress.port, browserAddress.address);
	});
	const viaRelay = {
		id: recvTransport.id,
		iceParameters: recvTransport.iceParameters,
		iceCandidates: recvTransport.iceCandidates.map((c) => ({ ...c, port: relay.address().port })),
		dtlsParameters: recvTransport.dtlsParameters,
		connect: (params) => recvTransport.connect(params),
	};
	const consumer = await recvTransport.consume({
		producerId: video.id, rtpCapabilities: (await r.subscriber.getDeviceInfo()).recvRtpCapabilities, paused: true,
	});
	await r.subscriber.connectRecvTransport(viaRelay, r.router.rtpCapabilities, {
		consumerParameters: { id: consumer.id, producerId: video.id, kind: 'video', rtpParameters: consumer.rtpParameters },
	});
	await consumer.resume();
	await waitFor(async () => (await framesDecoded(r.subscriber, consumer)) >= 10, 20000, 'first frames through the relay');

	// Watch for freezes: sample decoded frames every 200 ms for 8 s.
	let longestStallMs = 0;
	let lastFrames = await framesDecoded(r.subscriber, consumer);
	let lastChange = Date.now();
	const until = Date.now() + 8000;
	while (Date.now() < until) {
		await new Promise((resolve) => setTimeout(resolve, 200));
		const frames = await framesDecoded(r.subscriber, consumer);
		if (frames > lastFrames) {
			lastFrames = frames;
			lastChange = Date.now();
		}
		longestStallMs = Math.max(longestStallMs, Date.now() - lastChange);
	}
	t.ok(dropped >= 5, `the relay dropped ${dropped} of ${dropped + forwarded} packets`);
	const [stats] = await consumer.getStats();
	t.ok(stats.nackCount > 0, `the consumer received NACKs (${stats.nackCount})`);
	t.ok(stats.packetsRetransmitted > 0, `and retransmitted (${stats.packetsRetransmitted})`);
	t.ok(longestStallMs <= 1000, `no freeze longer than 1 s (longest ${longestStallMs} ms)`);
});
