'use strict';
// AudioLevelObserver with real sockets: two opus producers on comedia PlainTransports
// fed by UDP sockets on 127.0.0.1, each packet carrying an audio level in the
// ssrc-audio-level header extension (RFC 6464). The observer must report the louder
// first, leave out what is under the threshold, say 'silence' once when nobody speaks,
// stop while paused, forget removed and closed producers, and close with its router.
const t = require('tap');
const mediaplane = require('..');
const { InvalidStateError } = mediaplane;

const { LOCAL, opusParameters, udpSocket, talk } = require('./audio/levels');

function nextEvent(emitter, names, timeoutMs) {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			for (const name of names) emitter.removeListener(name, handlers[name]);
			reject(new Error(`no ${names.join('/')} within ${timeoutMs} ms`));
		}, timeoutMs);
		const handlers = {};
		for (const name of names) {
			handlers[name] = (value) => {
				clearTimeout(timer);
				for (const other of names) emitter.removeListener(other, handlers[other]);
				resolve({ name, value });
			};
			emitter.on(name, handlers[name]);
		}
	});
}

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(() => worker?.close());

t.test('volumes loudest first, threshold, silence, pause, remove, close', async (t) => {
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	t.teardown(() => router.close());
	const speakers = [];
	for (const [name, ssrc] of [['alice', 1111], ['bob', 2222]]) {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
		const producer = await transport.produce({ kind: 'audio', rtpParameters: opusParameters(ssrc) });
		speakers.push({ name, ssrc, producer, port: transport.tuple.localPort, socket: await udpSocket(t), level: () => undefined });
	}
	const [alice, bob] = speakers;

	const observer = await router.createAudioLevelObserver({ maxEntries: 2, threshold: -60, interval: 250 });
	t.equal(observer.type, 'audiolevel');
	t.equal(observer.paused, false);
	const added = [];
	observer.observer.on('addproducer', (p) => added.push(p.id));
	await observer.addProducer({ producerId: alice.producer.id });
	await observer.addProducer({ producerId: bob.producer.id });
	t.same(added, [alice.producer.id, bob.producer.id]);
	const dump = await router.dump();
	t.same(dump.rtpObserverIds, [observer.id]);
	t.equal(dump.mapProducerIdObserverIds.length, 2);

	alice.level = () => 20; // -20 dBov
	bob.level = () => 50; // -50 dBov
	const stop = talk(speakers);
	t.teardown(stop);
	// The first interval may hold only part of the speech; wait for a full one.
	let volumes;
	for (let i = 0; i < 5; i++) {
		const { name, value } = await nextEvent(observer, ['volumes', 'silence'], 2000);
		if (name === 'volumes' && value.length === 2) {
			volumes = value;
			break;
		}
	}
	t.ok(volumes, 'a volumes event with both speakers');
	t.same(volumes.map((v) => [v.producer.id, v.volume]), [[alice.producer.id, -20], [bob.producer.id, -50]], 'loudest first, in dBov');

	// Bob under the threshold: only Alice.
	bob.level = () => 100;
	await nextEvent(observer, ['volumes'], 2000); // the interval in which it changed
	const onlyAlice = await nextEvent(observer, ['volumes'], 2000);
	t.same(onlyAlice.value.map((v) => v.producer.id), [alice.producer.id], 'under the threshold is left out');

	// maxEntries 1 on another observer: only the loudest.
	const single = await router.createAudioLevelObserver({ interval: 250 });
	await single.addProducer({ producerId: alice.producer.id });
	await single.addProducer({ producerId: bob.producer.id });
	bob.level = () => 10; // now Bob is louder
	await nextEvent(single, ['volumes'], 2000);
	const loudest = await nextEvent(single, ['volumes'], 2000);
	t.same(loudest.value.map((v) => [v.producer.id, v.volume]), [[bob.producer.id, -10]], 'maxEntries 1: the loudest only');
	single.close();
	t.equal(single.closed, true);

	// Nobody speaks: 'silence', once.
	alice.level = () => undefined;
	bob.level = () => undefined;
	const silence = await nextEvent(observer, ['silence'], 2000);
	t.equal(silence.name, 'silence');
	let extraSilence = 0;
	observer.on('silence', () => extraSilence++);
	await new Promise((r) => setTimeout(r, 700));
	t.equal(extraSilence, 0, "'silence' is not repeated while it lasts");

	// Paused: no events even with speech.
	await observer.pause();
	t.equal(observer.paused, true);
	alice.level = () => 5;
	let whilePaused = 0;
	observer.on('volumes', () => whilePaused++);
	await new Promise((r) => setTimeout(r, 700));
	t.equal(whilePaused, 0, 'nothing while paused');
	await observer.resume();
	const resumed = await nextEvent(observer, ['volumes'], 2000);
	t.equal(resumed.value[0].producer.id, alice.producer.id, 'events again after resume()');

	// Removed producers are not reported; a closed producer neither.
	await observer.removeProducer({ producerId: alice.producer.id });
	bob.level = () => 30;
	await nextEvent(observer, ['volumes', 'silence'], 2000);
	const afterRemove = await nextEvent(observer, ['volumes'], 2000);
	t.same(afterRemove.value.map((v) => v.producer.id), [bob.producer.id], 'a removed producer is not reported');
	bob.producer.close();
	const afterClose = await nextEvent(observer, ['silence', 'volumes'], 2000);
	const next = afterClose.name === 'silence' ? afterClose : await nextEvent(observer, ['silence'], 2000);
	t.equal(next.name, 'silence', 'a closed producer is forgotten');
	t.same((await router.dump()).mapProducerIdObserverIds, [], 'no producer is watched any more');

	let routerClosed = false;
	observer.on('routerclose', () => { routerClosed = true; });
	router.close();
	t.equal(routerClosed, true, "'routerclose' when the router closes");
	t.equal(observer.closed, true);
	await t.rejects(observer.pause(), mediaplane.NotFoundError);
});

t.test('bad input', async (t) => {
	const router = await worker.createRouter({
		mediaCodecs: [
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		],
	});
	t.teardown(() => router.close());
	await t.rejects(router.createAudioLevelObserver({ maxEntries: 0 }), { name: 'TypeError', message: /maxEntries/ });
	await t.rejects(router.createAudioLevelObserver({ threshold: 5 }), { name: 'TypeError', message: /threshold/ });
	await t.rejects(router.createAudioLevelObserver({ interval: 'x' }), { name: 'TypeError', message: /interval/ });
	await t.rejects(router.createAudioLevelObserver('x'), { name: 'TypeError' });
	const observer = await router.createAudioLevelObserver();
	await t.rejects(observer.addProducer({ producerId: 'nope' }), { name: 'NotFoundError', message: /not found/ });
	await t.rejects(observer.addProducer({}), { name: 'TypeError', message: /producerId/ });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const video = await transport.produce({
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 5 }] },
	});
	await t.rejects(observer.addProducer({ producerId: video.id }), { name: 'TypeError', message: /audio/ });
	observer.close();
	await t.rejects(observer.addProducer({ producerId: video.id }), mediaplane.NotFoundError);
	router.close();
	await t.rejects(router.createAudioLevelObserver(), mediaplane.NotFoundError);
});
