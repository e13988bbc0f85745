'use strict';
// The send-side estimate through the API (issue 12), without a browser: a
// WebRtcTransport starts at initialAvailableOutgoingBitrate, reports it as getStats()'s
// availableOutgoingBitrate, and its limits are enforced and checked for consistency.
// (Estimation against real feedback: test/bwe-constrained-browser.test.js, test/bwe-plain.test.js.)
const t = require('tap');
const mediaplane = require('..');

const listenInfos = [{ protocol: 'udp', ip: '127.0.0.1' }];

t.test('availableOutgoingBitrate, limits and their validation', async (t) => {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter();
	const transport = await router.createWebRtcTransport({ listenInfos, initialAvailableOutgoingBitrate: 800000 });
	let [stats] = await transport.getStats();
	t.equal(stats.availableOutgoingBitrate, 800000, 'the estimate starts at initialAvailableOutgoingBitrate');

	await transport.setMaxOutgoingBitrate(500000);
	[stats] = await transport.getStats();
	t.ok(stats.availableOutgoingBitrate <= 500000, `capped by the maximum (${stats.availableOutgoingBitrate})`);
	t.equal(stats.maxOutgoingBitrate, 500000);
	await t.rejects(transport.setMinOutgoingBitrate(600000), /max outgoing bitrate/, 'min above max is rejected');
	await transport.setMinOutgoingBitrate(300000);
	await t.rejects(transport.setMaxOutgoingBitrate(200000), /min outgoing bitrate/, 'max below min is rejected');
	await transport.setMaxOutgoingBitrate(0);
	[stats] = await transport.getStats();
	t.equal(stats.minOutgoingBitrate, 300000);
	t.ok(stats.availableOutgoingBitrate >= 300000, 'never below the minimum');
	await t.rejects(transport.setMaxOutgoingBitrate(-1), TypeError);

	const plain = await router.createPlainTransport({ listenInfo: listenInfos[0] });
	const [plainStats] = await plain.getStats();
	t.equal(plainStats.availableOutgoingBitrate, undefined, 'no estimate without feedback from the peer');

	await plain.setMaxIncomingBitrate(250000);
	await plain.setMaxIncomingBitrate(0);
	await t.rejects(plain.setMaxIncomingBitrate(-5), TypeError, 'a negative incoming limit is a TypeError');

	const direct = await router.createDirectTransport();
	for (const method of ['setMaxIncomingBitrate', 'setMaxOutgoingBitrate', 'setMinOutgoingBitrate']) {
		await t.rejects(direct[method](100000), { name: 'UnsupportedError' }, `DirectTransport.${method}() is unsupported, as in mediasoup`);
	}
});

t.test('setMaxIncomingBitrate() reaches the sending endpoint as REMB', async (t) => {
	// A plain RTP sender over loopback: the REMB the transport sends back carries the limit
	// (draft-alvestrand-rmcat-remb-03 §2.2), once a second, for the producer's SSRC; 0 is
	// followed by REMBs with no practical limit. (Chromium obeying it: test/bwe-browser.)
	const dgram = require('node:dgram');
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
	const transport = await router.createPlainTransport({ listenInfo: listenInfos[0], rtcpMux: true, comedia: false });
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
	const SSRC = 0x11223344;
	await transport.produce({
		kind: 'audio',
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: SSRC }] },
	});
	const rembs = [];
	socket.on('message', (message) => {
		// PT 206, FMT 15, "REMB" after the two SSRCs.
		if (message.length >= 24 && message[1] === 206 && (message[0] & 0x1f) === 15 && message.toString('latin1', 12, 16) === 'REMB') {
			const exponent = message[17] >> 2;
			const mantissa = ((message[17] & 3) << 16) | (message[18] << 8) | message[19];
			const ssrcs = [];
			for (let i = 0; i < message[16]; i++) ssrcs.push(message.readUInt32BE(20 + 4 * i));
			rembs.push({ bitrate: mantissa * 2 ** exponent, ssrcs });
		}
	});
	await transport.setMaxIncomingBitrate(300000);
	const deadline = Date.now() + 5000;
	while (rembs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	t.ok(rembs.length >= 2, `REMBs repeat while the limit is set (${rembs.length} in ${5000 - (deadline - Date.now())} ms)`);
	t.ok(rembs.length && rembs.every((r) => r.bitrate <= 300000 && r.bitrate > 290000), `they carry the limit (${rembs.map((r) => r.bitrate).join(', ')})`);
	t.same(rembs[0]?.ssrcs, [SSRC], 'for the producer\'s SSRC');
	rembs.length = 0;
	await transport.setMaxIncomingBitrate(0);
	const until = Date.now() + 5000;
	while (rembs.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
	t.ok(rembs.length >= 1 && rembs.every((r) => r.bitrate >= 1e9), `removing the limit sends REMBs with no practical limit (${rembs.map((r) => r.bitrate).join(', ')})`);
	await new Promise((r) => setTimeout(r, 1500));
	const count = rembs.length;
	await new Promise((r) => setTimeout(r, 1500));
	t.equal(rembs.length, count, 'then they stop');
});
