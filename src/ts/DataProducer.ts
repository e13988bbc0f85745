import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import type {
	DataProducerDump,
	DataProducerEvents,
	DataProducerObserverEvents,
	DataProducerStat,
	DataProducerType,
} from './DataProducerTypes';
import type { SctpStreamParameters } from './SctpParameters';
import { AppData, clone, useMediasoupClassName } from './utils';

export type * from './DataProducerTypes';

const logger = new Logger('DataProducer');

// WebRTC payload protocol identifiers (RFC 8831 §8): string, binary, and the PPIDs that
// stand for an empty string or binary message (sent as one byte, RFC 8831 §6.6).
export const PPID_STRING = 51;
export const PPID_BINARY = 53;
export const PPID_STRING_EMPTY = 56;
export const PPID_BINARY_EMPTY = 57;

/**
 * The PPID a message travels with when none is given, and the bytes that go on the wire
 * (an empty message is one byte with an *Empty PPID, as mediasoup sends it).
 */
export function messagePayload(message: string | Buffer, ppid: number | undefined): { ppid: number; data: Buffer } {
	if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
		throw new TypeError('message must be a string or a Buffer');
	}
	if (ppid !== undefined && (typeof ppid !== 'number' || !Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff)) {
		throw new TypeError('invalid ppid: must be an unsigned 32-bit integer');
	}
	const isString = typeof message === 'string';
	const resolved = ppid ?? (isString ? (message.length > 0 ? PPID_STRING : PPID_STRING_EMPTY) : message.length > 0 ? PPID_BINARY : PPID_BINARY_EMPTY);
	if (resolved === PPID_STRING_EMPTY) return { ppid: resolved, data: Buffer.from(' ') };
	if (resolved === PPID_BINARY_EMPTY) return { ppid: resolved, data: Buffer.alloc(1) };
	return { ppid: resolved, data: isString ? Buffer.from(message) : message };
}

function validateSubchannel(value: unknown, name: string): void {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
		throw new TypeError(`invalid ${name}: must be an integer between 0 and 65535`);
	}
}

/**
 * @private A list of subchannels as the engine takes them: non-negative integers, taken
 * modulo 65536 as mediasoup does (it stores them as uint16, so 65536 means 0).
 */
export function normalizedSubchannels(value: unknown, name: string): number[] {
	if (!Array.isArray(value)) throw new TypeError(`invalid ${name}: must be an array`);
	return value.map((item) => {
		if (typeof item !== 'number' || !Number.isInteger(item) || item < 0) {
			throw new TypeError(`invalid ${name} entry: must be a non-negative integer`);
		}
		return item % 65536;
	});
}

type DataProducerConstructorOptions<T extends AppData> = {
	dataProducerId: string;
	transportId: string;
	type: DataProducerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	paused: boolean;
	channel: Channel;
	appData: T;
};

/**
 * Messages entering the router: an endpoint's data channel (one SCTP stream of its
 * transport, type 'sctp') or the application (`send()` on a DirectTransport, type
 * 'direct'). Every DataConsumer of it gets them.
 */
export class DataProducer<T extends AppData = AppData> extends EnhancedEventEmitter<DataProducerEvents> {
	readonly #id: string;
	readonly #transportId: string;
	readonly #type: DataProducerType;
	readonly #sctpStreamParameters?: SctpStreamParameters;
	readonly #label: string;
	readonly #protocol: string;
	readonly #channel: Channel;
	readonly #observer = new EnhancedEventEmitter<DataProducerObserverEvents>();
	#closed = false;
	#paused: boolean;
	#appData: T;

	/** @private Use transport.produceData(). */
	constructor(options: DataProducerConstructorOptions<T>) {
		super();
		this.#id = options.dataProducerId;
		this.#transportId = options.transportId;
		this.#type = options.type;
		this.#sctpStreamParameters = options.sctpStreamParameters;
		this.#label = options.label;
		this.#protocol = options.protocol;
		this.#paused = options.paused;
		this.#channel = options.channel;
		this.#appData = options.appData;
	}

	get id(): string {
		return this.#id;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get type(): DataProducerType {
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

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<DataProducerObserverEvents> {
		return this.#observer;
	}

	/** Closes the data producer (and, in the router, its data consumers). Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#closed = true;
		this.#channel
			.request('transport.closeDataProducer', this.#transportId, { dataProducerId: this.#id })
			.catch((error: Error) => logger.debug('transport.closeDataProducer failed: %s', error.message));
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private The transport closed. */
	transportClosed(): void {
		if (this.#closed) return;
		logger.debug('transportClosed()');
		this.#closed = true;
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<DataProducerDump> {
		this.#assertOpen('dump()');
		return this.#channel.request<DataProducerDump>('dataProducer.dump', this.#id);
	}

	async getStats(): Promise<DataProducerStat[]> {
		this.#assertOpen('getStats()');
		return this.#channel.request<DataProducerStat[]>('dataProducer.getStats', this.#id);
	}

	async pause(): Promise<void> {
		this.#assertOpen('pause()');
		await this.#channel.request('dataProducer.pause', this.#id);
		const wasPaused = this.#paused;
		this.#paused = true;
		if (!wasPaused) this.#observer.safeEmit('pause');
	}

	async resume(): Promise<void> {
		this.#assertOpen('resume()');
		await this.#channel.request('dataProducer.resume', this.#id);
		const wasPaused = this.#paused;
		this.#paused = false;
		if (wasPaused) this.#observer.safeEmit('resume');
	}

	/**
	 * Sends a message to the data consumers (DirectTransport only). Fire and forget, as
	 * in mediasoup. `subchannels`: only data consumers subscribed to one of them get it;
	 * `requiredSubchannel`: only those subscribed to it; `ignoredSubchannel`: not those
	 * subscribed to it.
	 */
	send(
		message: string | Buffer,
		ppid?: number,
		subchannels?: number[],
		requiredSubchannel?: number,
		ignoredSubchannel?: number
	): void {
		if (this.#closed) throw closedObjectError('DataProducer', 'send()', this.#channel.closed);
		if (this.#type !== 'direct') throw new TypeError('send() is only for DataProducers of a DirectTransport');
		const payload = messagePayload(message, ppid);
		const engineSubchannels = subchannels === undefined ? [] : normalizedSubchannels(subchannels, 'subchannels');
		if (requiredSubchannel !== undefined) validateSubchannel(requiredSubchannel, 'requiredSubchannel');
		if (ignoredSubchannel !== undefined) validateSubchannel(ignoredSubchannel, 'ignoredSubchannel');
		this.#channel
			.requestWithBinary('dataProducer.send', this.#id, {
				ppid: payload.ppid,
				data: payload.data,
				subchannels: engineSubchannels,
				requiredSubchannel: requiredSubchannel ?? null,
				ignoredSubchannel: ignoredSubchannel ?? null,
			})
			.catch((error: Error) => logger.debug('dataProducer.send failed: %s', error.message));
	}

	#assertOpen(method: string): void {
		if (this.#closed) throw closedObjectError('DataProducer', method, this.#channel.closed);
	}
}

useMediasoupClassName(DataProducer, 'DataProducerImpl');
