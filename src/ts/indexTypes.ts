/**
 * Types of the module itself (mediasoup 3.27's `indexTypes`): the `observer`, the
 * log event listeners and `Index`, the shape of `require('mediaplane')`'s mediasoup
 * API.
 */
import type { EnhancedEventEmitter } from './EnhancedEventEmitter';
import type { LogEventListeners } from './Logger';
import type { RouterRtpCapabilities } from './RtpParameters';
import type { parseScalabilityMode } from './scalabilityModes';
import type { AppData } from './utils';
import type { Worker, WorkerSettings } from './Worker';

export type { LogEventListeners };

/** Events of `mediaplane.observer`. */
export type ObserverEvents = {
	newworker: [Worker];
};

/** `mediaplane.observer`. */
export type Observer = EnhancedEventEmitter<ObserverEvents>;

/** The mediasoup API of the module (`import * as mediaplane from 'mediaplane'`). */
export interface Index {
	version: string;
	observer: EnhancedEventEmitter<ObserverEvents>;
	/** The path of the native addon (mediasoup: of the worker executable). */
	workerBin: string;
	setLogEventListeners: (listeners?: LogEventListeners) => void;
	createWorker: <WorkerAppData extends AppData = AppData>(
		options?: WorkerSettings<WorkerAppData>
	) => Promise<Worker<WorkerAppData>>;
	getSupportedRtpCapabilities: () => RouterRtpCapabilities;
	parseScalabilityMode: typeof parseScalabilityMode;
}
