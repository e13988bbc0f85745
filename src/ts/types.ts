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
	WorkerObserver,
} from './Worker';
export type { Worker } from './Worker';
export type {
	Router, RouterOptions, RouterDump, RouterEvents, RouterObserverEvents, RouterObserver, PipeTransportPair,
} from './Router';
export type { AppData, Either } from './utils';
export type { Index, Observer, ObserverEvents, LogEventListeners } from './indexTypes';
export type { ScalabilityMode } from './scalabilityModes';
export { UnsupportedError, InvalidStateError, WorkerClosedError, NotFoundError } from './errors';
export type { Transport, TransportEvents, TransportObserverEvents, TransportObserver } from './Transport';
export type * from './TransportTypes';
export type {
	WebRtcTransport,
	WebRtcTransportOptions,
	WebRtcTransportDump,
	WebRtcTransportStat,
	WebRtcTransportEvents,
	WebRtcTransportObserverEvents,
	WebRtcTransportObserver,
	IceParameters,
	IceCandidate,
	IceCandidateType,
	IceCandidateTcpType,
	IceRole,
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
	WebRtcServerObserver,
	WebRtcServerListenInfo,
	IpPort,
	IceUserNameFragment,
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
	ProducerObserver,
	ProducerDump,
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
	ConsumerObserver,
	ConsumerDump,
	BaseConsumerDump,
	SimpleConsumerDump,
	SimulcastConsumerDump,
	SvcConsumerDump,
	PipeConsumerDump,
} from './Consumer';
export type { RtpStreamDump, RtpStreamParametersDump, RtxStreamDump, RtxStreamParameters } from './dumpUtils';
export type { BitrateByLayer, BaseRtpStreamStats, RtpStreamRecvStats, RtpStreamSendStats } from './rtpStreamStatsTypes';
export type {
	PlainTransport,
	PlainTransportOptions,
	PlainTransportEvents,
	PlainTransportObserverEvents,
	PlainTransportObserver,
	PlainTransportDump,
	PlainTransportStat,
	SrtpParameters,
	SrtpCryptoSuite,
} from './PlainTransport';
export type {
	PipeTransport, PipeTransportOptions, PipeConsumerOptions, PipeTransportEvents, PipeTransportObserverEvents,
	PipeTransportObserver, PipeTransportDump, PipeTransportStat,
} from './PipeTransport';
export type { PipeToRouterOptions, PipeToRouterResult } from './Router';
export type {
	DirectTransport, DirectTransportOptions, DirectTransportEvents, DirectTransportObserverEvents, DirectTransportObserver,
	DirectTransportDump, DirectTransportStat,
} from './DirectTransport';
export type {
	RtpObserver, RtpObserverType, RtpObserverEvents, RtpObserverObserverEvents, RtpObserverObserver,
	RtpObserverAddRemoveProducerOptions,
} from './RtpObserver';
export type {
	AudioLevelObserver, AudioLevelObserverOptions, AudioLevelObserverVolume, AudioLevelObserverEvents, AudioLevelObserverObserverEvents,
	AudioLevelObserverObserver,
} from './AudioLevelObserver';
export type * from './DataProducerTypes';
export type { DataProducer } from './DataProducer';
export type * from './DataConsumerTypes';
export type { DataConsumer } from './DataConsumer';
export type * from './ActiveSpeakerObserverTypes';
