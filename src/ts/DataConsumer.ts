import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import { messagePayload, normalizedSubchannels } from './DataProducer';
import type {
	DataConsumerDump,
	DataConsumerEvents,
	DataConsumerObserverEvents,
	DataConsumerStat,
	DataConsumerType,
} from './DataConsumerTypes';
import type { SctpStreamParameters } from './SctpParameters';
import { AppData, clone, useMediasoupClassName } from './utils';

export type * from './DataConsumerTypes';

const logger = new Logger('DataConsumer');

type DataConsumerConstructorOptions<T extends AppData> = {
	dataConsumerId: string;
	dataProducerId: string;
	transportId: string;
	type: DataConsumerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	paused: boolean;
	dataProducerPaused: boolean;
	subchannels: number[];
	bufferedAmountLowThreshold: number;
	channel: Channel;
	appData: T;
};

/**
 * A DataProducer's messages leaving the router: to an endpoint's data channel (an
 * outgoing SCTP stream of its transport, type 'sctp') or to the application ('message'
 * events on a DirectTransport, type 'direct').
 */
export class DataConsumer<T extends AppData = AppData> extends EnhancedEventEmitter<DataConsumerEvents> {
	readonly #id: string;
	readonly #dataProducerId: string;
	readonly #transportId: string;
	readonly #type: DataConsumerType;
	readonly #sctpStreamParameters?: SctpStreamParameters;
	readonly #label: string;
	readonly #protocol: string;
	readonly #channel: Channel;
	readonly #observer = new EnhancedEventEmitter<DataConsumerObserverEvents>();
	#closed = false;
	#paused: boolean;
	#dataProducerPaused: boolean;
	#subchannels: number[];
	#bufferedAmountLowThreshold: number;
	#appData: T;

	/** @private Use transport.consumeData(). */
	constructor(options: DataConsumerConstructorOptions<T>) {
		super();
		this.#id = options.dataConsumerId;
		this.#dataProducerId = options.dataProducerId;
		this.#transportId = options.transportId;
		this.#type = options.type;
		this.#sctpStreamParameters = options.sctpStreamParameters;
		this.#label = options.label;
		this.#protocol = options.protocol;
		this.#paused = options.paused;
		this.#dataProducerPaused = options.dataProducerPaused;
		this.#subchannels = options.subchannels;
		this.#bufferedAmountLowThreshold = options.bufferedAmountLowThreshold;
		this.#channel = options.channel;
		this.#appData = options.appData;
		this.#channel.subscribe(this.#id, (event, data) => this.#onEngineEvent(event, data));
	}

	get id(): string {
		return this.#id;
	}

	get dataProducerId(): string {
		return this.#dataProducerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get type(): DataConsumerType {
		return this.#type;
	}

	get sctpStreamParameters(): SctpStreamParameters | undefined {
		return this.#sctpStreamParameters ? clone(this.#sctpStreamParameters) : undefined;
	}

	get label(): string {
		return this.#label;
	}

	get protocol(): string {
		return this.#protocol;
	}

	get paused(): boolean {
		return this.#paused;
	}

	get dataProducerPaused(): boolean {
		return this.#dataProducerPaused;
	}

