/**
 * RTP capability negotiation: validation of the RTP/SCTP shapes an application
 * passes in, the router's RTP capabilities, and the parameters of producers and
 * consumers derived from them.
 *
 * Everything here is pure: no I/O, no engine. The validate* functions check a
 * value AND normalise it in place (filling defaults), so the engine and the
 * rest of the TypeScript layer can rely on complete objects. Bad input throws
 * the built-in TypeError naming the field; a valid request the SFU cannot
 * satisfy throws UnsupportedError.
 */

import { UnsupportedError } from './errors';
import { clone, plainDataEqual } from './utils';
import * as h264 from './h264ProfileLevelId';
import { parseScalabilityMode } from './scalabilityModes';
import { supportedRtpCapabilities } from './supportedRtpCapabilities';
import {
	MediaKind,
	RtcpFeedback,
	RtcpParameters,
	RouterRtpCodecCapability,
	RtpCapabilities,
	RtpCodecCapability,
	RtpCodecParameters,
	RtpEncodingParameters,
	RtpHeaderExtension,
	RtpHeaderExtensionParameters,
	RtpParameters,
} from './RtpParameters';
import {
	NumSctpStreams,
	SctpCapabilities,
	SctpParameters,
	SctpStreamParameters,
} from './SctpParameters';

/**
 * How a producer's payload types and SSRCs map to the router's: the engine
 * rewrites incoming packets with the mapped values, so every consumer sees the
 * router's payload types whatever the producing endpoint chose.
 */
export type RtpMapping = {
	codecs: {
		payloadType: number;
		mappedPayloadType: number;
	}[];
	encodings: {
		ssrc?: number;
		rid?: string;
		scalabilityMode?: string;
		mappedSsrc: number;
	}[];
};

// 'audio/opus' → kind 'audio'. RFC 6838 §4.2: type and subtype names are
// case-insensitive, so the kind is compared lowercased.
const MIME_TYPE_PATTERN = /^(audio|video)\/(.+)$/i;
const RTX_MIME_TYPE_PATTERN = /^(audio|video)\/rtx$/i;

/**
 * Dynamic payload types (RFC 3551 §6: 96-127), handed out from 100 upwards and
 * then 96-99, the order mediasoup routers use, so applications see the payload
 * types they are used to.
 */
const DYNAMIC_PAYLOAD_TYPES: readonly number[] = [
	...range(100, 127),
	...range(96, 99),
];

const HEADER_EXTENSION_DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function range(from: number, to: number): number[] {
	const out: number[] = [];
	for (let n = from; n <= to; n++) out.push(n);
	return out;
}


function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

