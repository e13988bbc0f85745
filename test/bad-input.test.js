'use strict';
// Every public entry point with wrong types, missing fields and closed objects: each
// must fail with the documented error class and a message naming the field, and
// nothing may crash the process or leave a promise hanging.
const t = require('tap');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const mediaplane = require('..');
const { InvalidStateError, NotFoundError, WorkerClosedError } = mediaplane;

const badSettings = [
	['settings', 'not an object'],
	['settings', 42],
	['logLevel', { logLevel: 'verbose' }],
	['logLevel', { logLevel: 3 }],
	['logTags', { logTags: 'ice' }],
	['logTags', { logTags: ['ice', 'bogus'] }],
	['rtcMinPort', { rtcMinPort: -1 }],
	['rtcMinPort', { rtcMinPort: 1.5 }],
	['rtcMaxPort', { rtcMaxPort: 70000 }],
	['rtcMaxPort', { rtcMaxPort: '2000' }],
	['rtcMinPort', { rtcMinPort: 3000, rtcMaxPort: 2000 }],
	['dtlsCertificateFile', { dtlsCertificateFile: 5, dtlsPrivateKeyFile: 'x' }],
	['dtlsCertificateFile', { dtlsCertificateFile: '/nonexistent/cert.pem', dtlsPrivateKeyFile: '/nonexistent/key.pem' }],
	['dtlsPrivateKeyFile', { dtlsCertificateFile: __filename }],
	['libwebrtcFieldTrials', { libwebrtcFieldTrials: 7 }],
	['disableLiburing', { disableLiburing: 'yes' }],
	['appData', { appData: 'x' }],
	['appData', { appData: [1, 2] }],
];

t.test('createWorker() rejects every bad setting with a TypeError naming it', async (t) => {
	for (const [field, settings] of badSettings) {
		await t.rejects(mediaplane.createWorker(settings), { name: 'TypeError', message: new RegExp(field) },
			`${field}: ${JSON.stringify(settings)}`);
	}
});

t.test('createWorker() accepts every documented setting, with a real certificate', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-'));
	t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
	const cert = path.join(dir, 'cert.pem');
	const key = path.join(dir, 'key.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=mediaplane-test'], { stdio: 'ignore' });
	const worker = await mediaplane.createWorker({
		logLevel: 'warn', logTags: ['info', 'ice'], rtcMinPort: 20000, rtcMaxPort: 20100,
		dtlsCertificateFile: cert, dtlsPrivateKeyFile: key, libwebrtcFieldTrials: 'WebRTC-Foo/Enabled/',
		disableLiburing: true, appData: { a: 1 },
	});
	t.equal(worker.closed, false);
	const router = await worker.createRouter();
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	const expected = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'])
		.toString().trim().split('=')[1];
	t.equal(transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256').value, expected,
		'the transport announces the loaded certificate');
	worker.close();

	// Readable files that are not a certificate: the engine refuses to start.
	const junk = path.join(dir, 'junk.pem');
	fs.writeFileSync(junk, 'not a certificate');
	await t.rejects(mediaplane.createWorker({ dtlsCertificateFile: junk, dtlsPrivateKeyFile: key }), /certificate/i);
	// A certificate with somebody else's key.
	const otherKey = path.join(dir, 'other-key.pem');
	execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey],
		{ stdio: 'ignore' });
	await t.rejects(mediaplane.createWorker({ dtlsCertificateFile: cert, dtlsPrivateKeyFile: otherKey }), /certificate|key/i);
});

