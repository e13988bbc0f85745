import * as fs from 'node:fs';
import { Channel } from './Channel';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { WorkerClosedError } from './errors';
import { Logger } from './Logger';
import * as ortc from './ortc';
import { Router, RouterOptions } from './Router';
import { AppData, clone, generateUUIDv4, isPlainObject, validateAppData, useMediasoupClassName } from './utils';
import { normaliseListenInfos } from './listenInfos';
import { WebRtcServer, WebRtcServerOptions } from './WebRtcServer';

const logger = new Logger('Worker');

export type WorkerLogLevel = 'debug' | 'warn' | 'error' | 'none';

export type WorkerLogTag =
	| 'info'
	| 'ice'
	| 'dtls'
	| 'rtp'
	| 'srtp'
	| 'rtcp'
	| 'rtx'
	| 'bwe'
	| 'score'
	| 'simulcast'
	| 'svc'
	| 'sctp'
	| 'message';

const LOG_LEVELS: readonly WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];
const LOG_TAGS: readonly WorkerLogTag[] = [
	'info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp', 'message',
];

export type WorkerSettings<WorkerAppData extends AppData = AppData> = {
	/** Engine log level: 'debug' | 'warn' | 'error' (default) | 'none'. */
	logLevel?: WorkerLogLevel;
	/** Debug tags to show (only affects 'debug' lines). */
	logTags?: WorkerLogTag[];
	/** Lowest RTC port (default 10000). Deprecated in mediasoup in favour of portRange. */
	rtcMinPort?: number;
	/** Highest RTC port (default 59999). */
	rtcMaxPort?: number;
	/** PEM certificate for DTLS; generated per worker when not given. */
	dtlsCertificateFile?: string;
	/** PEM private key for DTLS; required with dtlsCertificateFile. */
	dtlsPrivateKeyFile?: string;
	/**
	 * Accepted for compatibility with mediasoup. mediaplane contains no libwebrtc, so
	 * the field trials are kept (and shown in dump()) but change nothing.
	 */
	libwebrtcFieldTrials?: string;
	/**
	 * As in mediasoup: true stops the worker from sending UDP through io_uring. mediaplane
	 * drives io_uring itself (no liburing inside) to send each loop turn's datagrams in
	 * one syscall; with this set, or where the kernel forbids io_uring, it batches each
	 * socket's datagrams with sendmmsg instead.
	 */
	disableLiburing?: boolean;
	/**
	 * In mediasoup (3.19.11+), the worker executable to run. mediaplane runs no
	 * executable (the engine is the addon inside this process): the path is checked
	 * as mediasoup would (it must exist) and otherwise not used.
	 */
	workerBin?: string;
	appData?: WorkerAppData;
};

export type WorkerUpdateableSettings<T extends AppData = AppData> = Pick<
	WorkerSettings<T>,
	'logLevel' | 'logTags'
>;

/** The worker thread's own resource usage, with mediasoup's (getrusage) field names. */
export type WorkerResourceUsage = {
	/** User CPU time used by the worker thread (ms). */
	ru_utime: number;
	/** System CPU time used by the worker thread (ms). */
	ru_stime: number;
	/** Maximum resident set size (KiB). On Linux this is the whole process's. */
	ru_maxrss: number;
	ru_ixrss: number;
	ru_idrss: number;
	ru_isrss: number;
	ru_minflt: number;
	ru_majflt: number;
	ru_nswap: number;
	ru_inblock: number;
	ru_oublock: number;
	ru_msgsnd: number;
	ru_msgrcv: number;
	ru_nsignals: number;
	ru_nvcsw: number;
	ru_nivcsw: number;
};

export type WorkerDump = {
	pid: number;
	webRtcServerIds: string[];
	routerIds: string[];
	channelMessageHandlers: {
		channelRequestHandlers: string[];
		channelNotificationHandlers: string[];
	};
	/**
	 * Present when the worker sends UDP through io_uring (see disableLiburing):
	 * sqeProcessCount counts datagrams the kernel took through the ring, sqeMissCount
	 * those that had to be sent another way, userDataMissCount is always 0 (every
	 * datagram of a batch has its slot).
	 */
	liburing?: {
		sqeProcessCount: number;
		sqeMissCount: number;
		userDataMissCount: number;
	};
};

