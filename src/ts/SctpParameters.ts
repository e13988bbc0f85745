/**
 * SCTP capabilities and parameters for DataChannels (RFC 8831, RFC 8832),
 * with the field names of the mediasoup v3 API.
 */

/**
 * SCTP capabilities of an endpoint.
 */
export type SctpCapabilities = {
	numStreams: NumSctpStreams;
};

/**
 * Stream counts announced in the SCTP INIT/INIT-ACK chunks (RFC 9260 §3.3.2).
 *
 * OS is how many outgoing streams the SFU's side opens; outgoing streams carry
 * DataConsumers. MIS is the most incoming streams it accepts; incoming streams
 * carry DataProducers. A transport that only receives data can use a small OS.
 *
 * Peers without the stream-reconfiguration extension (RFC 6525
 * SCTP_ADD_STREAMS, e.g. libwebrtc) cannot grow the count later, so give them
 * OS 1024 when DataConsumers are wanted; peers that have it (e.g. Firefox) can
 * start lower.
 */
export type NumSctpStreams = {
	/**
	 * Number of outgoing SCTP streams requested at association setup.
	 */
	OS: number;

	/**
	 * Largest number of incoming SCTP streams accepted.
	 */
	MIS: number;
};

/**
 * What the SCTP association negotiated (transport.sctpNegotiatedCapabilities).
 */
export type SctpNegotiatedCapabilities = {
	/** Outgoing streams agreed with the remote (OS). */
	negotiatedMaxOutboundStreams: number;
	/** Incoming streams agreed with the remote (MIS). */
	negotiatedMaxInboundStreams: number;
};

/**
 * SCTP association parameters of a transport (mediasoup 3.20+ shape). OS, MIS and
 * maxMessageSize are the 3.14 names, kept for applications that read them.
 */
export type SctpParameters = {
	/** SCTP port; always 5000 for WebRTC (RFC 8841 §5). */
	port: number;
	/** Largest message sent to the endpoint. */
	maxSendMessageSize: number;
	/** Largest message accepted from the endpoint. */
	maxReceiveMessageSize: number;
	/** Bytes queued or in flight on the association. */
	sendBufferSize: number;
	/** Bytes queued per stream. */
	perStreamSendQueueLimit: number;
	/** Receive window (a_rwnd) and receive buffer bound. */
	maxReceiverWindowBufferSize: number;
	/** True over DTLS (WebRTC data channels), false over plain UDP (plain and pipe transports). */
	isDataChannel: boolean;
	/** Outgoing streams requested (65535 unless numSctpStreams was given). */
	OS: number;
	/** Incoming streams accepted (65535 unless numSctpStreams was given). */
	MIS: number;
	/** maxReceiveMessageSize under its 3.14 name. */
	maxMessageSize: number;
};

/**
 * Delivery settings of one DataChannel's SCTP stream (RFC 8831 §6.1).
 *
 * An ordered channel is fully reliable. An unordered one may set either a
 * lifetime limit (maxPacketLifeTime) or a retransmission limit
 * (maxRetransmits), not both (partial reliability, RFC 3758).
 */
export type SctpStreamParameters = {
	/**
	 * SCTP stream id.
	 */
	streamId: number;

	/**
	 * In-order, reliable delivery. Default true when no partial reliability
	 * limit is given.
	 */
	ordered?: boolean;

	/**
	 * Unordered channels only: stop retransmitting a message after this many
	 * milliseconds.
	 */
	maxPacketLifeTime?: number;

	/**
	 * Unordered channels only: retransmit a message at most this many times.
	 */
	maxRetransmits?: number;
};
