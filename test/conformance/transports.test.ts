// Conformance: Worker, Router and transports as mediasoup 3.27 shows them: class names,
// `type` getters, the *ForTesting accessors applications' test suites read, outgoing
// bitrate limits that must stay consistent, PlainTransport SRTP suite negotiation, and
// pipeToRouter({ keepId }).
import t from 'tap';
import * as mediaplane from 'mediaplane';
import type { types } from 'mediaplane';

const LOCAL = '127.0.0.1';
const mediaCodecs: types.RouterRtpCodecCapability[] = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];

t.test('class names, type getters and test accessors', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }] });
	const webRtc = await router.createWebRtcTransport({ webRtcServer: server });
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	const pipe = await router.createPipeTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	const direct = await router.createDirectTransport();
	const observer = await router.createAudioLevelObserver();
	const types: [types.TransportType, string][] = [[webRtc.type, 'webrtc'], [plain.type, 'plain'], [pipe.type, 'pipe'], [direct.type, 'direct']];
	for (const [actual, expected] of types) t.equal(actual, expected);
	t.equal(observer.type, 'audiolevel');
	t.same(
		[worker, router, server, webRtc, plain, pipe, direct, observer].map((o) => o.constructor.name),
		['WorkerImpl', 'RouterImpl', 'WebRtcServerImpl', 'WebRtcTransportImpl', 'PlainTransportImpl', 'PipeTransportImpl',
			'DirectTransportImpl', 'AudioLevelObserverImpl'],
	);
	// mediasoup's test hooks (not in its public types, used by applications' tests).
	const hooks = worker as unknown as { routersForTesting: Set<unknown>; webRtcServersForTesting: Set<unknown> };
	t.equal(hooks.routersForTesting.size, 1);
	t.equal(hooks.webRtcServersForTesting.size, 1);
	t.equal((router as unknown as { transportsForTesting: Map<string, unknown> }).transportsForTesting.size, 4);
	t.equal((server as unknown as { webRtcTransportsForTesting: Map<string, unknown> }).webRtcTransportsForTesting.get(webRtc.id), webRtc);
	webRtc.close();
	t.equal((server as unknown as { webRtcTransportsForTesting: Map<string, unknown> }).webRtcTransportsForTesting.size, 0);
	worker.close();
	t.equal(hooks.routersForTesting.size, 0, 'closing the worker empties it');
});

t.test('outgoing bitrate limits stay consistent', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	await transport.setMinOutgoingBitrate(3000000);
	await t.rejects(transport.setMaxOutgoingBitrate(2000000), Error, 'max below the current min');
	await transport.setMinOutgoingBitrate(0);
	await transport.setMaxOutgoingBitrate(2000000);
	await t.rejects(transport.setMinOutgoingBitrate(3000000), Error, 'min above the current max');
	await transport.setMaxOutgoingBitrate(0);
	await transport.setMinOutgoingBitrate(3000000);
	const [stats] = await transport.getStats();
	t.equal(stats.minOutgoingBitrate, 3000000);
});

t.test('PlainTransport connect() adopts the remote SRTP crypto suite', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const a = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: true });
	const b = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL }, enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_256_GCM',
	});
	t.equal(a.srtpParameters?.cryptoSuite, 'AES_CM_128_HMAC_SHA1_80', 'the default suite');
	const before = a.srtpParameters!;
	await a.connect({ ip: LOCAL, port: b.tuple.localPort, srtpParameters: b.srtpParameters });
	t.equal(a.srtpParameters?.cryptoSuite, 'AEAD_AES_256_GCM', 'now the remote suite');
	t.not(a.srtpParameters?.keyBase64, before.keyBase64, 'with a new key of that suite');
	t.equal(Buffer.from(a.srtpParameters!.keyBase64, 'base64').length, 44, 'AES-256 key and salt');
	await t.rejects(b.connect({ ip: LOCAL, port: a.tuple.localPort, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'AAAA' } }),
		TypeError, 'a key of the wrong length');
});

t.test('pipeToRouter({ keepId })', async (t) => {
	const workerA = await mediaplane.createWorker();
	const workerB = await mediaplane.createWorker();
	t.teardown(() => {
		workerA.close();
		workerB.close();
	});
	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerA2 = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const transport = await routerA.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1234 }] },
	});
	const across = await routerA.pipeToRouter({ producerId: producer.id, router: routerB });
	t.equal(across.pipeProducer?.id, producer.id, 'keepId (default): the same id on another worker');
	await t.rejects(routerA.pipeToRouter({ producerId: producer.id, router: routerA2, keepId: true }), Error,
		'keepId: true within one worker fails, ids are unique per worker');
	const within = await routerA.pipeToRouter({ producerId: producer.id, router: routerA2, keepId: false });
	t.not(within.pipeProducer?.id, producer.id, 'keepId: false: a new id');
});

t.test('createPlainTransport({ rtcpListenInfo }) turns rtcpMux off, as mediasoup', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL },
		rtcpListenInfo: { protocol: 'udp', ip: LOCAL },
	});
	t.equal(transport.rtcpMux, false);
	t.equal(transport.rtcpTuple?.localAddress, LOCAL);
	t.not(transport.rtcpTuple?.localPort, transport.tuple.localPort, 'its own RTCP port');
	const muxed = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	t.equal(muxed.rtcpMux, true);
	t.equal(muxed.rtcpTuple, undefined);
});
