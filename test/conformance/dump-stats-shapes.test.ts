// Conformance: dump() and getStats() of every class, field by field against mediasoup
// 3.27's shapes (names, types, and the values that must be right), with real traffic:
// a node:dgram socket sends VP8 RTP into a comedia PlainTransport producer, a second
// PlainTransport sends it on to another socket, which asks for a retransmission (NACK).
// Typed with mediaplane's published declarations (ProducerDump, ConsumerDump,
// RtpStreamRecvStats, ...), so a renamed or retyped field also fails to compile.
import t, { Test } from 'tap';
import * as dgram from 'node:dgram';
import * as crypto from 'node:crypto';
import * as mediaplane from 'mediaplane';
import type { types } from 'mediaplane';

const LOCAL = '127.0.0.1';
const PRODUCER_SSRC = 33333333;
const PRODUCER_RTX_SSRC = 33333334;
const MID_EXTENSION_ID = 10;

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'undefined';
type Spec = Record<string, Kind | `${Kind}?`>;

function kindOf(value: unknown): Kind {
	if (Array.isArray(value)) return 'array';
	if (value === null) return 'undefined'; // never expected: reported as a mismatch below
	return typeof value as Kind;
}

/**
 * Every field of `spec` is present with its type ('number?': absent or a number), and
 * the object has no field the spec does not name unless listed in `extras`.
 */
function checkShape(t: Test, value: unknown, spec: Spec, what: string, extras: string[] = []): void {
	t.type(value, 'object', `${what} is an object`);
	const object = value as Record<string, unknown>;
	for (const [field, expected] of Object.entries(spec)) {
		const optional = expected.endsWith('?');
		const kind = expected.replace('?', '') as Kind;
		const present = field in object && object[field] !== undefined;
		if (!present) {
			t.ok(optional, `${what}.${field} present`);
			continue;
		}
		t.equal(object[field] === null ? 'null' : kindOf(object[field]), kind, `${what}.${field} is ${kind}`);
	}
	for (const field of Object.keys(object)) {
		if (object[field] === undefined) continue;
		t.ok(field in spec || extras.includes(field), `${what}.${field} is a known field`);
	}
}

// mediasoup's BaseRtpStreamStats.
const BASE_STREAM_STATS: Spec = {
	type: 'string', timestamp: 'number', ssrc: 'number', rtxSsrc: 'number?', rid: 'string?', kind: 'string',
	mimeType: 'string', packetsLost: 'number', fractionLost: 'number', jitter: 'number', packetsDiscarded: 'number',
	packetsRetransmitted: 'number', packetsRepaired: 'number', nackCount: 'number', nackPacketCount: 'number',
	pliCount: 'number', firCount: 'number', roundTripTime: 'number?', rtxPacketsDiscarded: 'number?', score: 'number',
	packetCount: 'number', byteCount: 'number', bitrate: 'number',
};
const RECV_STREAM_STATS: Spec = { ...BASE_STREAM_STATS, bitrateByLayer: 'object' };
const STREAM_PARAMS: Spec = {
	encodingIdx: 'number', ssrc: 'number', payloadType: 'number', mimeType: 'string', clockRate: 'number',
	rid: 'string?', cname: 'string', rtxSsrc: 'number?', rtxPayloadType: 'number?', useNack: 'boolean',
	usePli: 'boolean', useFir: 'boolean', useInBandFec: 'boolean', useDtx: 'boolean', spatialLayers: 'number',
	temporalLayers: 'number',
};
const BASE_TRANSPORT_DUMP: Spec = {
	id: 'string', producerIds: 'array', consumerIds: 'array', mapSsrcConsumerId: 'array', mapRtxSsrcConsumerId: 'array',
	recvRtpHeaderExtensions: 'object', rtpListener: 'object', maxSendMessageSize: 'number',
	maxReceiveMessageSize: 'number', dataProducerIds: 'array', dataConsumerIds: 'array', sctpParameters: 'object?',
	sctpState: 'string?', sctpNegotiatedCapabilities: 'object?', sctpListener: 'object?', traceEventTypes: 'array',
};
// mediaplane's own additions to transport dumps and stats.
const TRANSPORT_EXTRAS = ['direct', 'droppedPackets', 'webRtcServerId', 'rtpPacketsReceived', 'rtcpPacketsReceived',
	'rtpPacketsSent', 'rtcpPacketsSent'];