t.test('worker and router methods with wrong arguments', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	await t.rejects(worker.updateSettings({ logLevel: {} }), { name: 'TypeError', message: /logLevel/ });
	await t.rejects(worker.createRouter(null), { name: 'TypeError', message: /options/ });
	await t.rejects(worker.createRouter({ mediaCodecs: {} }), { name: 'TypeError', message: /mediaCodecs/ });
	await t.rejects(worker.createRouter({ mediaCodecs: [null] }), { name: 'TypeError' });
	await t.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'data', mimeType: 'audio/opus', clockRate: 48000 }] }),
		{ name: 'TypeError', message: /kind/ });
	await t.rejects(worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'opus', clockRate: 48000 }] }),
		{ name: 'TypeError', message: /mimeType/ });
	// The worker is still fully usable afterwards.
	const router = await worker.createRouter();
	t.equal((await router.dump()).id, router.id);
});

t.test('the channel refuses what it cannot carry, and unknown methods', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const channel = worker.channelForTesting;
	await t.rejects(channel.request('worker.noSuchMethod'), { name: 'TypeError', message: /unknown channel method/ });
	// JSON requests: what JSON.stringify cannot write is refused before it leaves.
	const cyclic = {};
	cyclic.self = cyclic;
	await t.rejects(channel.request('worker.dump', undefined, cyclic), { name: 'TypeError', message: /circular/ });
	await t.rejects(channel.request('worker.dump', undefined, { n: 1n }), { name: 'TypeError', message: /BigInt/ });
	// Binary requests (a typed tree): functions and cycles are refused by the addon.
	await t.rejects(channel.requestWithBinary('worker.dump', undefined, { f: () => 1 }), { name: 'TypeError' });
	await t.rejects(channel.requestWithBinary('worker.dump', undefined, cyclic), { name: 'TypeError', message: /nested/ });
	await t.rejects(channel.request('worker.createRouter', undefined, {}), { name: 'TypeError', message: /routerId/ });
	await t.rejects(channel.request('worker.createRouter', undefined, { routerId: 5 }), { name: 'TypeError', message: /routerId/ });
	await t.rejects(channel.request('router.dump', 'no-such-router'), NotFoundError);
	await t.rejects(channel.request('worker.closeRouter', undefined, { routerId: 'nope' }), NotFoundError);
	await t.rejects(channel.request('worker.updateSettings', undefined, { logLevel: 'x' }), { name: 'TypeError' });
	await channel.request('worker.createRouter', undefined, { routerId: 'dup' });
	await t.rejects(channel.request('worker.createRouter', undefined, { routerId: 'dup' }), /already exists/);
	t.equal((await worker.dump()).pid, process.pid, 'worker still answers');
});

t.test('methods of closed objects reject with NotFoundError, or WorkerClosedError once the worker is closed', async (t) => {
	const worker = await mediaplane.createWorker();
	const router = await worker.createRouter();
	const router2 = await worker.createRouter();
	router.close();
	await t.rejects(router.dump(), { name: 'NotFoundError' });
	// 3.14's InvalidStateError is the base of both, so older applications still catch them.
	const notFound = await router.dump().catch((error) => error);
	t.ok(notFound instanceof NotFoundError && notFound instanceof InvalidStateError && notFound instanceof Error);
	worker.close();
	for (const call of [() => worker.dump(), () => worker.getResourceUsage(), () => worker.updateSettings({}),
		() => worker.createRouter(), () => router2.dump()]) {
		await t.rejects(call(), { name: 'WorkerClosedError' });
	}
	const closed = await worker.dump().catch((error) => error);
	t.ok(closed instanceof WorkerClosedError && closed instanceof InvalidStateError);
	t.notOk(closed instanceof NotFoundError);
	t.equal(mediaplane.errors.WorkerClosedError, WorkerClosedError);
	t.equal(mediaplane.errors.InvalidStateError, InvalidStateError);
	t.doesNotThrow(() => router.close(), 'close() on a closed router is a no-op');
	t.doesNotThrow(() => worker.close(), 'close() on a closed worker is a no-op');
});

