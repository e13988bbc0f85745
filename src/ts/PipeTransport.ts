import { Consumer } from './Consumer';
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { TransportEvents, TransportObserverEvents } from './Transport';
import type { SctpState } from './TransportTypes';
import { PlainTransport, PlainTransportDump, PlainTransportStat, SrtpParameters } from './PlainTransport';
import type { BaseTransportDump, BaseTransportStats, TransportTuple } from './TransportTypes';
import { AppData, isPlainObject, useMediasoupClassName } from './utils';

export type PipeTransportOptions<T extends AppData = AppData> = {
	listenInfo?: import('./TransportTypes').TransportListenInfo;
	/** @deprecated The older form of listenInfo. */
	listenIp?: import('./TransportTypes').TransportListenIp | string;
	/** @deprecated With listenIp: a fixed port. */
	port?: number;
	/** SCTP over the pipe's UDP, to pipe DataProducers (default false). */
	enableSctp?: boolean;
	/** @deprecated mediasoup 3.14. */
	numSctpStreams?: import('./SctpParameters').NumSctpStreams;
	/** @deprecated mediasoup 3.14: maxReceiveMessageSize. */
	maxSctpMessageSize?: number;
	/** SCTP options with mediasoup 3.20+'s defaults (see WebRtcTransportOptions). */
	sctpSendBufferSize?: number;
	maxSendMessageSize?: number;
	maxReceiveMessageSize?: number;
	sctpPerStreamSendQueueLimit?: number;
	sctpMaxReceiverWindowBufferSize?: number;
	sctpDefaultStreamBufferedAmountLowThreshold?: number;
	/** Retransmit lost packets over the pipe (NACK + RTX). Default false. */
	enableRtx?: boolean;
	enableSrtp?: boolean;
	appData?: T;
};

/** pipeTransport.consume() options: the producer to pipe. */
export type PipeConsumerOptions<ConsumerAppData extends AppData = AppData> = {
	producerId: string;
	appData?: ConsumerAppData;
};

/** A PipeTransport's events (mediasoup's; it also emits PlainTransport's tuple events). */
export type PipeTransportEvents = TransportEvents & {
	sctpstatechange: [SctpState];
};

export type PipeTransportObserverEvents = TransportObserverEvents & {
	sctpstatechange: [SctpState];
};

export type PipeTransportObserver = EnhancedEventEmitter<PipeTransportObserverEvents>;

export type PipeTransportDump = BaseTransportDump & {
	tuple: TransportTuple;
	/** enableRtx: NACK and RTX across the pipe. */
	rtx: boolean;
	srtpParameters?: SrtpParameters;
};

export type PipeTransportStat = BaseTransportStats & {
	type: string;
	tuple: TransportTuple;
};

/**
 * A transport between two routers (router.pipeToRouter(), or by hand between processes
 * and hosts: create one on each side, exchange tuple and srtpParameters, connect()).
 * RTP and RTCP muxed on one UDP port; consumers here are 'pipe' consumers that carry the
 * producer's stream as the router sees it.
 */
export class PipeTransport<T extends AppData = AppData> extends PlainTransport<T> {
	/** 'pipe' (mediasoup 3.15+). */
	override get type(): 'pipe' {
		return 'pipe';
	}

	#enableRtx = false;

	/** A pipe's dump (it also carries PlainTransport's rtcpMux: true and comedia: false). */
	override async dump(): Promise<PipeTransportDump & PlainTransportDump> {
		const dump = await super.dump();
		return { ...dump, rtx: this.#enableRtx };
	}

	override async getStats(): Promise<(PipeTransportStat & PlainTransportStat)[]> {
		return super.getStats();
	}

	/** @private */
	setEnableRtx(enableRtx: boolean): void {
		this.#enableRtx = enableRtx;
	}

	/** Pipes a producer of this router to the other end (where it is produced again). */
	override async consume<C extends AppData = AppData>({ producerId, appData }: { producerId: string; appData?: C } & Record<string, unknown>): Promise<Consumer<C>> {
		if (typeof producerId !== 'string' || producerId.length === 0) throw new TypeError('missing producerId');
		return super.consume<C>({
			producerId,
			rtpCapabilities: { codecs: [], headerExtensions: [] },
			pipe: true,
			enableRtx: this.#enableRtx,
			appData: appData as C,
		});
	}

	override async connect(params: { ip?: string; port?: number; srtpParameters?: import('./PlainTransport').SrtpParameters } = {}): Promise<void> {
		if (!isPlainObject(params)) throw new TypeError('options must be an object');
		return super.connect(params);
	}
}

useMediasoupClassName(PipeTransport, 'PipeTransportImpl');
