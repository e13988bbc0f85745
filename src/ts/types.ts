/**
 * Every public type, as mediasoup's `types` export has them, plus the error classes.
 */
export * from './RtpParameters';
export * from './SctpParameters';
export type {
	WorkerSettings,
	WorkerUpdateableSettings,
	WorkerLogLevel,
	WorkerLogTag,
	WorkerResourceUsage,
	WorkerDump,
	WorkerEvents,
	WorkerObserverEvents,
} from './Worker';
export type { Worker } from './Worker';
export type { Router, RouterOptions, RouterDump, RouterEvents, RouterObserverEvents } from './Router';
export type { AppData } from './utils';
export type { ScalabilityMode } from './scalabilityModes';
export { UnsupportedError, InvalidStateError } from './errors';
export type { Transport, TransportEvents, TransportObserverEvents } from './Transport';
export type * from './TransportTypes';
export type {
	WebRtcTransport,
	WebRtcTransportOptions,
	WebRtcTransportDump,
	WebRtcTransportEvents,
	WebRtcTransportObserverEvents,
	IceParameters,
	IceCandidate,
	IceState,
	DtlsRole,
	DtlsState,
	DtlsFingerprint,
	DtlsParameters,
	FingerprintAlgorithm,
} from './WebRtcTransport';
export type {
	WebRtcServer,
	WebRtcServerOptions,
	WebRtcServerDump,
	WebRtcServerEvents,
	WebRtcServerObserverEvents,
} from './WebRtcServer';
export type {
	Producer,
	ProducerOptions,
	ProducerType,
	ProducerScore,
	ProducerVideoOrientation,
	ProducerTraceEventType,
	ProducerTraceEventData,
	ProducerStat,
	ProducerEvents,
	ProducerObserverEvents,
} from './Producer';
export type {
	Consumer,
	ConsumerOptions,
	ConsumerType,
	ConsumerLayers,
	ConsumerScore,
	ConsumerTraceEventType,
	ConsumerTraceEventData,
	ConsumerStat,
	ConsumerEvents,
	ConsumerObserverEvents,
} from './Consumer';
export type {
	PlainTransport,
	PlainTransportOptions,
	PlainTransportEvents,
	PlainTransportObserverEvents,
	SrtpParameters,
	SrtpCryptoSuite,
} from './PlainTransport';
export type { PipeTransport, PipeTransportOptions } from './PipeTransport';
export type { PipeToRouterOptions, PipeToRouterResult } from './Router';
export type { DirectTransport, DirectTransportOptions, DirectTransportEvents, DirectTransportObserverEvents } from './DirectTransport';
export type { RtpObserver, RtpObserverType, RtpObserverEvents, RtpObserverObserverEvents, RtpObserverAddRemoveProducerOptions } from './RtpObserver';
export type {
	AudioLevelObserver, AudioLevelObserverOptions, AudioLevelObserverVolume, AudioLevelObserverEvents, AudioLevelObserverObserverEvents,
} from './AudioLevelObserver';
