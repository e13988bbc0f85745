// ESM entry point: `import * as mediaplane from 'mediaplane'`. The package is built as
// CommonJS; this re-exports its public names (test/package.test.js checks the list
// against the CommonJS exports, so the two cannot drift apart).
import mediaplane from './index.js';

export const {
	version,
	workerBin,
	setLogEventListeners,
	nativeVersions,
	observer,
	types,
	createWorker,
	getSupportedRtpCapabilities,
	parseScalabilityMode,
	UnsupportedError,
	InvalidStateError,
	WorkerClosedError,
	NotFoundError,
	errors,
	ortc,
	extras,
	webrtc,
} = mediaplane;

export default mediaplane;
