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

	// Warm-up.
	for (const c of await Promise.all(Array.from({ length: 2000 }, consume))) c.close();

	let t0 = nowMs();
	const sequential = [];
	for (let i = 0; i < 10000; i++) sequential.push(await consume());
	const sequentialRate = 10000 / ((nowMs() - t0) / 1000);
	for (const c of sequential) c.close();
	await recvTransport.dump(); // let the closes finish before the next measurement

	t0 = nowMs();
	const concurrent = [];
	for (let i = 0; i < 100; i++) concurrent.push(...(await Promise.all(Array.from({ length: 100 }, consume))));
	const concurrentRate = 10000 / ((nowMs() - t0) / 1000);
	for (const c of concurrent) c.close();
	await recvTransport.dump();

	global.gc?.();
	await new Promise((r) => setTimeout(r, 300));
	const before = rssMiB();
	const idle = [];
	for (let i = 0; i < 50; i++) idle.push(...(await Promise.all(Array.from({ length: 100 }, consume))));
	global.gc?.();
	await new Promise((r) => setTimeout(r, 300));
	const perConsumerKiB = ((rssMiB() - before) * 1024) / idle.length;
	worker.close();

	console.log('consumers');
	console.log(`  sequential   ${fmt(sequentialRate, 0)} consume() per second (target >= 25,000)`);
	console.log(`  concurrent   ${fmt(concurrentRate, 0)} consume() per second (100 in flight)`);
	console.log(`  idle         ${fmt(perConsumerKiB, 2)} KiB RSS per consumer (5,000 open; engine + JS; target < 8 KiB)`);
	return { sequentialRate, concurrentRate, perConsumerKiB };
}

module.exports = main;
if (require.main === module) main();