/** RTP header fields are unsigned integers of a given width. */
function isUint(value: unknown, max: number): value is number {
	return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

const MAX_PAYLOAD_TYPE = 127; // 7 bits, RFC 3550 §5.1
const MAX_SSRC = 0xffffffff; // 32 bits, RFC 3550 §5.1

/** The kind of a mimeType ('audio' or 'video'), or undefined if malformed. */
function kindOfMimeType(mimeType: unknown): MediaKind | undefined {
	if (typeof mimeType !== 'string') return undefined;
	const match = MIME_TYPE_PATTERN.exec(mimeType);
	return match ? (match[1].toLowerCase() as MediaKind) : undefined;
}

/** RTX (RFC 4588) is a retransmission format, not a media codec. */
export function isRtxCodec(codec: { mimeType: string }): boolean {
	return RTX_MIME_TYPE_PATTERN.test(codec.mimeType);
}

// Random SSRCs are drawn from the same 9-digit range as mediasoup's.
const MIN_RANDOM_SSRC = 100000000;
const MAX_RANDOM_SSRC = 999999999;

/**
 * A random SSRC (RFC 3550 §8.1 wants them random) such that `span`
 * consecutive values starting at it stay in range.
 */
function generateRandomSsrc(span = 1): number {
	return MIN_RANDOM_SSRC + Math.floor(Math.random() * (MAX_RANDOM_SSRC - MIN_RANDOM_SSRC + 2 - span));
}

// ---------------------------------------------------------------------------
// Shared codec field validation
// ---------------------------------------------------------------------------

/** Validates mimeType and returns the kind it names. */
function validateMimeType(codec: { mimeType?: unknown }): MediaKind {
	if (codec.mimeType === undefined) throw new TypeError('missing codec.mimeType');
	const kind = kindOfMimeType(codec.mimeType);
	if (!kind) throw new TypeError('invalid codec.mimeType');
	return kind;
}

function validateClockRate(codec: { clockRate?: unknown }): void {
	if (codec.clockRate === undefined) throw new TypeError('missing codec.clockRate');
	if (!isNumber(codec.clockRate) || codec.clockRate <= 0 || !Number.isInteger(codec.clockRate)) {
		throw new TypeError('invalid codec.clockRate');
	}
}

/** Audio defaults to mono; channels mean nothing for video and are removed. */
function normalizeChannels(codec: { channels?: unknown }, kind: MediaKind): void {
	if (kind === 'video') {
		delete codec.channels;
		return;
	}
	if (codec.channels === undefined) {
		codec.channels = 1;
	} else if (!isUint(codec.channels, 255) || codec.channels === 0) {
		throw new TypeError('invalid codec.channels');
	}
}

/**
 * Format parameters are SDP fmtp key=value pairs, so values are strings or
 * numbers. RTX must name its associated payload type in 'apt' (RFC 4588 §8.1).
 */
function normalizeCodecParameters(codec: { mimeType: string; parameters?: unknown }): void {
	if (codec.parameters === undefined) codec.parameters = {};
	if (!isObject(codec.parameters)) throw new TypeError('invalid codec.parameters');
	const parameters = codec.parameters;
	for (const [key, value] of Object.entries(parameters)) {
		if (value === undefined) {
			delete parameters[key];
			continue;
		}
		if (typeof value !== 'string' && !isNumber(value)) {
			throw new TypeError(`invalid codec.parameters['${key}']`);
		}
	}
	if (isRtxCodec(codec) && !isUint(parameters.apt, MAX_PAYLOAD_TYPE)) {
		throw new TypeError('invalid codec.parameters.apt');
	}
}

function normalizeRtcpFeedbackList(codec: { rtcpFeedback?: unknown }): void {
	if (codec.rtcpFeedback === undefined) codec.rtcpFeedback = [];
	if (!Array.isArray(codec.rtcpFeedback)) throw new TypeError('invalid codec.rtcpFeedback');
	for (const fb of codec.rtcpFeedback) validateRtcpFeedback(fb);
}

// ---------------------------------------------------------------------------
// RTP capabilities
// ---------------------------------------------------------------------------

// Private, already normalised copies made by validatedRtpCapabilitiesCopy(); never
// handed to applications, so nothing can change them after validation.
const normalisedCopies = new WeakSet<object>();
// The application's capabilities object → the copy made for it and a snapshot of what
// it held then (applications pass the same device capabilities to every consume()).
const copiesByInput = new WeakMap<object, { snapshot: unknown; copy: RtpCapabilities }>();

/**
 * A validated, normalised private copy of an application's RtpCapabilities, made once
 * per capabilities object and reused while the object holds the same data (compared
 * structurally on every call, so a mutated object is validated again). Cloning and
 * validating the capabilities was the largest part of consume()'s JavaScript time.
 */
export function validatedRtpCapabilitiesCopy(input: RtpCapabilities): RtpCapabilities {
	const cached = copiesByInput.get(input);
	if (cached && plainDataEqual(input, cached.snapshot)) return cached.copy;
	const copy = clone(input);
	validateRtpCapabilities(copy);
	normalisedCopies.add(copy);
	copiesByInput.set(input, { snapshot: clone(input), copy });
	return copy;
}

/** Validates and normalises RtpCapabilities (codecs and headerExtensions default to []). */
export function validateRtpCapabilities(caps: RtpCapabilities): void {
	if (normalisedCopies.has(caps)) return;
	if (!isObject(caps)) throw new TypeError('caps is not an object');
	if (caps.codecs === undefined) caps.codecs = [];
	if (!Array.isArray(caps.codecs)) throw new TypeError('caps.codecs is not an array');
	for (const codec of caps.codecs) validateRtpCodecCapability(codec);
	if (caps.headerExtensions === undefined) caps.headerExtensions = [];
	if (!Array.isArray(caps.headerExtensions)) throw new TypeError('caps.headerExtensions is not an array');
	for (const ext of caps.headerExtensions) validateRtpHeaderExtension(ext);
}

/** Validates and normalises one RtpCodecCapability; `kind` is set from mimeType. */
export function validateRtpCodecCapability(codec: RouterRtpCodecCapability): void {
	if (!isObject(codec)) throw new TypeError('codec is not an object');
	const kind = validateMimeType(codec);
	// A given kind must agree with the mimeType's type.
	if (codec.kind !== undefined && codec.kind !== kind) throw new TypeError('invalid codec.kind');
	codec.kind = kind;
	if (codec.preferredPayloadType !== undefined && !isUint(codec.preferredPayloadType, MAX_PAYLOAD_TYPE)) {
		throw new TypeError('invalid codec.preferredPayloadType');
	}
	validateClockRate(codec);
	normalizeChannels(codec, kind);
	normalizeCodecParameters(codec);
	normalizeRtcpFeedbackList(codec);
}

/** Validates an RtcpFeedback; `parameter` defaults to ''. */
export function validateRtcpFeedback(fb: RtcpFeedback): void {
	if (!isObject(fb)) throw new TypeError('fb is not an object');
	if (fb.type === undefined) throw new TypeError('missing fb.type');
	if (typeof fb.type !== 'string' || fb.type.length === 0) throw new TypeError('invalid fb.type');
	if (fb.parameter === undefined) fb.parameter = '';
	if (typeof fb.parameter !== 'string') throw new TypeError('invalid fb.parameter');
}

/**
 * Validates an RtpHeaderExtension of capabilities. Ids 1-14 fit the one-byte
 * header form and 1-255 the two-byte form (RFC 8285 §4.2, §4.3).
 */
export function validateRtpHeaderExtension(ext: RtpHeaderExtension): void {
	if (!isObject(ext)) throw new TypeError('ext is not an object');
	if (ext.kind !== 'audio' && ext.kind !== 'video') throw new TypeError('invalid ext.kind');
	if (ext.uri === undefined) throw new TypeError('missing ext.uri');
	if (typeof ext.uri !== 'string' || ext.uri.length === 0) throw new TypeError('invalid ext.uri');
	if (ext.preferredId === undefined) throw new TypeError('missing ext.preferredId');
	if (!isUint(ext.preferredId, 255) || ext.preferredId === 0) throw new TypeError('invalid ext.preferredId');
	if (ext.preferredEncrypt === undefined) ext.preferredEncrypt = false;
	if (typeof ext.preferredEncrypt !== 'boolean') throw new TypeError('invalid ext.preferredEncrypt');
	if (ext.direction === undefined) ext.direction = 'sendrecv';
	if (!HEADER_EXTENSION_DIRECTIONS.has(ext.direction)) throw new TypeError('invalid ext.direction');
}

// ---------------------------------------------------------------------------
// RTP parameters
// ---------------------------------------------------------------------------

/**
 * Validates and normalises RtpParameters: codecs are required, headerExtensions
 * and encodings default to [], rtcp to {}.
 */
export function validateRtpParameters(params: RtpParameters): void {
	if (!isObject(params)) throw new TypeError('params is not an object');
	if (params.mid !== undefined && typeof params.mid !== 'string') throw new TypeError('invalid params.mid');
	if (params.msid !== undefined && typeof params.msid !== 'string') throw new TypeError('invalid params.msid');
	if (params.codecs === undefined) throw new TypeError('missing params.codecs');
	if (!Array.isArray(params.codecs)) throw new TypeError('invalid params.codecs');
	for (const codec of params.codecs) validateRtpCodecParameters(codec);
	if (params.headerExtensions === undefined) params.headerExtensions = [];
	if (!Array.isArray(params.headerExtensions)) throw new TypeError('invalid params.headerExtensions');
	for (const ext of params.headerExtensions) validateRtpHeaderExtensionParameters(ext);
	if (params.encodings === undefined) params.encodings = [];
	if (!Array.isArray(params.encodings)) throw new TypeError('invalid params.encodings');
	for (const encoding of params.encodings) validateRtpEncodingParameters(encoding);
	if (params.rtcp === undefined) params.rtcp = {};
	if (!isObject(params.rtcp)) throw new TypeError('invalid params.rtcp');
	validateRtcpParameters(params.rtcp);
}

/** Validates and normalises one RtpCodecParameters. */
export function validateRtpCodecParameters(codec: RtpCodecParameters): void {
	if (!isObject(codec)) throw new TypeError('codec is not an object');
	const kind = validateMimeType(codec);
	if (codec.payloadType === undefined) throw new TypeError('missing codec.payloadType');
	if (!isUint(codec.payloadType, MAX_PAYLOAD_TYPE)) throw new TypeError('invalid codec.payloadType');
	validateClockRate(codec);
	normalizeChannels(codec, kind);
	normalizeCodecParameters(codec);
	normalizeRtcpFeedbackList(codec);
}

/** Validates an RtpHeaderExtensionParameters; encrypt defaults to false, parameters to {}. */
export function validateRtpHeaderExtensionParameters(ext: RtpHeaderExtensionParameters): void {
	if (!isObject(ext)) throw new TypeError('ext is not an object');
	if (ext.uri === undefined) throw new TypeError('missing ext.uri');
	if (typeof ext.uri !== 'string' || ext.uri.length === 0) throw new TypeError('invalid ext.uri');
	if (ext.id === undefined) throw new TypeError('missing ext.id');
	if (!isUint(ext.id, 255) || ext.id === 0) throw new TypeError('invalid ext.id');
	if (ext.encrypt === undefined) ext.encrypt = false;
	if (typeof ext.encrypt !== 'boolean') throw new TypeError('invalid ext.encrypt');
	if (ext.parameters === undefined) ext.parameters = {};
	if (!isObject(ext.parameters)) throw new TypeError('invalid ext.parameters');
	for (const [key, value] of Object.entries(ext.parameters)) {
		if (value === undefined) {
			delete ext.parameters[key];
			continue;
		}
		if (typeof value !== 'string' && !isNumber(value)) {
			throw new TypeError(`invalid ext.parameters['${key}']`);
		}
	}
}

/** Validates an RtpEncodingParameters; dtx defaults to false. */
export function validateRtpEncodingParameters(encoding: RtpEncodingParameters): void {
	if (!isObject(encoding)) throw new TypeError('encoding is not an object');
	if (encoding.ssrc !== undefined && !isUint(encoding.ssrc, MAX_SSRC)) {
		throw new TypeError('invalid encoding.ssrc');
	}
	if (encoding.rid !== undefined && (typeof encoding.rid !== 'string' || encoding.rid.length === 0)) {
		throw new TypeError('invalid encoding.rid');
	}
	if (encoding.codecPayloadType !== undefined && !isUint(encoding.codecPayloadType, MAX_PAYLOAD_TYPE)) {
		throw new TypeError('invalid encoding.codecPayloadType');
	}
	if (encoding.rtx !== undefined) {
		if (!isObject(encoding.rtx)) throw new TypeError('invalid encoding.rtx');
		if (encoding.rtx.ssrc === undefined) throw new TypeError('missing encoding.rtx.ssrc');
		if (!isUint(encoding.rtx.ssrc, MAX_SSRC)) throw new TypeError('invalid encoding.rtx.ssrc');
	}
	if (encoding.dtx === undefined) encoding.dtx = false;
	if (typeof encoding.dtx !== 'boolean') throw new TypeError('invalid encoding.dtx');
	if (encoding.scalabilityMode !== undefined && typeof encoding.scalabilityMode !== 'string') {
		throw new TypeError('invalid encoding.scalabilityMode');
	}
	if (
		encoding.scaleResolutionDownBy !== undefined &&
		(!isNumber(encoding.scaleResolutionDownBy) || encoding.scaleResolutionDownBy < 1)
	) {
		throw new TypeError('invalid encoding.scaleResolutionDownBy');
	}
	if (encoding.maxBitrate !== undefined && (!isNumber(encoding.maxBitrate) || encoding.maxBitrate < 0)) {
		throw new TypeError('invalid encoding.maxBitrate');
	}
}

/** Validates RtcpParameters; reducedSize defaults to true (RFC 5506 is what WebRTC uses). */
export function validateRtcpParameters(rtcp: RtcpParameters): void {
	if (!isObject(rtcp)) throw new TypeError('rtcp is not an object');
	if (rtcp.cname !== undefined && typeof rtcp.cname !== 'string') throw new TypeError('invalid rtcp.cname');
	if (rtcp.reducedSize === undefined) rtcp.reducedSize = true;
	if (typeof rtcp.reducedSize !== 'boolean') throw new TypeError('invalid rtcp.reducedSize');
	if (rtcp.mux !== undefined && typeof rtcp.mux !== 'boolean') throw new TypeError('invalid rtcp.mux');
}

// ---------------------------------------------------------------------------
// SCTP
// ---------------------------------------------------------------------------

// SCTP stream ids and stream counts are 16-bit (RFC 9260 §3.3.2).
const MAX_SCTP_STREAMS = 65535;

export function validateSctpCapabilities(caps: SctpCapabilities): void {
	if (!isObject(caps)) throw new TypeError('caps is not an object');
	if (caps.numStreams === undefined) throw new TypeError('missing caps.numStreams');
	if (!isObject(caps.numStreams)) throw new TypeError('invalid caps.numStreams');
	validateNumSctpStreams(caps.numStreams);
}

export function validateNumSctpStreams(numStreams: NumSctpStreams): void {
	if (!isObject(numStreams)) throw new TypeError('numStreams is not an object');
	if (numStreams.OS === undefined) throw new TypeError('missing numStreams.OS');
	if (!isUint(numStreams.OS, MAX_SCTP_STREAMS) || numStreams.OS === 0) throw new TypeError('invalid numStreams.OS');
	if (numStreams.MIS === undefined) throw new TypeError('missing numStreams.MIS');
	if (!isUint(numStreams.MIS, MAX_SCTP_STREAMS) || numStreams.MIS === 0) {
		throw new TypeError('invalid numStreams.MIS');
	}
}

export function validateSctpParameters(params: SctpParameters): void {
	if (!isObject(params)) throw new TypeError('params is not an object');
	for (const field of ['port', 'OS', 'MIS', 'maxMessageSize'] as const) {
		if (params[field] === undefined) throw new TypeError(`missing params.${field}`);
		if (!isUint(params[field], MAX_SSRC)) throw new TypeError(`invalid params.${field}`);
	}
}

/**
 * Validates SctpStreamParameters. Partial reliability (RFC 3758) uses either a
 * lifetime or a retransmission limit, never both, and only on unordered
 * channels (RFC 8831 §6.1); a channel without a limit defaults to ordered.
 */
export function validateSctpStreamParameters(params: SctpStreamParameters): void {
	if (!isObject(params)) throw new TypeError('params is not an object');
	if (params.streamId === undefined) throw new TypeError('missing params.streamId');
	if (!isUint(params.streamId, MAX_SCTP_STREAMS - 1)) throw new TypeError('invalid params.streamId');
	if (params.ordered !== undefined && typeof params.ordered !== 'boolean') {
		throw new TypeError('invalid params.ordered');
	}
	if (params.maxPacketLifeTime !== undefined && !isUint(params.maxPacketLifeTime, MAX_SCTP_STREAMS)) {
		throw new TypeError('invalid params.maxPacketLifeTime');
	}
	if (params.maxRetransmits !== undefined && !isUint(params.maxRetransmits, MAX_SCTP_STREAMS)) {
		throw new TypeError('invalid params.maxRetransmits');
	}
	const partiallyReliable = params.maxPacketLifeTime !== undefined || params.maxRetransmits !== undefined;
	if (params.maxPacketLifeTime !== undefined && params.maxRetransmits !== undefined) {
		throw new TypeError('cannot provide both params.maxPacketLifeTime and params.maxRetransmits');
	}
	if (partiallyReliable && params.ordered === true) {
		throw new TypeError('params.ordered cannot be true with params.maxPacketLifeTime or params.maxRetransmits');
	}
	if (params.ordered === undefined) params.ordered = !partiallyReliable;
}

// ---------------------------------------------------------------------------
// Codec matching
// ---------------------------------------------------------------------------

export type MatchCodecsOptions = {
	/**
	 * Also compare the parameters that only matter between two endpoints'
	 * concrete formats: H264 profile, VP9 profile-id, AV1 profile.
	 */
	strict?: boolean;
	/**
	 * With strict, write the answer's H264 profile-level-id into aCodec
	 * (RFC 6184 §8.2.2), aCodec being the local side.
	 */
	modify?: boolean;
};

type MatchableCodec = {
	mimeType: string;
	clockRate: number;
	channels?: number;
	parameters?: Record<string, unknown>;
};

function parameter(codec: MatchableCodec, name: string): unknown {
	return codec.parameters?.[name];
}

/** Compares a numeric fmtp parameter, with its default when absent. */
function sameNumericParameter(a: MatchableCodec, b: MatchableCodec, name: string, defaultValue: number): boolean {
	const va = parameter(a, name);
	const vb = parameter(b, name);
	return Number(va ?? defaultValue) === Number(vb ?? defaultValue);
}

/**
 * Multichannel opus: layouts with different stream counts cannot be decoded
 * the same way (RFC 7845 §5.1.1). Outside strict mode a count given on one side
 * only is accepted, so a router codec may leave them to the supported entry.
 */
function matchMultiopus(a: MatchableCodec, b: MatchableCodec, options: MatchCodecsOptions): boolean {
	return ['num_streams', 'coupled_streams'].every((name) => {
		const va = parameter(a, name);
		const vb = parameter(b, name);
		if (!options.strict && (va === undefined || vb === undefined)) return true;
		return va !== undefined && vb !== undefined && Number(va) === Number(vb);
	});
}

/**
 * H264 (RFC 6184 §8.2.2): in strict mode (producers and consumers against a router)
 * packetization modes are distinct payload formats and must be equal (default 0),
 * and the profiles must be equal too. Loose mode (a router's mediaCodecs against
 * the supported list) only matches the format name, as mediasoup does.
 */
function matchH264(a: MatchableCodec, b: MatchableCodec, options: MatchCodecsOptions): boolean {
	if (!options.strict) return true;
	if (!sameNumericParameter(a, b, 'packetization-mode', 0)) return false;
	if (!h264.isSameProfile(a.parameters, b.parameters)) return false;
	if (options.modify) {
		let answer: string | undefined;
		try {
			answer = h264.generateProfileLevelIdStringForAnswer(a.parameters, b.parameters);
		} catch {
			return false;
		}
		const parameters = (a.parameters ??= {});
		if (answer === undefined) delete parameters['profile-level-id'];
		else parameters['profile-level-id'] = answer;
	}
	return true;
}

/**
 * Whether two codec entries describe the same format. mimeType is compared
 * case-insensitively (RFC 6838 §4.2), then clock rate, audio channels, and the
 * format parameters that make formats incompatible.
 */
export function matchCodecs(
	aCodec: MatchableCodec,
	bCodec: MatchableCodec,
	options: MatchCodecsOptions = {}
): boolean {
	const mimeType = aCodec.mimeType.toLowerCase();
	if (mimeType !== bCodec.mimeType.toLowerCase()) return false;
	if (aCodec.clockRate !== bCodec.clockRate) return false;
	if (mimeType.startsWith('audio/') && (aCodec.channels ?? 1) !== (bCodec.channels ?? 1)) return false;

	switch (mimeType) {
		case 'audio/multiopus':
			return matchMultiopus(aCodec, bCodec, options);
		case 'video/h264':
			return matchH264(aCodec, bCodec, options);
		case 'video/vp9':
			// VP9 payload format (RFC 9628 §6): profile-id defaults to 0.
			return !options.strict || sameNumericParameter(aCodec, bCodec, 'profile-id', 0);
		case 'video/av1':
			// AV1 RTP specification, SDP parameters: profile defaults to 0.
			return !options.strict || sameNumericParameter(aCodec, bCodec, 'profile', 0);
		default:
			return true;
	}
}

// ---------------------------------------------------------------------------
// Router RTP capabilities
// ---------------------------------------------------------------------------

/** Hands out free payload types, never one already taken. */
class PayloadTypeAllocator {
	private readonly used = new Set<number>();

	reserve(payloadType: number): void {
		this.used.add(payloadType);
	}

	isFree(payloadType: number): boolean {
		return !this.used.has(payloadType);
	}

	allocateDynamic(): number {
		const payloadType = DYNAMIC_PAYLOAD_TYPES.find((pt) => this.isFree(pt));
		if (payloadType === undefined) throw new Error('cannot allocate more dynamic codec payload types');
		this.used.add(payloadType);
		return payloadType;
	}
}

function findSupportedCodec(mediaCodec: RouterRtpCodecCapability): RouterRtpCodecCapability {
	const supported = supportedRtpCapabilities.codecs!.find((candidate) =>
		matchCodecs(mediaCodec, candidate, { strict: false })
	);
	if (!supported) {
		throw new UnsupportedError(
			`media codec not supported [mimeType:${mediaCodec.mimeType}, clockRate:${mediaCodec.clockRate}` +
				`${mediaCodec.kind === 'audio' ? `, channels:${mediaCodec.channels}` : ''}]`
		);
	}
	if (mediaCodec.mimeType.toLowerCase() === 'video/h264') {
		// An H264 profile-level-id that cannot be parsed could never match anything.
		if (!h264.parseSdpProfileLevelId(mediaCodec.parameters)) {
			throw new UnsupportedError(`invalid H264 profile-level-id [${mediaCodec.parameters?.['profile-level-id']}]`);
		}
		// RFC 6184 §6.2: modes 0 and 1 only; the interleaved mode (2) needs STAP-B,
		// MTAP and FU-B, which the engine does not parse.
		const mode = Number(mediaCodec.parameters?.['packetization-mode'] ?? 0);
		if (mode !== 0 && mode !== 1) {
			throw new UnsupportedError(`unsupported H264 packetization-mode [${mode}]`);
		}
	}
	return supported;
}

/**
 * Payload type for a router codec the application gave no (free) payload type
 * for: the codec's static one (RFC 3551 §6) if free, else a dynamic one.
 */
function chooseAutomaticPayloadType(supported: RouterRtpCodecCapability, allocator: PayloadTypeAllocator): number {
	const staticPayloadType = supported.preferredPayloadType;
	if (staticPayloadType !== undefined && allocator.isFree(staticPayloadType)) {
		allocator.reserve(staticPayloadType);
		return staticPayloadType;
	}
	return allocator.allocateDynamic();
}

/**
 * The router codec: the supported entry's canonical mimeType, clock rate,
 * channels and feedback, with the application's parameters merged over the
 * supported entry's.
 */
function buildRouterCodec(
	mediaCodec: RouterRtpCodecCapability,
	supported: RouterRtpCodecCapability,
	payloadType: number
): RtpCodecCapability {
	return {
		kind: supported.kind,
		mimeType: supported.mimeType,
		preferredPayloadType: payloadType,
		clockRate: supported.clockRate,
		...(supported.kind === 'audio' ? { channels: supported.channels ?? 1 } : {}),
		parameters: { ...clone(supported.parameters ?? {}), ...clone(mediaCodec.parameters ?? {}) },
		rtcpFeedback: clone(supported.rtcpFeedback ?? []),
	};
}

/** RFC 4588 §8.1: an RTX format has the media's clock rate and names it with apt. */
function buildRtxCodec(mediaCodec: RtpCodecCapability, payloadType: number): RtpCodecCapability {
	return {
		kind: mediaCodec.kind,
		mimeType: `${mediaCodec.kind}/rtx`,
		preferredPayloadType: payloadType,
		clockRate: mediaCodec.clockRate,
		parameters: { apt: mediaCodec.preferredPayloadType },
		rtcpFeedback: [],
	};
}

/**
 * The router's RTP capabilities from the application's `mediaCodecs`: each
 * codec must be supported; each gets a payload type; each video codec is
 * followed by its RTX codec; all supported header extensions are included.
 */
export function generateRouterRtpCapabilities(mediaCodecs: RouterRtpCodecCapability[] = []): RtpCapabilities {
	if (!Array.isArray(mediaCodecs)) throw new TypeError('mediaCodecs must be an Array');

	for (const mediaCodec of mediaCodecs) {
		validateRtpCodecCapability(mediaCodec);
		// RTX codecs are derived from media codecs, never configured.
		if (isRtxCodec(mediaCodec)) throw new TypeError('media codec cannot be RTX (it is added automatically)');
	}

	const allocator = new PayloadTypeAllocator();
	// Payload types the application chose win over automatic ones, whatever
	// their order: reserve them first (the first codec asking for one gets it).
	const honoured = new Set<RouterRtpCodecCapability>();
	for (const mediaCodec of mediaCodecs) {
		const pt = mediaCodec.preferredPayloadType;
		if (pt !== undefined && allocator.isFree(pt)) {
			allocator.reserve(pt);
			honoured.add(mediaCodec);
		}
	}

	const codecs: RtpCodecCapability[] = [];
	for (const mediaCodec of mediaCodecs) {
		const supported = findSupportedCodec(mediaCodec);
		const payloadType = honoured.has(mediaCodec)
			? mediaCodec.preferredPayloadType!
			: chooseAutomaticPayloadType(supported, allocator);
		const codec = buildRouterCodec(mediaCodec, supported, payloadType);
		codecs.push(codec);
		if (codec.kind === 'video') codecs.push(buildRtxCodec(codec, allocator.allocateDynamic()));
	}

	const caps: RtpCapabilities = {
		codecs,
		headerExtensions: clone(supportedRtpCapabilities.headerExtensions ?? []),
	};
	// Fill every default (feedback parameter '', etc.) so endpoints get
	// complete objects.
	validateRtpCapabilities(caps);
	return caps;
}

// ---------------------------------------------------------------------------
// Producers and consumers
// ---------------------------------------------------------------------------

const ABS_CAPTURE_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
const DEPENDENCY_DESCRIPTOR_URI = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

/** The dependency descriptor as a pipe consumer sends it (the supported list's id). */
function pipeDependencyDescriptorExtension(): RtpHeaderExtensionParameters | undefined {
	const supported = (supportedRtpCapabilities.headerExtensions ?? []).find(
		(ext) => ext.uri === DEPENDENCY_DESCRIPTOR_URI && ext.direction !== 'sendrecv'
	);
	if (!supported) return undefined;
	return { uri: supported.uri, id: supported.preferredId, encrypt: supported.preferredEncrypt ?? false, parameters: {} };
}

/** The header extensions that only make sense hop by hop, never re-sent to a pipe peer. */
const HOP_BY_HOP_HEADER_EXTENSIONS = new Set<string>([
	'urn:ietf:params:rtp-hdrext:sdes:mid',
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
]);

/** `count` distinct random SSRCs, consecutive from a random base. */
function generateSsrcs(count: number): number[] {
	const base = generateRandomSsrc(count);
	return range(0, count - 1).map((i) => base + i);
}

/**
 * Maps a producer's codecs and encodings onto the router's capabilities.
 *
 * Each media codec must match a router codec (strict match, so the H264
 * profile must agree); each RTX codec must point (apt) at one of the
 * producer's media codecs, and the router must have RTX for the matched codec.
 * Every encoding gets a new random SSRC the engine will rewrite it to.
 */
export function getProducerRtpParametersMapping(params: RtpParameters, caps: RtpCapabilities): RtpMapping {
	const capCodecs = caps.codecs ?? [];
	const matched = new Map<RtpCodecParameters, RtpCodecCapability>();

	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) continue;
		const capCodec = capCodecs.find((candidate) =>
			matchCodecs(codec, candidate, { strict: true, modify: true })
		);
		if (!capCodec) {
			throw new UnsupportedError(
				`unsupported codec [mimeType:${codec.mimeType}, payloadType:${codec.payloadType}]`
			);
		}
		matched.set(codec, capCodec);
	}

	for (const codec of params.codecs) {
		if (!isRtxCodec(codec)) continue;
		const mediaCodec = params.codecs.find((c) => c.payloadType === codec.parameters?.apt);
		if (!mediaCodec || isRtxCodec(mediaCodec)) {
			throw new TypeError(`missing media codec found for RTX PT ${codec.payloadType}`);
		}
		const capMediaCodec = matched.get(mediaCodec)!;
		const capRtxCodec = capCodecs.find(
			(c) => isRtxCodec(c) && c.parameters?.apt === capMediaCodec.preferredPayloadType
		);
		if (!capRtxCodec) {
			throw new UnsupportedError(`no RTX codec for capability codec PT ${capMediaCodec.preferredPayloadType}`);
		}
		matched.set(codec, capRtxCodec);
	}

	const encodings = params.encodings ?? [];
	const mappedSsrcs = generateSsrcs(encodings.length);
	return {
		codecs: [...matched].map(([codec, capCodec]) => ({
			payloadType: codec.payloadType,
			mappedPayloadType: capCodec.preferredPayloadType!,
		})),
		encodings: encodings.map((encoding, i) => {
			const mapped: RtpMapping['encodings'][number] = { mappedSsrc: mappedSsrcs[i] };
			if (encoding.ssrc !== undefined) mapped.ssrc = encoding.ssrc;
			if (encoding.rid !== undefined) mapped.rid = encoding.rid;
			if (encoding.scalabilityMode !== undefined) mapped.scalabilityMode = encoding.scalabilityMode;
			return mapped;
		}),
	};
}

