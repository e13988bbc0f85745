// Conformance: the required and optional fields of every object type of mediasoup
// 3.27's `types` (and the members of its string unions), pinned at compile time
// against mediaplane's published declarations. A field that disappears, appears, or
// changes between required and optional fails to compile, and the diagnostic names the
// type and the field, e.g.:
//   Type 'ShapeDiff<ProducerOptions, ...>' does not satisfy the constraint 'NoDiff'.
//     Types of property 'missingOptional' are incompatible.
//       Type '"keyFrameRequestDelay"' is not assignable to type 'never'.
// Check<ShapeDiff<types.X, Required, Optional, MediaplaneExtras, KnownDeviations>>:
// MediaplaneExtras are optional fields only mediaplane has (harmless to applications);
// KnownDeviations are fields exempted from the check, each with the reason. Event maps
// compare their public events (not '@...' internals nor the built-in listenererror).
// The lists were generated from mediasoup 3.27.1's declarations.
import t from 'tap';
import type { types } from 'mediaplane';

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;
type PublicEvents<T> = Exclude<keyof T, `@${string}` | 'listenererror'>;
type NoDiff = { missingRequired: never; extraRequired: never; missingOptional: never; extraOptional: never };
type ShapeDiff<T, R, O, Extra = never, Known = never> = {
	missingRequired: Exclude<R, RequiredKeys<T> | Known>;
	extraRequired: Exclude<RequiredKeys<T>, R | Known>;
	missingOptional: Exclude<O, OptionalKeys<T> | Known>;
	extraOptional: Exclude<OptionalKeys<T>, O | Extra | Known>;
};
type EventsDiff<T, R, O> = {
	missingRequired: Exclude<R, PublicEvents<T>>;
	extraRequired: Exclude<PublicEvents<T>, R | O>;
	missingOptional: Exclude<O, Extract<OptionalKeys<T>, PublicEvents<T>>>;
	extraOptional: Exclude<Extract<OptionalKeys<T>, PublicEvents<T>>, O>;
};
type LiteralsDiff<T, L> = { missing: Exclude<L, T>; extra: Exclude<T, L> };
// Option types mediasoup writes with Either<> (one listen form or another): every
// option must exist, optional but for R; mediaplane's own type is looser (one object
// with every listen form optional), which every mediasoup application satisfies.
type AllKeys<T> = T extends unknown ? keyof T : never;
type OptionKeysDiff<T, K, R = never, Extra = never> = {
	missingRequired: Exclude<R, RequiredKeys<T>>;
	extraRequired: Exclude<RequiredKeys<T>, R>;
	missingOptional: Exclude<K, AllKeys<T>>;
	extraOptional: Exclude<AllKeys<T>, K | Extra>;
};
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type Check<_D extends NoDiff> = true;
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type CheckLiterals<_D extends { missing: never; extra: never }> = true;

