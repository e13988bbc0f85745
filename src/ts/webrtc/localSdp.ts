/**
 * Writes mediaplane's side of an offer/answer exchange: one SDP session for the
 * connection's WebRtcTransport (ICE Lite, RFC 8445 §2.5; one BUNDLE group, RFC 8843;
 * rtcp-mux, RFC 5761), with one m-section per transceiver. The RTP content of each
 * m-section comes from the Producer that receives it and/or the Consumer that sends it.
 */
import type { RtpCodecParameters, RtpEncodingParameters, RtpHeaderExtensionParameters, RtpParameters } from '../RtpParameters';
import type { DtlsFingerprint, IceCandidate, IceParameters } from '../WebRtcTransport';
import { writeSdp, type SdpCandidate, type SdpMedia, type SdpSession } from './sdp';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What one m-section of ours says. */
export type LocalSection = {
	mid: string;
	/** 'audio' | 'video' | 'application', or the remote's own type for a rejected one. */
	type: string;
	/** The remote's protocol for a rejected section; ours otherwise. */
	protocol?: string;
	/** Port 0 (RFC 3264 §6): refused, not part of the BUNDLE group. */
	rejected: boolean;
	direction?: Direction;
	/** What we receive (a Producer's parameters, in the remote's numbers). */
	receive?: RtpParameters;
	/** The RIDs we receive, for a simulcast Producer (RFC 8853 `a=simulcast:recv`). */
	receiveRids?: string[];
	/** What we send (a Consumer's parameters) and as which MediaStream/track (RFC 8830). */
	send?: { rtpParameters: RtpParameters; streamId: string; trackId: string };
	reducedSize?: boolean;
	/** For 'application': the SCTP port and max message size (RFC 8841). */
	sctp?: { port: number; maxMessageSize: number };
};

export type LocalDescriptionInput = {
	sessionId: string;
	sessionVersion: number;
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	fingerprints: DtlsFingerprint[];
	/** RFC 5763 §5: 'actpass' in offers, 'passive' or 'active' in answers. */
	setup: 'actpass' | 'passive' | 'active';
	sections: LocalSection[];
};

const RTP_PROTOCOL = 'UDP/TLS/RTP/SAVPF';
const SCTP_PROTOCOL = 'UDP/DTLS/SCTP';

function fmtpConfig(parameters: RtpCodecParameters['parameters']): string {
	return Object.entries(parameters ?? {})
		.filter(([, value]) => value !== undefined)
		.map(([key, value]) => `${key}=${value}`)
		.join(';');
}

/** Codecs and extensions of a sendrecv section: the union, first seen wins. */
function mergeByKey<T>(lists: (T[] | undefined)[], key: (item: T) => number): T[] {
	const seen = new Map<number, T>();
	for (const list of lists) for (const item of list ?? []) if (!seen.has(key(item))) seen.set(key(item), item);
	return [...seen.values()];
}

function writeRtp(media: SdpMedia, section: LocalSection): void {
	const parameters = [section.receive, section.send?.rtpParameters].filter(Boolean) as RtpParameters[];
	const codecs = mergeByKey(parameters.map((p) => p.codecs), (c: RtpCodecParameters) => c.payloadType);
	media.payloads = codecs.map((c) => c.payloadType).join(' ');
	for (const codec of codecs) {
		const [, name] = codec.mimeType.split('/');
		media.rtp.push({
			payload: codec.payloadType,
			codec: name,
			rate: codec.clockRate,
			...(section.type === 'audio' && (codec.channels ?? 1) > 1 ? { encoding: codec.channels } : {}),
		});
		const config = fmtpConfig(codec.parameters);
		if (config) media.fmtp.push({ payload: codec.payloadType, config });
		for (const fb of codec.rtcpFeedback ?? []) {
			media.rtcpFb!.push({ payload: codec.payloadType, type: fb.type, ...(fb.parameter ? { subtype: fb.parameter } : {}) });
		}
	}
	const extensions = mergeByKey(parameters.map((p) => p.headerExtensions), (e: RtpHeaderExtensionParameters) => e.id);
	media.ext = extensions.map((e) => ({ value: e.id, uri: e.uri }));
	if (section.receiveRids?.length) {
		media.rids = section.receiveRids.map((id) => ({ id, direction: 'recv' }));
		media.simulcast = { dir1: 'recv', list1: section.receiveRids.join(';') };
	}
	if (section.send) {
		const { rtpParameters, streamId, trackId } = section.send;
		media.msid = [{ id: streamId, appdata: trackId }];
		const cname = rtpParameters.rtcp?.cname ?? 'mediaplane';
		media.ssrcs = [];
		media.ssrcGroups = [];
		for (const encoding of rtpParameters.encodings ?? ([] as RtpEncodingParameters[])) {
			if (encoding.ssrc === undefined) continue;
			media.ssrcs.push({ id: encoding.ssrc, attribute: 'cname', value: cname });
			media.ssrcs.push({ id: encoding.ssrc, attribute: 'msid', value: `${streamId} ${trackId}` });
			if (encoding.rtx?.ssrc !== undefined) {
				media.ssrcs.push({ id: encoding.rtx.ssrc, attribute: 'cname', value: cname });
				media.ssrcs.push({ id: encoding.rtx.ssrc, attribute: 'msid', value: `${streamId} ${trackId}` });
				media.ssrcGroups.push({ semantics: 'FID', ssrcs: `${encoding.ssrc} ${encoding.rtx.ssrc}` });
			}
		}
	}
	media.rtcpMux = 'rtcp-mux';
	if (section.reducedSize) media.rtcpRsize = 'rtcp-rsize';
}

