// Conformance: which error a mediasoup 3.27 application catches, and when. Written from
// mediasoup's documentation and behaviour: TypeError for bad arguments (checked before
// any state), NotFoundError for a closed object or an unknown id while its Worker
// lives, WorkerClosedError once the Worker is closed, UnsupportedError for what the
// router cannot do; `InvalidStateError` (3.14's name) still catches both state errors.
import t from 'tap';
import * as mediaplane from 'mediaplane';
import type { types } from 'mediaplane';
import { InvalidStateError, NotFoundError, UnsupportedError, WorkerClosedError } from 'mediaplane/errors';

const LOCAL = '127.0.0.1';
const mediaCodecs: types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a rejection');
}

t.test('mediaplane.errors is mediasoup.errors, with 3.14 names kept', async (t) => {
	t.equal(mediaplane.errors.NotFoundError, NotFoundError);
	t.equal(mediaplane.errors.WorkerClosedError, WorkerClosedError);
	t.equal(mediaplane.errors.UnsupportedError, UnsupportedError);
	for (const [Class, name] of [[NotFoundError, 'NotFoundError'], [WorkerClosedError, 'WorkerClosedError'],
		[UnsupportedError, 'UnsupportedError']] as const) {
		const error = new Class('x');
		t.equal(error.name, name);
		t.ok(error instanceof Error);
		t.notOk(error instanceof TypeError, `${name} is not a TypeError`);
	}
	t.ok(new NotFoundError('x') instanceof InvalidStateError);
	t.ok(new WorkerClosedError('x') instanceof InvalidStateError);
});

t.test('closed objects: NotFoundError while the Worker lives, WorkerClosedError after', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: { mid: 'v', codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1111 }] },
	});
	const receiver = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	const consumer = await receiver.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const observer = await router.createAudioLevelObserver();

	consumer.close();
	for (const call of [() => consumer.dump(), () => consumer.getStats(), () => consumer.pause(), () => consumer.resume(),
		() => consumer.setPriority(2), () => consumer.requestKeyFrame()]) {
		t.ok((await rejection(call())) instanceof NotFoundError, 'closed consumer');
	}
	// Bad arguments are a TypeError even on a closed object: arguments are checked first.
	t.ok((await rejection(consumer.setPreferredLayers({ spatialLayer: -1 }))) instanceof TypeError);
	t.ok((await rejection(consumer.setPriority(0))) instanceof TypeError);

	producer.close();
	for (const call of [() => producer.dump(), () => producer.getStats(), () => producer.pause(), () => producer.resume()]) {
		t.ok((await rejection(call())) instanceof NotFoundError, 'closed producer');
	}
	observer.close();
	t.ok((await rejection(observer.pause())) instanceof NotFoundError, 'closed observer');

	transport.close();
	t.ok((await rejection(transport.dump())) instanceof NotFoundError, 'closed transport');
	t.ok((await rejection(transport.setMaxIncomingBitrate(1000))) instanceof NotFoundError);
	t.ok((await rejection(transport.setMaxIncomingBitrate(-1))) instanceof TypeError, 'arguments first');

	const otherRouter = await worker.createRouter({ mediaCodecs });
	otherRouter.close();
	t.ok((await rejection(otherRouter.dump())) instanceof NotFoundError, 'closed router');
	t.ok((await rejection(otherRouter.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] }))) instanceof NotFoundError);

	worker.close();
	for (const call of [() => worker.dump(), () => worker.getResourceUsage(), () => worker.updateSettings({ logLevel: 'warn' }),
		() => worker.createRouter({ mediaCodecs }), () => worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] }),
		() => router.dump(), () => receiver.dump()]) {
		const error = await rejection(call());
		t.ok(error instanceof WorkerClosedError, `WorkerClosedError: ${error.message}`);
		t.ok(error instanceof InvalidStateError);
	}
});

t.test('unknown ids are NotFoundError; unsupported codecs UnsupportedError; bad arguments TypeError naming the field', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	const consumeError = await rejection(transport.consume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities }));
	t.ok(consumeError instanceof NotFoundError, 'consume() of an unknown producer');
	const observer = await router.createAudioLevelObserver();
	t.ok((await rejection(observer.addProducer({ producerId: 'nope' }))) instanceof NotFoundError, 'addProducer()');
	t.ok((await rejection(observer.removeProducer({ producerId: 'nope' }))) instanceof NotFoundError, 'removeProducer()');
	const other = await worker.createRouter({ mediaCodecs });
	t.ok((await rejection(router.pipeToRouter({ producerId: 'nope', router: other }))) instanceof NotFoundError, 'pipeToRouter()');

	const unsupported = await rejection(worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }],
	}));
	t.ok(unsupported instanceof UnsupportedError);

	const cases: [string, () => Promise<unknown>, RegExp][] = [
		['createWorker logLevel', () => mediaplane.createWorker({ logLevel: 'chatty' as types.WorkerLogLevel }), /logLevel/],
		['createWorker rtcMinPort', () => mediaplane.createWorker({ rtcMinPort: 70000 }), /rtcMinPort/],
		['createRouter mediaCodecs', () => worker.createRouter({ mediaCodecs: 'x' as unknown as types.RouterRtpCodecCapability[] }), /mediaCodecs/],
		['produce kind', () => transport.produce({ kind: 'data' as types.MediaKind, rtpParameters: { codecs: [] } }), /kind/],
		['consume rtpCapabilities', () => transport.consume({ producerId: 'x', rtpCapabilities: 1 as unknown as types.RtpCapabilities }),
			/rtpCapabilities/],
		['listenInfos', () => router.createWebRtcTransport({ listenInfos: [{ protocol: 'sctp' as 'udp', ip: LOCAL }] }), /protocol/],
		['plain listenInfo ip', () => router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: 5 as unknown as string } }), /ip/],
		['enableTraceEvent types', () => transport.enableTraceEvent('bwe' as unknown as types.TransportTraceEventType[]), /types/],
	];
	for (const [what, call, field] of cases) {
		const error = await rejection(call());
		t.ok(error instanceof TypeError, `${what}: TypeError`);
		t.match(error.message, field, `${what}: names the field`);
	}
});