export type WorkerEvents = {
	died: [Error];
	/**
	 * The worker thread has ended (after close() or 'died'); emitted once. mediaplane's
	 * worker thread plays mediasoup's subprocess.
	 */
	subprocessclose: [];
	listenererror: [string, Error];
	'@success': [];
	'@failure': [Error];
};

export type WorkerObserverEvents = {
	close: [];
	newwebrtcserver: [WebRtcServer];
	newrouter: [Router];
};

export type WorkerObserver = EnhancedEventEmitter<WorkerObserverEvents>;

type EngineLogLine = { level: 'debug' | 'warn' | 'error'; source: string; text: string };

/** Validates WorkerSettings before anything crosses into C++. */
export function validateWorkerSettings(settings: unknown): WorkerSettings {
	if (settings === undefined) return {};
	if (!isPlainObject(settings)) throw new TypeError('if given, settings must be an object');
	const s = settings as WorkerSettings;
	validateLogSettings(s);
	for (const field of ['rtcMinPort', 'rtcMaxPort'] as const) {
		const port = s[field];
		if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
			throw new TypeError(`invalid ${field}: must be an integer between 0 and 65535`);
		}
	}
	if ((s.rtcMinPort ?? 10000) > (s.rtcMaxPort ?? 59999)) {
		throw new TypeError('invalid rtcMinPort: must not be greater than rtcMaxPort');
	}
	for (const field of ['dtlsCertificateFile', 'dtlsPrivateKeyFile'] as const) {
		const file = s[field];
		if (file === undefined) continue;
		if (typeof file !== 'string' || file.length === 0) {
			throw new TypeError(`invalid ${field}: must be a non-empty string`);
		}
		try {
			fs.accessSync(file, fs.constants.R_OK);
		} catch {
			throw new TypeError(`invalid ${field}: cannot read "${file}"`);
		}
	}
	if ((s.dtlsCertificateFile === undefined) !== (s.dtlsPrivateKeyFile === undefined)) {
		throw new TypeError('dtlsCertificateFile and dtlsPrivateKeyFile must be given together');
	}
	if (s.libwebrtcFieldTrials !== undefined && typeof s.libwebrtcFieldTrials !== 'string') {
		throw new TypeError('invalid libwebrtcFieldTrials: must be a string');
	}
	if (s.disableLiburing !== undefined && typeof s.disableLiburing !== 'boolean') {
		throw new TypeError('invalid disableLiburing: must be a boolean');
	}
	if (s.workerBin !== undefined && (typeof s.workerBin !== 'string' || s.workerBin.length === 0)) {
		throw new TypeError('invalid workerBin: must be a non-empty string');
	}
	validateAppData(s.appData);
	return s;
}

function validateLogSettings(s: WorkerUpdateableSettings): void {
	if (s.logLevel !== undefined && !LOG_LEVELS.includes(s.logLevel)) {
		throw new TypeError(`invalid logLevel: must be one of ${LOG_LEVELS.join(', ')}`);
	}
	if (s.logTags !== undefined) {
		if (!Array.isArray(s.logTags)) throw new TypeError('invalid logTags: must be an array');
		for (const tag of s.logTags) {
			if (!LOG_TAGS.includes(tag)) throw new TypeError(`invalid logTags entry: "${String(tag)}"`);
		}
	}
}

/**
 * A Worker: one native thread with its own libuv loop, inside this Node process.
 *
 * Differences from mediasoup's subprocess workers: `pid` is this process's pid;
 * `died` fires only when the engine hits a fatal error (the thread stops and its
 * routers close; the process lives on); `subprocessclose` fires once the worker
 * thread has ended.
 */
export class Worker<WorkerAppData extends AppData = AppData> extends EnhancedEventEmitter<WorkerEvents> {
	readonly #channel: Channel;
	readonly #routers = new Set<Router>();
	readonly #webRtcServers = new Set<WebRtcServer>();
	readonly #observer = new EnhancedEventEmitter<WorkerObserverEvents>();
	readonly #engineLoggers = new Map<string, Logger>();
	#closed = false;
	#died = false;
	#running = false;
	#threadEnded = false;
	#appData: WorkerAppData;

