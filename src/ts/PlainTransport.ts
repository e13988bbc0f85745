import { Channel } from './Channel';
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { Logger } from './Logger';
import { SctpNegotiatedCapabilities, SctpParameters, NumSctpStreams } from './SctpParameters';
import { RouterAccess, Transport, TransportEvents, TransportObserverEvents } from './Transport';
import { SctpState, TransportListenInfo, TransportListenIp, TransportTuple } from './TransportTypes';
import type { BaseTransportDump, BaseTransportStats } from './TransportTypes';
import { AppData, isPlainObject, clone, useMediasoupClassName } from './utils';

const logger = new Logger('PlainTransport');

export type SrtpCryptoSuite = 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export type SrtpParameters = { cryptoSuite: SrtpCryptoSuite; keyBase64: string };

export const SRTP_CRYPTO_SUITES: readonly SrtpCryptoSuite[] = [
	'AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32',
];

// Master key + salt lengths (RFC 3711 §8.2, RFC 7714 §12).
const SRTP_KEY_LENGTHS: Record<SrtpCryptoSuite, number> = {
	AEAD_AES_256_GCM: 44,
	AEAD_AES_128_GCM: 28,
	AES_CM_128_HMAC_SHA1_80: 30,
	AES_CM_128_HMAC_SHA1_32: 30,
};

export type PlainTransportOptions<T extends AppData = AppData> = {
	listenInfo?: TransportListenInfo;
	rtcpListenInfo?: TransportListenInfo;
	/** @deprecated The older form of listenInfo. */
	listenIp?: TransportListenIp | string;
	/** @deprecated With listenIp: a fixed port. */
	port?: number;
	rtcpMux?: boolean;
	comedia?: boolean;
	/** SCTP straight over UDP (no DTLS), as mediasoup; default false. */
	enableSctp?: boolean;
	/** @deprecated mediasoup 3.14 (3.20+ offers 65535 streams each way). */
	numSctpStreams?: NumSctpStreams;
	/** @deprecated mediasoup 3.14: maxReceiveMessageSize. */
	maxSctpMessageSize?: number;
	/** SCTP options with mediasoup 3.20+'s defaults (see WebRtcTransportOptions). */
	sctpSendBufferSize?: number;
	maxSendMessageSize?: number;
	maxReceiveMessageSize?: number;
	sctpPerStreamSendQueueLimit?: number;
	sctpMaxReceiverWindowBufferSize?: number;
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	enableSrtp?: boolean;
	srtpCryptoSuite?: SrtpCryptoSuite;
	appData?: T;
};

export type PlainTransportEvents = TransportEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

export type PlainTransportObserverEvents = TransportObserverEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

export type PlainTransportObserver = EnhancedEventEmitter<PlainTransportObserverEvents>;

export type PlainTransportDump = BaseTransportDump & {
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
	srtpParameters?: SrtpParameters;
};

export type PlainTransportStat = BaseTransportStats & {
	type: string;
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
};

type EngineDump = {
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
	srtpParameters?: { cryptoSuite: SrtpCryptoSuite; key: Buffer };
	[key: string]: unknown;
};

/** Converts the engine's srtpParameters (raw key) to the API's (base64). */
export function srtpParametersFromEngine(engine?: { cryptoSuite: SrtpCryptoSuite; key: Buffer }): SrtpParameters | undefined {
	if (!engine) return undefined;
	return { cryptoSuite: engine.cryptoSuite, keyBase64: Buffer.from(engine.key).toString('base64') };
}

/** Validates API srtpParameters and returns the engine's form (raw key bytes). */
export function srtpParametersToEngine(srtpParameters: unknown): { cryptoSuite: SrtpCryptoSuite; key: Buffer } {
	if (!isPlainObject(srtpParameters)) throw new TypeError('invalid srtpParameters: must be an object');
	const { cryptoSuite, keyBase64 } = srtpParameters as SrtpParameters;
	if (!SRTP_CRYPTO_SUITES.includes(cryptoSuite)) throw new TypeError('invalid srtpParameters.cryptoSuite');
	if (typeof keyBase64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) {
		throw new TypeError('invalid srtpParameters.keyBase64');
	}
	const key = Buffer.from(keyBase64, 'base64');
	if (key.length !== SRTP_KEY_LENGTHS[cryptoSuite]) {
		throw new TypeError(`invalid srtpParameters.keyBase64: ${cryptoSuite} needs ${SRTP_KEY_LENGTHS[cryptoSuite]} bytes of key and salt`);
	}
	return { cryptoSuite, key };
}

type PlainTransportConstructorOptions<T extends AppData> = {
	transportId: string;
	routerId: string;
	channel: Channel;
	appData: T;
	dump: EngineDump;
	rtcpMux: boolean;
	comedia: boolean;
	routerAccess: RouterAccess;
};

