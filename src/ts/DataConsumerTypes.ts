/**
 * DataConsumer types, with mediasoup 3.27's names and shapes. The class is in DataConsumer.ts.
 */
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { SctpStreamParameters } from './SctpParameters';
import type { AppData } from './utils';

export type DataConsumerOptions<DataConsumerAppData extends AppData = AppData> = {
	/** The DataProducer to consume. */
	dataProducerId: string;
	/** SCTP only: in-order delivery (default: the DataProducer's). */
	ordered?: boolean;
	/** SCTP only: partial reliability by lifetime, in ms. */
	maxPacketLifeTime?: number;
	/** SCTP only: partial reliability by retransmission count. */
	maxRetransmits?: number;
	/** Start paused (default false). */
	paused?: boolean;
	/** Subchannels this DataConsumer takes messages from (see DataProducer send()). */
	subchannels?: number[];
	appData?: DataConsumerAppData;
};

/** 'sctp' (SCTP association) or 'direct' (DirectTransport). */
export type DataConsumerType = 'sctp' | 'direct';

export type DataConsumerDump = {
	id: string;
	paused: boolean;
	dataProducerPaused: boolean;
	subchannels: number[];
	dataProducerId: string;
	type: DataConsumerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	bufferedAmount: number;
	bufferedAmountLowThreshold: number;
};

export type DataConsumerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesSent: number;
	bytesSent: number;
	bufferedAmount: number;
};

export type DataConsumerEvents = {
	transportclose: [];
	dataproducerclose: [];
	dataproducerpause: [];
	dataproducerresume: [];
	/** DirectTransport only: a message (payload, PPID). */
	message: [Buffer, number];
	sctpsendbufferfull: [];
	/** The buffered amount went down to the threshold (the amount). */
	bufferedamountlow: [number];
	'@close': [];
	'@dataproducerclose': [];
};

export type DataConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

export type DataConsumerObserver = EnhancedEventEmitter<DataConsumerObserverEvents>;
