/**
 * DataProducer types, with mediasoup 3.27's names and shapes. Data channels are being
 * built under another issue: until they land, these let an application written for
 * mediasoup compile against mediaplane (there is no DataProducer at run time yet).
 * When the class lands, have it implement `DataProducer` (or export the class under
 * this name from types.ts instead).
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

/** Receives messages from an endpoint (DataChannel) or the application (DirectTransport). */
export interface DataProducer<DataProducerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataProducerEvents> {
	get id(): string;
	get closed(): boolean;
	get type(): DataProducerType;
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	get label(): string;
	get protocol(): string;
	get paused(): boolean;
	get appData(): DataProducerAppData;
	set appData(appData: DataProducerAppData);
	get observer(): DataProducerObserver;
	close(): void;
	transportClosed(): void;
	dump(): Promise<DataProducerDump>;
	getStats(): Promise<DataProducerStat[]>;
	pause(): Promise<void>;
	resume(): Promise<void>;
	/** DirectTransport only: sends a message (string or binary) to the consumers. */
	send(
		message: string | Buffer,
		ppid?: number,
		subchannels?: number[],
		requiredSubchannel?: number,
		ignoredSubchannel?: number
	): void;
}