/**
 * The producer's stream as the router re-emits it ("consumable" parameters):
 * router payload types and feedback (keeping the producer's codec parameters),
 * each media codec followed by the router's RTX for it, the router's header
 * extensions the SFU can send for this kind, and the mapped SSRCs.
 */
export function getConsumableRtpParameters(
	kind: MediaKind,
	params: RtpParameters,
	caps: RtpCapabilities,
	rtpMapping: RtpMapping
): RtpParameters {
	const capCodecs = caps.codecs ?? [];
	const consumable: RtpParameters = { codecs: [], headerExtensions: [], encodings: [], rtcp: {} };

	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) continue;
		const mapping = rtpMapping.codecs.find((m) => m.payloadType === codec.payloadType);
		const capCodec = mapping && capCodecs.find((c) => c.preferredPayloadType === mapping.mappedPayloadType);
		if (!capCodec) throw new TypeError(`no mapped codec for payloadType ${codec.payloadType}`);
		consumable.codecs.push({
			mimeType: capCodec.mimeType,
			payloadType: capCodec.preferredPayloadType!,
			clockRate: capCodec.clockRate,
			...(capCodec.channels !== undefined ? { channels: capCodec.channels } : {}),
			parameters: clone(codec.parameters ?? {}),
			rtcpFeedback: clone(capCodec.rtcpFeedback ?? []),
		});

		const capRtxCodec = capCodecs.find(
			(c) => isRtxCodec(c) && c.parameters?.apt === capCodec.preferredPayloadType
		);
		if (capRtxCodec) {
			consumable.codecs.push({
				mimeType: capRtxCodec.mimeType,
				payloadType: capRtxCodec.preferredPayloadType!,
				clockRate: capRtxCodec.clockRate,
				parameters: clone(capRtxCodec.parameters ?? {}),
				rtcpFeedback: clone(capRtxCodec.rtcpFeedback ?? []),
			});
		}
	}

	for (const capExt of caps.headerExtensions ?? []) {
		// Only extensions the SFU can send are useful towards consumers.
		if (capExt.kind !== kind || (capExt.direction !== 'sendrecv' && capExt.direction !== 'sendonly')) continue;
		// abs-capture-time is only relayed from the producer's packets: offered to
		// consumers only when the producer negotiated it (else a consumer would wait
		// for an extension that never comes, e.g. a producer made from a pipe consumer).
		if (capExt.uri === ABS_CAPTURE_TIME_URI && !(params.headerExtensions ?? []).some((ext) => ext.uri === capExt.uri)) {
			continue;
		}
		consumable.headerExtensions!.push({
			uri: capExt.uri,
			id: capExt.preferredId,
			encrypt: capExt.preferredEncrypt ?? false,
			parameters: {},
		});
	}

	(params.encodings ?? []).forEach((encoding, i) => {
		const consumableEncoding = clone(encoding);
		// rid, RTX and codec choice are the producing endpoint's business; the
		// consumable stream is identified by its mapped SSRC only.
		delete consumableEncoding.rid;
		delete consumableEncoding.rtx;
		delete consumableEncoding.codecPayloadType;
		consumableEncoding.ssrc = rtpMapping.encodings[i].mappedSsrc;
		consumable.encodings!.push(consumableEncoding);
	});

	consumable.rtcp = { cname: params.rtcp?.cname, reducedSize: true };
	if (consumable.rtcp.cname === undefined) delete consumable.rtcp.cname;
	// The producer's MediaStream id (RFC 8830) follows the media to every consumer.
	if (params.msid !== undefined) consumable.msid = params.msid;

	return consumable;
}

