import { AppData } from './utils';

export type TransportProtocol = 'udp' | 'tcp';

/** A range of ports to listen on (TransportListenInfo portRange). */
export type TransportPortRange = {
	min: number;
	max: number;
};

/** Socket options of a TransportListenInfo. */
export type TransportSocketFlags = {
	/** IPv6 only: do not take IPv4 too when listening on '::'. */
	ipv6Only?: boolean;
	/** UDP only: SO_REUSEPORT, to share the port with other sockets. */
	udpReusePort?: boolean;
};

/** Where a transport or WebRtcServer listens (mediasoup v3 TransportListenInfo). */
export type TransportListenInfo = {
	protocol: TransportProtocol;
	/** The local IP to bind (IPv4 or IPv6). */
	ip: string;
	/** The address to announce in ICE candidates and tuples (for NAT / public IPs). */
	announcedAddress?: string;
	/** @deprecated Use announcedAddress. */
	announcedIp?: string;
	/** Accepted for compatibility; mediaplane never exposes the internal IP beside an announced one. */
	exposeInternalIp?: boolean;
	/** A fixed port; otherwise one from portRange, or from the worker's rtcMinPort..rtcMaxPort. */
	port?: number;
	portRange?: TransportPortRange;
	flags?: TransportSocketFlags;
	sendBufferSize?: number;
	recvBufferSize?: number;
};

/** @deprecated The older form of listen info: an IP and an optional announced IP. */
export type TransportListenIp = { ip: string; announcedIp?: string; announcedAddress?: string };

/** A 5-tuple (mediasoup v3 TransportTuple). */
export type TransportTuple = {
	localAddress: string;
	/** @deprecated Use localAddress. */
	localIp: string;
	localPort: number;
	remoteIp?: string;
	remotePort?: number;
	protocol: TransportProtocol;
};

export type TransportTraceEventType = 'probation' | 'bwe';

export type TransportTraceEventData = {
	type: TransportTraceEventType;
	timestamp: number;
	direction: 'in' | 'out';
	info: unknown;
};

export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type TransportBaseOptions<T extends AppData = AppData> = { appData?: T };

/** Which kind of transport an object is (`transport.type`, mediasoup 3.15+). */
export type TransportType = 'webrtc' | 'plain' | 'pipe' | 'direct';

/** How a transport finds the producer of incoming RTP (transport.dump().rtpListener). */
export type RtpListenerDump = {
	ssrcTable: { key: number; value: string }[];
	/** MID to producer id. */
	midTable: { key: string; value: string }[];
	/** RID to producer id. */
	ridTable: { key: string; value: string }[];
};

/** SCTP stream ids to data producer ids (with SCTP only). */
export type SctpListenerDump = {
	streamIdTable: { key: number; value: string }[];
};

/** Ids of the transport-level header extensions of incoming RTP (from its producers). */
export type RecvRtpHeaderExtensions = {
	mid?: number;
	rid?: number;
	rrid?: number;
	absSendTime?: number;
	transportWideCc01?: number;
};

/** What every transport's dump() has (mediasoup's BaseTransportDump). */
export type BaseTransportDump = {
	id: string;
	producerIds: string[];
	consumerIds: string[];
	/** Media SSRCs of the consumers. */
	mapSsrcConsumerId: { key: number; value: string }[];
	/** RTX SSRCs of the consumers. */
	mapRtxSsrcConsumerId: { key: number; value: string }[];
	recvRtpHeaderExtensions: RecvRtpHeaderExtensions;
	rtpListener: RtpListenerDump;
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	dataProducerIds: string[];
	dataConsumerIds: string[];
	sctpParameters?: import('./SctpParameters').SctpParameters;
	sctpState?: SctpState;
	sctpNegotiatedCapabilities?: import('./SctpParameters').SctpNegotiatedCapabilities;
	sctpListener?: SctpListenerDump;
	traceEventTypes?: string[];
};

/** What every transport's getStats() entry has (mediasoup's BaseTransportStats). */
export type BaseTransportStats = {
	transportId: string;
	/** Worker clock, ms. */
	timestamp: number;
	sctpState?: SctpState;
	bytesReceived: number;
	recvBitrate: number;
	bytesSent: number;
	sendBitrate: number;
	/** Media RTP that reached a producer (retransmissions apart). */
	rtpBytesReceived: number;
	rtpRecvBitrate: number;
	/** Media RTP sent by consumers (retransmissions apart). */
	rtpBytesSent: number;
	rtpSendBitrate: number;
	rtxBytesReceived: number;
	rtxRecvBitrate: number;
	rtxBytesSent: number;
	rtxSendBitrate: number;
	/** Bandwidth probing; always 0: the engine does not probe. */
	probationBytesSent: number;
	probationSendBitrate: number;
	/** From a bandwidth estimator; absent, as the engine runs none yet. */
	availableOutgoingBitrate?: number;
	availableIncomingBitrate?: number;
	maxIncomingBitrate?: number;
	maxOutgoingBitrate?: number;
	minOutgoingBitrate?: number;
	rtpPacketLossReceived?: number;
	rtpPacketLossSent?: number;
};
