import { AppData } from './utils';

export type TransportProtocol = 'udp' | 'tcp';

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
	portRange?: { min: number; max: number };
	flags?: { ipv6Only?: boolean; udpReusePort?: boolean };
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
