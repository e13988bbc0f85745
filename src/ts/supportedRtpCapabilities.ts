import { RtcpFeedback, RouterRtpCapabilities, RtpHeaderExtension } from './RtpParameters';

/**
 * Every codec and RTP header extension the SFU can route.
 *
 * A router's capabilities are a subset of these (chosen by its `mediaCodecs`
 * option, see ortc.generateRouterRtpCapabilities()). Endpoints must be given
 * router.rtpCapabilities, never this list.
 *
 * Payload types are only set where RFC 3551 §6 assigns a static one (PCMU 0,
 * PCMA 8, G722 9, CN 13 at 8 kHz); every other codec gets a dynamic payload
 * type when a router is created.
 */

/** Feedback for codecs that only take congestion control feedback. */
function audioFeedback(): RtcpFeedback[] {
	return [{ type: 'transport-cc' }];
}

/** Opus can recover lost packets by NACK/retransmission too. */
function opusFeedback(): RtcpFeedback[] {
	return [{ type: 'nack' }, { type: 'transport-cc' }];
}

/**
 * Video feedback: generic NACK (RFC 4585 §6.2.1), PLI (RFC 4585 §6.3.1), FIR
 * (RFC 5104 §4.3.1), REMB and transport-wide congestion control.
 */
function videoFeedback(): RtcpFeedback[] {
	return [
		{ type: 'nack' },
		{ type: 'nack', parameter: 'pli' },
		{ type: 'ccm', parameter: 'fir' },
		{ type: 'goog-remb' },
		{ type: 'transport-cc' },
	];
}

/**
 * Multichannel opus as Chrome signals it ('multiopus'): one entry per channel
 * layout, whose stream counts and channel mapping follow the Vorbis channel
 * order (RFC 7845 §5.1.1.2).
 */
function multiopus(channels: number, channelMapping: string, numStreams: number, coupledStreams: number) {
	return {
		kind: 'audio' as const,
		mimeType: 'audio/multiopus',
		clockRate: 48000,
		channels,
		parameters: {
			channel_mapping: channelMapping,
			num_streams: numStreams,
			coupled_streams: coupledStreams,
		},
		rtcpFeedback: opusFeedback(),
	};
}

function audio(mimeType: string, clockRate: number, preferredPayloadType?: number) {
	return {
		kind: 'audio' as const,
		mimeType,
		...(preferredPayloadType === undefined ? {} : { preferredPayloadType }),
		clockRate,
		rtcpFeedback: audioFeedback(),
	};
}

/** Comfort noise (RFC 3389) and DTMF events (RFC 4733) take no feedback. */
function audioWithoutFeedback(mimeType: string, clockRate: number, preferredPayloadType?: number) {
	return {
		kind: 'audio' as const,
		mimeType,
		...(preferredPayloadType === undefined ? {} : { preferredPayloadType }),
		clockRate,
	};
}

function video(mimeType: string, parameters?: Record<string, string | number>) {
	return {
		kind: 'video' as const,
		mimeType,
		clockRate: 90000,
		...(parameters ? { parameters } : {}),
		rtcpFeedback: videoFeedback(),
	};
}

/**
 * Header extensions with the ids the SFU prefers. The same URI has the same id
 * for audio and video so that one BUNDLE transport can use a single mapping.
 */
function headerExtension(
	kind: RtpHeaderExtension['kind'],
	uri: RtpHeaderExtension['uri'],
	preferredId: number,
	direction: RtpHeaderExtension['direction'] = 'sendrecv'
): RtpHeaderExtension {
	return { kind, uri, preferredId, preferredEncrypt: false, direction };
}

export const supportedRtpCapabilities: RouterRtpCapabilities = {
	codecs: [
		// RFC 7587: opus is always signalled as 48000/2.
		{
			kind: 'audio',
			mimeType: 'audio/opus',
			clockRate: 48000,
			channels: 2,
			rtcpFeedback: opusFeedback(),
		},
		multiopus(4, '0,1,2,3', 2, 2), // quad
		multiopus(6, '0,4,1,2,3,5', 4, 2), // 5.1
		multiopus(8, '0,6,1,2,3,4,5,7', 5, 3), // 7.1
		audio('audio/PCMU', 8000, 0),
		audio('audio/PCMA', 8000, 8),
		audio('audio/ISAC', 32000),
		audio('audio/ISAC', 16000),
		// RFC 3551 §4.5.2: G722's RTP clock rate is 8000 although it samples at 16 kHz.
		audio('audio/G722', 8000, 9),
		audio('audio/iLBC', 8000),
		audio('audio/SILK', 24000),
		audio('audio/SILK', 16000),
		audio('audio/SILK', 12000),
		audio('audio/SILK', 8000),
		audioWithoutFeedback('audio/CN', 32000),
		audioWithoutFeedback('audio/CN', 16000),
		audioWithoutFeedback('audio/CN', 8000, 13),
		audioWithoutFeedback('audio/telephone-event', 48000),
		audioWithoutFeedback('audio/telephone-event', 32000),
		audioWithoutFeedback('audio/telephone-event', 16000),
		audioWithoutFeedback('audio/telephone-event', 8000),
		video('video/VP8'),
		video('video/VP9'),
		// One H264 entry, as mediasoup 3.27: a router codec takes its
		// packetization-mode (RFC 6184 §8.1: each mode is a distinct payload format)
		// from the application's mediaCodecs, and producers and consumers must then
		// match it exactly (ortc.ts, matchH264). H265 left mediasoup's list in 3.16.6.
		video('video/H264', { 'level-asymmetry-allowed': 1 }),
		video('video/AV1', {}),
	],
	headerExtensions: [
		headerExtension('audio', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1),
		// RID / repaired RID (RFC 8852) identify simulcast streams sent by
		// endpoints; the SFU never sends them.
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2, 'recvonly'),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 3, 'recvonly'),
		headerExtension('audio', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 4),
		headerExtension('video', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 4),
		// Transport-wide sequence numbers are received on audio but only sent on
		// video, where bandwidth estimation for consumers matters.
		headerExtension('audio', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 5, 'recvonly'),
		headerExtension('video', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 5),
		// The ids below are mediasoup's (6, 8-11; 7 is its dependency descriptor), so
		// that capabilities written for mediasoup negotiate the same extensions here.
		headerExtension('audio', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', 6),
		// The AV1 dependency descriptor is received (and kept for pipe consumers), never
		// sent to endpoints: it describes the sender's layers, not what a consumer gets.
		headerExtension(
			'video',
			'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
			7,
			'recvonly'
		),
		headerExtension('video', 'urn:3gpp:video-orientation', 8),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:toffset', 9),
		headerExtension('audio', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', 10),
		headerExtension('video', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', 10),
		headerExtension('audio', 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', 11),
		headerExtension('video', 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', 11),
		// mediasoup's own (3.19.5+): a 4-byte packet id that producers created with
		// enableMediasoupPacketIdHeaderExtension stamp on what they receive, and that
		// consumers and pipes pass on, to follow one packet across routers and workers.
		headerExtension('audio', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12),
		headerExtension('video', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12),
	],
};

/** A fresh deep copy of supportedRtpCapabilities, safe for callers to modify. */
export function getSupportedRtpCapabilities(): RouterRtpCapabilities {
	return structuredClone(supportedRtpCapabilities);
}
