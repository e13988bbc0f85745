'use strict';
// Issue 13 end to end: Chromium with mediasoup-client publishes three microphones
// generated with WebAudio (looped white noise -> GainNode -> MediaStreamAudioDestination,
// one send transport and PeerConnection per participant A, B, C), whose loudness the
// test scripts on the AudioContext clock. Chromium writes the RFC 6464 level of what it
// sends (ssrc-audio-level); one ActiveSpeakerObserver watches the three producers.
//
// Script (t = 0 is when A starts):
//   0-5 s   A talks: 900 ms bursts at -11 dBov with 250 ms pauses; B and C silent.
//   5-10 s  A silent, B talks the same way.
//   5.6 s   C: a 200 ms burst at -5 dBov (louder than B) while B talks,
//   8.225 s C: another 200 ms burst, this time inside one of B's 250 ms pauses.
// Asserted: the dominant speaker becomes A within 2 s of A starting and stays A until
// the hand-over; becomes B within 2 s of the hand-over; never C; never back to A.
// An AudioLevelObserver on the same producers records the levels the SFU saw (commented
// with the event times, so a failure shows what the detector was given).
const t = require('tap');
const mediaplane = require('..');
const { startBrowserSession, transportParams } = require('./browser/harness');
const { sleep } = require('./browser/wait');

const LISTEN = [{ protocol: 'udp', ip: '127.0.0.1' }];
const mediaCodecs = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

const TURN_MS = 5000; // each speaker's turn
const WITHIN_MS = 2000; // the issue: "within 2 s of each hand-over"
const SPEECH_GAIN = 0.5; // white noise at 0.5: about -11 dBov
const BURST_GAIN = 1; // about -5 dBov
const BURST_MS = 200;
// B's envelope from its start: on 0-900, off 900-1150, on 1150-2050, off 2050-2300,
// on 2300-3200, off 3200-3450, ... The first burst falls in B's first on-phase, the
// second (3225-3425) inside B's third pause, when only C is loud.
const BURSTS_AFTER_B_MS = [600, 3225];

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
});
t.teardown(() => worker?.close());

