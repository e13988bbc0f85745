'use strict';
// Issue 14, part 6: bad input everywhere in the TypeScript API. Every public method of
// every object a room uses (worker, router, each transport type, producer, consumer,
// data producer and consumer, both RTP observers, WebRtcServer) is called with junk in
// its first and second argument. Each call must end, within a bounded time, in one of:
// a result, a synchronous throw or a rejection whose error is a TypeError (bad
// argument), an InvalidStateError family error (closed object), or an UnsupportedError;
// never a hang, never a crash, never a non-Error. Afterwards every object still
// answers and the worker is still usable. The methods are found by reflection, so a
// method added later is swept too.
const t = require('tap');
const dgram = require('node:dgram');
const mediaplane = require('..');

const LOCAL = '127.0.0.1';
const CALL_TIMEOUT_MS = 5000;
const ALLOWED_ERRORS = new Set(['TypeError', 'InvalidStateError', 'NotFoundError', 'WorkerClosedError', 'UnsupportedError']);

// Methods not swept: they end the object (swept separately at the end), register
// listeners (EventEmitter's own API), or are getters.
const SKIP = new Set([
	'constructor', 'close', 'routerClosed', 'transportClosed', 'listenServerClosed', 'workerClosed', 'webRtcServerClosed',
	'on', 'once', 'off', 'emit', 'safeEmit', 'safeEmitAsPromise', 'addListener', 'removeListener', 'removeAllListeners',
	'prependListener', 'prependOnceListener', 'listeners', 'rawListeners', 'listenerCount', 'eventNames',
	'setMaxListeners', 'getMaxListeners',
	// A test hook: when hooks are enabled it kills the worker, which is its job.
	'simulateFatalErrorForTesting',
]);
// mediasoup's own state conflicts are plain Errors (its worker throws them so), e.g. a
// second PlainTransport.connect(): allowed, by message.
const STATE_CONFLICT = /already called|already exists/;

const cyclic = {};
cyclic.self = cyclic;
const JUNK = [
	undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, '', 'x'.repeat(5000), true, [], [null, 1, 'a'], {}, { a: { b: { c: [] } } },
	cyclic, () => 1, Symbol('junk'), 10n, Buffer.alloc(3), new Date(0),
	{ ip: 5, port: 'x', rtpParameters: 1, kind: 'data', producerId: {}, dataProducerId: [], listenInfos: 'udp' },
];

function describe(value) {
	if (typeof value === 'symbol' || typeof value === 'bigint') return String(value);
	if (typeof value === 'function') return 'function';
	if (value === cyclic) return 'cyclic';
	if (typeof value === 'string') return value.length > 20 ? `'x'*${value.length}` : JSON.stringify(value);
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

function publicMethods(object) {
	const names = new Set();
	for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
		if (proto.constructor?.name === 'EventEmitter') break;
		for (const name of Object.getOwnPropertyNames(proto)) {
			const descriptor = Object.getOwnPropertyDescriptor(proto, name);
			if (typeof descriptor.value === 'function' && !name.startsWith('_') && !SKIP.has(name)) names.add(name);
		}
	}
	return [...names].sort();
}

