/**
 * Shapes shared by producer.dump() and consumer.dump(): RTP parameters as the
 * engine holds them and the parameters of its RTP streams, with mediasoup's field
 * names. Everything here follows from the RTP parameters by the same rules the
 * engine applies to them; the engine reports which streams exist and their scores.
 */
import {
	RtcpFeedback,
	RtpCodecParameters,
	RtpEncodingParameters,
	RtpHeaderExtensionParameters,
	RtpParameters,
} from './RtpParameters';
import { parseScalabilityMode } from './scalabilityModes';
import { supportedRtpCapabilities } from './supportedRtpCapabilities';

// The engine's spelling of a mime type (video/H264 for video/h264, audio/opus for
// audio/OPUS): the type in lower case, the subtype as the codec's name is written.
let canonicalMimeTypes: Map<string, string> | undefined;

function canonicalMimeType(mimeType: string): string {
	if (!canonicalMimeTypes) {
		canonicalMimeTypes = new Map([
			['audio/rtx', 'audio/rtx'],
			['video/rtx', 'video/rtx'],
		]);
		for (const codec of supportedRtpCapabilities.codecs ?? []) {
			canonicalMimeTypes.set(codec.mimeType.toLowerCase(), codec.mimeType);
		}
	}
	return canonicalMimeTypes.get(mimeType.toLowerCase()) ?? mimeType;
}

/** Parameters of an RTP stream (a producer's receive stream, a consumer's send stream). */
export type RtpStreamParametersDump = {
	encodingIdx: number;
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rid?: string;
	cname: string;
	rtxSsrc?: number;
	rtxPayloadType?: number;
	useNack: boolean;
	usePli: boolean;
	useFir: boolean;
	useInBandFec: boolean;
	useDtx: boolean;
	spatialLayers: number;
	temporalLayers: number;
};

export type RtxStreamParameters = {
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rrid?: string;
	cname: string;
};

export type RtxStreamDump = {
	params: RtxStreamParameters;
};

export type RtpStreamDump = {
	params: RtpStreamParametersDump;
	score: number;
	rtxStream?: RtxStreamDump;
};

/** What the engine reports per stream. */
export type EngineRtpStream = { encodingIdx?: number; ssrc: number; rtxSsrc?: number; score: number };

const isRtx = (codec: RtpCodecParameters): boolean => /\/rtx$/i.test(codec.mimeType);

function dumpRtcpFeedback(fb: RtcpFeedback): RtcpFeedback {
	// An empty parameter is no parameter ('nack' is Generic NACK, RFC 4585 §4.2).
	return fb.parameter ? { type: fb.type, parameter: fb.parameter } : { type: fb.type };
}

function dumpCodec(codec: RtpCodecParameters): RtpCodecParameters {
	const out: RtpCodecParameters = {
		mimeType: canonicalMimeType(codec.mimeType),
		payloadType: codec.payloadType,
		clockRate: codec.clockRate,
		parameters: { ...(codec.parameters ?? {}) },
		rtcpFeedback: (codec.rtcpFeedback ?? []).map(dumpRtcpFeedback),
	};
	if (codec.channels !== undefined) out.channels = codec.channels;
	return out;
}

function dumpHeaderExtension(ext: RtpHeaderExtensionParameters): RtpHeaderExtensionParameters {
	return { uri: ext.uri, id: ext.id, encrypt: Boolean(ext.encrypt), parameters: { ...(ext.parameters ?? {}) } };
}

/**
 * An encoding as the engine holds it. `defaultCodecPayloadType`: the codec an
 * encoding without codecPayloadType uses (the first media codec), as mediasoup's
 * worker fills it in; undefined leaves it out (consumable encodings).
 */
export function dumpRtpEncoding(encoding: RtpEncodingParameters, defaultCodecPayloadType?: number): RtpEncodingParameters {
	const out: RtpEncodingParameters = {};
	if (encoding.ssrc !== undefined) out.ssrc = encoding.ssrc;
	if (encoding.rid) out.rid = encoding.rid;
	const codecPayloadType = encoding.codecPayloadType ?? defaultCodecPayloadType;
	if (codecPayloadType !== undefined) out.codecPayloadType = codecPayloadType;
	if (encoding.rtx) out.rtx = { ssrc: encoding.rtx.ssrc };
	out.dtx = Boolean(encoding.dtx);
	if (encoding.scalabilityMode) out.scalabilityMode = encoding.scalabilityMode;
	if (encoding.maxBitrate !== undefined) out.maxBitrate = encoding.maxBitrate;
	return out;
}

