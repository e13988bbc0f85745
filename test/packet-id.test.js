'use strict';
// mediasoup's packet-id header extension (urn:mediasoup:params:rtp-hdrext:packet-id,
// mediasoup 3.19.5+): a producer created with enableMediasoupPacketIdHeaderExtension
// stamps each packet it receives with a 4-byte id (one sequence per worker); consumers
// that negotiated the extension send it, and a pipe carries it, unchanged, to the next
// router. Real RTP from a UDP socket into a comedia PlainTransport; consumers on
// DirectTransports hand the packets they send to JavaScript.
const t = require('tap');
const { extensionValue } = require('./plain/rtp-extensions');
const dgram = require('node:dgram');
const mediaplane = require('..');

const LOCAL = '127.0.0.1';
const PACKET_ID_URI = 'urn:mediasoup:params:rtp-hdrext:packet-id';
const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
const PACKETS = 40;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (predicate()) return;
		await sleep(20);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A VP8 key frame in one packet (RFC 7741 §4.2/§4.3) carrying `tag` in its payload. */
function vp8Packet(ssrc, seq, tag) {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = 0x80 | 101;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE((seq * 3000) >>> 0, 4);
	header.writeUInt32BE(ssrc, 8);
	const payload = Buffer.alloc(16);
	payload[0] = 0x10; // S: start of partition 0
	payload[1] = 0x00; // P = 0: key frame
	payload.writeUInt32BE(tag, 8);
	return Buffer.concat([header, payload]);
}


/** The payload tag of an RTP packet we sent (see vp8Packet), past its extensions. */
function payloadTag(packet) {
	let offset = 12 + 4 * (packet[0] & 0x0f);
	if (packet[0] & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
	return packet.readUInt32BE(offset + 8);
}

async function directConsumer(router, producerId) {
	const direct = await router.createDirectTransport();
	const consumer = await direct.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
	const packets = [];
	consumer.on('rtp', (packet) => packets.push(Buffer.from(packet)));
	const ext = consumer.rtpParameters.headerExtensions.find((e) => e.uri === PACKET_ID_URI);
	return { consumer, packets, extensionId: ext?.id };
}

async function udpSocket(t) {
	const socket = dgram.createSocket('udp4');
	t.teardown(() => socket.close());
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	return socket;
}

async function sendPackets(sender, port, ssrc) {
	for (let i = 0; i < PACKETS; i++) {
		sender.send(vp8Packet(ssrc, 5000 + i, i), port, LOCAL);
		await sleep(2);
	}
}

t.test('the router capabilities offer the extension, as mediasoup 3.27', async (t) => {
	const caps = mediaplane.getSupportedRtpCapabilities();
	for (const kind of ['audio', 'video']) {
		t.match(caps.headerExtensions.find((e) => e.kind === kind && e.uri === PACKET_ID_URI),
			{ preferredId: 12, direction: 'sendrecv' }, kind);
	}
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL } });
	await t.rejects(transport.produce({
		kind: 'video', enableMediasoupPacketIdHeaderExtension: 'yes',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
	}), { name: 'TypeError', message: /enableMediasoupPacketIdHeaderExtension/ });
});

t.test('stamped ids: consecutive per worker, sent by consumers that negotiated them, kept across a pipe', async (t) => {
	const workerA = await mediaplane.createWorker();
	const workerB = await mediaplane.createWorker();
	t.teardown(() => {
		workerA.close();
		workerB.close();
	});
	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const input = await routerA.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true });
	const rtpParameters = (ssrc, mid) => ({
		mid,
		codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
		encodings: [{ ssrc }],
	});
	const stamped = await input.produce({ kind: 'video', rtpParameters: rtpParameters(1111, 'a'), enableMediasoupPacketIdHeaderExtension: true });
	const plain = await input.produce({ kind: 'video', rtpParameters: rtpParameters(2222, 'b') });

	const onA = await directConsumer(routerA, stamped.id);
	const unstamped = await directConsumer(routerA, plain.id);
	const { pipeProducer } = await routerA.pipeToRouter({ producerId: stamped.id, router: routerB });
	const onB = await directConsumer(routerB, pipeProducer.id);
	t.ok(onA.extensionId > 0, 'the consumer negotiated the extension');
	t.ok(onB.extensionId > 0, 'so did the consumer behind the pipe');

	// One socket: a comedia transport takes media from the first address it hears.
	const sender = await udpSocket(t);
	await sendPackets(sender, input.tuple.localPort, 1111);
	await sendPackets(sender, input.tuple.localPort, 2222);
	await waitFor(() => onA.packets.length >= PACKETS && onB.packets.length >= PACKETS && unstamped.packets.length >= PACKETS,
		5000, 'every packet on every consumer').catch((error) => {
		t.comment(`received: ${onA.packets.length} ${onB.packets.length} ${unstamped.packets.length}`);
		throw error;
	});

	const idsA = new Map(onA.packets.map((p) => [payloadTag(p), extensionValue(p, onA.extensionId)]));
	t.ok([...idsA.values()].every((v) => v && v.length === 4), 'every packet carries a 4-byte id');
	const numbers = [...idsA.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v.readUInt32BE(0));
	t.ok(numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1), 'consecutive ids, in the order received');
	t.ok(numbers[0] < 2 ** 31, 'the sequence starts below 2^31, as mediasoup');
	for (const packet of onB.packets) {
		const id = extensionValue(packet, onB.extensionId);
		t.ok(id && id.equals(idsA.get(payloadTag(packet))), `packet ${payloadTag(packet)}: the same id behind the pipe`);
	}
	t.ok(unstamped.packets.every((p) => extensionValue(p, unstamped.extensionId) === undefined),
		'a producer without the option stamps nothing');
});
