/**
 * Between SDP m-sections and the object API's RTP parameters: what a remote sender's
 * m-section becomes as a Producer's rtpParameters, what a remote receiver's m-section
 * says it can take (RtpCapabilities for consume()), and the rewrite that makes a
 * Consumer send with the remote's own payload types and extension ids.
 *
 * Offer/answer rules followed (RFC 3264 §6.1, RFC 8829 §5.3.1): an answer uses the
 * payload type numbers and extmap ids of the offer for the codecs and extensions it
 * keeps, so the answerer's m-sections here always carry the remote's numbers.
 */
import { matchCodecs, isRtxCodec } from '../ortc';
import type {
	MediaKind,
	RtcpFeedback,
	RtpCapabilities,
	RtpCodecCapability,
	RtpCodecParameters,
	RtpEncodingParameters,
	RtpHeaderExtension,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
} from '../RtpParameters';
import { supportedRtpCapabilities } from '../supportedRtpCapabilities';
import { parseFmtpParameters, parseSimulcastList, type SdpMedia } from './sdp';

/** Codecs that carry no media of their own and that this layer never negotiates. */
const UNNEGOTIATED_CODECS = new Set(['red', 'ulpfec', 'flexfec-03']);

/** Every codec of an m-section, in the section's order, as RtpCodecParameters. */
export function sectionCodecs(media: SdpMedia): RtpCodecParameters[] {
	const kind = media.type as MediaKind;
	return media.rtp.map((rtp) => {
		const codec: RtpCodecParameters = {
			mimeType: `${kind}/${rtp.codec}`,
			payloadType: Number(rtp.payload),
			clockRate: Number(rtp.rate),
		};
		// RFC 4566 §6: for audio the encoding parameter is the channel count (1 if absent).
		if (kind === 'audio') codec.channels = rtp.encoding ? Number(rtp.encoding) : 1;
		const fmtp = media.fmtp.find((f) => Number(f.payload) === codec.payloadType);
		codec.parameters = fmtp ? parseFmtpParameters(fmtp.config) : {};
		codec.rtcpFeedback = (media.rtcpFb ?? [])
			.filter((fb) => fb.payload === '*' || Number(fb.payload) === codec.payloadType)
			.map((fb) => (fb.subtype ? { type: fb.type, parameter: fb.subtype } : { type: fb.type }));
		return codec;
	});
}

const isNegotiable = (codec: RtpCodecParameters): boolean =>
	!UNNEGOTIATED_CODECS.has(codec.mimeType.split('/')[1].toLowerCase());

function isKnownMimeType(mimeType: string): boolean {
	const lower = mimeType.toLowerCase();
	return isRtxCodec({ mimeType }) || (supportedRtpCapabilities.codecs ?? []).some((c) => c.mimeType.toLowerCase() === lower);
}

const isKnownUri = (uri: string, kind: MediaKind): boolean =>
	(supportedRtpCapabilities.headerExtensions ?? []).some((e) => e.uri === uri && e.kind === kind);

/** The RTX codec of an m-section that repairs `payloadType` (RFC 4588 §8.6 `apt`). */
function rtxFor(codecs: RtpCodecParameters[], payloadType: number): RtpCodecParameters | undefined {
	return codecs.find((c) => isRtxCodec(c) && Number(c.parameters?.apt) === payloadType);
}

/** The feedback both sides support: the offer's, kept where the router's codec has it. */
function commonFeedback(offered: RtcpFeedback[] = [], supported: RtcpFeedback[] = []): RtcpFeedback[] {
	return offered.filter((fb) =>
		supported.some((s) => s.type === fb.type && (s.parameter ?? '') === (fb.parameter ?? ''))
	);
}

/** The extensions of the m-section that the router takes in `direction` (offer's ids). */
function commonExtensions(media: SdpMedia, routerCaps: RtpCapabilities, sending: boolean): RtpHeaderExtensionParameters[] {
	const kind = media.type as MediaKind;
	const result: RtpHeaderExtensionParameters[] = [];
	for (const ext of media.ext ?? []) {
		const routerExt = (routerCaps.headerExtensions ?? []).find((e) => e.kind === kind && e.uri === ext.uri);
		if (!routerExt) continue;
		const direction = routerExt.direction ?? 'sendrecv';
		if (direction === 'inactive' || direction === (sending ? 'recvonly' : 'sendonly')) continue;
		result.push({ uri: ext.uri as RtpHeaderExtensionUri, id: Number(ext.value), encrypt: false, parameters: {} });
	}
	return result;
}