function firstMediaCodec(params: RtpParameters): RtpCodecParameters | undefined {
	return params.codecs.find((codec) => !isRtx(codec));
}

/** RTP parameters as the engine holds them (mediasoup's dump shape). */
export function dumpRtpParameters(params: RtpParameters): RtpParameters {
	const firstMediaPt = firstMediaCodec(params)?.payloadType;
	const out: RtpParameters = {
		codecs: params.codecs.map(dumpCodec),
		headerExtensions: (params.headerExtensions ?? []).map(dumpHeaderExtension),
		encodings: (params.encodings ?? []).map((encoding) => dumpRtpEncoding(encoding, firstMediaPt)),
		rtcp: { reducedSize: params.rtcp?.reducedSize ?? true },
	};
	if (params.mid) out.mid = params.mid;
	if (params.rtcp?.cname) out.rtcp!.cname = params.rtcp.cname;
	if (params.msid) out.msid = params.msid;
	return out;
}

function hasFeedback(codec: RtpCodecParameters, type: string, parameter: string): boolean {
	return (codec.rtcpFeedback ?? []).some((fb) => fb.type === type && (fb.parameter ?? '') === parameter);
}

/**
 * The dump of one RTP stream of encoding `stream.encodingIdx` (default: its index
 * in the engine's list) of `params`: its codec is the encoding's codecPayloadType or
 * the first media codec; NACK, PLI and FIR as that codec's rtcpFeedback lists them;
 * in-band FEC and DTX from its opus parameters (and the encoding's dtx); layers from
 * the encoding's scalabilityMode; RTX when the engine knows an RTX SSRC and an RTX
 * codec points at the media codec.
 */
export function rtpStreamDump(params: RtpParameters, stream: EngineRtpStream, index: number): RtpStreamDump {
	const encodingIdx = stream.encodingIdx ?? index;
	const encoding = params.encodings?.[encodingIdx] ?? {};
	const codecPayloadType = encoding.codecPayloadType ?? firstMediaCodec(params)?.payloadType;
	const codec = params.codecs.find((c) => c.payloadType === codecPayloadType) ?? params.codecs[0];
	const { spatialLayers, temporalLayers } = parseScalabilityMode(encoding.scalabilityMode);
	const cname = params.rtcp?.cname ?? '';
	const rtxCodec = params.codecs.find((c) => isRtx(c) && c.parameters?.apt === codec.payloadType);
	const out: RtpStreamDump = {
		params: {
			encodingIdx,
			ssrc: stream.ssrc,
			payloadType: codec.payloadType,
			mimeType: canonicalMimeType(codec.mimeType),
			clockRate: codec.clockRate,
			cname,
			useNack: hasFeedback(codec, 'nack', ''),
			usePli: hasFeedback(codec, 'nack', 'pli'),
			useFir: hasFeedback(codec, 'ccm', 'fir'),
			useInBandFec: codec.parameters?.useinbandfec === 1,
			useDtx: codec.parameters?.usedtx === 1 || Boolean(encoding.dtx),
			spatialLayers,
			temporalLayers,
		},
		score: stream.score,
	};
	if (encoding.rid) out.params.rid = encoding.rid;
	if (rtxCodec && stream.rtxSsrc) {
		out.params.rtxSsrc = stream.rtxSsrc;
		out.params.rtxPayloadType = rtxCodec.payloadType;
		const rtxParams: RtxStreamParameters = {
			ssrc: stream.rtxSsrc,
			payloadType: rtxCodec.payloadType,
			mimeType: canonicalMimeType(rtxCodec.mimeType),
			clockRate: rtxCodec.clockRate,
			cname,
		};
		if (encoding.rid) rtxParams.rrid = encoding.rid;
		out.rtxStream = { params: rtxParams };
	}
	return out;
}

