/**
 * The SDP parser and writer: sdp-transform (the library mediasoup-client itself uses),
 * typed here for the fields this layer reads and writes. sdp-transform ships no types;
 * keeping these types private keeps them out of mediaplane's public declarations.
 */

/** One `a=rtpmap` line: `payload codec/rate[/encoding]`. */
export type SdpRtp = { payload: number; codec: string; rate?: number; encoding?: number };
/** One `a=fmtp` line. */
export type SdpFmtp = { payload: number; config: string };
/** One `a=rtcp-fb` line (payload may be `*`). */
export type SdpRtcpFb = { payload: number | string; type: string; subtype?: string };
/** One `a=extmap` line. */
export type SdpExt = { value: number; direction?: string; uri: string; config?: string };
/** One `a=ssrc` line. */
export type SdpSsrc = { id: number | string; attribute: string; value?: string };
/** One `a=ssrc-group` line. */
export type SdpSsrcGroup = { semantics: string; ssrcs: string };
/** One `a=rid` line (RFC 8851). */
export type SdpRid = { id: string; direction: string; params?: string };
/** One `a=candidate` line. */
export type SdpCandidate = {
	foundation: string;
	component: number;
	transport: string;
	priority: number;
	ip: string;
	port: number;
	type: string;
	raddr?: string;
	rport?: number;
	tcptype?: string;
	generation?: number;
};
export type SdpFingerprint = { type: string; hash: string };

/** One m-section. */
export type SdpMedia = {
	type: string;
	port: number;
	protocol: string;
	payloads?: string | number;
	connection?: { version: number; ip: string };
	rtp: SdpRtp[];
	fmtp: SdpFmtp[];
	rtcpFb?: SdpRtcpFb[];
	ext?: SdpExt[];
	extmapAllowMixed?: string;
	mid?: string | number;
	msid?: { id: string; appdata?: string }[];
	direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
	iceUfrag?: string;
	icePwd?: string;
	iceOptions?: string;
	fingerprint?: SdpFingerprint;
	setup?: string;
	candidates?: SdpCandidate[];
	endOfCandidates?: string;
	rtcpMux?: string;
	rtcpRsize?: string;
	ssrcs?: SdpSsrc[];
	ssrcGroups?: SdpSsrcGroup[];
	rids?: SdpRid[];
	simulcast?: { dir1: string; list1: string; dir2?: string; list2?: string };
	sctpPort?: number;
	maxMessageSize?: number;
	sctpmap?: { sctpmanNumber: number; app: string; maxMessageSize: number };
	bundleOnly?: string;
	invalid?: { value: string }[];
};

/** A whole session description. */
export type SdpSession = {
	version: number;
	origin: { username: string; sessionId: string | number; sessionVersion: number; netType: string; ipVer: number; address: string };
	name: string;
	timing: { start: number; stop: number };
	icelite?: string;
	iceUfrag?: string;
	icePwd?: string;
	iceOptions?: string;
	fingerprint?: SdpFingerprint;
	setup?: string;
	groups?: { type: string; mids: string }[];
	msidSemantic?: { semantic: string; token: string };
	extmapAllowMixed?: string;
	media: SdpMedia[];
};

type SdpTransform = {
	parse(sdp: string): SdpSession;
	write(session: SdpSession): string;
	parseParams(config: string): Record<string, string | number>;
	parseSimulcastStreamList(list: string): { scid: string | number; paused: boolean }[][];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdpTransform: SdpTransform = require('sdp-transform');

export const parseSdp = (sdp: string): SdpSession => sdpTransform.parse(sdp);
export const writeSdp = (session: SdpSession): string => sdpTransform.write(session);
export const parseFmtpParameters = (config: string): Record<string, string | number> => sdpTransform.parseParams(config);
export const parseSimulcastList = (list: string): { scid: string | number; paused: boolean }[][] =>
	sdpTransform.parseSimulcastStreamList(list);