/**
 * Whether an endpoint with `caps` can receive the producer: at least one of
 * the consumable media codecs matches one of its codecs strictly.
 */
export function canConsume(consumableParams: RtpParameters, caps: RtpCapabilities): boolean {
	validateRtpCapabilities(caps);
	const capCodecs = caps.codecs ?? [];
	return consumableParams.codecs.some(
		(codec) => !isRtxCodec(codec) && capCodecs.some((capCodec) => matchCodecs(capCodec, codec, { strict: true }))
	);
}

/**
 * Feedback the consumer gets: the endpoint's, minus plain NACK when RTX is off
 * (retransmissions need RTX here; PLI/FIR still work).
 */
function consumerFeedback(capCodec: RtpCodecCapability, enableRtx: boolean): RtcpFeedback[] {
	return clone(capCodec.rtcpFeedback ?? []).filter(
		(fb) => enableRtx || fb.type !== 'nack' || Boolean(fb.parameter)
	);
}

/** RTX codecs whose media codec (apt) was dropped are useless (RFC 4588 §8.1). */
function dropOrphanRtxCodecs(codecs: RtpCodecParameters[]): RtpCodecParameters[] {
	return codecs.filter(
		(codec) =>
			!isRtxCodec(codec) ||
			codecs.some((media) => !isRtxCodec(media) && media.payloadType === codec.parameters?.apt)
	);
}