t.test('parseScalabilityMode() never throws', async (t) => {
	for (const input of [undefined, null, '', 'L1T3', 'S3T3', 'L3T3_KEY', 'garbage', 42, {}]) {
		const result = mediaplane.parseScalabilityMode(input);
		t.type(result.spatialLayers, 'number');
		t.type(result.temporalLayers, 'number');
		t.type(result.ksvc, 'boolean');
	}
	t.same(mediaplane.parseScalabilityMode('L3T2_KEY'), { spatialLayers: 3, temporalLayers: 2, ksvc: true });
	t.same(mediaplane.parseScalabilityMode('nope'), { spatialLayers: 1, temporalLayers: 1, ksvc: false });
});

// Found by fuzz/channel_requests_fuzzer.cpp (issue 14): numbers the engine turned into
// integers without a range check (undefined behaviour: a float-to-integer conversion out
// of range; any value at all in a normal build). The engine now refuses them with a
// TypeError naming the field, or clamps a layer, whatever reaches the channel.
t.test('the engine refuses out-of-range numbers in requests, whoever sends them', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const channel = worker.channelForTesting;
	const routerId = 'r-range';
	await channel.request('worker.createRouter', undefined, { routerId });
	const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
	const cases = [
		['maxSendMessageSize', 'router.createDirectTransport', routerId, { transportId: 'd1', maxSendMessageSize: -1 }],
		['maxMessageSize', 'router.createDirectTransport', routerId, { transportId: 'd2', maxMessageSize: 1e30 }],
		['iceConsentTimeout', 'router.createWebRtcTransport', routerId, { transportId: 'w1', listenInfos: [listenInfo], iceConsentTimeout: -30 }],
		['initialAvailableOutgoingBitrate', 'router.createWebRtcTransport', routerId, { transportId: 'w2', listenInfos: [listenInfo], initialAvailableOutgoingBitrate: 1e30 }],
		['sctpDefaultStreamBufferedAmountLowThreshold', 'router.createWebRtcTransport', routerId, { transportId: 'w3', listenInfos: [listenInfo], enableSctp: true, sctpDefaultStreamBufferedAmountLowThreshold: -1 }],
		['maxEntries', 'router.createAudioLevelObserver', routerId, { rtpObserverId: 'o1', maxEntries: 1e30 }],
	];
	for (const [field, method, handlerId, data] of cases) {
		await t.rejects(channel.request(method, handlerId, data), { name: 'TypeError', message: new RegExp(field) }, `${method} ${field}`);
	}
	await channel.request('router.createPlainTransport', routerId, { transportId: 'p1', listenInfo, rtcpMux: false, comedia: false });
	await t.rejects(channel.request('transport.connect', 'p1', { ip: '127.0.0.1', port: 9, rtcpPort: -5 }),
		{ name: 'TypeError', message: /rtcpPort/ }, 'PlainTransport connect rtcpPort');
	await channel.request('router.createDirectTransport', routerId, { transportId: 'd3' });
	await t.rejects(channel.request('transport.produce', 'd3', {
		producerId: 'pr1', kind: 'audio', keyFrameRequestDelay: -1,
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] },
		rtpMapping: { codecs: [{ payloadType: 111, mappedPayloadType: 100 }], encodings: [{ ssrc: 1, mappedSsrc: 2 }] },
		consumableRtpEncodings: [{ ssrc: 2 }],
	}), { name: 'TypeError', message: /keyFrameRequestDelay/ }, 'produce keyFrameRequestDelay');

	// A huge preferred layer (the TypeScript layer allows any non-negative integer) is
	// clamped to the layers there are.
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
	const transport = await router.createPlainTransport({ listenInfo, comedia: true });
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
			encodings: [{ ssrc: 100, scalabilityMode: 'L1T3' }, { ssrc: 200, scalabilityMode: 'L1T3' }, { ssrc: 300, scalabilityMode: 'L1T3' }],
		},
	});
	const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	await consumer.setPreferredLayers({ spatialLayer: 1e10, temporalLayer: 3e9 });
	t.same(consumer.preferredLayers, { spatialLayer: 2, temporalLayer: 2 }, 'clamped to the top layers');
	t.equal((await worker.dump()).pid, process.pid, 'worker still answers');
});
