// Conformance: Producer and Consumer as mediasoup 3.27 documents and behaves:
// produce() negotiation edge cases, producer/consumer types, pause/resume events under
// overlapping calls, enableTraceEvent() argument rules, getters that return copies.
import t, { Test } from 'tap';
import * as mediaplane from 'mediaplane';
import type { types } from 'mediaplane';

const LOCAL = '127.0.0.1';
const mediaCodecs: types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{
		kind: 'audio', mimeType: 'audio/multiopus', clockRate: 48000, channels: 6,
		parameters: { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
	},
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } },
];

async function setup(t: Test) {
	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({ mediaCodecs });
	const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	const recv = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
	return { worker, router, send, recv };
}

const opus = (mid?: string, encodings?: types.RtpEncodingParameters[]): types.RtpParameters => ({
	...(mid !== undefined ? { mid } : {}),
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
	headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
	...(encodings ? { encodings } : {}),
	rtcp: { cname: 'audio-1' },
});

t.test('produce(): encodings, MIDs, SSRCs and CNAMEs as mediasoup', async (t) => {
	const { send } = await setup(t);
	// No encodings: one is added, matched by the MID.
	const noEncodings = await send.produce({ kind: 'audio', rtpParameters: opus('AUDIO') });
	t.equal(noEncodings.rtpParameters.encodings?.length, 1);
	t.equal(noEncodings.type, 'simple');
	// Empty encodings too.
	const empty = await send.produce({ kind: 'audio', rtpParameters: opus('AUDIO2', []) });
	t.equal(empty.rtpParameters.encodings?.length, 1);
	// One CNAME per transport: the first given one.
	const second = await send.produce({ kind: 'audio', rtpParameters: { ...opus('AUDIO3', [{ ssrc: 5555 }]), rtcp: { cname: 'other' } } });
	t.equal(second.rtpParameters.rtcp?.cname, 'audio-1');
	// A MID already used: Error. An SSRC already used: Error.
	await t.rejects(send.produce({ kind: 'audio', rtpParameters: opus('AUDIO', [{ ssrc: 6666 }]) }), Error);
	await t.rejects(send.produce({ kind: 'audio', rtpParameters: opus('AUDIO4', [{ ssrc: 5555 }]) }), Error);
	// No MID and a single encoding with neither RID nor SSRC: nothing could match its RTP.
	await t.rejects(send.produce({ kind: 'audio', rtpParameters: opus(undefined, [{}]) }), TypeError);
	await t.rejects(send.produce({ kind: 'audio', rtpParameters: opus(undefined) }), TypeError);
});

t.test('multiopus producers and consumers', async (t) => {
	const { router, send, recv } = await setup(t);
	const producer = await send.produce({
		kind: 'audio',
		rtpParameters: {
			mid: 'AUDIO',
			codecs: [{
				mimeType: 'audio/multiopus', payloadType: 0, clockRate: 48000, channels: 6,
				parameters: { useinbandfec: 1, channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
			}],
			headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 10 }],
		},
	});
	t.equal(producer.rtpParameters.encodings?.length, 1);
	const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	t.equal(consumer.rtpParameters.codecs[0].mimeType, 'audio/multiopus');
	t.equal(consumer.rtpParameters.codecs[0].parameters?.num_streams, 4);
});

t.test('producer and consumer types: simple, simulcast, and svc for one encoding with temporal layers', async (t) => {
	const { router, send, recv } = await setup(t);
	const vp8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
	const simple = await send.produce({ kind: 'video', rtpParameters: { codecs: [vp8], encodings: [{ ssrc: 1000 }] } });
	t.equal(simple.type, 'simple');
	const svc = await send.produce({ kind: 'video', rtpParameters: { codecs: [vp8], encodings: [{ ssrc: 2000, scalabilityMode: 'L1T3' }] } });
	t.equal(svc.type, 'svc', 'VP8, one encoding, L1T3 (mediasoup 3.21.1+)');
	const svcConsumer = await recv.consume({ producerId: svc.id, rtpCapabilities: router.rtpCapabilities });
	t.equal(svcConsumer.type, 'svc');
	const simulcast = await send.produce({
		kind: 'video',
		rtpParameters: { codecs: [vp8], encodings: [{ ssrc: 3000, scalabilityMode: 'L1T3' }, { ssrc: 3001, scalabilityMode: 'L1T3' }] },
	});
	t.equal(simulcast.type, 'simulcast');
	const simulcastConsumer = await recv.consume({ producerId: simulcast.id, rtpCapabilities: router.rtpCapabilities });
	t.equal(simulcastConsumer.type, 'simulcast');
	t.same(simulcastConsumer.preferredLayers, { spatialLayer: 1, temporalLayer: 2 });
});

