'use strict';
// What a remote sender's SSRCs may cost a transport (issue 14: nothing from the network
// grows without bound). SRTP packets are protected by the test itself with the RFC 3711
// reference in fixtures/srtp-reference.js and sent from a UDP socket on 127.0.0.1 into a
// comedia PlainTransport with SRTP:
//  - a producer's SSRC table learns the SSRCs its RIDs arrive on, but keeps only those
//    the producer still uses: a new SSRC per packet must not add an entry per packet;
//  - an SSRC that belongs to no producer does not keep a libsrtp stream (libsrtp clones
//    one per authenticated SSRC and walks them as a list for every packet);
//  - SSRCs that only send SRTCP are bounded (1024 streams per transport): past that,
//    packets of further new SSRCs are dropped and counted, known ones still flow.
const t = require('tap');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const mediaplane = require('..');
const { sessionKeys, refProtectRtpWithKeys, refProtectRtcpWithKeys } = require('./fixtures/srtp-reference');

const LOCAL = '127.0.0.1';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const MAX_INBOUND_STREAMS = 1024; // SrtpSession::kMaxInboundStreams

let worker;
t.before(async () => {
	worker = await mediaplane.createWorker();
});
t.teardown(() => worker?.close());

// A VP8 RTP packet with one-byte header extensions (RFC 8285 §4.2): MID (id 1), and RID
// (id 2) when given.
function rtpPacket({ ssrc, seq, mid = 'v', rid }) {
	const elements = [];
	const element = (id, text) => elements.push(Buffer.concat([Buffer.from([(id << 4) | (text.length - 1)]), Buffer.from(text)]));
	if (mid) element(1, mid);
	if (rid) element(2, rid);
	let extension = Buffer.concat(elements);
	if (extension.length % 4) extension = Buffer.concat([extension, Buffer.alloc(4 - (extension.length % 4))]);
	const header = Buffer.alloc(12);
	header[0] = 0x80 | (elements.length ? 0x10 : 0);
	header[1] = 101;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(seq * 3000, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	const profile = Buffer.alloc(4);
	profile.writeUInt16BE(0xbede, 0);
	profile.writeUInt16BE(extension.length / 4, 2);
	// VP8 payload descriptor (RFC 7741 §4.2), start of a partition, then some bytes.
	const payload = Buffer.concat([Buffer.from([0x10]), crypto.randomBytes(40)]);
	return elements.length ? Buffer.concat([header, profile, extension, payload]) : Buffer.concat([header, payload]);
}

// An RTCP receiver report with no report blocks (RFC 3550 §6.4.2).
function rtcpReceiverReport(ssrc) {
	const rr = Buffer.alloc(8);
	rr[0] = 0x80;
	rr[1] = 201;
	rr.writeUInt16BE(1, 2);
	rr.writeUInt32BE(ssrc >>> 0, 4);
	return rr;
}

async function setup(t) {
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	t.teardown(() => router.close());
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, enableSrtp: true });
	const material = crypto.randomBytes(30);
	await transport.connect({ srtpParameters: { cryptoSuite: SUITE, keyBase64: material.toString('base64') } });
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			mid: 'v',
			codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
			headerExtensions: [{ uri: MID_URI, id: 1 }, { uri: RID_URI, id: 2 }],
			encodings: [{ rid: 'r0' }, { rid: 'r1' }],
		},
	});
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	const keys = sessionKeys(SUITE, material);
	let rtcpIndex = 0;
	const port = transport.tuple.localPort;
	// Resolves to the number of bytes sent.
	const sendAll = async (packets) => {
		for (let i = 0; i < packets.length; i++) {
			socket.send(packets[i], port, LOCAL);
			if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5)); // stay inside the socket buffers
		}
		return packets.reduce((sum, p) => sum + p.length, 0);
	};
	return {
		transport,
		producer,
		sendRtp: (packets) => sendAll(packets.map((p) => refProtectRtpWithKeys(SUITE, keys.rtp, p))),
		sendRtcp: (packets) => sendAll(packets.map((p) => refProtectRtcpWithKeys(SUITE, keys.rtcp, p, ++rtcpIndex))),
	};
}

