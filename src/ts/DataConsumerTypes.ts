/**
 * DataConsumer types, with mediasoup 3.27's names and shapes. Data channels are being
 * built under another issue: until they land, these let an application written for
 * mediasoup compile against mediaplane (there is no DataConsumer at run time yet).
 * When the class lands, have it implement `DataConsumer` (or export the class under
 * this name from types.ts instead).
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

/** Sends a DataProducer's messages to an endpoint (DataChannel) or the application. */
export interface DataConsumer<DataConsumerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataConsumerEvents> {
	get id(): string;
	get dataProducerId(): string;
	get closed(): boolean;
	get type(): DataConsumerType;
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	get label(): string;
	get protocol(): string;
	get paused(): boolean;
	get dataProducerPaused(): boolean;
	get subchannels(): number[];
	get appData(): DataConsumerAppData;
	set appData(appData: DataConsumerAppData);
	get observer(): DataConsumerObserver;
	close(): void;
	transportClosed(): void;
	dump(): Promise<DataConsumerDump>;
	getStats(): Promise<DataConsumerStat[]>;
	pause(): Promise<void>;
	resume(): Promise<void>;
	setBufferedAmountLowThreshold(threshold: number): Promise<void>;
	getBufferedAmount(): Promise<number>;
	/** Sends a message to the endpoint; resolves to the buffered amount. */
	send(message: string | Buffer, ppid?: number): Promise<number>;
	setSubchannels(subchannels: number[]): Promise<void>;
	addSubchannel(subchannel: number): Promise<void>;
	removeSubchannel(subchannel: number): Promise<void>;
}