	get subchannels(): number[] {
		return Array.from(this.#subchannels);
	}

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<DataConsumerObserverEvents> {
		return this.#observer;
	}

	/** Closes the data consumer (the endpoint's data channel closes with it). Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#markClosed();
		this.#channel
			.request('transport.closeDataConsumer', this.#transportId, { dataConsumerId: this.#id })
			.catch((error: Error) => logger.debug('transport.closeDataConsumer failed: %s', error.message));
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private The transport closed. */
	transportClosed(): void {
		if (this.#closed) return;
		logger.debug('transportClosed()');
		this.#markClosed();
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<DataConsumerDump> {
		this.#assertOpen('dump()');
		return this.#channel.request<DataConsumerDump>('dataConsumer.dump', this.#id);
	}

	async getStats(): Promise<DataConsumerStat[]> {
		this.#assertOpen('getStats()');
		return this.#channel.request<DataConsumerStat[]>('dataConsumer.getStats', this.#id);
	}

	async pause(): Promise<void> {
		this.#assertOpen('pause()');
		await this.#channel.request('dataConsumer.pause', this.#id);
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused && !this.#dataProducerPaused) this.#observer.safeEmit('pause');
	}

	async resume(): Promise<void> {
		this.#assertOpen('resume()');
		await this.#channel.request('dataConsumer.resume', this.#id);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused && !this.#dataProducerPaused) this.#observer.safeEmit('resume');
	}

	/** 'bufferedamountlow' fires when the buffered amount falls to this many bytes. */
	async setBufferedAmountLowThreshold(threshold: number): Promise<void> {
		if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 0 || threshold > 0xffffffff) {
			throw new TypeError('invalid threshold: must be a non-negative integer');
		}
		this.#assertOpen('setBufferedAmountLowThreshold()');
		await this.#channel.request('dataConsumer.setBufferedAmountLowThreshold', this.#id, { threshold });
		this.#bufferedAmountLowThreshold = threshold;
	}

	/** Bytes queued in the SCTP stream and not yet acknowledged by the endpoint. */
	async getBufferedAmount(): Promise<number> {
		this.#assertOpen('getBufferedAmount()');
		const { bufferedAmount } = await this.#channel.request<{ bufferedAmount: number }>(
			'dataConsumer.getBufferedAmount',
			this.#id
		);
		return bufferedAmount;
	}

	/**
	 * Sends a message to the endpoint on this DataConsumer's stream (SCTP only). Resolves
	 * to the buffered amount once queued; rejects when the send buffer is full
	 * ('sctpsendbufferfull' is emitted too) or the data consumer is not active.
	 */
	async send(message: string | Buffer, ppid?: number): Promise<number> {
		const payload = messagePayload(message, ppid);
		this.#assertOpen('send()');
		const { bufferedAmount } = await this.#channel.requestWithBinary<{ bufferedAmount: number }>(
			'dataConsumer.send',
			this.#id,
			{ ppid: payload.ppid, data: payload.data }
		);
		return bufferedAmount;
	}

	async setSubchannels(subchannels: number[]): Promise<void> {
		const list = normalizedSubchannels(subchannels, 'subchannels');
		this.#assertOpen('setSubchannels()');
		const result = await this.#channel.request<{ subchannels: number[] }>('dataConsumer.setSubchannels', this.#id, {
			subchannels: list,
		});
		this.#subchannels = result.subchannels;
	}

	async addSubchannel(subchannel: number): Promise<void> {
		const [value] = normalizedSubchannels([subchannel], 'subchannel');
		this.#assertOpen('addSubchannel()');
		const result = await this.#channel.request<{ subchannels: number[] }>('dataConsumer.addSubchannel', this.#id, {
			subchannel: value,
		});
		this.#subchannels = result.subchannels;
	}

	async removeSubchannel(subchannel: number): Promise<void> {
		const [value] = normalizedSubchannels([subchannel], 'subchannel');
		this.#assertOpen('removeSubchannel()');
		const result = await this.#channel.request<{ subchannels: number[] }>('dataConsumer.removeSubchannel', this.#id, {
			subchannel: value,
		});
		this.#subchannels = result.subchannels;
	}

	/** @private The bufferedamountlow threshold last set (the transport's default at first). */
	get bufferedAmountLowThreshold(): number {
		return this.#bufferedAmountLowThreshold;
	}

	#markClosed(): void {
		this.#closed = true;
		this.#channel.unsubscribe(this.#id);
	}

	#assertOpen(method: string): void {
		if (this.#closed) throw closedObjectError('DataConsumer', method, this.#channel.closed);
	}

	#onEngineEvent(event: string, data: unknown): void {
		switch (event) {
			case 'message': {
				if (this.#closed) break;
				const { ppid, data: payload } = data as { ppid: number; data: Buffer };
				this.safeEmit('message', payload, ppid);
				break;
			}
			case 'dataproducerclose': {
				if (this.#closed) break;
				this.#markClosed();
				this.emit('@dataproducerclose');
				this.safeEmit('dataproducerclose');
				this.#observer.safeEmit('close');
				break;
			}
			case 'dataproducerpause': {
				if (this.#dataProducerPaused) break;
				this.#dataProducerPaused = true;
				this.safeEmit('dataproducerpause');
				if (!this.#paused) this.#observer.safeEmit('pause');
				break;
			}
			case 'dataproducerresume': {
				if (!this.#dataProducerPaused) break;
				this.#dataProducerPaused = false;
				this.safeEmit('dataproducerresume');
				if (!this.#paused) this.#observer.safeEmit('resume');
				break;
			}
			case 'sctpsendbufferfull':
				this.safeEmit('sctpsendbufferfull');
				break;
			case 'bufferedamountlow':
				this.safeEmit('bufferedamountlow', (data as { bufferedAmount: number }).bufferedAmount);
				break;
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}
}

useMediasoupClassName(DataConsumer, 'DataConsumerImpl');