t.test('pause()/resume() bursts emit one observer event per actual change, in order', async (t) => {
	const { router, send, recv } = await setup(t);
	const producer = await send.produce({ kind: 'audio', rtpParameters: opus('AUDIO', [{ ssrc: 1111 }]) });
	const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const observer = await router.createAudioLevelObserver();
	// What the three classes share, as an application's helper would type it.
	type Pausable = {
		pause(): Promise<void>;
		resume(): Promise<void>;
		readonly paused: boolean;
		readonly observer: { on(event: 'pause' | 'resume', listener: () => void): unknown; once(event: 'pause' | 'resume', listener: () => void): unknown };
	};
	const targets: [string, Pausable][] = [['producer', producer], ['consumer', consumer], ['observer', observer]];
	for (const [what, target] of targets) {
		const events: string[] = [];
		target.observer.on('pause', () => events.push('pause'));
		target.observer.on('resume', () => events.push('resume'));
		await target.pause();
		await target.resume();
		// Not awaited: mediasoup decides each event when the worker answers.
		void target.pause();
		void target.resume();
		void target.pause();
		void target.pause();
		void target.pause();
		await target.resume();
		t.same(events, ['pause', 'resume', 'pause', 'resume', 'pause', 'resume'], `${what}: 3 pause, 3 resume`);
		t.equal(target.paused, false);
		const pair: string[] = [];
		target.observer.once('pause', () => pair.push('pause'));
		target.observer.once('resume', () => pair.push('resume'));
		await Promise.all([target.pause(), target.resume()]);
		t.same(pair, ['pause', 'resume'], `${what}: pause() and resume() together emit both`);
	}
});

t.test('enableTraceEvent(): unknown type strings ignored, anything else refused', async (t) => {
	const { router, send, recv } = await setup(t);
	const producer = await send.produce({ kind: 'audio', rtpParameters: opus('AUDIO', [{ ssrc: 1111 }]) });
	const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	await producer.enableTraceEvent(['rtp', 'FOO' as types.ProducerTraceEventType]);
	t.same((await producer.dump()).traceEventTypes, ['rtp']);
	await consumer.enableTraceEvent(['keyframe', 'BAR' as types.ConsumerTraceEventType]);
	t.same((await consumer.dump()).traceEventTypes, ['keyframe']);
	await send.enableTraceEvent(['bwe', 'BAZ' as types.TransportTraceEventType]);
	for (const call of [() => producer.enableTraceEvent([1 as unknown as types.ProducerTraceEventType]),
		() => consumer.enableTraceEvent('rtp' as unknown as types.ConsumerTraceEventType[]),
		() => send.enableTraceEvent([null as unknown as types.TransportTraceEventType])]) {
		await t.rejects(call(), TypeError);
	}
});

t.test('getters return copies', async (t) => {
	const { router, send, recv } = await setup(t);
	const producer = await send.produce({ kind: 'audio', rtpParameters: opus('AUDIO', [{ ssrc: 1111 }]) });
	const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	producer.rtpParameters.codecs.length = 0;
	t.equal(producer.rtpParameters.codecs.length, 1);
	producer.consumableRtpParameters.encodings!.length = 0;
	t.equal(producer.consumableRtpParameters.encodings!.length, 1);
	consumer.rtpParameters.codecs[0].payloadType = 1;
	t.not(consumer.rtpParameters.codecs[0].payloadType, 1);
	router.rtpCapabilities.codecs!.length = 0;
	t.ok(router.rtpCapabilities.codecs!.length > 0);
	send.iceCandidates[0].port = 1;
	t.not(send.iceCandidates[0].port, 1);
	t.not(send.dtlsParameters, send.dtlsParameters, 'two reads, two objects');
});
