/**
 * RTP parameters and capabilities, with the field names of the mediasoup v3 API.
 *
 * - RTP capabilities say what an endpoint (or the router) can receive.
 * - RTP parameters describe one concrete media stream: the RTP send parameters
 *   of a producer, or the RTP receive parameters of a consumer.
 *
 * The shapes follow the ORTC / WebRTC dictionaries (RTCRtpCapabilities,
 * RTCRtpParameters) so that browser-side libraries can exchange them unchanged.
 */

/**
 * Media kind ('audio' or 'video').
 */
export type MediaKind = 'audio' | 'video';

/**
 * The RTP capabilities define what the router or an endpoint can receive at
 * media level.
 */
export type RtpCapabilities = {
	/**
	 * Supported media and RTX codecs.
	 */
	codecs?: RtpCodecCapability[];

	/**
	 * Supported RTP header extensions.
	 */
	headerExtensions?: RtpHeaderExtension[];
};

/**
 * The RTP capabilities of a router, as given to createRouter() / updateMediaCodecs()
 * and returned by getSupportedRtpCapabilities(): codecs need no preferredPayloadType.
 */
export type RouterRtpCapabilities = Omit<RtpCapabilities, 'codecs'> & {
	codecs?: RouterRtpCodecCapability[];
};

/**
 * Codec-specific parameters, as they appear in an SDP a=fmtp line (for example
 * 'packetization-mode' and 'profile-level-id' for H264, 'profile-id' for VP9,
 * 'apt' for RTX). Values are strings or numbers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RtpCodecParametersParameters = Record<string, any>;

/**
 * Capabilities of one codec within RTP capabilities. The codecs the SFU can
 * route are listed in supportedRtpCapabilities.ts.
 *
 * There is one entry per combination of parameters that needs its own payload
 * type: several H264 entries with different 'packetization-mode' and
 * 'profile-level-id', several VP9 entries with different 'profile-id', etc.
 *
 * Entries given in the `mediaCodecs` option of a router need no
 * `preferredPayloadType` (one is chosen); if given, use the dynamic range
 * 96-127.
 */
export type RtpCodecCapability = {
	/**
	 * Media kind.
	 */
	kind: MediaKind;

	/**
	 * 'type/subtype' of the codec, e.g. 'audio/opus' or 'video/VP8'.
	 */
	mimeType: string;

	/**
	 * The preferred RTP payload type.
	 */
	preferredPayloadType: number;

	/**
	 * RTP timestamp clock rate, in Hz.
	 */
	clockRate: number;

	/**
	 * Audio channel count (2 for opus, whose RTP format is always stereo per
	 * RFC 7587). Audio only; default 1.
	 */
	channels?: number;

	/**
	 * Format parameters (SDP a=fmtp). Some of them decide whether two codec
	 * entries are the same format: H264 'packetization-mode' and
	 * 'profile-level-id', VP9 'profile-id', multiopus stream counts.
	 */
	parameters?: RtpCodecParametersParameters;

	/**
	 * RTCP feedback messages (RFC 4585 a=rtcp-fb) usable with this codec.
	 */
	rtcpFeedback?: RtcpFeedback[];
};

/**
 * A codec of a router's `mediaCodecs`: an RtpCodecCapability whose
 * preferredPayloadType may be left out (the router then picks one).
 */
export type RouterRtpCodecCapability = Omit<RtpCodecCapability, 'preferredPayloadType'> & {
	preferredPayloadType?: number;
};

/**
 * Direction of an RTP header extension, from the SFU's point of view:
 * 'sendrecv' (it can send and receive it), 'sendonly' (it can send it but not
 * receive it), 'recvonly' (it can receive it but not send it), 'inactive'.
 */
export type RtpHeaderExtensionDirection =
	| 'sendrecv'
	| 'sendonly'
	| 'recvonly'
	| 'inactive';

/**
 * URIs of the RTP header extensions the SFU knows (RFC 8285 names them by URI).
 */
export type RtpHeaderExtensionUri =
	| 'urn:ietf:params:rtp-hdrext:sdes:mid'
	| 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
	| 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
	| 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
	| 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'
	| 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'
	| 'urn:3gpp:video-orientation'
	| 'urn:ietf:params:rtp-hdrext:toffset'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'
	| 'urn:mediasoup:params:rtp-hdrext:packet-id';

/**
 * A supported RTP header extension, as listed in RTP capabilities.
 *
 * Encrypted header extensions (RFC 6904) are not supported. The `direction`
 * field only matters in the router's capabilities; it is ignored in an
 * endpoint's capabilities.
 */
export type RtpHeaderExtension = {
	/**
	 * Media kind.
	 */
	kind: MediaKind;

	/**
	 * The URI of the RTP header extension, as defined in RFC 8285.
	 */
	uri: RtpHeaderExtensionUri;

	/**
	 * Id the extension should carry in RTP packets (1-14 for one-byte headers,
	 * RFC 8285 §4.2). Unique within a media kind.
	 */
	preferredId: number;

	/**
	 * Whether the extension should be encrypted (RFC 6904). Not supported;
	 * default false.
	 */
	preferredEncrypt?: boolean;

	/**
	 * Which way the SFU handles this extension (see
	 * RtpHeaderExtensionDirection). Default 'sendrecv'.
	 */
	direction?: RtpHeaderExtensionDirection;
};