// Calls object[method](...args); resolves with { outcome, error? } within the timeout.
async function callBounded(object, method, args) {
	let result;
	try {
		result = object[method](...args);
	} catch (error) {
		return { outcome: 'threw', error };
	}
	if (!result || typeof result.then !== 'function') return { outcome: 'returned' };
	let timer;
	try {
		return await Promise.race([
			result.then(() => ({ outcome: 'resolved' }), (error) => ({ outcome: 'rejected', error })),
			new Promise((resolve) => {
				timer = setTimeout(() => resolve({ outcome: 'hung' }), CALL_TIMEOUT_MS);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

t.test('every public method with junk arguments: a result or a clear error, never a hang or a crash', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'none' });
	t.teardown(() => worker.close());
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	const mediaCodecs = [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	];
	const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }] });
	const router = await worker.createRouter({ mediaCodecs });
	const webRtc = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }], enableSctp: true });
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, rtcpMux: true, enableSctp: true });
	const direct = await router.createDirectTransport();
	const router2 = await worker.createRouter({ mediaCodecs });
	const pipe = await router.createPipeTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, enableSctp: true });
	const producer = await plain.produce({
		kind: 'audio',
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
	});
	const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }).catch(() => undefined)
		?? await plain.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const dataProducer = await direct.produceData();
	const dataConsumer = await direct.consumeData({ dataProducerId: dataProducer.id });
	const audioLevelObserver = await router.createAudioLevelObserver();
	const activeSpeakerObserver = await router.createActiveSpeakerObserver();
	await audioLevelObserver.addProducer({ producerId: producer.id });

	const targets = {
		worker, webRtcServer, router, webRtcTransport: webRtc, plainTransport: plain, directTransport: direct,
		pipeTransport: pipe, producer, consumer, dataProducer, dataConsumer, audioLevelObserver, activeSpeakerObserver,
	};
	const bad = [];
	let calls = 0;
	for (const [name, object] of Object.entries(targets)) {
		const methods = publicMethods(object);
		t.ok(methods.length > 0, `${name}: ${methods.length} methods (${methods.join(', ')})`);
		for (const method of methods) {
			for (const junk of JUNK) {
				for (const args of [[junk], [{}, junk]]) {
					calls++;
					const { outcome, error } = await callBounded(object, method, args);
					const label = `${name}.${method}(${args.map(describe).join(', ')})`;
					if (outcome === 'hung') bad.push(`${label}: no answer within ${CALL_TIMEOUT_MS} ms`);
					else if (error !== undefined) {
						if (!(error instanceof Error)) bad.push(`${label}: ${outcome} a non-Error (${describe(error)})`);
						else if (!ALLOWED_ERRORS.has(error.name) && !(error.name === 'Error' && STATE_CONFLICT.test(error.message))) bad.push(`${label}: ${outcome} ${error.name}: ${error.message}`);
					}
				}
			}
		}
	}
	t.same(bad, [], `${calls} calls, each answered with a result or a TypeError/InvalidStateError/UnsupportedError`);

	// Everything still answers, and the worker still creates and forwards.
	for (const [name, object] of Object.entries(targets)) {
		if (object.closed) continue;
		const answer = typeof object.dump === 'function' ? await object.dump().then(() => 'ok', (e) => e.name) : 'ok';
		t.equal(answer, 'ok', `${name} still answers dump()`);
	}
	t.ok((await worker.createRouter({ mediaCodecs })).id, 'the worker still creates routers');
	// The sweep may have paused or closed things (pause(), setPriority() etc. with junk
	// that happens to be valid): a fresh pair proves forwarding, not the swept objects.
	const send = await router2.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, rtcpMux: true });
	const recv = await router2.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true });
	await recv.connect({ ip: LOCAL, port: socket.address().port });
	const p2 = await send.produce({
		kind: 'audio',
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 2222 }] },
	});
	await recv.consume({ producerId: p2.id, rtpCapabilities: router2.rtpCapabilities });
	let received = 0;
	socket.on('message', () => received++);
	for (let i = 0; i < 50 && received < 5; i++) {
		const packet = Buffer.alloc(32, 1);
		packet[0] = 0x80;
		packet[1] = 100;
		packet.writeUInt16BE(i, 2);
		packet.writeUInt32BE(2222, 8);
		socket.send(packet, send.tuple.localPort, LOCAL);
		await new Promise((r) => setTimeout(r, 20));
	}
	t.ok(received >= 5, `still forwarding (${received} packets)`);

	// close() with junk arguments is a no-op-or-close, never a throw.
	for (const [name, object] of Object.entries(targets).reverse()) {
		t.doesNotThrow(() => object.close(...JUNK.slice(0, 3)), `${name}.close(junk)`);
	}
});