async function ssrcTable(transport) {
	return (await transport.dump()).rtpListener.ssrcTable.map((entry) => entry.key);
}

// Waits (bounded) until the transport has read `bytes` more bytes than `before` (every
// datagram counts in bytesReceived, dropped or not).
async function settle(transport, before, bytes) {
	let stats;
	for (let i = 0; i < 200; i++) {
		[stats] = await transport.getStats();
		if (stats.bytesReceived - before >= bytes) break;
		await new Promise((r) => setTimeout(r, 25));
	}
	return stats;
}

async function bytesReceived(transport) {
	const [stats] = await transport.getStats();
	return stats.bytesReceived;
}

t.test('a new SSRC per packet on a valid RID does not grow the SSRC table', async (t) => {
	const { transport, sendRtp } = await setup(t);
	const before = await bytesReceived(transport);
	const ssrcs = Array.from({ length: 500 }, (_, i) => 0x10000 + i);
	const sent = await sendRtp(ssrcs.map((ssrc, i) => rtpPacket({ ssrc, seq: i, rid: 'r0' })));
	await settle(transport, before, sent);
	const table = await ssrcTable(transport);
	t.ok(table.includes(ssrcs[ssrcs.length - 1]), 'the newest SSRC of r0 was learnt');
	t.ok(table.length <= 2, `the table keeps what the producer uses (${table.length} entries after ${ssrcs.length} SSRCs)`);
});

t.test('SSRCs that belong to no producer do not use up the SRTP streams', async (t) => {
	const { transport, sendRtp } = await setup(t);
	const before = await bytesReceived(transport);
	const stray = Array.from({ length: MAX_INBOUND_STREAMS + 200 }, (_, i) => 0x200000 + i);
	// No MID: these route nowhere (dropped), after authenticating.
	const sent = await sendRtp(stray.map((ssrc, i) => rtpPacket({ ssrc, seq: i, mid: null })));
	const stats = await settle(transport, before, sent);
	t.ok(stats.droppedPackets >= stray.length, `every stray packet dropped (${stats.droppedPackets})`);
	// A producer's new SSRC still gets a stream.
	await sendRtp([1, 2, 3].map((seq) => rtpPacket({ ssrc: 0xabcdef, seq, rid: 'r1' })));
	let table = [];
	for (let i = 0; i < 100 && !table.includes(0xabcdef); i++) {
		await new Promise((r) => setTimeout(r, 25));
		table = await ssrcTable(transport);
	}
	t.ok(table.includes(0xabcdef), 'the producer\'s new SSRC was accepted after 1,224 stray ones');
});

t.test('SRTCP senders are bounded: past the limit new SSRCs are dropped, known ones flow', async (t) => {
	const { transport, producer, sendRtp, sendRtcp } = await setup(t);
	await sendRtp([1, 2].map((seq) => rtpPacket({ ssrc: 0x1234, seq, rid: 'r0' })));
	const rtcpSenders = Array.from({ length: MAX_INBOUND_STREAMS + 100 }, (_, i) => 0x300000 + i);
	const rtcpBefore = await bytesReceived(transport);
	await settle(transport, rtcpBefore, await sendRtcp(rtcpSenders.map(rtcpReceiverReport)));
	const before = await bytesReceived(transport);
	const [{ droppedPackets: droppedBefore }] = await transport.getStats();
	let sent = await sendRtp([1, 2, 3].map((seq) => rtpPacket({ ssrc: 0x5678, seq, rid: 'r1' })));
	sent += await sendRtp([3, 4, 5].map((seq) => rtpPacket({ ssrc: 0x1234, seq, rid: 'r0' })));
	const stats = await settle(transport, before, sent);
	t.equal(stats.droppedPackets - droppedBefore, 3, 'the new SSRC\'s packets were dropped and counted');
	t.notOk((await ssrcTable(transport)).includes(0x5678), 'and not learnt');
	const producerStats = await producer.getStats();
	const r0 = producerStats.find((s) => s.ssrc === 0x1234);
	t.ok(r0 && r0.packetCount >= 5, `the known SSRC still flows (${r0?.packetCount} packets)`);
});