/**
 * The RTP send parameters describe a media stream received by the SFU from an
 * endpoint through its Producer. They may include a `mid` value that the
 * transport uses to match received RTP packets (MID header extension).
 *
 * Send parameters may have one encoding or several (simulcast); with several,
 * each encoding must have an `ssrc` or a `rid` (RID header extension value).
 *
 * The RTP receive parameters describe a media stream as the SFU sends it to an
 * endpoint through a Consumer. They have a single encoding (even when the
 * producer uses simulcast), except on a PipeTransport, where every stream of
 * the producer is forwarded verbatim. Their SSRCs are always chosen by the SFU.
 */
export type RtpParameters = {
	/**
	 * Media id (RFC 8843 BUNDLE, sent in the RFC 8285 MID header extension).
	 */
	mid?: string;

	/**
	 * Media and RTX codecs in use.
	 */
	codecs: RtpCodecParameters[];

	/**
	 * RTP header extensions in use.
	 */
	headerExtensions?: RtpHeaderExtensionParameters[];

	/**
	 * Transmitted RTP streams and their settings.
	 */
	encodings?: RtpEncodingParameters[];

	/**
	 * Parameters used for RTCP.
	 */
	rtcp?: RtcpParameters;

	/**
	 * MSID (stream id and track id separated by a space, RFC 8830).
	 */
	msid?: string;
};

/**
 * One codec within RTP parameters.
 */
export type RtpCodecParameters = {
	/**
	 * 'type/subtype' of the codec, e.g. 'audio/opus' or 'video/VP8'.
	 */
	mimeType: string;

	/**
	 * RTP payload type (0-127) of this codec; unique within the parameters.
	 */
	payloadType: number;

	/**
	 * RTP timestamp clock rate, in Hz.
	 */
	clockRate: number;

	/**
	 * Audio channel count (2 for opus, whose RTP format is always stereo per
	 * RFC 7587). Audio only; default 1.
	 */
	channels?: number;

	/**
	 * Format parameters (SDP a=fmtp). Some of them decide whether two codec
	 * entries are the same format: H264 'packetization-mode' and
	 * 'profile-level-id', VP9 'profile-id', multiopus stream counts.
	 */
	parameters?: RtpCodecParametersParameters;

	/**
	 * RTCP feedback messages (RFC 4585 a=rtcp-fb) usable with this codec.
	 */
	rtcpFeedback?: RtcpFeedback[];
};

/**
 * An RTCP feedback message for a codec: transport layer feedback (e.g. 'nack',
 * 'transport-cc') or codec/payload specific feedback (e.g. 'nack' + 'pli',
 * 'ccm' + 'fir'), as in SDP a=rtcp-fb lines (RFC 4585).
 */
export type RtcpFeedback = {
	/**
	 * RTCP feedback type.
	 */
	type: string;

	/**
	 * RTCP feedback parameter.
	 */
	parameter?: string;
};

/**
 * One encoding: a media RTP stream and its associated RTX stream, if any.
 */
export type RtpEncodingParameters = {
	/**
	 * The media SSRC.
	 */
	ssrc?: number;

	/**
	 * RTP stream id (RFC 8852 RID header extension value), unique per producer.
	 */
	rid?: string;

	/**
	 * Payload type of the codec this encoding uses; the first media codec when
	 * absent.
	 */
	codecPayloadType?: number;

	/**
	 * The retransmission stream (RFC 4588) paired with this encoding: its SSRC.
	 */
	rtx?: { ssrc: number };

	/**
	 * The sender may pause the stream (audio DTX, or a static screen share), so
	 * the SFU must not treat silence on it as an inactive stream. Default false.
	 */
	dtx?: boolean;

	/**
	 * Spatial/temporal layering of the stream, as a W3C webrtc-svc mode name
	 * such as 'L1T3' or 'L3T3_KEY'.
	 */
	scalabilityMode?: string;

	/**
	 * Factor by which the sender scales down the resolution of this encoding.
	 */
	scaleResolutionDownBy?: number;

	/**
	 * Maximum bitrate of this encoding, in bits per second.
	 */
	maxBitrate?: number;
};

/**
 * An RTP header extension in use within RTP parameters.
 */
export type RtpHeaderExtensionParameters = {
	/**
	 * The URI of the RTP header extension, as defined in RFC 8285.
	 */
	uri: RtpHeaderExtensionUri;

	/**
	 * Id the extension carries in RTP packets (RFC 8285).
	 */
	id: number;

	/**
	 * Whether the extension is encrypted (RFC 6904). Default false.
	 */
	encrypt?: boolean;

	/**
	 * Configuration parameters for the header extension.
	 */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	parameters?: Record<string, any>;
};

/**
 * RTCP settings within RTP parameters.
 *
 * If no cname is given in a producer's RTP parameters, the transport picks one
 * from the RTCP Sender Reports it receives (or generates one). A consumer's
 * cname is its producer's.
 */
export type RtcpParameters = {
	/**
	 * RTCP SDES CNAME (RFC 3550 §6.5.1) of the sender.
	 */
	cname?: string;

	/**
	 * true: reduced-size RTCP (RFC 5506) is allowed; false: only compound RTCP
	 * packets (RFC 3550 §6.1). Default true.
	 */
	reducedSize?: boolean;

	/**
	 * Whether RTP and RTCP share one port (RFC 5761). Default true.
	 */
	mux?: boolean;
};
