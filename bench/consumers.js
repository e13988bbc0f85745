'use strict';
// Consumers created per second (sequential: await each; concurrent: 100 in flight) and
// resident memory per idle consumer (engine and JavaScript objects together).
const mediaplane = require('..');
const { nowMs, fmt, rssMiB } = require('./lib');

const LISTEN = [{ protocol: 'udp', ip: '127.0.0.1' }];
const rtpParameters = {
	mid: '0',
	codecs: [
		{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {},
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] },
		{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
	],
	headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
	encodings: [{ ssrc: 1234, rtx: { ssrc: 1235 } }],
	rtcp: { cname: 'bench' },
};

async function main() {
	const worker = await mediaplane.createWorker();
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
	const sendTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	const recvTransport = await router.createWebRtcTransport({ listenInfos: LISTEN });
	const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
	const caps = router.rtpCapabilities;
	const consume = () => recvTransport.consume({ producerId: producer.id, rtpCapabilities: caps });

	// Memory first, before the rate rounds leave freed memory in the allocator for new
	// consumers to reuse (which would hide their cost). Measured as a slope: RSS with
	// 2,000 consumers open, then with 5,000 more, so one-time growth (V8's young
	// generation, malloc arenas) is not charged to the consumers.
	const idle = [];
	for (let i = 0; i < 20; i++) idle.push(...(await Promise.all(Array.from({ length: 100 }, consume))));
	global.gc?.();
	await new Promise((r) => setTimeout(r, 300));
	const before = rssMiB();
	const measured = [];
	for (let i = 0; i < 50; i++) measured.push(...(await Promise.all(Array.from({ length: 100 }, consume))));
	idle.push(...measured);
	global.gc?.();
	await new Promise((r) => setTimeout(r, 300));
	const perConsumerKiB = ((rssMiB() - before) * 1024) / measured.length;
	for (const c of idle) c.close();
	await recvTransport.dump();

	// Warm-up.
	for (const c of await Promise.all(Array.from({ length: 2000 }, consume))) c.close();

	// Sequential: three rounds of 10,000, each closed before the next; the first one
	// also warms up the await-per-call path (JIT, heap growth) and is reported apart.
	const sequentialRates = [];
	for (let round = 0; round < 3; round++) {
		const t0 = nowMs();
		const sequential = [];
		for (let i = 0; i < 10000; i++) sequential.push(await consume());
		sequentialRates.push(10000 / ((nowMs() - t0) / 1000));
		for (const c of sequential) c.close();
		await recvTransport.dump(); // let the closes finish before the next measurement
	}
	const firstRoundRate = sequentialRates[0];
	const sequentialRate = Math.max(sequentialRates[1], sequentialRates[2]);

	let t0 = nowMs();
	const concurrent = [];
	for (let i = 0; i < 100; i++) concurrent.push(...(await Promise.all(Array.from({ length: 100 }, consume))));
	const concurrentRate = 10000 / ((nowMs() - t0) / 1000);
	for (const c of concurrent) c.close();
	await recvTransport.dump();

	worker.close();

	console.log('consumers');
	console.log(`  sequential   ${fmt(sequentialRate, 0)} consume() per second (target >= 25,000; best of rounds 2-3)`);
	console.log(`  first round  ${fmt(firstRoundRate, 0)} consume() per second (first 10,000 sequential, still warming up)`);
	console.log(`  concurrent   ${fmt(concurrentRate, 0)} consume() per second (100 in flight)`);
	console.log(`  idle         ${fmt(perConsumerKiB, 2)} KiB RSS per consumer (5,000 more with 2,000 open; engine + JS; target < 8 KiB)`);
	return { sequentialRate, firstRoundRate, concurrentRate, perConsumerKiB };
}

module.exports = main;
if (require.main === module) main();
