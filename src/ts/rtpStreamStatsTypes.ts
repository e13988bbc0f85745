/**
 * RTP stream statistics (producer.getStats(), consumer.getStats()), with
 * mediasoup's names and meanings (its rtpStreamStatsTypes).
 */

/** Bits per second per layer of a layered stream, keyed 'spatial.temporal' ('0.2'). */
export type BitrateByLayer = {
	[key: string]: number;
};

export type BaseRtpStreamStats = {
	/** Worker clock, ms. */
	timestamp: number;
	ssrc: number;
	rtxSsrc?: number;
	rid?: string;
	kind: string;
	mimeType: string;
	/** RFC 3550 cumulative number of packets lost. */
	packetsLost: number;
	/** Fraction lost in the last report interval, times 256 (RFC 3550 §6.4.1). */
	fractionLost: number;
	/** Interarrival jitter, RTP timestamp units. */
	jitter: number;
	packetsDiscarded: number;
	packetsRetransmitted: number;
	packetsRepaired: number;
	nackCount: number;
	nackPacketCount: number;
	pliCount: number;
	firCount: number;
	/** ms; 0 until a round trip time is known. */
	roundTripTime?: number;
	rtxPacketsDiscarded?: number;
	/** 0-10. */
	score: number;
};

/** A stream the router receives (a producer's). */
export type RtpStreamRecvStats = BaseRtpStreamStats & {
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
	/**
	 * A layered stream's rate up to each layer ('0.0', '0.1', ...: every lower spatial
	 * layer plus this one up to that temporal layer; 0 while that layer is not
	 * received). Empty for a stream with one layer.
	 */
	bitrateByLayer: BitrateByLayer;
};

/** A stream the router sends (a consumer's). */
export type RtpStreamSendStats = BaseRtpStreamStats & {
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
};
