'use strict';
// Router lifecycle and capabilities through a real worker.
const t = require('tap');
const mediaplane = require('..');
const { InvalidStateError, UnsupportedError } = mediaplane;

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
	{ kind: 'video', mimeType: 'video/H264', clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
];

t.test('createRouter() negotiates capabilities and registers the router', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	let observed;
	worker.observer.once('newrouter', (r) => (observed = r));
	const router = await worker.createRouter({ mediaCodecs, appData: { room: 'a' } });
	t.equal(observed, router, 'worker observer emits newrouter');
	t.match(router.id, /^[0-9a-f-]{36}$/);
	t.equal(router.closed, false);
	t.same(router.appData, { room: 'a' });

	const caps = router.rtpCapabilities;
	const names = caps.codecs.map((c) => c.mimeType);
	t.same(names, ['audio/opus', 'video/VP8', 'video/rtx', 'video/H264', 'video/rtx'], 'codecs in order, RTX after each video codec');
	const pts = caps.codecs.map((c) => c.preferredPayloadType);
	t.equal(new Set(pts).size, pts.length, 'payload types are unique');
	const vp8 = caps.codecs[1];
	t.equal(caps.codecs[2].parameters.apt, vp8.preferredPayloadType, 'RTX apt points to VP8');
	t.equal(vp8.parameters['x-google-start-bitrate'], 1000, 'user codec parameters kept');
	t.ok(caps.headerExtensions.some((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid'));
	caps.codecs.length = 0;
	t.equal(router.rtpCapabilities.codecs.length, 5, 'rtpCapabilities getter returns a copy');

	const dump = await router.dump();
	t.equal(dump.id, router.id);
	for (const field of ['transportIds', 'rtpObserverIds', 'mapProducerIdConsumerIds', 'mapConsumerIdProducerId',
		'mapProducerIdObserverIds', 'mapDataProducerIdDataConsumerIds', 'mapDataConsumerIdDataProducerId']) {
		t.same(dump[field], [], `dump().${field}`);
	}
	const workerDump = await worker.dump();
	t.same(workerDump.routerIds, [router.id]);
	t.same(workerDump.channelMessageHandlers.channelRequestHandlers, [router.id]);
});

t.test('router.close() releases it in the engine and emits observer close', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter();
	let closes = 0;
	let workerCloses = 0;
	router.observer.on('close', () => closes++);
	router.on('workerclose', () => workerCloses++);
	router.close();
	router.close();
	t.equal(router.closed, true);
	t.equal(closes, 1, 'observer close emitted once');
	await t.rejects(router.dump(), mediaplane.NotFoundError);
	t.same((await worker.dump()).routerIds, [], 'engine router is gone');
	worker.close();
	t.equal(workerCloses, 0, 'a router closed before its worker gets no workerclose');
});

t.test('createRouter() rejects bad arguments before touching the engine', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	await t.rejects(worker.createRouter('x'), { name: 'TypeError', message: /options/ });
	await t.rejects(worker.createRouter({ mediaCodecs: 'opus' }), { name: 'TypeError', message: /mediaCodecs/ });
	await t.rejects(worker.createRouter({ appData: 5 }), { name: 'TypeError', message: /appData/ });
	await t.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus' }] }),
		{ name: 'TypeError', message: /clockRate/ });
	await t.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/FOO', clockRate: 90000 }] }),
		UnsupportedError);
	await t.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/rtx', clockRate: 90000 }] }),
		{ name: 'TypeError' });
	t.same((await worker.dump()).routerIds, [], 'no engine router was created');
});

t.test('1,000 routers on one worker, then closed', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const routers = await Promise.all(Array.from({ length: 1000 }, () => worker.createRouter({ mediaCodecs })));
	t.equal((await worker.dump()).routerIds.length, 1000);
	for (const r of routers) r.close();
	t.equal((await worker.dump()).routerIds.length, 0);
});

t.test('updateMediaCodecs() regenerates the capabilities, and keeps them on bad input', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	router.updateMediaCodecs([{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }]);
	t.same(router.rtpCapabilities.codecs.map((c) => c.mimeType), ['audio/opus']);
	t.throws(() => router.updateMediaCodecs('x'), { name: 'TypeError', message: /mediaCodecs/ });
	t.throws(() => router.updateMediaCodecs([{ kind: 'video', mimeType: 'video/nope', clockRate: 90000 }]), UnsupportedError);
	t.same(router.rtpCapabilities.codecs.map((c) => c.mimeType), ['audio/opus'], 'unchanged after a failed update');
	router.close();
	t.throws(() => router.updateMediaCodecs([]), mediaplane.NotFoundError);
});
