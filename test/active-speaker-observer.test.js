'use strict';
// ActiveSpeakerObserver with real sockets: opus producers on comedia PlainTransports fed
// by UDP sockets on 127.0.0.1, each packet carrying an RFC 6464 audio level, following
// scripted speech (bursts with pauses) as a microphone would. The dominant speaker must
// follow the one who keeps talking, hand over when another takes the floor, and not
// move for a short loud transient, a short interjection or a silent participant. Then
// the API as mediasoup documents it: options, events, pause/resume, add/remove,
// closing with producers and router, the router's dump maps.
const t = require('tap');
const mediaplane = require('..');
const { LOCAL, SILENCE, opusParameters, udpSocket, talk } = require('./audio/levels');

const mediaCodecs = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(() => worker.close());

async function speaker(t, router, ssrc, name) {
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const producer = await transport.produce({ kind: 'audio', rtpParameters: opusParameters(ssrc), appData: { name } });
	const socket = await udpSocket(t);
	return { transport, producer, socket, ssrc, port: transport.tuple.localPort, name };
}

/**
 * Speech as a level: talk spurts of 900 ms at around -25 dBov with 250 ms pauses (the
 * on/off pattern of conversational speech), a deterministic wobble inside the spurt.
 */
function speech(elapsedMs, startMs) {
	const t = elapsedMs - startMs;
	if (t < 0) return SILENCE;
	const inCycle = t % 1150;
	if (inCycle >= 900) return SILENCE;
	return 22 + ((Math.floor(t / 20) * 7) % 9); // 22..30
}

const between = (elapsedMs, from, to) => elapsedMs >= from && elapsedMs < to;

t.test('the dominant speaker follows who keeps talking, not a transient or an interjection', async (t) => {
	const router = await worker.createRouter({ mediaCodecs });
	const observer = await router.createActiveSpeakerObserver();
	const a = await speaker(t, router, 1111, 'A');
	const b = await speaker(t, router, 2222, 'B');
	const c = await speaker(t, router, 3333, 'C');
	for (const s of [a, b, c]) await observer.addProducer({ producerId: s.producer.id });

	const start = Date.now();
	const elapsed = () => Date.now() - start;
	const events = [];
	observer.on('dominantspeaker', ({ producer }) => events.push({ name: producer.appData.name, at: elapsed() }));

	// 0-4.5 s: A talks. 2.0-2.2 s: C makes a 200 ms loud noise (a cough, a door).
	// 4.5-10 s: A stops, B talks; 7.0-7.3 s: A interjects for 300 ms.
	const HANDOVER_MS = 4500;
	const END_MS = 10000;
	a.level = () => {
		const now = elapsed();
		if (now < HANDOVER_MS) return speech(now, 0);
		return between(now, 7000, 7300) ? 24 : SILENCE;
	};
	b.level = () => (elapsed() < HANDOVER_MS ? SILENCE : speech(elapsed(), HANDOVER_MS));
	c.level = () => (between(elapsed(), 2000, 2200) ? 5 : SILENCE);
	const stop = talk([a, b, c]);
	await new Promise((resolve) => setTimeout(resolve, END_MS));
	stop();
	t.comment(`dominantspeaker events: ${JSON.stringify(events)}`);

	t.same(events.map((e) => e.name), ['A', 'B'], 'A, then B: never C, never A again');
	t.ok(events[0] && events[0].at < 2000, `A became dominant within 2 s (${events[0]?.at} ms)`);
	t.ok(events[1] && events[1].at > HANDOVER_MS && events[1].at < HANDOVER_MS + 2500,
		`B took over within 2.5 s of starting (${events[1] ? events[1].at - HANDOVER_MS : '-'} ms)`);
	router.close();
});

t.test('options, events and lifecycle as mediasoup documents them', async (t) => {
	const router = await worker.createRouter({ mediaCodecs });
	let created;
	router.observer.once('newrtpobserver', (o) => (created = o));
	const observer = await router.createActiveSpeakerObserver({ interval: 500, appData: { room: 'x' } });
	t.equal(created, observer, "router observer 'newrtpobserver'");
	t.equal(observer.type, 'activespeaker');
	t.equal(observer.constructor.name, 'ActiveSpeakerObserverImpl');
	t.same(observer.appData, { room: 'x' });
	t.equal(observer.paused, false);
	t.same((await router.dump()).rtpObserverIds, [observer.id]);

	// Bad arguments: TypeError naming the field.
	await t.rejects(router.createActiveSpeakerObserver({ interval: false }), { name: 'TypeError', message: /interval/ });
	await t.rejects(router.createActiveSpeakerObserver({ appData: 'NOT-AN-OBJECT' }), { name: 'TypeError', message: /appData/ });
	await t.rejects(router.createActiveSpeakerObserver('x'), TypeError);

	const a = await speaker(t, router, 4444, 'A');
	const added = [];
	observer.observer.on('addproducer', (p) => added.push(p.id));
	await observer.addProducer({ producerId: a.producer.id });
	t.same(added, [a.producer.id]);
	const dump = await router.dump();
	t.same(dump.mapProducerIdObserverIds, [{ key: a.producer.id, values: [observer.id] }], 'the router maps the producer');
	await t.rejects(observer.addProducer({ producerId: 'nope' }), mediaplane.errors.NotFoundError);
	await t.rejects(observer.addProducer({ producerId: 5 }), TypeError);

	// Pause: no events while paused; resume: the speaker is found again.
	await observer.pause();
	t.equal(observer.paused, true);
	let whilePaused = 0;
	const onPaused = () => whilePaused++;
	observer.on('dominantspeaker', onPaused);
	a.level = () => speech(Date.now(), 0);
	const stop = talk([a]);
	t.teardown(stop);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	t.equal(whilePaused, 0, 'nothing while paused');
	observer.off('dominantspeaker', onPaused);
	const dominant = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('no dominantspeaker within 5 s of resume()')), 5000);
		observer.once('dominantspeaker', (event) => {
			clearTimeout(timer);
			resolve(event);
		});
	});
	await observer.resume();
	const { producer } = await dominant;
	t.equal(producer, a.producer, 'after resume() the talker is dominant');

	// Removing, then closing producers and the router.
	const removed = [];
	observer.observer.on('removeproducer', (p) => removed.push(p.id));
	await observer.removeProducer({ producerId: a.producer.id });
	t.same(removed, [a.producer.id]);
	t.same((await router.dump()).mapProducerIdObserverIds, []);
	const b = await speaker(t, router, 5555, 'B');
	await observer.addProducer({ producerId: b.producer.id });
	b.producer.close();
	t.same((await router.dump()).mapProducerIdObserverIds, [], 'a closed producer leaves the observer');
	stop();

	const routerClosed = new Promise((resolve) => observer.once('routerclose', resolve));
	const observerClosed = new Promise((resolve) => observer.observer.once('close', resolve));
	router.close();
	await routerClosed;
	await observerClosed;
	t.equal(observer.closed, true);
	await t.rejects(observer.pause(), mediaplane.errors.NotFoundError);
});

t.test('close() and closing the worker', async (t) => {
	const other = await mediaplane.createWorker({ logLevel: 'warn' });
	const router = await other.createRouter({ mediaCodecs });
	const observer = await router.createActiveSpeakerObserver();
	observer.close();
	t.equal(observer.closed, true);
	t.same((await router.dump()).rtpObserverIds, []);
	const second = await router.createActiveSpeakerObserver();
	const routerClosed = new Promise((resolve) => second.once('routerclose', resolve));
	other.close();
	await routerClosed;
	t.equal(second.closed, true);
});