/** SSRC attribute lookup: `a=ssrc:<id> <attribute>:<value>`. */
function ssrcAttribute(media: SdpMedia, ssrc: number, attribute: string): string | undefined {
	return (media.ssrcs ?? []).find((s) => Number(s.id) === ssrc && s.attribute === attribute)?.value;
}

/** The RTX SSRC paired with `ssrc` by an `a=ssrc-group:FID` (RFC 5576 §4.3, RFC 4588). */
function fidPartner(media: SdpMedia, ssrc: number): number | undefined {
	for (const group of media.ssrcGroups ?? []) {
		if (group.semantics !== 'FID') continue;
		const [primary, repair] = group.ssrcs.split(' ').map(Number);
		if (primary === ssrc && repair) return repair;
	}
	return undefined;
}

/**
 * The encodings a remote sender announces: RID simulcast (RFC 8853 `a=simulcast` with
 * RFC 8851 `a=rid`), SSRC simulcast (`a=ssrc-group:SIM`), or one SSRC with its FID
 * partner. With none of these, one encoding with neither: the stream is then bound
 * to the Producer by its MID header extension (RFC 8843 §9.2).
 */
function remoteSendEncodings(media: SdpMedia): RtpEncodingParameters[] {
	const simulcast = media.simulcast;
	if (simulcast) {
		const list = simulcast.dir1 === 'send' ? simulcast.list1 : simulcast.dir2 === 'send' ? simulcast.list2 : undefined;
		if (list) {
			const rids = parseSimulcastList(list)
				.map((alternatives) => alternatives[0])
				.filter((stream) => stream && !stream.paused)
				.map((stream) => String(stream.scid));
			const declared = new Set((media.rids ?? []).filter((r) => r.direction === 'send').map((r) => r.id));
			const encodings = rids.filter((rid) => declared.has(rid)).map((rid) => ({ rid }));
			if (encodings.length) return encodings;
		}
	}
	const sim = (media.ssrcGroups ?? []).find((g) => g.semantics === 'SIM');
	if (sim) {
		return sim.ssrcs.split(' ').map((s) => {
			const ssrc = Number(s);
			const rtx = fidPartner(media, ssrc);
			return rtx ? { ssrc, rtx: { ssrc: rtx } } : { ssrc };
		});
	}
	const repairs = new Set(
		(media.ssrcGroups ?? []).filter((g) => g.semantics === 'FID').map((g) => Number(g.ssrcs.split(' ')[1]))
	);
	const primary = (media.ssrcs ?? []).map((s) => Number(s.id)).find((ssrc) => !repairs.has(ssrc));
	if (primary === undefined) return [{}];
	const rtx = fidPartner(media, primary);
	return [rtx ? { ssrc: primary, rtx: { ssrc: rtx } } : { ssrc: primary }];
}

/** A remote m-section's CNAME (RFC 7022), from its first `a=ssrc ... cname:`. */
export function sectionCname(media: SdpMedia): string | undefined {
	return (media.ssrcs ?? []).find((s) => s.attribute === 'cname')?.value;
}

/**
 * The rtpParameters of the Producer for a remote sending m-section: the first offered
 * codec the router has (with its RTX if offered), the feedback and extensions both
 * sides support, the offer's payload types and ids. Undefined when no codec matches.
 */