const BASE_TRANSPORT_STATS: Spec = {
	type: 'string', transportId: 'string', timestamp: 'number', sctpState: 'string?', bytesReceived: 'number',
	recvBitrate: 'number', bytesSent: 'number', sendBitrate: 'number', rtpBytesReceived: 'number',
	rtpRecvBitrate: 'number', rtpBytesSent: 'number', rtpSendBitrate: 'number', rtxBytesReceived: 'number',
	rtxRecvBitrate: 'number', rtxBytesSent: 'number', rtxSendBitrate: 'number', probationBytesSent: 'number',
	probationSendBitrate: 'number', availableOutgoingBitrate: 'number?', availableIncomingBitrate: 'number?',
	maxIncomingBitrate: 'number?', maxOutgoingBitrate: 'number?', minOutgoingBitrate: 'number?',
	rtpPacketLossReceived: 'number?', rtpPacketLossSent: 'number?',
};
const RTP_PARAMETERS: Spec = {
	mid: 'string?', codecs: 'array', headerExtensions: 'array', encodings: 'array', rtcp: 'object', msid: 'string?',
};
const ENCODING: Spec = {
	ssrc: 'number?', rid: 'string?', codecPayloadType: 'number?', rtx: 'object?', dtx: 'boolean',
	scalabilityMode: 'string?', maxBitrate: 'number?',
};

// A VP8 RTP packet (RFC 7741 §4.2): one packet per frame, a key frame when `key`; the
// MID header extension (RFC 8285 one-byte form) carries 'v'.
function vp8Packet(seq: number, timestamp: number, key: boolean): Buffer {
	const header = Buffer.alloc(12);
	header[0] = 0x90; // V=2, X=1
	header[1] = 101 | 0x80;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(PRODUCER_SSRC, 8);
	const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, (MID_EXTENSION_ID << 4) | 0, 'v'.charCodeAt(0), 0, 0]);
	const descriptor = Buffer.from([0x10, key ? 0x00 : 0x01, 0, 0]);
	return Buffer.concat([header, extension, descriptor, crypto.randomBytes(200)]);
}

// An RTCP Generic NACK (RFC 4585 §6.2.1) for one sequence number of `mediaSsrc`.
function nack(mediaSsrc: number, seq: number): Buffer {
	const packet = Buffer.alloc(16);
	packet[0] = 0x81; // V=2, FMT=1
	packet[1] = 205; // RTPFB
	packet.writeUInt16BE(3, 2);
	packet.writeUInt32BE(12345678, 4);
	packet.writeUInt32BE(mediaSsrc, 8);
	packet.writeUInt16BE(seq, 12);
	packet.writeUInt16BE(0, 14);
	return packet;
}

async function socket(): Promise<dgram.Socket> {
	const s = dgram.createSocket('udp4');
	await new Promise<void>((resolve) => s.bind(0, LOCAL, () => resolve()));
	return s;
}

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await predicate()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

