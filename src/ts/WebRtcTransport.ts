import { Channel } from './Channel';
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { Logger } from './Logger';
import { NumSctpStreams, SctpNegotiatedCapabilities, SctpParameters } from './SctpParameters';
import { RouterAccess, Transport, TransportEvents, TransportObserverEvents } from './Transport';
import { SctpState, TransportListenInfo, TransportListenIp, TransportTuple } from './TransportTypes';
import type { BaseTransportDump, BaseTransportStats } from './TransportTypes';
import { AppData, clone, useMediasoupClassName } from './utils';
import type { WebRtcServer } from './WebRtcServer';

const logger = new Logger('WebRtcTransport');

export type IceParameters = { usernameFragment: string; password: string; iceLite?: boolean };

export type IceCandidate = {
	foundation: string;
	priority: number;
	address: string;
	/** @deprecated Use address. */
	ip: string;
	protocol: 'udp' | 'tcp';
	port: number;
	type: IceCandidateType;
	tcpType?: IceCandidateTcpType;
};

export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';
/** mediaplane, as mediasoup, is always ICE Lite: 'controlled'. */
export type IceRole = 'controlled' | 'controlling';
/** mediaplane, as mediasoup, only gathers host candidates. */
export type IceCandidateType = 'host';
/** mediaplane, as mediasoup, only listens for TCP ('passive'). */
export type IceCandidateTcpType = 'passive';

export type DtlsRole = 'auto' | 'client' | 'server';
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';
export type DtlsFingerprint = { algorithm: FingerprintAlgorithm; value: string };
export type DtlsParameters = { role?: DtlsRole; fingerprints: DtlsFingerprint[] };

export type WebRtcTransportOptions<T extends AppData = AppData> = {
	/** Listen on these (mutually exclusive with webRtcServer and listenIps). */
	listenInfos?: TransportListenInfo[];
	/** @deprecated The older form of listenInfos. */
	listenIps?: (TransportListenIp | string)[];
	/** @deprecated With listenIps: a fixed port. */
	port?: number;
	/** Share this WebRtcServer's ports instead of opening new ones. */
	webRtcServer?: WebRtcServer;
	enableUdp?: boolean;
	enableTcp?: boolean;
	preferUdp?: boolean;
	preferTcp?: boolean;
	/** Seconds without a valid ICE request before iceState becomes 'disconnected' (default 30). */
	iceConsentTimeout?: number;
	initialAvailableOutgoingBitrate?: number;
	/** Data channels: an SCTP association over DTLS (RFC 8261). Default false. */
	enableSctp?: boolean;
	/** @deprecated mediasoup 3.14 (3.20+ offers 65535 streams each way). */
	numSctpStreams?: NumSctpStreams;
	/** @deprecated mediasoup 3.14: maxReceiveMessageSize. */
	maxSctpMessageSize?: number;
	/** Largest message sent to the endpoint (default 262144). */
	maxSendMessageSize?: number;
	/** Largest message accepted from the endpoint (default 262144). */
	maxReceiveMessageSize?: number;
	/** Bytes queued or in flight on the association (default 2000000). */
	sctpSendBufferSize?: number;
	/** Bytes queued per stream (default 2000000). */
	sctpPerStreamSendQueueLimit?: number;
	/** Receive window (default 5242880). */
	sctpMaxReceiverWindowBufferSize?: number;
	/** Default 'bufferedamountlow' threshold of the DataConsumers (default 1024). */
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	appData?: T;
};

export type WebRtcTransportDump = BaseTransportDump & {
	iceRole: 'controlled';
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsParameters: DtlsParameters;
	dtlsState: DtlsState;
	dtlsRemoteCert?: string;
};

export type WebRtcTransportStat = BaseTransportStats & {
	type: string;
	iceRole: string;
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsState: DtlsState;
};

export type WebRtcTransportEvents = TransportEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

export type WebRtcTransportObserverEvents = TransportObserverEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

export type WebRtcTransportObserver = EnhancedEventEmitter<WebRtcTransportObserverEvents>;

type WebRtcTransportConstructorOptions<T extends AppData> = {
	transportId: string;
	routerId: string;
	channel: Channel;
	appData: T;
	dump: WebRtcTransportDump;
	webRtcServer?: WebRtcServer;
	routerAccess: RouterAccess;
};

/**
 * A WebRTC transport (ICE-lite, DTLS, SRTP over UDP and/or ICE-TCP) towards a browser or
 * any WebRTC endpoint. Created with router.createWebRtcTransport().
 */
export class WebRtcTransport<T extends AppData = AppData> extends Transport<
	T,
	WebRtcTransportEvents,
	WebRtcTransportObserverEvents
