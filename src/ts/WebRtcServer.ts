import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { closedObjectError } from './engineErrors';
import { Logger } from './Logger';
import { TransportListenInfo } from './TransportTypes';
import { AppData, useMediasoupClassName } from './utils';
import type { WebRtcTransport } from './WebRtcTransport';

const logger = new Logger('WebRtcServer');

export type WebRtcServerOptions<T extends AppData = AppData> = {
	listenInfos: TransportListenInfo[];
	appData?: T;
};

export type WebRtcServerDump = {
	id: string;
	udpSockets: { ip: string; port: number }[];
	tcpServers: { ip: string; port: number }[];
	webRtcTransportIds: string[];
	localIceUsernameFragments: { localIceUsernameFragment: string; webRtcTransportId: string }[];
	/** mediaplane's: the tuples the server has seen, by transport. */
	tupleHashes?: { tupleHash: number; webRtcTransportId: string }[];
};

export type WebRtcServerEvents = {
	workerclose: [];
	listenererror: [string, Error];
	'@close': [];
};

export type WebRtcServerObserverEvents = {
	close: [];
	webrtctransporthandled: [WebRtcTransport];
	webrtctransportunhandled: [WebRtcTransport];
};

export type WebRtcServerObserver = EnhancedEventEmitter<WebRtcServerObserverEvents>;

/** Where a WebRtcServer listens: a TransportListenInfo. */
export type WebRtcServerListenInfo = TransportListenInfo;

/** An IP address and port (WebRtcServerDump sockets). */
export type IpPort = {
	ip: string;
	port: number;
};

/** A local ICE username fragment and the WebRtcTransport it belongs to (WebRtcServerDump). */
export type IceUserNameFragment = {
	localIceUsernameFragment: string;
	webRtcTransportId: string;
};

/**
 * Shared UDP/TCP ports for many WebRtcTransports (worker.createWebRtcServer()). Closing
 * it closes every transport on it ('listenserverclose').
 */
export class WebRtcServer<T extends AppData = AppData> extends EnhancedEventEmitter<WebRtcServerEvents> {
	readonly #id: string;
	readonly #channel: Channel;
	readonly #transports = new Set<WebRtcTransport>();
	readonly #observer = new EnhancedEventEmitter<WebRtcServerObserverEvents>();
	#closed = false;
	#appData: T;

	/** @private Use worker.createWebRtcServer(). */
	constructor({ webRtcServerId, channel, appData }: { webRtcServerId: string; channel: Channel; appData: T }) {
		super();
		this.#id = webRtcServerId;
		this.#channel = channel;
		this.#appData = appData;
	}

	get id(): string {
		return this.#id;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get appData(): T {
		return this.#appData;
	}

	set appData(appData: T) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<WebRtcServerObserverEvents> {
		return this.#observer;
	}

	/** Closes the server and every transport on it. Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#closed = true;
		this.#closeTransports();
		this.#channel
			.request('worker.closeWebRtcServer', undefined, { webRtcServerId: this.#id })
			.catch((error: Error) => logger.debug('worker.closeWebRtcServer failed: %s', error.message));
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** @private The worker closed. */
	workerClosed(): void {
		if (this.#closed) return;
		logger.debug('workerClosed()');
		this.#closed = true;
		// Its transports were closed by their routers ('routerclose').
		this.#transports.clear();
		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	/** @private For tests (as mediasoup's `webRtcTransportsForTesting`): its open transports by id. */
	get webRtcTransportsForTesting(): Map<string, WebRtcTransport> {
		return new Map([...this.#transports].map((transport) => [transport.id, transport]));
	}

	async dump(): Promise<WebRtcServerDump> {
		if (this.#closed) throw closedObjectError('WebRtcServer', 'dump()', this.#channel.closed);
		return this.#channel.request<WebRtcServerDump>('webRtcServer.dump', this.#id);
	}

	/** @private A transport was created on this server. */
	handleWebRtcTransport(transport: WebRtcTransport): void {
		// Public in the class for the library's own use; whatever else is passed must not
		// get into the set that close() walks.
		if (typeof (transport as { listenServerClosed?: unknown } | undefined)?.listenServerClosed !== 'function') {
			throw new TypeError('handleWebRtcTransport(): transport must be a WebRtcTransport');
		}
		this.#transports.add(transport);
		this.#observer.safeEmit('webrtctransporthandled', transport);
		transport.on('@close', () => {
			this.#transports.delete(transport);
			this.#observer.safeEmit('webrtctransportunhandled', transport);
		});
	}

	#closeTransports(): void {
		for (const transport of this.#transports) {
			transport.listenServerClosed();
			this.#observer.safeEmit('webrtctransportunhandled', transport);
		}
		this.#transports.clear();
	}
}

useMediasoupClassName(WebRtcServer, 'WebRtcServerImpl');