t.test('dump() and getStats() shapes with real RTP', async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({
		mediaCodecs: [
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		],
	});
	const routerVp8 = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!;

	// --- producer: comedia PlainTransport fed by a dgram socket -------------------------
	const sender = await socket();
	t.teardown(() => sender.close());
	const inTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const producer = await inTransport.produce({
		kind: 'video',
		rtpParameters: {
			mid: 'v',
			codecs: [
				{ mimeType: 'video/vp8', payloadType: 101, clockRate: 90000,
					rtcpFeedback: [{ type: 'nack', parameter: '' }, { type: 'nack', parameter: 'pli' }] },
				{ mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
			],
			headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: MID_EXTENSION_ID }],
			encodings: [{ ssrc: PRODUCER_SSRC, rtx: { ssrc: PRODUCER_RTX_SSRC } }],
			rtcp: { cname: 'dump-test' },
			msid: 'stream-1 track-1',
		},
	});

	// Before any packet: no receive stream yet (as mediasoup: rtpStreams undefined, no stats).
	const emptyDump: types.ProducerDump = await producer.dump();
	t.equal(emptyDump.rtpStreams, undefined, 'no rtpStreams before the first packet');
	t.same(await producer.getStats(), [], 'no producer stats before the first packet');

	// --- consumer: PlainTransport to a dgram receiver --------------------------------------
	const receiver = await socket();
	t.teardown(() => receiver.close());
	const received: Buffer[] = [];
	receiver.on('message', (message) => received.push(message));
	const outTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	await outTransport.connect({ ip: LOCAL, port: receiver.address().port });
	const consumer = await outTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const consumerRtxSsrc = consumer.rtpParameters.encodings![0].rtx!.ssrc;

	const FRAMES = 30;
	for (let i = 0; i < FRAMES; i++) {
		sender.send(vp8Packet(1000 + i, 90000 + i * 3000, i === 0), inTransport.tuple.localPort, LOCAL);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
	const fromConsumer = (m: Buffer) => m.length >= 12 && (m[1] < 192 || m[1] > 223) && m.readUInt32BE(8) === consumerSsrc;
	await waitFor(() => received.some(fromConsumer), 'forwarded RTP');
	await waitFor(async () => (await producer.getStats())[0]?.packetCount === FRAMES, 'every packet counted');

	// The receiver asks for a packet again: it comes back as RTX, counted apart.
	const firstSeq = received.find(fromConsumer)!.readUInt16BE(2);
	receiver.send(nack(consumerSsrc, firstSeq), outTransport.tuple.localPort, LOCAL);
	const isRtx = (m: Buffer) => m.length >= 12 && (m[1] < 192 || m[1] > 223) && m.readUInt32BE(8) === consumerRtxSsrc;
	await waitFor(() => received.some(isRtx), 'an RTX retransmission');

	await t.test('producer.dump()', async (t) => {
		const dump: types.ProducerDump = await producer.dump();
		checkShape(t, dump, {
			id: 'string', kind: 'string', type: 'string', rtpParameters: 'object', rtpMapping: 'object',
			rtpStreams: 'array', traceEventTypes: 'array', paused: 'boolean',
		}, 'ProducerDump');
		t.equal(dump.id, producer.id);
		t.equal(dump.kind, 'video');
		t.equal(dump.type, 'simple');
		t.equal(dump.paused, false);
		checkShape(t, dump.rtpParameters, RTP_PARAMETERS, 'rtpParameters');
		t.equal(dump.rtpParameters.codecs[0].mimeType, 'video/VP8', 'canonical mimeType');
		t.same(dump.rtpParameters.codecs[0].rtcpFeedback, [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
			'an empty feedback parameter is no parameter');
		checkShape(t, dump.rtpParameters.encodings![0], ENCODING, 'rtpParameters.encodings[0]');
		t.equal(dump.rtpParameters.encodings![0].codecPayloadType, 101, 'codecPayloadType: the first media codec');
		t.equal(dump.rtpParameters.encodings![0].dtx, false);
		t.equal(dump.rtpParameters.msid, 'stream-1 track-1');
		t.same(dump.rtpParameters.rtcp, { cname: 'dump-test', reducedSize: true });

		const mapping = dump.rtpMapping as { codecs: { payloadType: number; mappedPayloadType: number }[];
			encodings: { ssrc?: number; mappedSsrc: number }[] };
		t.same(mapping.codecs.find((c) => c.payloadType === 101), { payloadType: 101, mappedPayloadType: routerVp8.preferredPayloadType },
			'rtpMapping: VP8 to the router payload type');
		t.equal(mapping.encodings[0].ssrc, PRODUCER_SSRC);
		t.equal(mapping.encodings[0].mappedSsrc, producer.consumableRtpParameters.encodings![0].ssrc, 'mappedSsrc is the consumable SSRC');

		t.equal(dump.rtpStreams!.length, 1);
		const stream = dump.rtpStreams![0] as types.RtpStreamDump;
		checkShape(t, stream, { params: 'object', score: 'number', rtxStream: 'object?' }, 'rtpStreams[0]');
		checkShape(t, stream.params, STREAM_PARAMS, 'rtpStreams[0].params');
		t.match(stream.params, {
			encodingIdx: 0, ssrc: PRODUCER_SSRC, payloadType: 101, mimeType: 'video/VP8', clockRate: 90000,
			cname: 'dump-test', rtxSsrc: PRODUCER_RTX_SSRC, rtxPayloadType: 102, useNack: true, usePli: true, useFir: false,
			spatialLayers: 1, temporalLayers: 1,
		});
		t.same(stream.rtxStream?.params, {
			ssrc: PRODUCER_RTX_SSRC, payloadType: 102, mimeType: 'video/rtx', clockRate: 90000, cname: 'dump-test',
		});
	});

	await t.test('producer.getStats()', async (t) => {
		const stats: types.ProducerStat[] = await producer.getStats();
		t.equal(stats.length, 1);
		checkShape(t, stats[0], RECV_STREAM_STATS, 'ProducerStat');
		t.match(stats[0], { type: 'inbound-rtp', kind: 'video', mimeType: 'video/VP8', ssrc: PRODUCER_SSRC, rtxSsrc: PRODUCER_RTX_SSRC });
		t.equal(stats[0].packetCount, FRAMES, 'packetCount: every packet sent');
		t.equal(stats[0].byteCount, FRAMES * vp8Packet(0, 0, false).length, 'byteCount: their bytes');
		t.ok(stats[0].bitrate > 0, 'bitrate > 0');
		t.same(stats[0].bitrateByLayer, {}, 'one layer: no per-layer rates');
		t.equal(stats[0].packetsLost, 0);
	});

	await t.test('bitrateByLayer of a stream with temporal layers (VP8 L1T3)', async (t) => {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
		const layered = await transport.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
				encodings: [{ ssrc: PRODUCER_SSRC, scalabilityMode: 'L1T3' }],
			},
		});
		// VP8 payload descriptor with TID (RFC 7741 §4.2: X, then T, then TID/Y/KEYIDX):
		// TID 0, 2, 1, 2, ... as a three-layer encoder sends them; layer 2 twice as often.
		const pattern = [0, 2, 1, 2];
		for (let i = 0; i < 40; i++) {
			const tid = pattern[i % 4];
			const packet = vp8Packet(5000 + i, 1000 + i * 3000, i === 0);
			// The descriptor starts after the 12-byte header and the 8-byte extension.
			const withTid = Buffer.concat([packet.subarray(0, 20), Buffer.from([0x90, 0x20, tid << 6]), packet.subarray(21)]);
			sender.send(withTid, transport.tuple.localPort, LOCAL);
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		await waitFor(async () => (await layered.getStats())[0]?.packetCount === 40, 'layered packets counted');
		const [stats] = await layered.getStats();
		t.same(Object.keys(stats.bitrateByLayer).sort(), ['0.0', '0.1', '0.2'], 'one key per layer');
		const [l0, l1, l2] = ['0.0', '0.1', '0.2'].map((key) => stats.bitrateByLayer[key]);
		t.ok(l0 > 0, 'layer 0 received');
		t.ok(l1 > l0, 'up to layer 1: more than layer 0 alone');
		t.ok(l2 > l1, 'up to layer 2: more still');
		t.ok(l2 <= stats.bitrate, 'all layers: at most the stream bitrate');
		transport.close();
	});

	await t.test('consumer.dump()', async (t) => {
		const dump: types.ConsumerDump = await consumer.dump();
		checkShape(t, dump, {
			id: 'string', producerId: 'string', kind: 'string', type: 'string', rtpParameters: 'object',
			consumableRtpEncodings: 'array', supportedCodecPayloadTypes: 'array', traceEventTypes: 'array',
			paused: 'boolean', producerPaused: 'boolean', priority: 'number', rtpStream: 'object',
		}, 'SimpleConsumerDump');
		t.match(dump, { id: consumer.id, producerId: producer.id, kind: 'video', type: 'simple', paused: false,
			producerPaused: false, priority: 1 });
		const consumerPt = consumer.rtpParameters.codecs[0].payloadType;
		t.same(dump.supportedCodecPayloadTypes, [consumerPt]);
		checkShape(t, dump.rtpParameters, RTP_PARAMETERS, 'rtpParameters');
		t.equal(dump.rtpParameters.encodings![0].codecPayloadType, consumerPt, 'codecPayloadType of the consumer encoding');
		t.equal(dump.rtpParameters.msid, 'stream-1 track-1', 'msid follows the producer');
		t.notOk(dump.rtpParameters.codecs.some((c) => c.rtcpFeedback!.some((fb) => fb.parameter === '')),
			'no empty feedback parameters');
		checkShape(t, dump.consumableRtpEncodings![0], ENCODING, 'consumableRtpEncodings[0]');
		t.equal(dump.consumableRtpEncodings![0].ssrc, producer.consumableRtpParameters.encodings![0].ssrc);

		const stream = (dump as types.SimpleConsumerDump).rtpStream;
		checkShape(t, stream, { params: 'object', score: 'number', rtxStream: 'object?' }, 'rtpStream');
		checkShape(t, stream.params, STREAM_PARAMS, 'rtpStream.params');
		t.match(stream.params, { encodingIdx: 0, ssrc: consumerSsrc, payloadType: consumerPt, mimeType: 'video/VP8',
			rtxSsrc: consumerRtxSsrc, useNack: true, usePli: true, useFir: true });
		t.equal(stream.rtxStream?.params.ssrc, consumerRtxSsrc);
		t.equal(stream.score, 10);
	});

	await t.test('consumer.getStats()', async (t) => {
		const stats: types.ConsumerStat[] = await consumer.getStats();
		t.same(stats.map((s) => s.type), ['outbound-rtp', 'inbound-rtp'], 'its stream, then the producer stream');
		checkShape(t, stats[0], BASE_STREAM_STATS, 'ConsumerStat (outbound)');
		checkShape(t, stats[1], RECV_STREAM_STATS, 'ConsumerStat (inbound)');
		t.match(stats[0], { kind: 'video', mimeType: 'video/VP8', ssrc: consumerSsrc, rtxSsrc: consumerRtxSsrc });
		t.ok(stats[0].packetCount > 0 && stats[0].packetCount <= FRAMES, 'packetCount: what was forwarded');
		t.ok(stats[0].byteCount > 0);
		t.equal(stats[0].nackCount, 1, 'nackCount: the NACK received');
		t.equal(stats[0].packetsRetransmitted, 1, 'packetsRetransmitted');
		t.equal(stats[1].ssrc, PRODUCER_SSRC);
	});

	await t.test('PlainTransport dump() and getStats()', async (t) => {
		const dump: types.PlainTransportDump = await inTransport.dump();
		checkShape(t, dump, { ...BASE_TRANSPORT_DUMP, rtcpMux: 'boolean', comedia: 'boolean', tuple: 'object',
			rtcpTuple: 'object?', srtpParameters: 'object?' }, 'PlainTransportDump', TRANSPORT_EXTRAS);
		t.same(dump.producerIds, [producer.id]);
		t.same(dump.recvRtpHeaderExtensions, { mid: MID_EXTENSION_ID }, 'the producer\'s MID extension id');
		t.same(dump.rtpListener.midTable, [{ key: 'v', value: producer.id }]);
		t.ok(dump.rtpListener.ssrcTable.some((e) => e.key === PRODUCER_SSRC && e.value === producer.id));
		t.equal(dump.maxSendMessageSize, 262144);
		t.equal(dump.maxReceiveMessageSize, 262144);
		t.equal(dump.comedia, true);

		const outDump: types.PlainTransportDump = await outTransport.dump();
		t.same(outDump.mapSsrcConsumerId, [{ key: consumerSsrc, value: consumer.id }], 'media SSRC');
		t.same(outDump.mapRtxSsrcConsumerId, [{ key: consumerRtxSsrc, value: consumer.id }], 'RTX SSRC apart');

		const [inStats]: types.PlainTransportStat[] = await inTransport.getStats();
		checkShape(t, inStats, { ...BASE_TRANSPORT_STATS, rtcpMux: 'boolean', comedia: 'boolean', tuple: 'object',
			rtcpTuple: 'object?' }, 'PlainTransportStat', TRANSPORT_EXTRAS);
		t.equal(inStats.type, 'plain-rtp-transport');
		t.equal(inStats.rtpBytesReceived, FRAMES * vp8Packet(0, 0, false).length, 'rtpBytesReceived: the media');
		t.ok(inStats.bytesReceived >= inStats.rtpBytesReceived, 'bytesReceived counts everything');
		t.equal(inStats.availableOutgoingBitrate, undefined, 'no estimate without an estimator');

		const [outStats] = await outTransport.getStats();
		t.ok(outStats.rtpBytesSent > 0, 'rtpBytesSent > 0');
		t.ok(outStats.rtxBytesSent > 0, 'rtxBytesSent: the retransmission');
		t.equal(outStats.probationBytesSent, 0, 'no probation (nothing probes)');
	});

	await t.test('WebRtcTransport dump() and getStats()', async (t) => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: LOCAL }],
			maxSendMessageSize: 1000001,
			maxReceiveMessageSize: 1000002,
		});
		await transport.enableTraceEvent(['bwe']);
		const videoConsumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const dump: types.WebRtcTransportDump = await transport.dump();
		checkShape(t, dump, { ...BASE_TRANSPORT_DUMP, iceRole: 'string', iceParameters: 'object', iceCandidates: 'array',
			iceState: 'string', iceSelectedTuple: 'object?', dtlsParameters: 'object', dtlsState: 'string',
			dtlsRemoteCert: 'string?' }, 'WebRtcTransportDump', TRANSPORT_EXTRAS);
		t.same(dump.traceEventTypes, ['bwe']);
		t.equal(dump.maxSendMessageSize, 1000001, 'maxSendMessageSize as given');
		t.equal(dump.maxReceiveMessageSize, 1000002, 'maxReceiveMessageSize as given');
		t.same(dump.consumerIds, [videoConsumer.id]);
		t.equal(dump.iceRole, 'controlled');
		t.equal(dump.iceState, 'new');

		const [stats]: types.WebRtcTransportStat[] = await transport.getStats();
		checkShape(t, stats, { ...BASE_TRANSPORT_STATS, iceRole: 'string', iceState: 'string', iceSelectedTuple: 'object?',
			dtlsState: 'string' }, 'WebRtcTransportStat', TRANSPORT_EXTRAS);
		t.equal(stats.type, 'webrtc-transport');
		t.equal(stats.transportId, transport.id);
		transport.close();
	});

	await t.test('PipeTransport dump() and getStats(), pipe consumer dump()', async (t) => {
		const pipe = await router.createPipeTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, enableRtx: true });
		const pipeConsumer = await pipe.consume({ producerId: producer.id });
		const dump: types.PipeTransportDump = await pipe.dump();
		checkShape(t, dump, { ...BASE_TRANSPORT_DUMP, tuple: 'object', rtx: 'boolean', srtpParameters: 'object?' },
			'PipeTransportDump', [...TRANSPORT_EXTRAS, 'rtcpMux', 'comedia', 'rtcpTuple']);
		t.equal(dump.rtx, true, 'rtx: enableRtx');
		const [stats]: types.PipeTransportStat[] = await pipe.getStats();
		checkShape(t, stats, { ...BASE_TRANSPORT_STATS, tuple: 'object' }, 'PipeTransportStat',
			[...TRANSPORT_EXTRAS, 'rtcpMux', 'comedia', 'rtcpTuple']);
		t.equal(stats.type, 'pipe-transport');

		t.same(pipeConsumer.score, { score: 10, producerScore: 10, producerScores: [] },
			'a PipeTransport consumer starts at 10 and 10, as mediasoup');
		t.same((await pipeConsumer.getStats()).map((s) => s.type), ['outbound-rtp'],
			'a pipe consumer: its streams only (it forwards every producer stream)');
		const consumerDump = (await pipeConsumer.dump()) as types.PipeConsumerDump;
		t.equal(consumerDump.type, 'pipe');
		t.equal(consumerDump.rtpStreams.length, 1, 'one stream per producer encoding');
		checkShape(t, consumerDump.rtpStreams[0].params, STREAM_PARAMS, 'pipe rtpStreams[0].params');
		t.equal(consumerDump.rtpStreams[0].params.ssrc, pipeConsumer.rtpParameters.encodings![0].ssrc);
		pipe.close();
	});

	await t.test('DirectTransport dump() and getStats()', async (t) => {
		const direct = await router.createDirectTransport({ maxSendMessageSize: 1000, maxReceiveMessageSize: 2000 });
		const directProducer = await direct.produce({
			kind: 'video',
			rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: PRODUCER_SSRC }] },
		});
		const packet = vp8Packet(1, 1000, true);
		directProducer.send(packet);
		await waitFor(async () => (await direct.getStats())[0].bytesReceived > 0, 'producer.send() counted');
		const dump: types.DirectTransportDump = await direct.dump();
		checkShape(t, dump, BASE_TRANSPORT_DUMP, 'DirectTransportDump', TRANSPORT_EXTRAS);
		t.equal(dump.maxSendMessageSize, 1000);
		t.equal(dump.maxReceiveMessageSize, 2000);
		const [stats]: types.DirectTransportStat[] = await direct.getStats();
		checkShape(t, stats, BASE_TRANSPORT_STATS, 'DirectTransportStat', TRANSPORT_EXTRAS);
		t.equal(stats.type, 'direct-transport');
		t.equal(stats.bytesReceived, packet.length, 'bytesReceived: what producer.send() gave');
		t.equal(stats.rtpBytesReceived, packet.length);
		direct.close();
	});

	await t.test('a lost packet repaired by RTX: counted apart', async (t) => {
		const [before] = await inTransport.getStats();
		// 1030 is lost; 1031 arrives; then 1030 comes as RTX (RFC 4588: OSN first).
		const lostSeq = 1000 + FRAMES;
		const next = vp8Packet(lostSeq + 1, 90000 + (FRAMES + 1) * 3000, false);
		sender.send(next, inTransport.tuple.localPort, LOCAL);
		await waitFor(async () => (await producer.getStats())[0].packetCount === FRAMES + 1, 'the packet after the gap');
		const lost = vp8Packet(lostSeq, 90000 + FRAMES * 3000, false);
		const header = Buffer.from(lost.subarray(0, 20));
		header[1] = 102; // the RTX payload type, no marker
		header.writeUInt16BE(1, 2);
		header.writeUInt32BE(PRODUCER_RTX_SSRC, 8);
		const osn = Buffer.alloc(2);
		osn.writeUInt16BE(lostSeq);
		const rtx = Buffer.concat([header, osn, lost.subarray(20)]);
		sender.send(rtx, inTransport.tuple.localPort, LOCAL);
		await waitFor(async () => (await inTransport.getStats())[0].rtxBytesReceived > 0, 'the RTX packet counted');
		const [after] = await inTransport.getStats();
		t.equal(after.rtxBytesReceived, lost.length, 'rtxBytesReceived: the original it carried');
		t.equal(after.rtpBytesReceived - before.rtpBytesReceived, next.length, 'rtpBytesReceived: the media only');
		const [stats] = await producer.getStats();
		t.equal(stats.packetsRetransmitted, 1, 'packetsRetransmitted');
		t.equal(stats.packetsRepaired, 1, 'packetsRepaired');
		t.equal(stats.packetsLost, 0, 'nothing lost in the end');
	});

	await t.test('Router, Worker and WebRtcServer dump()', async (t) => {
		const observer = await router.createAudioLevelObserver();
		const routerDump: types.RouterDump = await router.dump();
		checkShape(t, routerDump, {
			id: 'string', transportIds: 'array', rtpObserverIds: 'array', mapProducerIdConsumerIds: 'array',
			mapConsumerIdProducerId: 'array', mapProducerIdObserverIds: 'array', mapDataProducerIdDataConsumerIds: 'array',
			mapDataConsumerIdDataProducerId: 'array',
		}, 'RouterDump');
		t.same(routerDump.rtpObserverIds, [observer.id]);
		t.ok(routerDump.mapProducerIdConsumerIds.some((e) => e.key === producer.id && e.values.includes(consumer.id)));
		t.ok(routerDump.mapConsumerIdProducerId.some((e) => e.key === consumer.id && e.value === producer.id));

		const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOCAL, port: 0 }] });
		const serverDump: types.WebRtcServerDump = await server.dump();
		checkShape(t, serverDump, { id: 'string', udpSockets: 'array', tcpServers: 'array', webRtcTransportIds: 'array',
			localIceUsernameFragments: 'array' }, 'WebRtcServerDump', ['tupleHashes', 'droppedPackets']);
		t.same(Object.keys(serverDump.udpSockets[0]).sort(), ['ip', 'port']);

		const workerDump: types.WorkerDump = await worker.dump();
		checkShape(t, workerDump, { pid: 'number', webRtcServerIds: 'array', routerIds: 'array',
			channelMessageHandlers: 'object', liburing: 'object?' }, 'WorkerDump');
		if (workerDump.liburing) {
			checkShape(t, workerDump.liburing, { sqeProcessCount: 'number', sqeMissCount: 'number',
				userDataMissCount: 'number' }, 'WorkerDump.liburing');
		}
		t.equal(workerDump.pid, process.pid);
		t.same(workerDump.routerIds, [router.id]);
		t.same(workerDump.webRtcServerIds, [server.id]);
		server.close();
	});
});