t.test('dominantspeaker follows the page that talks, within 2 s, and ignores a 200 ms burst', async (t) => {
	const router = await worker.createRouter({ mediaCodecs });
	const session = await startBrowserSession();
	t.teardown(async () => {
		await session.close();
		router.close();
	});
	await session.loadDevice(router.rtpCapabilities);

	// One send transport (a PeerConnection) and one generated microphone per participant.
	const speakers = {};
	for (const name of ['A', 'B', 'C']) {
		const transport = await router.createWebRtcTransport({ listenInfos: LISTEN });
		let producer;
		session.setTransportHandlers(transport.id, {
			connect: async ({ dtlsParameters }) => transport.connect({ dtlsParameters }),
			produce: async ({ kind, rtpParameters }) => {
				producer = await transport.produce({ kind, rtpParameters, appData: { name } });
				return { id: producer.id };
			},
		});
		await session.createSendTransport(transportParams(transport));
		const page = await session.call('produceGeneratedAudio', { transportId: transport.id, source: 'noise', gain: 0 });
		t.equal(page.contextState, 'running', `${name}: the AudioContext runs`);
		t.ok(page.rtpParameters.headerExtensions.some((e) => e.uri === 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'),
			`${name}: Chromium sends audio levels`);
		speakers[name] = { name, transport, producer, sourceId: page.sourceId };
	}
	for (const name of Object.keys(speakers)) {
		await session.waitForConnectionState(speakers[name].transport.id, 'connected');
	}

	const observer = await router.createActiveSpeakerObserver({ interval: 300 });
	const levels = await router.createAudioLevelObserver({ threshold: -127, interval: 250, maxEntries: 3 });
	for (const { producer } of Object.values(speakers)) {
		await observer.addProducer({ producerId: producer.id });
		await levels.addProducer({ producerId: producer.id });
	}
	const events = []; // { name, at } (at: ms since the epoch)
	observer.on('dominantspeaker', ({ producer }) => events.push({ name: producer.appData.name, at: Date.now() }));
	const volumes = []; // { at, A, B, C } (dBov; -127 when not listed)
	levels.on('volumes', (list) => {
		const entry = { at: Date.now(), A: -127, B: -127, C: -127 };
		for (const { producer, volume } of list) entry[producer.appData.name] = volume;
		volumes.push(entry);
	});

	// Everything scheduled at once in the page, on the AudioContext clock, from 1.5 s on
	// (1.5 s of silence first: nobody is dominant then).
	const DELAY_MS = 1500;
	const speech = (durationMs) => session.call('speechSegments', { durationMs, gain: SPEECH_GAIN });
	const aPlan = [...(await speech(TURN_MS))];
	const bPlan = [{ gain: 0, ms: TURN_MS }, ...(await speech(TURN_MS))];
	const cPlan = [];
	let cursor = 0;
	for (const offset of BURSTS_AFTER_B_MS) {
		cPlan.push({ gain: 0, ms: TURN_MS + offset - cursor }, { gain: BURST_GAIN, ms: BURST_MS });
		cursor = TURN_MS + offset + BURST_MS;
	}
	cPlan.push({ gain: 0, ms: 0 });
	const scheduled = {};
	for (const [name, plan] of [['A', aPlan], ['B', bPlan], ['C', cPlan]]) {
		scheduled[name] = await session.call('scheduleLoudness', speakers[name].sourceId, plan, { delayMs: DELAY_MS });
	}
	const aStart = scheduled.A.startedAt;
	const bStart = scheduled.B.startedAt + TURN_MS;
	const end = bStart + TURN_MS;

	// Wait (bounded) until the end of the script plus 1.5 s for late events.
	for (let i = 0; i < 200 && Date.now() < end + 1500; i++) await sleep(100);
	observer.close();
	levels.close();

	const rel = (at) => `${((at - aStart) / 1000).toFixed(2)} s`;
	t.comment(`script: A from 0 s, B from ${rel(bStart)}, C bursts at ${BURSTS_AFTER_B_MS.map((o) => rel(bStart + o)).join(', ')} (${BURST_MS} ms)`);
	t.comment(`dominantspeaker: ${events.map((e) => `${e.name}@${rel(e.at)}`).join(' ') || 'none'}`);
	const onset = (name, from) => volumes.find((v) => v.at >= from && v[name] > -50);
	for (const [name, from] of [['A', aStart - 500], ['B', bStart - 500]]) {
		const v = onset(name, from);
		t.comment(`levels: ${name} first above -50 dBov at ${v ? `${rel(v.at)} (${v[name]} dBov)` : 'never'}`);
	}
	const cPeaks = volumes.filter((v) => v.C > -127).map((v) => `${rel(v.at)}:${v.C}`);
	t.comment(`levels: C above silence at ${cPeaks.join(' ') || 'never'}`);

	const dump = () =>
		`events ${JSON.stringify(events.map((e) => [e.name, rel(e.at)]))}; levels ${JSON.stringify(
			volumes.map((v) => [rel(v.at), v.A, v.B, v.C])
		)}`;

	// A: nobody dominant before A talks; A within 2 s of starting and then until B's turn.
	const firstA = events.find((e) => e.name === 'A');
	t.ok(firstA, 'A became dominant', firstA ? {} : { diagnostic: dump() });
	if (firstA) {
		const delay = firstA.at - aStart;
		t.comment(`hand-over to A: ${delay} ms after A started`);
		t.ok(delay >= -100 && delay <= WITHIN_MS, `A dominant ${delay} ms after A started (within ${WITHIN_MS} ms)`, { diagnostic: dump() });
	}
	t.same(events.filter((e) => e.at < aStart).map((e) => e.name), [], 'no dominant speaker before anyone talks');

	// B: the first change after the hand-over is to B, within 2 s.
	const afterHandover = events.filter((e) => e.at >= bStart);
	const firstB = afterHandover.find((e) => e.name === 'B');
	t.ok(firstB, 'B became dominant after the hand-over', firstB ? {} : { diagnostic: dump() });
	if (firstB) {
		const delay = firstB.at - bStart;
		t.comment(`hand-over to B: ${delay} ms after B started`);
		t.ok(delay <= WITHIN_MS, `B dominant ${delay} ms after B started (within ${WITHIN_MS} ms)`, { diagnostic: dump() });
	}
	// The whole sequence is exactly A, then B: no C (the bursts), no return to A.
	t.same(events.map((e) => e.name), ['A', 'B'], 'dominantspeaker went A, then B, and nothing else', { diagnostic: dump() });
	t.notOk(events.some((e) => e.name === 'C'), 'C never became dominant (200 ms bursts)');
	t.notOk(firstB && events.some((e) => e.name === 'A' && e.at > firstB.at), 'no switch back to A');
});