/**
 * Only one congestion controller feeds back to the sender: transport-cc if the
 * transport-wide sequence number extension is in use, else REMB if
 * abs-send-time is, else neither.
 */
function reduceCongestionControlFeedback(params: RtpParameters): void {
	const uris = new Set((params.headerExtensions ?? []).map((ext) => ext.uri));
	const transportCc = uris.has('http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01');
	const absSendTime = uris.has('http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time');
	for (const codec of params.codecs) {
		codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter((fb) => {
			if (fb.type === 'transport-cc') return transportCc;
			if (fb.type === 'goog-remb') return !transportCc && absSendTime;
			return true;
		});
	}
}

/**
 * The single encoding a (non pipe) consumer receives. Simulcast is presented as
 * spatial layers of one stream: N encodings with T temporal layers become
 * 'L{N}T{T}'. The highest maxBitrate of the producer's encodings is kept.
 */
function buildConsumerEncoding(consumableEncodings: RtpEncodingParameters[], rtxSupported: boolean): RtpEncodingParameters {
	const ssrc = generateRandomSsrc(2); // ssrc + 1 may be the RTX SSRC
	const encoding: RtpEncodingParameters = { ssrc };
	if (rtxSupported) encoding.rtx = { ssrc: ssrc + 1 };

	let scalabilityMode = consumableEncodings.find((e) => e.scalabilityMode !== undefined)?.scalabilityMode;
	if (consumableEncodings.length > 1) {
		const { temporalLayers } = parseScalabilityMode(scalabilityMode);
		scalabilityMode = `L${consumableEncodings.length}T${temporalLayers}`;
	}
	if (scalabilityMode) encoding.scalabilityMode = scalabilityMode;

	const maxBitrate = Math.max(0, ...consumableEncodings.map((e) => e.maxBitrate ?? 0));
	if (maxBitrate > 0) encoding.maxBitrate = maxBitrate;
	return encoding;
}

