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
