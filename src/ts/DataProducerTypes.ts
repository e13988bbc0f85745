/**
 * DataProducer types, with mediasoup 3.27's names and shapes. The class is in DataProducer.ts.
 */
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { SctpStreamParameters } from './SctpParameters';
import type { AppData } from './utils';

export type DataProducerOptions<DataProducerAppData extends AppData = AppData> = {
	/** The DataProducer's id (only with pipe transports, to keep the original's). */
	id?: string;
	/** The SCTP stream to receive on (SCTP transports); none on a DirectTransport. */
	sctpStreamParameters?: SctpStreamParameters;
	/** DataChannel label (default ''). */
	label?: string;
	/** DataChannel sub-protocol (default ''). */
	protocol?: string;
	/** Start paused (default false). */
	paused?: boolean;
	appData?: DataProducerAppData;
};

/** 'sctp' (SCTP association) or 'direct' (DirectTransport). */
export type DataProducerType = 'sctp' | 'direct';

export type DataProducerDump = {
	id: string;
	paused: boolean;
	type: DataProducerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
};

export type DataProducerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesReceived: number;
	bytesReceived: number;
};

export type DataProducerEvents = {
	transportclose: [];
	'@close': [];
};

export type DataProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

export type DataProducerObserver = EnhancedEventEmitter<DataProducerObserverEvents>;