/** Every stream forwarded verbatim (pipe), with fresh consecutive SSRCs. */
function buildPipeEncodings(consumableEncodings: RtpEncodingParameters[], withRtx: boolean): RtpEncodingParameters[] {
	const ssrcs = generateSsrcs(consumableEncodings.length);
	const rtxSsrcs = generateSsrcs(consumableEncodings.length);
	return consumableEncodings.map((source, i) => {
		const encoding = clone(source);
		encoding.ssrc = ssrcs[i];
		if (withRtx) encoding.rtx = { ssrc: rtxSsrcs[i] };
		else delete encoding.rtx;
		return encoding;
	});
}

/**
 * A consumer's RTP receive parameters: the consumable codecs the endpoint
 * supports (with the endpoint's feedback), the consumable header extensions the
 * endpoint knows under the same id, and one encoding with new SSRCs (or every
 * encoding when `pipe`). Throws UnsupportedError when no media codec fits.
 */
export function getConsumerRtpParameters({
	consumableRtpParameters,
	remoteRtpCapabilities,
	pipe = false,
	enableRtx = true,
}: {
	consumableRtpParameters: RtpParameters;
	remoteRtpCapabilities: RtpCapabilities;
	pipe?: boolean;
	enableRtx?: boolean;
}): RtpParameters {
	validateRtpCapabilities(remoteRtpCapabilities);
	const remoteCodecs = remoteRtpCapabilities.codecs ?? [];

	let codecs: RtpCodecParameters[] = [];
	for (const codec of clone(consumableRtpParameters.codecs)) {
		if (!enableRtx && isRtxCodec(codec)) continue;
		const capCodec = remoteCodecs.find((candidate) => matchCodecs(candidate, codec, { strict: true }));
		if (!capCodec) continue;
		codec.rtcpFeedback = consumerFeedback(capCodec, enableRtx);
		codecs.push(codec);
	}
	codecs = dropOrphanRtxCodecs(codecs);
	if (codecs.length === 0 || isRtxCodec(codecs[0])) throw new UnsupportedError('no compatible media codecs');
	const rtxSupported = codecs.some(isRtxCodec);

	const remoteExtensions = remoteRtpCapabilities.headerExtensions ?? [];
	const headerExtensions = clone(consumableRtpParameters.headerExtensions ?? []).filter((ext) =>
		remoteExtensions.some((remote) => remote.uri === ext.uri && remote.preferredId === ext.id)
	);

	const consumerParams: RtpParameters = {
		codecs,
		headerExtensions,
		encodings: [],
		rtcp: clone(consumableRtpParameters.rtcp ?? {}),
	};
	if (consumableRtpParameters.msid !== undefined) consumerParams.msid = consumableRtpParameters.msid;
	reduceCongestionControlFeedback(consumerParams);

	const consumableEncodings = consumableRtpParameters.encodings ?? [];
	consumerParams.encodings = pipe
		? buildPipeEncodings(consumableEncodings, rtxSupported)
		: [buildConsumerEncoding(consumableEncodings, rtxSupported)];

	return consumerParams;
}