export type Checks = [
	Check<EventsDiff<types.ObserverEvents, 'newworker', never>>,
	Check<ShapeDiff<types.LogEventListeners, never, 'ondebug' | 'onwarn' | 'onerror'>>,
	CheckLiterals<LiteralsDiff<types.WorkerLogLevel, 'debug' | 'warn' | 'error' | 'none'>>,
	CheckLiterals<LiteralsDiff<types.WorkerLogTag, 'info' | 'ice' | 'dtls' | 'rtp' | 'srtp' | 'rtcp' | 'rtx' | 'bwe' | 'score' | 'simulcast' | 'svc' | 'sctp' | 'message'>>,
	Check<ShapeDiff<types.WorkerSettings, never, 'logLevel' | 'logTags' | 'rtcMinPort' | 'rtcMaxPort' | 'dtlsCertificateFile' | 'dtlsPrivateKeyFile' | 'workerBin' | 'libwebrtcFieldTrials' | 'appData', 'disableLiburing', never>>, // mediaplane also accepts 'disableLiburing': mediasoup 3.14-3.20 (liburing), still accepted
	Check<ShapeDiff<types.WorkerUpdateableSettings, never, 'logLevel' | 'logTags'>>,
	Check<ShapeDiff<types.WorkerResourceUsage, 'ru_utime' | 'ru_stime' | 'ru_maxrss' | 'ru_ixrss' | 'ru_idrss' | 'ru_isrss' | 'ru_minflt' | 'ru_majflt' | 'ru_nswap' | 'ru_inblock' | 'ru_oublock' | 'ru_msgsnd' | 'ru_msgrcv' | 'ru_nsignals' | 'ru_nvcsw' | 'ru_nivcsw', never>>,
	Check<ShapeDiff<types.WorkerDump, 'pid' | 'webRtcServerIds' | 'routerIds' | 'channelMessageHandlers', never, 'liburing'>>, // mediaplane also has 'liburing' (mediasoup 3.14-3.20's shape) when it sends through io_uring
	Check<EventsDiff<types.WorkerEvents, 'died' | 'subprocessclose', never>>,
	Check<EventsDiff<types.WorkerObserverEvents, 'close' | 'newwebrtcserver' | 'newrouter', never>>,
	Check<ShapeDiff<types.WebRtcServerOptions, 'listenInfos', 'appData'>>,
	Check<ShapeDiff<types.WebRtcServerListenInfo, 'protocol' | 'ip', 'announcedIp' | 'announcedAddress' | 'exposeInternalIp' | 'port' | 'portRange' | 'flags' | 'sendBufferSize' | 'recvBufferSize'>>,
	Check<ShapeDiff<types.IpPort, 'ip' | 'port', never>>,
	Check<ShapeDiff<types.IceUserNameFragment, 'localIceUsernameFragment' | 'webRtcTransportId', never>>,
	Check<ShapeDiff<types.WebRtcServerDump, 'id' | 'udpSockets' | 'tcpServers' | 'webRtcTransportIds' | 'localIceUsernameFragments', never, never, 'tupleHashes'>>, // KNOWN DEVIATION 'tupleHashes': mediaplane still reports 3.14 tupleHashes (removed in 3.20)
	Check<EventsDiff<types.WebRtcServerEvents, 'workerclose', never>>,
	Check<EventsDiff<types.WebRtcServerObserverEvents, 'close' | 'webrtctransporthandled' | 'webrtctransportunhandled', never>>,
	Check<ShapeDiff<types.RouterOptions, never, 'mediaCodecs' | 'appData'>>,
	Check<ShapeDiff<types.PipeToRouterResult, never, 'pipeConsumer' | 'pipeProducer' | 'pipeDataConsumer' | 'pipeDataProducer'>>,
	Check<ShapeDiff<types.RouterDump, 'id' | 'transportIds' | 'rtpObserverIds' | 'mapProducerIdConsumerIds' | 'mapConsumerIdProducerId' | 'mapProducerIdObserverIds' | 'mapDataProducerIdDataConsumerIds' | 'mapDataConsumerIdDataProducerId', never>>,
	Check<EventsDiff<types.RouterEvents, 'workerclose', never>>,
	Check<EventsDiff<types.RouterObserverEvents, 'close' | 'newtransport' | 'newrtpobserver', never>>,
	CheckLiterals<LiteralsDiff<types.TransportType, 'webrtc' | 'plain' | 'pipe' | 'direct'>>,
	Check<ShapeDiff<types.TransportListenInfo, 'protocol' | 'ip', 'announcedIp' | 'announcedAddress' | 'exposeInternalIp' | 'port' | 'portRange' | 'flags' | 'sendBufferSize' | 'recvBufferSize'>>,
	Check<ShapeDiff<types.TransportListenIp, 'ip', 'announcedIp', 'announcedAddress', never>>, // mediaplane also accepts 'announcedAddress': accepted as in TransportListenInfo
	CheckLiterals<LiteralsDiff<types.TransportProtocol, 'udp' | 'tcp'>>,
	Check<ShapeDiff<types.TransportPortRange, 'min' | 'max', never>>,
	Check<ShapeDiff<types.TransportSocketFlags, never, 'ipv6Only' | 'udpReusePort'>>,
	Check<ShapeDiff<types.TransportTuple, 'localIp' | 'localAddress' | 'localPort' | 'protocol', 'remoteIp' | 'remotePort'>>,
	CheckLiterals<LiteralsDiff<types.SctpState, 'new' | 'connecting' | 'connected' | 'failed' | 'closed'>>,
	Check<ShapeDiff<types.RtpListenerDump, 'ssrcTable' | 'midTable' | 'ridTable', never>>,
	Check<ShapeDiff<types.SctpListenerDump, 'streamIdTable', never>>,
	Check<ShapeDiff<types.RecvRtpHeaderExtensions, never, 'mid' | 'rid' | 'rrid' | 'absSendTime' | 'transportWideCc01'>>,
	Check<ShapeDiff<types.BaseTransportDump, 'id' | 'producerIds' | 'consumerIds' | 'mapSsrcConsumerId' | 'mapRtxSsrcConsumerId' | 'recvRtpHeaderExtensions' | 'rtpListener' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'dataProducerIds' | 'dataConsumerIds', 'sctpParameters' | 'sctpState' | 'sctpNegotiatedCapabilities' | 'sctpListener' | 'traceEventTypes'>>,
	Check<ShapeDiff<types.BaseTransportStats, 'transportId' | 'timestamp' | 'bytesReceived' | 'recvBitrate' | 'bytesSent' | 'sendBitrate' | 'rtpBytesReceived' | 'rtpRecvBitrate' | 'rtpBytesSent' | 'rtpSendBitrate' | 'rtxBytesReceived' | 'rtxRecvBitrate' | 'rtxBytesSent' | 'rtxSendBitrate' | 'probationBytesSent' | 'probationSendBitrate', 'sctpState' | 'availableOutgoingBitrate' | 'availableIncomingBitrate' | 'maxIncomingBitrate' | 'maxOutgoingBitrate' | 'minOutgoingBitrate' | 'rtpPacketLossReceived' | 'rtpPacketLossSent'>>,
	CheckLiterals<LiteralsDiff<types.TransportTraceEventType, 'bwe' | 'probation'>>,
	Check<ShapeDiff<types.TransportTraceEventData, 'type' | 'timestamp' | 'direction' | 'info', never>>,
	Check<EventsDiff<types.TransportEvents, 'routerclose' | 'listenserverclose' | 'trace', never>>,
	Check<EventsDiff<types.TransportObserverEvents, 'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace', never>>,
	Check<ShapeDiff<types.IceParameters, 'usernameFragment' | 'password', 'iceLite'>>,
	Check<ShapeDiff<types.IceCandidate, 'foundation' | 'priority' | 'ip' | 'address' | 'protocol' | 'port' | 'type', 'tcpType'>>,
	Check<ShapeDiff<types.DtlsParameters, 'fingerprints', 'role'>>,
	CheckLiterals<LiteralsDiff<types.FingerprintAlgorithm, 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512'>>,
	Check<ShapeDiff<types.DtlsFingerprint, 'algorithm' | 'value', never>>,
	CheckLiterals<LiteralsDiff<types.IceRole, 'controlled' | 'controlling'>>,
	CheckLiterals<LiteralsDiff<types.IceState, 'new' | 'connected' | 'closed' | 'completed' | 'disconnected'>>,
	CheckLiterals<LiteralsDiff<types.IceCandidateType, 'host'>>,
	CheckLiterals<LiteralsDiff<types.IceCandidateTcpType, 'passive'>>,
	CheckLiterals<LiteralsDiff<types.DtlsRole, 'auto' | 'client' | 'server'>>,
	CheckLiterals<LiteralsDiff<types.DtlsState, 'new' | 'connecting' | 'connected' | 'failed' | 'closed'>>,
	Check<ShapeDiff<types.WebRtcTransportDump, 'id' | 'producerIds' | 'consumerIds' | 'mapSsrcConsumerId' | 'mapRtxSsrcConsumerId' | 'recvRtpHeaderExtensions' | 'rtpListener' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'dataProducerIds' | 'dataConsumerIds' | 'iceRole' | 'iceParameters' | 'iceCandidates' | 'iceState' | 'dtlsParameters' | 'dtlsState', 'sctpParameters' | 'sctpState' | 'sctpNegotiatedCapabilities' | 'sctpListener' | 'traceEventTypes' | 'iceSelectedTuple' | 'dtlsRemoteCert'>>,
	Check<ShapeDiff<types.WebRtcTransportStat, 'transportId' | 'timestamp' | 'bytesReceived' | 'recvBitrate' | 'bytesSent' | 'sendBitrate' | 'rtpBytesReceived' | 'rtpRecvBitrate' | 'rtpBytesSent' | 'rtpSendBitrate' | 'rtxBytesReceived' | 'rtxRecvBitrate' | 'rtxBytesSent' | 'rtxSendBitrate' | 'probationBytesSent' | 'probationSendBitrate' | 'type' | 'iceRole' | 'iceState' | 'dtlsState', 'sctpState' | 'availableOutgoingBitrate' | 'availableIncomingBitrate' | 'maxIncomingBitrate' | 'maxOutgoingBitrate' | 'minOutgoingBitrate' | 'rtpPacketLossReceived' | 'rtpPacketLossSent' | 'iceSelectedTuple'>>,
	Check<EventsDiff<types.WebRtcTransportEvents, 'routerclose' | 'listenserverclose' | 'trace' | 'icestatechange' | 'iceselectedtuplechange' | 'dtlsstatechange' | 'sctpstatechange', never>>,
	Check<EventsDiff<types.WebRtcTransportObserverEvents, 'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace' | 'icestatechange' | 'iceselectedtuplechange' | 'dtlsstatechange' | 'sctpstatechange', never>>,
	Check<ShapeDiff<types.PlainTransportDump, 'id' | 'producerIds' | 'consumerIds' | 'mapSsrcConsumerId' | 'mapRtxSsrcConsumerId' | 'recvRtpHeaderExtensions' | 'rtpListener' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'dataProducerIds' | 'dataConsumerIds' | 'rtcpMux' | 'comedia' | 'tuple', 'sctpParameters' | 'sctpState' | 'sctpNegotiatedCapabilities' | 'sctpListener' | 'traceEventTypes' | 'rtcpTuple' | 'srtpParameters'>>,
	Check<ShapeDiff<types.PlainTransportStat, 'transportId' | 'timestamp' | 'bytesReceived' | 'recvBitrate' | 'bytesSent' | 'sendBitrate' | 'rtpBytesReceived' | 'rtpRecvBitrate' | 'rtpBytesSent' | 'rtpSendBitrate' | 'rtxBytesReceived' | 'rtxRecvBitrate' | 'rtxBytesSent' | 'rtxSendBitrate' | 'probationBytesSent' | 'probationSendBitrate' | 'type' | 'rtcpMux' | 'comedia' | 'tuple', 'sctpState' | 'availableOutgoingBitrate' | 'availableIncomingBitrate' | 'maxIncomingBitrate' | 'maxOutgoingBitrate' | 'minOutgoingBitrate' | 'rtpPacketLossReceived' | 'rtpPacketLossSent' | 'rtcpTuple'>>,
	Check<EventsDiff<types.PlainTransportEvents, 'routerclose' | 'listenserverclose' | 'trace' | 'tuple' | 'rtcptuple' | 'sctpstatechange', never>>,
	Check<EventsDiff<types.PlainTransportObserverEvents, 'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace' | 'tuple' | 'rtcptuple' | 'sctpstatechange', never>>,
	Check<ShapeDiff<types.PipeConsumerOptions, 'producerId', 'appData'>>,
	Check<ShapeDiff<types.PipeTransportDump, 'id' | 'producerIds' | 'consumerIds' | 'mapSsrcConsumerId' | 'mapRtxSsrcConsumerId' | 'recvRtpHeaderExtensions' | 'rtpListener' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'dataProducerIds' | 'dataConsumerIds' | 'tuple' | 'rtx', 'sctpParameters' | 'sctpState' | 'sctpNegotiatedCapabilities' | 'sctpListener' | 'traceEventTypes' | 'srtpParameters'>>,
	Check<ShapeDiff<types.PipeTransportStat, 'transportId' | 'timestamp' | 'bytesReceived' | 'recvBitrate' | 'bytesSent' | 'sendBitrate' | 'rtpBytesReceived' | 'rtpRecvBitrate' | 'rtpBytesSent' | 'rtpSendBitrate' | 'rtxBytesReceived' | 'rtxRecvBitrate' | 'rtxBytesSent' | 'rtxSendBitrate' | 'probationBytesSent' | 'probationSendBitrate' | 'type' | 'tuple', 'sctpState' | 'availableOutgoingBitrate' | 'availableIncomingBitrate' | 'maxIncomingBitrate' | 'maxOutgoingBitrate' | 'minOutgoingBitrate' | 'rtpPacketLossReceived' | 'rtpPacketLossSent'>>,
	Check<EventsDiff<types.PipeTransportEvents, 'routerclose' | 'listenserverclose' | 'trace' | 'sctpstatechange', never>>,
	Check<EventsDiff<types.PipeTransportObserverEvents, 'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace' | 'sctpstatechange', never>>,
	Check<ShapeDiff<types.DirectTransportOptions, never, 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'appData', 'maxMessageSize', never>>, // mediaplane also accepts 'maxMessageSize': mediasoup 3.14, still accepted
	Check<ShapeDiff<types.DirectTransportDump, 'id' | 'producerIds' | 'consumerIds' | 'mapSsrcConsumerId' | 'mapRtxSsrcConsumerId' | 'recvRtpHeaderExtensions' | 'rtpListener' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'dataProducerIds' | 'dataConsumerIds', 'sctpParameters' | 'sctpState' | 'sctpNegotiatedCapabilities' | 'sctpListener' | 'traceEventTypes'>>,
	Check<ShapeDiff<types.DirectTransportStat, 'transportId' | 'timestamp' | 'bytesReceived' | 'recvBitrate' | 'bytesSent' | 'sendBitrate' | 'rtpBytesReceived' | 'rtpRecvBitrate' | 'rtpBytesSent' | 'rtpSendBitrate' | 'rtxBytesReceived' | 'rtxRecvBitrate' | 'rtxBytesSent' | 'rtxSendBitrate' | 'probationBytesSent' | 'probationSendBitrate' | 'type', 'sctpState' | 'availableOutgoingBitrate' | 'availableIncomingBitrate' | 'maxIncomingBitrate' | 'maxOutgoingBitrate' | 'minOutgoingBitrate' | 'rtpPacketLossReceived' | 'rtpPacketLossSent'>>,
	Check<EventsDiff<types.DirectTransportEvents, 'routerclose' | 'listenserverclose' | 'trace' | 'rtcp', never>>,
	Check<EventsDiff<types.DirectTransportObserverEvents, 'close' | 'newproducer' | 'newconsumer' | 'newdataproducer' | 'newdataconsumer' | 'trace' | 'rtcp', never>>,
	Check<ShapeDiff<types.ProducerOptions, 'kind' | 'rtpParameters', 'id' | 'paused' | 'keyFrameRequestDelay' | 'enableMediasoupPacketIdHeaderExtension' | 'appData'>>,
	CheckLiterals<LiteralsDiff<types.ProducerType, 'simulcast' | 'svc' | 'simple'>>,
	Check<ShapeDiff<types.ProducerScore, 'encodingIdx' | 'ssrc' | 'score', 'rid'>>,
	Check<ShapeDiff<types.ProducerVideoOrientation, 'camera' | 'flip' | 'rotation', never>>,
	Check<ShapeDiff<types.ProducerDump, 'id' | 'kind' | 'type' | 'rtpParameters' | 'rtpMapping' | 'rtpStreams' | 'traceEventTypes' | 'paused', never, never, 'rtpStreams'>>, // KNOWN DEVIATION 'rtpStreams': optional in mediaplane (undefined while no stream exists); required in mediasoup
	Check<ShapeDiff<types.ProducerStat, 'timestamp' | 'ssrc' | 'kind' | 'mimeType' | 'packetsLost' | 'fractionLost' | 'jitter' | 'packetsDiscarded' | 'packetsRetransmitted' | 'packetsRepaired' | 'nackCount' | 'nackPacketCount' | 'pliCount' | 'firCount' | 'score' | 'type' | 'packetCount' | 'byteCount' | 'bitrate' | 'bitrateByLayer', 'rtxSsrc' | 'rid' | 'roundTripTime' | 'rtxPacketsDiscarded', never, 'bitrateByLayer'>>, // KNOWN DEVIATION 'bitrateByLayer': optional in mediaplane; required in mediasoup
	CheckLiterals<LiteralsDiff<types.ProducerTraceEventType, 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'sr'>>,
	Check<ShapeDiff<types.ProducerTraceEventData, 'type' | 'timestamp' | 'direction' | 'info', never>>,
	Check<EventsDiff<types.ProducerEvents, 'transportclose' | 'score' | 'videoorientationchange' | 'trace', never>>,
	Check<EventsDiff<types.ProducerObserverEvents, 'close' | 'pause' | 'resume' | 'score' | 'videoorientationchange' | 'trace', never>>,
	Check<ShapeDiff<types.ConsumerOptions, 'producerId' | 'rtpCapabilities', 'paused' | 'mid' | 'preferredLayers' | 'enableRtx' | 'ignoreDtx' | 'pipe' | 'appData'>>,
	CheckLiterals<LiteralsDiff<types.ConsumerType, 'simulcast' | 'svc' | 'pipe' | 'simple'>>,
	Check<ShapeDiff<types.ConsumerScore, 'score' | 'producerScore' | 'producerScores', never>>,
	Check<ShapeDiff<types.ConsumerLayers, 'spatialLayer', 'temporalLayer'>>,
	Check<ShapeDiff<types.SimpleConsumerDump, 'id' | 'producerId' | 'kind' | 'rtpParameters' | 'supportedCodecPayloadTypes' | 'traceEventTypes' | 'paused' | 'producerPaused' | 'priority' | 'type' | 'rtpStream', 'consumableRtpEncodings'>>,
	Check<ShapeDiff<types.SimulcastConsumerDump, 'id' | 'producerId' | 'kind' | 'rtpParameters' | 'supportedCodecPayloadTypes' | 'traceEventTypes' | 'paused' | 'producerPaused' | 'priority' | 'type' | 'rtpStream' | 'preferredSpatialLayer' | 'targetSpatialLayer' | 'currentSpatialLayer' | 'preferredTemporalLayer' | 'targetTemporalLayer' | 'currentTemporalLayer', 'consumableRtpEncodings'>>,
	Check<ShapeDiff<types.SvcConsumerDump, 'id' | 'producerId' | 'kind' | 'rtpParameters' | 'supportedCodecPayloadTypes' | 'traceEventTypes' | 'paused' | 'producerPaused' | 'priority' | 'type' | 'rtpStream' | 'preferredSpatialLayer' | 'targetSpatialLayer' | 'currentSpatialLayer' | 'preferredTemporalLayer' | 'targetTemporalLayer' | 'currentTemporalLayer', 'consumableRtpEncodings'>>,
	Check<ShapeDiff<types.PipeConsumerDump, 'id' | 'producerId' | 'kind' | 'rtpParameters' | 'supportedCodecPayloadTypes' | 'traceEventTypes' | 'paused' | 'producerPaused' | 'priority' | 'type' | 'rtpStreams', 'consumableRtpEncodings'>>,
	Check<ShapeDiff<types.BaseConsumerDump, 'id' | 'producerId' | 'kind' | 'rtpParameters' | 'supportedCodecPayloadTypes' | 'traceEventTypes' | 'paused' | 'producerPaused' | 'priority', 'consumableRtpEncodings'>>,
	Check<ShapeDiff<types.RtpStreamDump, 'params' | 'score', 'rtxStream'>>,
	Check<ShapeDiff<types.RtpStreamParametersDump, 'encodingIdx' | 'ssrc' | 'payloadType' | 'mimeType' | 'clockRate' | 'cname' | 'useNack' | 'usePli' | 'useFir' | 'useInBandFec' | 'useDtx' | 'spatialLayers' | 'temporalLayers', 'rid' | 'rtxSsrc' | 'rtxPayloadType'>>,
	Check<ShapeDiff<types.RtxStreamDump, 'params', never>>,
	Check<ShapeDiff<types.RtxStreamParameters, 'ssrc' | 'payloadType' | 'mimeType' | 'clockRate' | 'cname', 'rrid'>>,
	Check<ShapeDiff<types.ConsumerStat, 'timestamp' | 'ssrc' | 'kind' | 'mimeType' | 'packetsLost' | 'fractionLost' | 'jitter' | 'packetsDiscarded' | 'packetsRetransmitted' | 'packetsRepaired' | 'nackCount' | 'nackPacketCount' | 'pliCount' | 'firCount' | 'score' | 'type' | 'packetCount' | 'byteCount' | 'bitrate', 'rtxSsrc' | 'rid' | 'roundTripTime' | 'rtxPacketsDiscarded'>>,
	CheckLiterals<LiteralsDiff<types.ConsumerTraceEventType, 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir'>>,
	Check<ShapeDiff<types.ConsumerTraceEventData, 'type' | 'timestamp' | 'direction' | 'info', never>>,
	Check<EventsDiff<types.ConsumerEvents, 'transportclose' | 'producerclose' | 'producerpause' | 'producerresume' | 'score' | 'layerschange' | 'trace' | 'rtp', never>>,
	Check<EventsDiff<types.ConsumerObserverEvents, 'close' | 'pause' | 'resume' | 'score' | 'layerschange' | 'trace', never>>,
	Check<ShapeDiff<types.DataProducerOptions, never, 'id' | 'sctpStreamParameters' | 'label' | 'protocol' | 'paused' | 'appData'>>,
	CheckLiterals<LiteralsDiff<types.DataProducerType, 'sctp' | 'direct'>>,
	Check<ShapeDiff<types.DataProducerDump, 'id' | 'paused' | 'type' | 'label' | 'protocol', 'sctpStreamParameters'>>,
	Check<ShapeDiff<types.DataProducerStat, 'type' | 'timestamp' | 'label' | 'protocol' | 'messagesReceived' | 'bytesReceived', never>>,
	Check<EventsDiff<types.DataProducerEvents, 'transportclose', never>>,
	Check<EventsDiff<types.DataProducerObserverEvents, 'close' | 'pause' | 'resume', never>>,
	Check<ShapeDiff<types.DataConsumerOptions, 'dataProducerId', 'ordered' | 'maxPacketLifeTime' | 'maxRetransmits' | 'paused' | 'subchannels' | 'appData'>>,
	CheckLiterals<LiteralsDiff<types.DataConsumerType, 'sctp' | 'direct'>>,
	Check<ShapeDiff<types.DataConsumerDump, 'id' | 'paused' | 'dataProducerPaused' | 'subchannels' | 'dataProducerId' | 'type' | 'label' | 'protocol' | 'bufferedAmount' | 'bufferedAmountLowThreshold', 'sctpStreamParameters'>>,
	Check<ShapeDiff<types.DataConsumerStat, 'type' | 'timestamp' | 'label' | 'protocol' | 'messagesSent' | 'bytesSent' | 'bufferedAmount', never>>,
	Check<EventsDiff<types.DataConsumerEvents, 'transportclose' | 'dataproducerclose' | 'dataproducerpause' | 'dataproducerresume' | 'message' | 'sctpsendbufferfull' | 'bufferedamountlow', never>>,
	Check<EventsDiff<types.DataConsumerObserverEvents, 'close' | 'pause' | 'resume', never>>,
	CheckLiterals<LiteralsDiff<types.RtpObserverType, 'audiolevel' | 'activespeaker'>>,
	Check<EventsDiff<types.RtpObserverEvents, 'routerclose', never>>,
	Check<EventsDiff<types.RtpObserverObserverEvents, 'close' | 'pause' | 'resume' | 'addproducer' | 'removeproducer', never>>,
	Check<ShapeDiff<types.ActiveSpeakerObserverOptions, never, 'interval' | 'appData'>>,
	Check<ShapeDiff<types.ActiveSpeakerObserverDominantSpeaker, 'producer', never>>,
	Check<EventsDiff<types.ActiveSpeakerObserverEvents, 'routerclose' | 'dominantspeaker', never>>,
	Check<EventsDiff<types.ActiveSpeakerObserverObserverEvents, 'close' | 'pause' | 'resume' | 'addproducer' | 'removeproducer' | 'dominantspeaker', never>>,
	Check<ShapeDiff<types.AudioLevelObserverOptions, never, 'maxEntries' | 'threshold' | 'interval' | 'appData'>>,
	Check<ShapeDiff<types.AudioLevelObserverVolume, 'producer' | 'volume', never>>,
	Check<EventsDiff<types.AudioLevelObserverEvents, 'routerclose' | 'volumes' | 'silence', never>>,
	Check<EventsDiff<types.AudioLevelObserverObserverEvents, 'close' | 'pause' | 'resume' | 'addproducer' | 'removeproducer' | 'volumes' | 'silence', never>>,
	CheckLiterals<LiteralsDiff<types.MediaKind, 'audio' | 'video'>>,
	Check<ShapeDiff<types.RtpCapabilities, never, 'codecs' | 'headerExtensions'>>,
	Check<ShapeDiff<types.RouterRtpCapabilities, never, 'headerExtensions' | 'codecs'>>,
	Check<ShapeDiff<types.RtpCodecCapability, 'kind' | 'mimeType' | 'preferredPayloadType' | 'clockRate', 'channels' | 'parameters' | 'rtcpFeedback'>>,
	Check<ShapeDiff<types.RouterRtpCodecCapability, 'kind' | 'mimeType' | 'clockRate', 'channels' | 'parameters' | 'rtcpFeedback' | 'preferredPayloadType'>>,
	CheckLiterals<LiteralsDiff<types.RtpHeaderExtensionDirection, 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'>>,
	Check<ShapeDiff<types.RtpHeaderExtension, 'kind' | 'uri' | 'preferredId', 'preferredEncrypt' | 'direction'>>,
	Check<ShapeDiff<types.RtpParameters, 'codecs', 'mid' | 'headerExtensions' | 'encodings' | 'rtcp' | 'msid'>>,
	Check<ShapeDiff<types.RtpCodecParameters, 'mimeType' | 'payloadType' | 'clockRate', 'channels' | 'parameters' | 'rtcpFeedback'>>,
	Check<ShapeDiff<types.RtcpFeedback, 'type', 'parameter'>>,
	Check<ShapeDiff<types.RtpEncodingParameters, never, 'ssrc' | 'rid' | 'codecPayloadType' | 'rtx' | 'dtx' | 'scalabilityMode' | 'maxBitrate', 'scaleResolutionDownBy', never>>, // mediaplane also accepts 'scaleResolutionDownBy': as mediasoup-client sends it
	CheckLiterals<LiteralsDiff<types.RtpHeaderExtensionUri, 'urn:ietf:params:rtp-hdrext:sdes:mid' | 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' | 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id' | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' | 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' | 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' | 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension' | 'urn:3gpp:video-orientation' | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time' | 'urn:ietf:params:rtp-hdrext:toffset' | 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay' | 'urn:mediasoup:params:rtp-hdrext:packet-id'>>,
	Check<ShapeDiff<types.RtpHeaderExtensionParameters, 'uri' | 'id', 'encrypt' | 'parameters'>>,
	Check<ShapeDiff<types.RtcpParameters, never, 'cname' | 'reducedSize', 'mux', never>>, // mediaplane also accepts 'mux': as mediasoup 3.14
	Check<ShapeDiff<types.RtpStreamRecvStats, 'timestamp' | 'ssrc' | 'kind' | 'mimeType' | 'packetsLost' | 'fractionLost' | 'jitter' | 'packetsDiscarded' | 'packetsRetransmitted' | 'packetsRepaired' | 'nackCount' | 'nackPacketCount' | 'pliCount' | 'firCount' | 'score' | 'type' | 'packetCount' | 'byteCount' | 'bitrate' | 'bitrateByLayer', 'rtxSsrc' | 'rid' | 'roundTripTime' | 'rtxPacketsDiscarded', never, 'bitrateByLayer'>>, // KNOWN DEVIATION 'bitrateByLayer': optional in mediaplane; required in mediasoup
	Check<ShapeDiff<types.RtpStreamSendStats, 'timestamp' | 'ssrc' | 'kind' | 'mimeType' | 'packetsLost' | 'fractionLost' | 'jitter' | 'packetsDiscarded' | 'packetsRetransmitted' | 'packetsRepaired' | 'nackCount' | 'nackPacketCount' | 'pliCount' | 'firCount' | 'score' | 'type' | 'packetCount' | 'byteCount' | 'bitrate', 'rtxSsrc' | 'rid' | 'roundTripTime' | 'rtxPacketsDiscarded'>>,
	Check<ShapeDiff<types.BaseRtpStreamStats, 'timestamp' | 'ssrc' | 'kind' | 'mimeType' | 'packetsLost' | 'fractionLost' | 'jitter' | 'packetsDiscarded' | 'packetsRetransmitted' | 'packetsRepaired' | 'nackCount' | 'nackPacketCount' | 'pliCount' | 'firCount' | 'score', 'rtxSsrc' | 'rid' | 'roundTripTime' | 'rtxPacketsDiscarded'>>,
	Check<ShapeDiff<types.SctpParameters, 'port' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'sendBufferSize' | 'perStreamSendQueueLimit' | 'maxReceiverWindowBufferSize' | 'isDataChannel' | 'OS' | 'MIS' | 'maxMessageSize', never>>,
	Check<ShapeDiff<types.SctpNegotiatedCapabilities, 'negotiatedMaxOutboundStreams' | 'negotiatedMaxInboundStreams', never>>,
	Check<ShapeDiff<types.SctpStreamParameters, 'streamId', 'ordered' | 'maxPacketLifeTime' | 'maxRetransmits'>>,
	Check<ShapeDiff<types.SrtpParameters, 'cryptoSuite' | 'keyBase64', never>>,
	CheckLiterals<LiteralsDiff<types.SrtpCryptoSuite, 'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32'>>,
	Check<ShapeDiff<types.ScalabilityMode, 'spatialLayers' | 'temporalLayers' | 'ksvc', never>>,
Check<OptionKeysDiff<types.PipeToRouterOptions, 'producerId' | 'dataProducerId' | 'router' | 'keepId' | 'enableSctp' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'sctpSendBufferSize' | 'sctpPerStreamSendQueueLimit' | 'sctpMaxReceiverWindowBufferSize' | 'sctpDefaultStreamBufferedAmountLowThreshold' | 'enableRtx' | 'enableSrtp' | 'listenInfo' | 'listenIp', 'router', 'numSctpStreams'>>, // mediaplane also accepts 'numSctpStreams' (mediasoup 3.14)
	Check<OptionKeysDiff<types.WebRtcTransportOptions, 'enableUdp' | 'enableTcp' | 'preferUdp' | 'preferTcp' | 'iceConsentTimeout' | 'initialAvailableOutgoingBitrate' | 'enableSctp' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'sctpSendBufferSize' | 'sctpPerStreamSendQueueLimit' | 'sctpMaxReceiverWindowBufferSize' | 'sctpDefaultStreamBufferedAmountLowThreshold' | 'appData' | 'listenInfos' | 'listenIps' | 'port' | 'webRtcServer', never, 'numSctpStreams' | 'maxSctpMessageSize'>>, // mediaplane also accepts 'numSctpStreams' | 'maxSctpMessageSize' (mediasoup 3.14)
	Check<OptionKeysDiff<types.PlainTransportOptions, 'rtcpMux' | 'comedia' | 'enableSctp' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'sctpSendBufferSize' | 'sctpPerStreamSendQueueLimit' | 'sctpMaxReceiverWindowBufferSize' | 'sctpDefaultStreamBufferedAmountLowThreshold' | 'enableSrtp' | 'srtpCryptoSuite' | 'appData' | 'listenInfo' | 'rtcpListenInfo' | 'listenIp' | 'port', never, 'numSctpStreams' | 'maxSctpMessageSize'>>, // mediaplane also accepts 'numSctpStreams' | 'maxSctpMessageSize' (mediasoup 3.14)
	Check<OptionKeysDiff<types.PipeTransportOptions, 'enableSctp' | 'maxSendMessageSize' | 'maxReceiveMessageSize' | 'sctpSendBufferSize' | 'sctpPerStreamSendQueueLimit' | 'sctpMaxReceiverWindowBufferSize' | 'sctpDefaultStreamBufferedAmountLowThreshold' | 'enableRtx' | 'enableSrtp' | 'appData' | 'listenInfo' | 'listenIp' | 'port', never, 'numSctpStreams' | 'maxSctpMessageSize'>>, // mediaplane also accepts 'numSctpStreams' | 'maxSctpMessageSize' (mediasoup 3.14)
];

t.pass('every type has the fields mediasoup 3.27 has, with the same optionality');