/** Our ICE candidates as `a=candidate` lines (component 1: rtcp-mux; TCP ones passive). */
export function sdpCandidates(iceCandidates: IceCandidate[]): SdpCandidate[] {
	return iceCandidates.map((c) => ({
		foundation: c.foundation,
		component: 1,
		transport: c.protocol,
		priority: c.priority,
		ip: c.address,
		port: c.port,
		type: c.type,
		...(c.protocol === 'tcp' ? { tcptype: c.tcpType ?? 'passive' } : {}),
		generation: 0,
	}));
}

/** The SDP text of our local description. */
export function writeLocalDescription(input: LocalDescriptionInput): string {
	const bundled = input.sections.filter((s) => !s.rejected).map((s) => s.mid);
	const session: SdpSession = {
		version: 0,
		origin: {
			username: 'mediaplane',
			sessionId: input.sessionId,
			sessionVersion: input.sessionVersion,
			netType: 'IN',
			ipVer: 4,
			address: '127.0.0.1',
		},
		name: '-',
		timing: { start: 0, stop: 0 },
		icelite: 'ice-lite',
		groups: bundled.length ? [{ type: 'BUNDLE', mids: bundled.join(' ') }] : [],
		msidSemantic: { semantic: 'WMS', token: '*' },
		media: [],
	};
	const sha256 = input.fingerprints.find((f) => f.algorithm === 'sha-256') ?? input.fingerprints[0];
	for (const section of input.sections) {
		const isData = section.type === 'application';
		const media: SdpMedia = {
			type: section.type,
			port: section.rejected ? 0 : 9,
			protocol: section.rejected ? (section.protocol ?? RTP_PROTOCOL) : isData ? SCTP_PROTOCOL : RTP_PROTOCOL,
			payloads: isData ? 'webrtc-datachannel' : '',
			connection: { version: 4, ip: '0.0.0.0' },
			rtp: [],
			fmtp: [],
			rtcpFb: [],
			mid: section.mid,
		};
		if (section.rejected) {
			// A refused section keeps its mid and one format (RFC 3264 §6: the format list
			// of a refused stream is not meaningful, but must not be empty).
			media.payloads = isData ? 'webrtc-datachannel' : '0';
			media.direction = 'inactive';
			session.media.push(media);
			continue;
		}
		media.iceUfrag = input.iceParameters.usernameFragment;
		media.icePwd = input.iceParameters.password;
		media.fingerprint = { type: sha256.algorithm, hash: sha256.value };
		media.setup = input.setup;
		media.candidates = sdpCandidates(input.iceCandidates);
		media.endOfCandidates = 'end-of-candidates';
		if (isData) {
			media.sctpPort = section.sctp?.port ?? 5000;
			media.maxMessageSize = section.sctp?.maxMessageSize ?? 262144;
		} else {
			media.direction = section.direction ?? 'inactive';
			writeRtp(media, section);
		}
		session.media.push(media);
	}
	return writeSdp(session);
}