export function producerRtpParameters(media: SdpMedia, mid: string, routerCaps: RtpCapabilities): RtpParameters | undefined {
	const kind = media.type as MediaKind;
	const offered = sectionCodecs(media);
	const routerCodecs = (routerCaps.codecs ?? []).filter((c) => c.kind === kind && !isRtxCodec(c));
	let chosen: RtpCodecParameters | undefined;
	let routerCodec: RtpCodecCapability | undefined;
	for (const codec of offered) {
		if (isRtxCodec(codec) || !isNegotiable(codec)) continue;
		routerCodec = routerCodecs.find((rc) => matchCodecs(codec, rc, { strict: true }));
		if (routerCodec) {
			chosen = codec;
			break;
		}
	}
	if (!chosen || !routerCodec) return undefined;
	const media0: RtpCodecParameters = { ...chosen, rtcpFeedback: commonFeedback(chosen.rtcpFeedback, routerCodec.rtcpFeedback) };
	const codecs = [media0];
	const rtx = rtxFor(offered, chosen.payloadType);
	const routerHasRtx = (routerCaps.codecs ?? []).some((c) => c.kind === kind && isRtxCodec(c));
	if (rtx && routerHasRtx) codecs.push({ ...rtx, rtcpFeedback: [] });
	const encodings = remoteSendEncodings(media);
	if (!codecs.some(isRtxCodec)) for (const e of encodings) delete e.rtx;
	const cname = sectionCname(media);
	return {
		mid,
		codecs,
		headerExtensions: commonExtensions(media, routerCaps, false),
		encodings,
		rtcp: { ...(cname ? { cname } : {}), reducedSize: Boolean(media.rtcpRsize), mux: true },
	};
}

/**
 * What a remote receiving m-section can take, as RtpCapabilities for consume(): its
 * codecs with their offered payload types as preferredPayloadType, its extensions
 * with their offered ids. Codecs and extensions mediaplane does not know are left out.
 */
export function receiveCapabilities(media: SdpMedia): RtpCapabilities {
	const kind = media.type as MediaKind;
	const codecs: RtpCodecCapability[] = sectionCodecs(media)
		.filter((c) => isNegotiable(c) && isKnownMimeType(c.mimeType))
		.map((c) => ({
			kind,
			mimeType: c.mimeType,
			preferredPayloadType: c.payloadType,
			clockRate: c.clockRate,
			...(c.channels !== undefined ? { channels: c.channels } : {}),
			parameters: c.parameters ?? {},
			rtcpFeedback: c.rtcpFeedback ?? [],
		}));
	const headerExtensions: RtpHeaderExtension[] = (media.ext ?? [])
		.filter((e) => isKnownUri(e.uri, kind))
		.map((e) => ({
			kind,
			uri: e.uri as RtpHeaderExtensionUri,
			preferredId: Number(e.value),
			preferredEncrypt: false,
			direction: 'sendrecv',
		}));
	return { codecs, headerExtensions };
}

/**
 * Rewrites a Consumer's rtpParameters (computed with the router's payload types and
 * extension ids) to the numbers of the remote m-section that receives it: its media
 * codec to the offered payload type of the same codec, its RTX to the offered RTX for
 * that payload type (or no RTX), its extensions to the offered ids (or dropped).
 */
export function adoptRemoteNumbers(rtpParameters: RtpParameters, media: SdpMedia): void {
	const offered = sectionCodecs(media);
	// New objects throughout: consume() may share (frozen) codec objects between Consumers.
	const mediaCodec: RtpCodecParameters = { ...rtpParameters.codecs[0] };
	const match = offered.find((c) => !isRtxCodec(c) && matchCodecs(c, mediaCodec, { strict: true }));
	if (!match) throw new Error(`the remote m-section has no ${mediaCodec.mimeType} to receive with`);
	mediaCodec.payloadType = match.payloadType;
	const rtx = rtxFor(offered, match.payloadType);
	const codecs: RtpCodecParameters[] = [mediaCodec];
	const hadRtx = rtpParameters.codecs.some(isRtxCodec);
	if (rtx && hadRtx) {
		codecs.push({ mimeType: rtx.mimeType, payloadType: rtx.payloadType, clockRate: rtx.clockRate, parameters: { apt: match.payloadType }, rtcpFeedback: [] });
	} else {
		for (const e of rtpParameters.encodings ?? []) delete e.rtx;
	}
	rtpParameters.codecs = codecs;
	const ids = new Map((media.ext ?? []).map((e) => [e.uri, Number(e.value)]));
	rtpParameters.headerExtensions = (rtpParameters.headerExtensions ?? [])
		.filter((e) => ids.has(e.uri))
		.map((e) => ({ ...e, id: ids.get(e.uri) as number }));
}
