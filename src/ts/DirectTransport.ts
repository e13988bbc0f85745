import { Channel } from './Channel';
import { Consumer, ConsumerOptions } from './Consumer';
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { UnsupportedError } from './errors';
import { Logger } from './Logger';
import { RouterAccess, Transport, TransportEvents, TransportObserverEvents } from './Transport';
import type { BaseTransportDump, BaseTransportStats } from './TransportTypes';
import { AppData, useMediasoupClassName } from './utils';

const logger = new Logger('DirectTransport');

export type DirectTransportOptions<T extends AppData = AppData> = {
	/** Largest message data producers may send (data channels: a later issue). Default 262144. */
	maxSendMessageSize?: number;
	/** Largest message data consumers may receive. Default 262144. */
	maxReceiveMessageSize?: number;
	/** @deprecated Sets both of the above. */
	maxMessageSize?: number;
	appData?: T;
};

export type DirectTransportDump = BaseTransportDump;

export type DirectTransportStat = BaseTransportStats & {
	type: string;
};

export type DirectTransportEvents = TransportEvents & { rtcp: [Buffer] };
export type DirectTransportObserverEvents = TransportObserverEvents & { rtcp: [Buffer] };
export type DirectTransportObserver = EnhancedEventEmitter<DirectTransportObserverEvents>;

/**
 * RTP and RTCP to and from JavaScript, no network: `producer.send(buffer)` injects RTP,
 * consumers emit 'rtp' with each packet they send, `sendRtcp()` injects RTCP and the
 * transport's own RTCP arrives as 'rtcp' events.
 */
export class DirectTransport<T extends AppData = AppData> extends Transport<T, DirectTransportEvents, DirectTransportObserverEvents> {
	/** 'direct' (mediasoup 3.15+). */
	get type(): 'direct' {
		return 'direct';
	}

	readonly #routerId: string;
	readonly #routerAccess: RouterAccess;

	/** @private Use router.createDirectTransport(). */
	constructor(options: { transportId: string; routerId: string; channel: Channel; appData: T; routerAccess: RouterAccess }) {
		super({ transportId: options.transportId, channel: options.channel, appData: options.appData, routerAccess: options.routerAccess });
		this.#routerId = options.routerId;
		this.#routerAccess = options.routerAccess;
	}

	protected get routerId(): string {
		return this.#routerId;
	}

	protected override get isDirect(): boolean {
		return true;
	}

	override async dump(): Promise<DirectTransportDump> {
		return (await super.dump()) as DirectTransportDump;
	}

	override async getStats(): Promise<DirectTransportStat[]> {
		return (await super.getStats()) as DirectTransportStat[];
	}

	/** A DirectTransport needs no connect(); kept for API symmetry. */
	async connect(): Promise<void> {
		this.assertOpen('connect()');
	}

	/** Consumes with the router's own capabilities when none are given. */
	override async consume<C extends AppData = AppData>(options: Omit<ConsumerOptions<C>, 'rtpCapabilities'> & { rtpCapabilities?: ConsumerOptions<C>['rtpCapabilities'] }): Promise<Consumer<C>> {
		return super.consume<C>({ ...options, rtpCapabilities: options?.rtpCapabilities ?? this.#routerAccess.getRouterRtpCapabilities() } as ConsumerOptions<C>);
	}

	/** Injects one RTCP packet (compound or reduced-size). */
	// As mediasoup: a DirectTransport has no remote endpoint whose rate could be limited
	// or estimated. (The argument is not read.)
	override async setMaxIncomingBitrate(_bitrate: number): Promise<void> {
		throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
	}

	override async setMaxOutgoingBitrate(_bitrate: number): Promise<void> {
		throw new UnsupportedError('setMaxOutgoingBitrate() not implemented in DirectTransport');
	}

	override async setMinOutgoingBitrate(_bitrate: number): Promise<void> {
		throw new UnsupportedError('setMinOutgoingBitrate() not implemented in DirectTransport');
	}

	sendRtcp(rtcpPacket: Buffer): void {
		this.assertOpen('sendRtcp()');
		if (!Buffer.isBuffer(rtcpPacket)) throw new TypeError('rtcpPacket must be a Buffer');
		this.channel
			.requestWithBinary('transport.sendRtcp', this.id, { packet: rtcpPacket })
			.catch((error: Error) => logger.debug('transport.sendRtcp failed: %s', error.message));
	}

	protected handleEngineEvent(event: string, data: unknown): void {
		if (event === 'rtcp') {
			this.safeEmit('rtcp', data as Buffer);
			this.observer.safeEmit('rtcp', data as Buffer);
			return;
		}
		logger.warn('unexpected engine event "%s"', event);
	}
}

useMediasoupClassName(DirectTransport, 'DirectTransportImpl');
