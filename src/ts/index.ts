/**
 * mediaplane: a WebRTC SFU for Node.js with the mediasoup v3 API, whose C++ engine runs
 * in-process as a Node-API addon (one native thread per Worker).
 */
import * as fs from 'node:fs';
import { addon, addonPath } from './native';
import { EnhancedEventEmitter } from './EnhancedEventEmitter';
import { Logger } from './Logger';
import { RouterRtpCapabilities } from './RtpParameters';
import { supportedRtpCapabilities } from './supportedRtpCapabilities';
import { AppData, clone } from './utils';
import { validateWorkerSettings, Worker, WorkerSettings } from './Worker';
import type { ObserverEvents } from './indexTypes';

export { InvalidStateError, NotFoundError, UnsupportedError, WorkerClosedError } from './errors';
/** The error classes (mediasoup 3.21+'s `mediasoup.errors`). */
export * as errors from './errors';
/** The capability-negotiation functions (mediasoup 3.19.15+'s `mediasoup.ortc`). */
export * as ortc from './publicOrtc';
/** `EnhancedEventEmitter` and `enhancedOnce()` (mediasoup's `mediasoup.extras`). */
export * as extras from './extras';
export { setLogEventListeners } from './Logger';
export { parseScalabilityMode } from './scalabilityModes';
export * as types from './types';
/** The W3C WebRTC 1.0 layer (server-side RTCPeerConnection) and WHIP/WHEP handlers. */
export * as webrtc from './webrtc';

const logger = new Logger();

export type { ObserverEvents } from './indexTypes';

/** The package version. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const version: string = require('../package.json').version;

/** Versions of the native libraries the engine runs with (libsrtp, OpenSSL, libuv). */
export const nativeVersions: Readonly<typeof addon.versions> = Object.freeze({ ...addon.versions });

/**
 * In mediasoup, the path of the worker executable. mediaplane has no worker executable:
 * the engine is the native addon loaded into this process, and this is its path.
 */
export const workerBin: string = addonPath;

/** Emits `newworker` for every worker created. */
export const observer = new EnhancedEventEmitter<ObserverEvents>();

/**
 * Creates a Worker: starts a native thread running the media engine's own libuv loop
 * and resolves once that loop runs.
 */
export async function createWorker<WorkerAppData extends AppData = AppData>(
	settings: WorkerSettings<WorkerAppData> = {}
): Promise<Worker<WorkerAppData>> {
	logger.debug('createWorker()');
	validateWorkerSettings(settings);
	// mediasoup cannot spawn a workerBin that does not exist and rejects with an Error;
	// mediaplane has nothing to spawn but keeps the same answer to a wrong path.
	if (settings.workerBin !== undefined && !fs.existsSync(settings.workerBin)) {
		throw new Error(`workerBin "${settings.workerBin}" does not exist`);
	}
	const enableTestHooks = process.env.MEDIAPLANE_ENABLE_TEST_HOOKS === '1';
	const worker = new Worker<WorkerAppData>(settings, enableTestHooks);
	await worker.waitForStart();
	observer.safeEmit('newworker', worker as unknown as Worker);
	return worker;
}

/** The RTP capabilities mediaplane supports: a fresh copy on every call. */
export function getSupportedRtpCapabilities(): RouterRtpCapabilities {
	return clone(supportedRtpCapabilities);
}