> {
	/** 'webrtc' (mediasoup 3.15+). */
	get type(): 'webrtc' {
		return 'webrtc';
	}

	readonly #routerId: string;
	#iceParameters: IceParameters;
	readonly #iceCandidates: IceCandidate[];
	#iceState: IceState;
	#iceSelectedTuple?: TransportTuple;
	#dtlsParameters: DtlsParameters;
	#dtlsState: DtlsState;
	#dtlsRemoteCert?: string;
	readonly #webRtcServer?: WebRtcServer;

	/** @private Use router.createWebRtcTransport(). */
	constructor({ transportId, routerId, channel, appData, dump, webRtcServer, routerAccess }: WebRtcTransportConstructorOptions<T>) {
		super({ transportId, channel, appData, routerAccess });
		this.#routerId = routerId;
		this.#iceParameters = dump.iceParameters;
		this.#iceCandidates = dump.iceCandidates;
		this.#iceState = dump.iceState;
		this.#iceSelectedTuple = dump.iceSelectedTuple;
		this.#dtlsParameters = dump.dtlsParameters;
		this.#dtlsState = dump.dtlsState;
		this.initSctp(dump);
		this.#webRtcServer = webRtcServer;
	}

	get iceRole(): 'controlled' {
		return 'controlled';
	}

	get iceParameters(): IceParameters {
		return { ...this.#iceParameters };
	}

	get iceCandidates(): IceCandidate[] {
		return this.#iceCandidates.map((c) => ({ ...c }));
	}

	get iceState(): IceState {
		return this.#iceState;
	}

	get iceSelectedTuple(): TransportTuple | undefined {
		return this.#iceSelectedTuple ? { ...this.#iceSelectedTuple } : undefined;
	}

	get dtlsParameters(): DtlsParameters {
		return { role: this.#dtlsParameters.role, fingerprints: this.#dtlsParameters.fingerprints.map((f) => ({ ...f })) };
	}

	get dtlsState(): DtlsState {
		return this.#dtlsState;
	}

	get dtlsRemoteCert(): string | undefined {
		return this.#dtlsRemoteCert;
	}

	get sctpParameters(): SctpParameters | undefined {
		return this.sctpParametersCopy;
	}

	get sctpState(): SctpState | undefined {
		return this.currentSctpState;
	}

	/** The stream counts the association agreed on (once connected). */
	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined {
		return this.sctpNegotiatedCapabilitiesCopy;
	}

	/** @private The WebRtcServer this transport listens on, if any. */
	get webRtcServer(): WebRtcServer | undefined {
		return this.#webRtcServer;
	}

	protected get routerId(): string {
		return this.#routerId;
	}

	override async dump(): Promise<WebRtcTransportDump> {
		return (await super.dump()) as WebRtcTransportDump;
	}

	override async getStats(): Promise<WebRtcTransportStat[]> {
		return (await super.getStats()) as WebRtcTransportStat[];
	}

	/** Gives the remote DTLS parameters; starts DTLS once ICE has connected. */
	async connect({ dtlsParameters }: { dtlsParameters: DtlsParameters }): Promise<void> {
		validateDtlsParameters(dtlsParameters);
		this.assertOpen('connect()');
		const { dtlsLocalRole } = await this.channel.request<{ dtlsLocalRole: DtlsRole }>('transport.connect', this.id, {
			dtlsParameters,
		});
		this.#dtlsParameters = { ...this.#dtlsParameters, role: dtlsLocalRole };
	}

	/** New ICE credentials; the peer must do an ICE restart with them. */
	async restartIce(): Promise<IceParameters> {
		this.assertOpen('restartIce()');
		const { iceParameters } = await this.channel.request<{ iceParameters: IceParameters }>(
			'transport.restartIce',
			this.id
		);
		this.#iceParameters = iceParameters;
		return { ...iceParameters };
	}

	protected override markClosed(): void {
		this.#iceState = 'closed';
		this.#iceSelectedTuple = undefined;
		this.#dtlsState = 'closed';
		super.markClosed();
	}

	protected handleEngineEvent(event: string, data: unknown): void {
		if (this.handleSharedEngineEvent(event, data)) return;
		const d = data as Record<string, unknown>;
		switch (event) {
			case 'icestatechange': {
				this.#iceState = d.iceState as IceState;
				this.safeEmit('icestatechange', this.#iceState);
				this.observer.safeEmit('icestatechange', this.#iceState);
				break;
			}
			case 'iceselectedtuplechange': {
				this.#iceSelectedTuple = d.iceSelectedTuple as TransportTuple;
				this.safeEmit('iceselectedtuplechange', this.#iceSelectedTuple);
				this.observer.safeEmit('iceselectedtuplechange', this.#iceSelectedTuple);
				break;
			}
			case 'dtlsstatechange': {
				this.#dtlsState = d.dtlsState as DtlsState;
				if (this.#dtlsState === 'connected') this.#dtlsRemoteCert = d.dtlsRemoteCert as string | undefined;
				this.safeEmit('dtlsstatechange', this.#dtlsState);
				this.observer.safeEmit('dtlsstatechange', this.#dtlsState);
				break;
			}
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}
}

const ROLES: readonly DtlsRole[] = ['auto', 'client', 'server'];
const ALGORITHMS: readonly string[] = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];

function validateDtlsParameters(dtlsParameters: unknown): void {
	if (typeof dtlsParameters !== 'object' || dtlsParameters === null) {
		throw new TypeError('missing dtlsParameters');
	}
	const p = dtlsParameters as DtlsParameters;
	if (p.role !== undefined && !ROLES.includes(p.role)) throw new TypeError('invalid dtlsParameters.role');
	if (!Array.isArray(p.fingerprints) || p.fingerprints.length === 0) {
		throw new TypeError('missing dtlsParameters.fingerprints');
	}
	for (const fingerprint of p.fingerprints) {
		if (typeof fingerprint !== 'object' || fingerprint === null) {
			throw new TypeError('invalid dtlsParameters.fingerprints entry');
		}
		if (!ALGORITHMS.includes(fingerprint.algorithm)) {
			throw new TypeError('invalid dtlsParameters.fingerprints[].algorithm');
		}
		if (typeof fingerprint.value !== 'string' || !/^([0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2}$/.test(fingerprint.value)) {
			throw new TypeError('invalid dtlsParameters.fingerprints[].value');
		}
	}
}

useMediasoupClassName(WebRtcTransport, 'WebRtcTransportImpl');