/** Plain RTP/RTCP (optionally SRTP) over UDP, for ffmpeg, GStreamer, recorders... */
export class PlainTransport<T extends AppData = AppData> extends Transport<T, PlainTransportEvents, PlainTransportObserverEvents> {
	/** 'plain' ('pipe' for a PipeTransport; mediasoup 3.15+). */
	get type(): 'plain' | 'pipe' {
		return 'plain';
	}

	readonly #routerId: string;
	#tuple: TransportTuple;
	#rtcpTuple?: TransportTuple;
	readonly #rtcpMux: boolean;
	readonly #comedia: boolean;
	#srtpParameters?: SrtpParameters;
	#connected = false;

	/** @private Use router.createPlainTransport(). */
	constructor(options: PlainTransportConstructorOptions<T>) {
		super({ transportId: options.transportId, channel: options.channel, appData: options.appData, routerAccess: options.routerAccess });
		this.#routerId = options.routerId;
		this.#tuple = options.dump.tuple;
		this.#rtcpTuple = options.dump.rtcpTuple;
		this.#rtcpMux = options.rtcpMux;
		this.#comedia = options.comedia;
		this.#srtpParameters = srtpParametersFromEngine(options.dump.srtpParameters);
		this.initSctp(options.dump as { sctpParameters?: SctpParameters; sctpState?: SctpState });
	}

	get tuple(): TransportTuple {
		return { ...this.#tuple };
	}

	get rtcpTuple(): TransportTuple | undefined {
		return this.#rtcpTuple ? { ...this.#rtcpTuple } : undefined;
	}

	get rtcpMux(): boolean {
		return this.#rtcpMux;
	}

	get comedia(): boolean {
		return this.#comedia;
	}

	/** Our SRTP key: the peer decrypts what we send with it. */
	get srtpParameters(): SrtpParameters | undefined {
		return this.#srtpParameters ? { ...this.#srtpParameters } : undefined;
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

	protected get routerId(): string {
		return this.#routerId;
	}

	override async dump(): Promise<PlainTransportDump> {
		const dump = (await super.dump()) as PlainTransportDump;
		// The engine holds the key as bytes; the API's form is base64.
		const srtpParameters = srtpParametersFromEngine(
			dump.srtpParameters as unknown as { cryptoSuite: SrtpCryptoSuite; key: Buffer } | undefined
		);
		if (srtpParameters) dump.srtpParameters = srtpParameters;
		else delete dump.srtpParameters;
		return dump;
	}

	override async getStats(): Promise<PlainTransportStat[]> {
		return (await super.getStats()) as PlainTransportStat[];
	}

	/**
	 * Gives the peer's address (unless comedia, which learns it from the first packet)
	 * and, with SRTP, the peer's key for what it sends.
	 */
	async connect({ ip, port, rtcpPort, srtpParameters }: { ip?: string; port?: number; rtcpPort?: number; srtpParameters?: SrtpParameters } = {}): Promise<void> {
		this.assertOpen('connect()');
		if (this.#connected) throw new Error('connect() already called');
		if (!this.#comedia) {
			if (typeof ip !== 'string' || ip.length === 0) throw new TypeError('missing ip');
			if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError('invalid port');
			if (!this.#rtcpMux && (typeof rtcpPort !== 'number' || !Number.isInteger(rtcpPort) || rtcpPort < 1 || rtcpPort > 65535)) {
				throw new TypeError('invalid rtcpPort (rtcpMux is off)');
			}
		}
		const engineSrtp = this.#srtpParameters ? srtpParametersToEngine(srtpParameters) : undefined;
		if (!this.#srtpParameters && srtpParameters !== undefined) throw new TypeError('srtpParameters given but enableSrtp is off');
		const result = await this.channel.requestWithBinary<{
			tuple?: TransportTuple;
			rtcpTuple?: TransportTuple;
			srtpParameters?: { cryptoSuite: SrtpCryptoSuite; key: Buffer };
		}>('transport.connect', this.id, {
			ip, port, rtcpPort, srtpParameters: engineSrtp,
		});
		this.#connected = true;
		if (result?.tuple) this.#tuple = result.tuple;
		if (result?.rtcpTuple) this.#rtcpTuple = result.rtcpTuple;
		// The remote's crypto suite is adopted for both directions (with a new local key
		// when it differs from the one we offered).
		if (result?.srtpParameters) this.#srtpParameters = srtpParametersFromEngine(result.srtpParameters);
	}

	protected handleEngineEvent(event: string, data: unknown): void {
		if (this.handleSharedEngineEvent(event, data)) return;
		const d = data as Record<string, unknown>;
		switch (event) {
			case 'tuple':
				this.#tuple = d.tuple as TransportTuple;
				this.safeEmit('tuple', this.#tuple);
				this.observer.safeEmit('tuple', this.#tuple);
				break;
			case 'rtcptuple':
				this.#rtcpTuple = d.rtcpTuple as TransportTuple;
				this.safeEmit('rtcptuple', this.#rtcpTuple);
				this.observer.safeEmit('rtcptuple', this.#rtcpTuple);
				break;
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}
}

useMediasoupClassName(PlainTransport, 'PlainTransportImpl');