	/** @private Use createWorker(). */
	constructor(settings: WorkerSettings<WorkerAppData>, enableTestHooks = false) {
		super();
		logger.debug('constructor()');
		this.#appData = (settings.appData ?? {}) as WorkerAppData;
		this.#channel = new Channel({
			logLevel: settings.logLevel ?? 'error',
			logTags: settings.logTags ?? [],
			rtcMinPort: settings.rtcMinPort ?? 10000,
			rtcMaxPort: settings.rtcMaxPort ?? 59999,
			dtlsCertificateFile: settings.dtlsCertificateFile,
			dtlsPrivateKeyFile: settings.dtlsPrivateKeyFile,
			libwebrtcFieldTrials: settings.libwebrtcFieldTrials,
			disableLiburing: settings.disableLiburing ?? false,
			// Not public API: how the engine sends UDP (uring | sendmmsg | immediate), for
			// benchmarks that compare the ways (bench/forwarding.js).
			udpSendMode: process.env.MEDIAPLANE_UDP_SEND || undefined,
			enableTestHooks,
		});
		this.#channel.subscribe('', (event, data) => this.#onEngineEvent(event, data));
	}

	/** The pid of the process the worker runs in: this Node process. */
	get pid(): number {
		return process.pid;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get died(): boolean {
		return this.#died;
	}

	/** True once the worker thread has ended (mediaplane's stand-in for the subprocess). */
	get subprocessClosed(): boolean {
		return this.#threadEnded;
	}

	get appData(): WorkerAppData {
		return this.#appData;
	}

	set appData(appData: WorkerAppData) {
		this.#appData = appData;
	}

	get observer(): EnhancedEventEmitter<WorkerObserverEvents> {
		return this.#observer;
	}

	/** @private For tests (as mediasoup's `routersForTesting`): the open routers. */
	get routersForTesting(): Set<Router> {
		return this.#routers;
	}

	/** @private For tests (as mediasoup's `webRtcServersForTesting`): the open WebRtcServers. */
	get webRtcServersForTesting(): Set<WebRtcServer> {
		return this.#webRtcServers;
	}

	/** @private For tests and internals: the channel to the worker thread. */
	get channelForTesting(): Channel {
		return this.#channel;
	}

	/** Closes the worker: stops its thread, closes its routers. Never throws. */
	close(): void {
		if (this.#closed) return;
		logger.debug('close()');
		this.#closed = true;
		this.#channel.close();
		this.#closeChildren();
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<WorkerDump> {
		this.#assertOpen('dump()');
		return this.#channel.request<WorkerDump>('worker.dump');
	}

	async getResourceUsage(): Promise<WorkerResourceUsage> {
		this.#assertOpen('getResourceUsage()');
		return this.#channel.request<WorkerResourceUsage>('worker.getResourceUsage');
	}

	async updateSettings({ logLevel, logTags }: WorkerUpdateableSettings<WorkerAppData> = {}): Promise<void> {
		this.#assertOpen('updateSettings()');
		validateLogSettings({ logLevel, logTags });
		await this.#channel.request('worker.updateSettings', undefined, { logLevel, logTags });
	}

	async createRouter<RouterAppData extends AppData = AppData>(
		options: RouterOptions<RouterAppData> = {}
	): Promise<Router<RouterAppData>> {
		this.#assertOpen('createRouter()');
		if (!isPlainObject(options)) throw new TypeError('if given, options must be an object');
		const { mediaCodecs, appData } = options;
		validateAppData(appData);
		if (mediaCodecs !== undefined && !Array.isArray(mediaCodecs)) {
			throw new TypeError('if given, mediaCodecs must be an array');
		}
		// Negotiation is pure TypeScript; it validates a copy of the codecs.
		const rtpCapabilities = ortc.generateRouterRtpCapabilities(clone(mediaCodecs ?? []));
		const routerId = generateUUIDv4();
		await this.#channel.request('worker.createRouter', undefined, { routerId });
		const router = new Router<RouterAppData>({
			routerId,
			rtpCapabilities,
			channel: this.#channel,
			appData: (appData ?? {}) as RouterAppData,
		});
		this.#routers.add(router as Router);
		router.on('@close', () => this.#routers.delete(router as Router));
		this.#observer.safeEmit('newrouter', router as Router);
		return router;
	}

	/** Creates a WebRtcServer: UDP/TCP ports shared by many WebRtcTransports. */
	async createWebRtcServer<T extends AppData = AppData>(options: WebRtcServerOptions<T>): Promise<WebRtcServer<T>> {
		this.#assertOpen('createWebRtcServer()');
		if (!isPlainObject(options)) throw new TypeError('options must be an object');
		const { listenInfos, appData } = options;
		validateAppData(appData);
		const infos = normaliseListenInfos(listenInfos);
		const webRtcServerId = generateUUIDv4();
		await this.#channel.request('worker.createWebRtcServer', undefined, { webRtcServerId, listenInfos: infos });
		const webRtcServer = new WebRtcServer<T>({ webRtcServerId, channel: this.#channel, appData: (appData ?? {}) as T });
		this.#webRtcServers.add(webRtcServer as WebRtcServer);
		webRtcServer.on('@close', () => this.#webRtcServers.delete(webRtcServer as WebRtcServer));
		this.#observer.safeEmit('newwebrtcserver', webRtcServer as WebRtcServer);
		return webRtcServer;
	}

	/** @private Simulates a fatal engine error (test hooks only). */
	async simulateFatalErrorForTesting(): Promise<void> {
		await this.#channel.request('worker.simulateFatalError');
	}

	/**
	 * @private Resolves when the worker thread runs; used by createWorker(). Settles at
	 * once when the thread already ran (or ended), so that no caller waits forever.
	 */
	waitForStart(): Promise<void> {
		if (this.#running) return Promise.resolve();
		if (this.#threadEnded || this.#closed) return Promise.reject(new WorkerClosedError('Worker closed before it started'));
		return new Promise((resolve, reject) => {
			const onSuccess = (): void => {
				this.off('@failure', onFailure);
				resolve();
			};
			const onFailure = (error: Error): void => {
				this.off('@success', onSuccess);
				reject(error);
			};
			this.once('@success', onSuccess);
			this.once('@failure', onFailure);
		});
	}

	#assertOpen(method: string): void {
		if (this.#closed) throw new WorkerClosedError(`Worker closed, cannot call ${method}`);
	}

	#closeChildren(): void {
		// Routers first: their transports get 'routerclose', not 'listenserverclose'.
		for (const router of this.#routers) router.workerClosed();
		this.#routers.clear();
		for (const webRtcServer of this.#webRtcServers) webRtcServer.workerClosed();
		this.#webRtcServers.clear();
	}

	#onEngineEvent(event: string, data: unknown): void {
		switch (event) {
			case 'running':
				this.#running = true;
				this.safeEmit('@success');
				break;
			case 'log':
				this.#onEngineLog(data as EngineLogLine);
				break;
			case '@exit':
				this.#onThreadEnded((data ?? {}) as { fatalError?: string });
				break;
			default:
				logger.warn('unexpected engine event "%s"', event);
		}
	}

	#onEngineLog({ level, source, text }: EngineLogLine): void {
		let engineLogger = this.#engineLoggers.get(source);
		if (!engineLogger) {
			engineLogger = new Logger(`engine:${source}`);
			this.#engineLoggers.set(source, engineLogger);
		}
		engineLogger[level](text);
	}

	#onThreadEnded({ fatalError }: { fatalError?: string }): void {
		this.#channel.unsubscribe('');
		if (this.#closed) {
			this.#emitSubprocessClose();
			return;
		}
		const error = new Error(`worker engine ${fatalError ? `died: ${fatalError}` : 'stopped unexpectedly'}`);
		// Ended before it ever ran: createWorker() rejects instead of a 'died' event.
		if (this.listenerCount('@failure') > 0) {
			this.#closed = true;
			this.#threadEnded = true;
			this.safeEmit('@failure', error);
			return;
		}
		logger.error('worker died: %s', error.message);
		this.#closed = true;
		this.#died = true;
		this.#threadEnded = true;
		this.#closeChildren();
		// As mediasoup's workerDied(): 'died', then 'subprocessclose', then observer 'close'.
		this.safeEmit('died', error);
		this.safeEmit('subprocessclose');
		this.#observer.safeEmit('close');
	}

	/**
	 * The worker thread plays mediasoup's subprocess: once it has ended after close(),
	 * `subprocessClosed` becomes true and `subprocessclose` fires once, with no
	 * arguments (as mediasoup emits it).
	 */
	#emitSubprocessClose(): void {
		if (this.#threadEnded) return;
		this.#threadEnded = true;
		this.safeEmit('subprocessclose');
	}
}

useMediasoupClassName(Worker, 'WorkerImpl');