// Consumers of one producer negotiated against one capabilities copy get the same
// codecs, header extensions and RTCP parameters: build those once and share them,
// frozen (the Consumer hands out clones; only `mid` and `encodings` differ, and they
// live on each consumer's own top-level object). Keyed by the producer's consumable
// parameters object, then by the normalised capabilities copy, then by enableRtx.
const sharedConsumerParts = new WeakMap<object, WeakMap<object, Map<boolean, RtpParameters>>>();

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const child of Object.values(value)) deepFreeze(child);
	}
	return value;
}

/**
 * getConsumerRtpParameters() for a normalised capabilities copy (see
 * validatedRtpCapabilitiesCopy()), sharing the negotiated codecs, header extensions
 * and RTCP parameters between consumers. Saves ~1.5 KiB of JavaScript heap and the
 * negotiation time per consumer. The result's top-level object and encodings are new.
 */
export function getSharedConsumerRtpParameters(
	consumableRtpParameters: RtpParameters,
	normalisedCaps: RtpCapabilities,
	enableRtx: boolean
): RtpParameters {
	if (!normalisedCopies.has(normalisedCaps)) {
		return getConsumerRtpParameters({ consumableRtpParameters, remoteRtpCapabilities: normalisedCaps, enableRtx });
	}
	let byCaps = sharedConsumerParts.get(consumableRtpParameters);
	if (!byCaps) sharedConsumerParts.set(consumableRtpParameters, (byCaps = new WeakMap()));
	let byRtx = byCaps.get(normalisedCaps);
	if (!byRtx) byCaps.set(normalisedCaps, (byRtx = new Map()));
	let shared = byRtx.get(enableRtx);
	if (!shared) {
		shared = deepFreeze(getConsumerRtpParameters({ consumableRtpParameters, remoteRtpCapabilities: normalisedCaps, enableRtx }));
		byRtx.set(enableRtx, shared);
	}
	const rtxSupported = shared.codecs.some(isRtxCodec);
	const params: RtpParameters = {
		codecs: shared.codecs,
		headerExtensions: shared.headerExtensions,
		encodings: [buildConsumerEncoding(consumableRtpParameters.encodings ?? [], rtxSupported)],
		rtcp: shared.rtcp,
	};
	if (shared.msid !== undefined) params.msid = shared.msid;
	return params;
}

/**
 * RTP parameters of a consumer on a PipeTransport (router to router): every
 * consumable codec and stream, with new SSRCs. Only keyframe requests (PLI,
 * FIR) and, with RTX, NACK cross the pipe; per-hop header extensions (MID,
 * congestion control) are dropped.
 */
export function getPipeConsumerRtpParameters({
	consumableRtpParameters,
	enableRtx = false,
}: {
	consumableRtpParameters: RtpParameters;
	enableRtx?: boolean;
}): RtpParameters {
	const codecs: RtpCodecParameters[] = [];
	for (const codec of clone(consumableRtpParameters.codecs)) {
		if (!enableRtx && isRtxCodec(codec)) continue;
		codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter(
			(fb) =>
				(fb.type === 'nack' && fb.parameter === 'pli') ||
				(fb.type === 'ccm' && fb.parameter === 'fir') ||
				(enableRtx && fb.type === 'nack' && !fb.parameter)
		);
		codecs.push(codec);
	}

	const headerExtensions = clone(consumableRtpParameters.headerExtensions ?? []).filter(
		(ext) => !HOP_BY_HOP_HEADER_EXTENSIONS.has(ext.uri)
	);
	// As mediasoup: the dependency descriptor is receive-only towards endpoints (so not
	// in the consumable parameters), but a pipe carries it to the other router, whose
	// producer needs it to forward AV1/VP9 layers. Ordered by id.
	const dependencyDescriptor = pipeDependencyDescriptorExtension();
	if (dependencyDescriptor && !headerExtensions.some((ext) => ext.uri === dependencyDescriptor.uri)) {
		headerExtensions.push(dependencyDescriptor);
		headerExtensions.sort((a, b) => a.id - b.id);
	}

	const params: RtpParameters = {
		codecs,
		headerExtensions,
		encodings: buildPipeEncodings(consumableRtpParameters.encodings ?? [], enableRtx),
		rtcp: clone(consumableRtpParameters.rtcp ?? {}),
	};
	if (consumableRtpParameters.msid !== undefined) params.msid = consumableRtpParameters.msid;
	return params;
}
