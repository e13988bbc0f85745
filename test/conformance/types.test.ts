// Conformance: a mediasoup 3.27 application in miniature, written against `types` as
// such an application is (options, parameters, dumps, stats, event maps, AppData
// generics), compiled strict against mediaplane's published declarations, and run.
// Every name of mediasoup's `types` is used at least once here (their fields are
// pinned in type-shapes.test.ts). A name that disappears, an option that becomes
// required, or a result field that becomes optional fails to compile; the
// `@ts-expect-error` lines fail when a required field becomes optional.
import t from 'tap';
import * as mediaplane from 'mediaplane';
import { errors, extras, ortc } from 'mediaplane';
import type { types } from 'mediaplane';
import type * as typesModule from 'mediaplane/types';
import * as errorsModule from 'mediaplane/errors';
import { EnhancedEventEmitter, enhancedOnce } from 'mediaplane/extras';
import * as ortcModule from 'mediaplane/ortc';

const LISTEN_INFO: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };

// ---------------------------------------------------------------------------------
// The module itself: types.Index, Observer, ObserverEvents, LogEventListeners.
const index: types.Index = mediaplane;
const moduleObserver: types.Observer = mediaplane.observer;
const onNewWorker = (...[worker]: types.ObserverEvents['newworker']): void => {
	const w: types.Worker = worker;
	void w;
};
const logListeners: types.LogEventListeners = {
	ondebug: (namespace: string, log: string) => void [namespace, log],
	onerror: (namespace: string, log: string, error?: Error) => void [namespace, log, error],
};
const noListeners: types.LogEventListeners = {};

// types.Either: one shape or the other, never fields of both.
type ListenChoice = types.Either<{ listenInfo: types.TransportListenInfo }, { listenIp: string }>;
const choiceA: ListenChoice = { listenInfo: LISTEN_INFO };
const choiceB: ListenChoice = { listenIp: '127.0.0.1' };
// @ts-expect-error Either: not both
const choiceBoth: ListenChoice = { listenInfo: LISTEN_INFO, listenIp: '127.0.0.1' };

// The `mediaplane/types` subpath is the same `types`.
const appDataFromSubpath: typesModule.AppData = { any: 'thing' };
const appData: types.AppData = appDataFromSubpath;

// ---------------------------------------------------------------------------------
// Options and parameters an application writes.
const workerSettings: types.WorkerSettings<{ foo: number }> = {
	logLevel: 'warn' satisfies types.WorkerLogLevel,
	logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp', 'message'] satisfies types.WorkerLogTag[],
	rtcMinPort: 40000,
	rtcMaxPort: 49999,
	appData: { foo: 1 },
};
const emptyWorkerSettings: types.WorkerSettings = {};
const updateableSettings: types.WorkerUpdateableSettings = { logLevel: 'error', logTags: ['ice'] };

const portRange: types.TransportPortRange = { min: 40000, max: 49999 };
const socketFlags: types.TransportSocketFlags = { ipv6Only: false, udpReusePort: true };
const fullListenInfo: types.TransportListenInfo = {
	protocol: 'udp' satisfies types.TransportProtocol,
	ip: '127.0.0.1',
	announcedAddress: '127.0.0.1',
	exposeInternalIp: false,
	portRange,
	flags: socketFlags,
	sendBufferSize: 1 << 20,
	recvBufferSize: 1 << 20,
};
// @ts-expect-error protocol is required
const listenInfoWithoutProtocol: types.TransportListenInfo = { ip: '127.0.0.1' };
const listenIp: types.TransportListenIp = { ip: '127.0.0.1', announcedIp: '127.0.0.1' };
const webRtcServerListenInfo: types.WebRtcServerListenInfo = { protocol: 'tcp', ip: '127.0.0.1', portRange };
const webRtcServerOptions: types.WebRtcServerOptions<{ server: string }> = {
	listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange }, webRtcServerListenInfo],
	appData: { server: 'a' },
};

const mediaCodecs: types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];
// @ts-expect-error an RtpCodecCapability (unlike a router's codec) has a preferredPayloadType
const codecWithoutPayloadType: types.RtpCodecCapability = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 };
const routerOptions: types.RouterOptions<{ room: string }> = { mediaCodecs, appData: { room: 'r1' } };
const routerCapabilities: types.RouterRtpCapabilities = { codecs: mediaCodecs };

const webRtcTransportOptions: types.WebRtcTransportOptions<{ peerId: string }> = {
	listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', flags: { udpReusePort: true } }, fullListenInfo],
	enableUdp: true,
	enableTcp: false,
	preferUdp: true,
	iceConsentTimeout: 20,
	initialAvailableOutgoingBitrate: 600000,
	enableSctp: false,
	maxSendMessageSize: 262144,
	maxReceiveMessageSize: 262144,
	sctpSendBufferSize: 262144,
	sctpPerStreamSendQueueLimit: 1000,
	sctpMaxReceiverWindowBufferSize: 1 << 20,
	sctpDefaultStreamBufferedAmountLowThreshold: 0,
	appData: { peerId: 'p1' },
};
const webRtcTransportOnServer = (webRtcServer: types.WebRtcServer): types.WebRtcTransportOptions => ({ webRtcServer });
const plainTransportOptions: types.PlainTransportOptions<{ recorder: boolean }> = {
	listenInfo: LISTEN_INFO,
	rtcpMux: false,
	comedia: true,
	enableSrtp: true,
	srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' satisfies types.SrtpCryptoSuite,
	appData: { recorder: true },
};
const pipeTransportOptions: types.PipeTransportOptions = { listenInfo: LISTEN_INFO, enableRtx: true, enableSrtp: false };
const directTransportOptions: types.DirectTransportOptions<{ direct: true }> = { appData: { direct: true } };
const readPipeToRouterResult = ({ pipeConsumer, pipeProducer, pipeDataConsumer, pipeDataProducer }: types.PipeToRouterResult): unknown[] =>
	[pipeConsumer?.id, pipeProducer?.id, pipeDataConsumer?.id, pipeDataProducer?.id];
const pipeToRouterOptions = (router: types.Router, producerId: string): types.PipeToRouterOptions => ({
	producerId,
	router,
	keepId: false,
	listenInfo: LISTEN_INFO,
	enableRtx: true,
});

const opusParameters: types.RtpCodecParameters = {
	mimeType: 'audio/opus',
	payloadType: 111,
	clockRate: 48000,
	channels: 2,
	parameters: { useinbandfec: 1 },
	rtcpFeedback: [{ type: 'transport-cc' } satisfies types.RtcpFeedback],
};
const audioLevelExtension: types.RtpHeaderExtensionParameters = {
	uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' satisfies types.RtpHeaderExtensionUri,
	id: 1,
	encrypt: false,
};
const midExtension: types.RtpHeaderExtensionParameters = { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 };
const audioEncoding: types.RtpEncodingParameters = { ssrc: 22222222, dtx: false };
const rtcp: types.RtcpParameters = { cname: 'publisher', reducedSize: true };
const audioRtpParameters: types.RtpParameters = {
	mid: '1',
	codecs: [opusParameters],
	headerExtensions: [midExtension, audioLevelExtension],
	encodings: [audioEncoding],
	rtcp,
};
// @ts-expect-error RtpParameters need codecs
const rtpParametersWithoutCodecs: types.RtpParameters = { mid: '0' };
const simulcastEncodings: types.RtpEncodingParameters[] = [
	{ rid: 'r0', scalabilityMode: 'L1T3', maxBitrate: 100000 },
	{ rid: 'r1', scalabilityMode: 'L1T3', maxBitrate: 300000, rtx: { ssrc: 1234 }, codecPayloadType: 96 },
];
const headerExtension: types.RtpHeaderExtension = {
	kind: 'audio' satisfies types.MediaKind,
	uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
	preferredId: 1,
	preferredEncrypt: false,
	direction: 'sendrecv' satisfies types.RtpHeaderExtensionDirection,
};
const producerOptions: types.ProducerOptions<{ source: 'mic' }> = {
	kind: 'audio',
	rtpParameters: audioRtpParameters,
	paused: false,
	keyFrameRequestDelay: 0,
	appData: { source: 'mic' },
};
// @ts-expect-error kind is required
const producerOptionsWithoutKind: types.ProducerOptions = { rtpParameters: audioRtpParameters };
const consumerOptions = (producerId: string, rtpCapabilities: types.RtpCapabilities): types.ConsumerOptions<{ peer: string }> => ({
	producerId,
	rtpCapabilities,
	paused: true,
	preferredLayers: { spatialLayer: 0 } satisfies types.ConsumerLayers,
	ignoreDtx: false,
	enableRtx: true,
	appData: { peer: 'p2' },
});
// @ts-expect-error rtpCapabilities is required
const consumerOptionsWithoutCapabilities: types.ConsumerOptions = { producerId: 'p' };
const pipeConsumerOptions: types.PipeConsumerOptions<{ piped: true }> = { producerId: 'p', appData: { piped: true } };
const audioLevelObserverOptions: types.AudioLevelObserverOptions<{ room: string }> = {
	maxEntries: 2,
	threshold: -70,
	interval: 800,
	appData: { room: 'r1' },
};
const activeSpeakerObserverOptions: types.ActiveSpeakerObserverOptions = { interval: 300 };
const addRemoveProducerOptions = (producerId: string): types.RtpObserverAddRemoveProducerOptions => ({ producerId });
const dtlsParameters: types.DtlsParameters = {
	role: 'client' satisfies types.DtlsRole,
	fingerprints: [{ algorithm: 'sha-256' satisfies types.FingerprintAlgorithm, value: 'AB:CD' } satisfies types.DtlsFingerprint],
};
const srtpParameters: types.SrtpParameters = { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'a2V5' };
const scalabilityMode: types.ScalabilityMode = mediaplane.parseScalabilityMode('L3T3_KEY');

// Data channels.
const sctpStreamParameters: types.SctpStreamParameters = { streamId: 1, ordered: false, maxRetransmits: 3 };
const dataProducerOptions: types.DataProducerOptions<{ chat: true }> = {
	sctpStreamParameters,
	label: 'chat',
	protocol: 'json',
	paused: false,
	appData: { chat: true },
};
const dataConsumerOptions: types.DataConsumerOptions = { dataProducerId: 'dp', ordered: true, subchannels: [1, 2] };
const negotiated: types.SctpNegotiatedCapabilities = { negotiatedMaxOutboundStreams: 1024, negotiatedMaxInboundStreams: 1024 };
const dataProducerType: types.DataProducerType = 'sctp';
const dataConsumerType: types.DataConsumerType = 'direct';

// ---------------------------------------------------------------------------------
// Handlers written against the event maps.
function handleWorker(worker: types.Worker): void {
	const onDied = (...[error]: types.WorkerEvents['died']): void => void error.message;
	worker.on('died', onDied);
	worker.on('subprocessclose', () => undefined);
	worker.on('listenererror', (eventName, error: Error) => void [eventName, error]);
	const observer: types.WorkerObserver = worker.observer;
	observer.on('newrouter', (router: types.Router) => void router.id);
	observer.on('newwebrtcserver', (server: types.WebRtcServer) => void server.id);
	observer.on('close', () => undefined);
	observer.on('listenererror', (eventName, error: Error) => void [eventName, error]);
	const events: (keyof types.WorkerObserverEvents)[] = ['close', 'newrouter', 'newwebrtcserver'];
	void events;
}

function handleWebRtcServer(server: types.WebRtcServer): void {
	server.on('workerclose', () => undefined);
	const observer: types.WebRtcServerObserver = server.observer;
	const onHandled = (...[transport]: types.WebRtcServerObserverEvents['webrtctransporthandled']): void =>
		void (transport satisfies types.WebRtcTransport);
	observer.on('webrtctransporthandled', onHandled);
	observer.on('webrtctransportunhandled', onHandled);
	const events: (keyof types.WebRtcServerEvents)[] = ['workerclose'];
	void events;
}

function handleRouter(router: types.Router): void {
	const onWorkerClose = (...args: types.RouterEvents['workerclose']): void => void args;
	router.on('workerclose', onWorkerClose);
	const observer: types.RouterObserver = router.observer;
	observer.on('newtransport', (transport: types.Transport) => void transport.id);
	observer.on('newrtpobserver', (rtpObserver: types.RtpObserver) => void rtpObserver.id);
	const events: (keyof types.RouterObserverEvents)[] = ['close', 'newtransport', 'newrtpobserver'];
	void events;
}

function handleTransport(transport: types.Transport): void {
	transport.on('routerclose', () => undefined);
	transport.on('listenserverclose', () => undefined);
	const onTrace = (...[trace]: types.TransportEvents['trace']): void => {
		const data: types.TransportTraceEventData = trace;
		const type: types.TransportTraceEventType = data.type;
		const direction: 'in' | 'out' = data.direction;
		void [type, direction, data.timestamp, data.info];
	};
	transport.on('trace', onTrace);
	const observer: types.TransportObserver = transport.observer;
	observer.on('newproducer', (producer: types.Producer) => void producer.id);
	observer.on('newconsumer', (consumer: types.Consumer) => void consumer.id);
	observer.on('newdataproducer', (dataProducer: types.DataProducer) => void dataProducer.id);
	observer.on('newdataconsumer', (dataConsumer: types.DataConsumer) => void dataConsumer.id);
	observer.on('trace', onTrace);
	const events: (keyof types.TransportObserverEvents)[] = ['close', 'newproducer', 'newconsumer', 'newdataproducer', 'newdataconsumer', 'trace'];
	const type: types.TransportType = transport.type;
	void [events, type];
}

// Any transport connects (mediasoup's Transport.connect(params: unknown)).
async function connectAny(transport: types.Transport, params: unknown): Promise<void> {
	await transport.connect(params);
}

function handleWebRtcTransport(transport: types.WebRtcTransport): void {
	transport.on('icestatechange', (iceState: types.IceState) => void iceState);
	transport.on('iceselectedtuplechange', (tuple: types.TransportTuple) => void [tuple.localAddress, tuple.localPort, tuple.protocol]);
	transport.on('dtlsstatechange', (dtlsState: types.DtlsState) => void dtlsState);
	transport.on('sctpstatechange', (sctpState: types.SctpState) => void sctpState);
	const observer: types.WebRtcTransportObserver = transport.observer;
	observer.on('icestatechange', (iceState) => void (iceState satisfies types.IceState));
	const events: (keyof types.WebRtcTransportEvents)[] = ['icestatechange', 'iceselectedtuplechange', 'dtlsstatechange', 'sctpstatechange'];
	const observerEvents: (keyof types.WebRtcTransportObserverEvents)[] = ['icestatechange', 'dtlsstatechange'];
	void [events, observerEvents];
}

function handlePlainTransport(transport: types.PlainTransport): void {
	transport.on('tuple', (tuple: types.TransportTuple) => void tuple.remoteIp);
	transport.on('rtcptuple', (tuple: types.TransportTuple) => void tuple.remotePort);
	transport.on('sctpstatechange', (state: types.SctpState) => void state);
	const observer: types.PlainTransportObserver = transport.observer;
	observer.on('tuple', (tuple) => void tuple);
	const events: (keyof types.PlainTransportEvents)[] = ['tuple', 'rtcptuple', 'sctpstatechange'];
	const observerEvents: (keyof types.PlainTransportObserverEvents)[] = ['tuple', 'rtcptuple'];
	void [events, observerEvents];
}

function handlePipeTransport(transport: types.PipeTransport): void {
	transport.on('sctpstatechange', (state: types.SctpState) => void state);
	const onState = (...[state]: types.PipeTransportEvents['sctpstatechange']): void => void state;
	const onObserverState = (...[state]: types.PipeTransportObserverEvents['sctpstatechange']): void => void state;
	const pipeObserver: types.PipeTransportObserver = transport.observer;
	const pairs: types.PipeTransportPair = { otherRouterId: transport };
	void [onState, onObserverState, pipeObserver, pairs];
}

function handleDirectTransport(transport: types.DirectTransport): void {
	transport.on('rtcp', (packet: Buffer) => void packet.length);
	const observer: types.DirectTransportObserver = transport.observer;
	observer.on('rtcp', (packet: Buffer) => void packet.length);
	const events: (keyof types.DirectTransportEvents)[] = ['rtcp'];
	const observerEvents: (keyof types.DirectTransportObserverEvents)[] = ['rtcp'];
	void [events, observerEvents];
}

function handleProducer(producer: types.Producer<{ source: 'mic' }>): void {
	const source: 'mic' = producer.appData.source;
	const type: types.ProducerType = producer.type;
	producer.on('transportclose', () => undefined);
	producer.on('score', (scores: types.ProducerScore[]) => void scores.map((s) => [s.encodingIdx, s.ssrc, s.rid, s.score]));
	producer.on('videoorientationchange', (o: types.ProducerVideoOrientation) => void [o.camera, o.flip, o.rotation]);
	producer.on('trace', (trace: types.ProducerTraceEventData) => void [trace.type satisfies types.ProducerTraceEventType, trace.info.isKeyFrame]);
	const observer: types.ProducerObserver = producer.observer;
	observer.on('pause', () => undefined);
	observer.on('resume', () => undefined);
	const events: (keyof types.ProducerEvents)[] = ['transportclose', 'score', 'videoorientationchange', 'trace'];
	const observerEvents: (keyof types.ProducerObserverEvents)[] = ['close', 'pause', 'resume', 'score', 'videoorientationchange', 'trace'];
	void [source, type, events, observerEvents];
}

function handleConsumer(consumer: types.Consumer<{ peer: string }>): void {
	const peer: string = consumer.appData.peer;
	const type: types.ConsumerType = consumer.type;
	consumer.on('transportclose', () => undefined);
	consumer.on('producerclose', () => undefined);
	consumer.on('producerpause', () => undefined);
	consumer.on('producerresume', () => undefined);
	consumer.on('score', (score: types.ConsumerScore) => void [score.score, score.producerScore, score.producerScores]);
	consumer.on('layerschange', (layers?: types.ConsumerLayers) => void layers?.spatialLayer);
	consumer.on('trace', (trace: types.ConsumerTraceEventData) => void [trace.type satisfies types.ConsumerTraceEventType, trace.info.isKeyFrame]);
	consumer.on('rtp', (packet: Buffer) => void packet);
	const observer: types.ConsumerObserver = consumer.observer;
	observer.on('layerschange', (layers) => void layers);
	const events: (keyof types.ConsumerEvents)[] = ['transportclose', 'producerclose', 'producerpause', 'producerresume', 'score', 'layerschange', 'trace', 'rtp'];
	const observerEvents: (keyof types.ConsumerObserverEvents)[] = ['close', 'pause', 'resume', 'score', 'layerschange', 'trace'];
	void [peer, type, events, observerEvents];
}

function handleRtpObserver(rtpObserver: types.RtpObserver): void {
	rtpObserver.on('routerclose', () => undefined);
	const observer: types.RtpObserverObserver = rtpObserver.observer;
	observer.on('addproducer', (producer: types.Producer) => void producer);
	observer.on('removeproducer', (producer: types.Producer) => void producer);
	const type: types.RtpObserverType = rtpObserver.type;
	const events: (keyof types.RtpObserverEvents)[] = ['routerclose'];
	const observerEvents: (keyof types.RtpObserverObserverEvents)[] = ['close', 'pause', 'resume', 'addproducer', 'removeproducer'];
	void [type, events, observerEvents];
}

function handleAudioLevelObserver(observer: types.AudioLevelObserver<{ room: string }>): void {
	const room: string = observer.appData.room;
	const type: 'audiolevel' = observer.type;
	void type;
	const onVolumes = (...[volumes]: types.AudioLevelObserverEvents['volumes']): void => {
		for (const { producer, volume } of volumes satisfies types.AudioLevelObserverVolume[]) void [producer.id, volume];
	};
	observer.on('volumes', onVolumes);
	observer.on('silence', () => undefined);
	const observerObserver: types.AudioLevelObserverObserver = observer.observer;
	observerObserver.on('volumes', onVolumes);
	const observerEvents: (keyof types.AudioLevelObserverObserverEvents)[] = ['volumes', 'silence'];
	void [room, observerEvents];
}

function handleActiveSpeakerObserver(observer: types.ActiveSpeakerObserver<{ room: string }>): void {
	const room: string = observer.appData.room;
	const type: 'activespeaker' = observer.type;
	const onDominant = ({ producer }: types.ActiveSpeakerObserverDominantSpeaker): void => void producer.id;
	observer.on('dominantspeaker', onDominant);
	const observerObserver: types.ActiveSpeakerObserverObserver = observer.observer;
	observerObserver.on('dominantspeaker', onDominant);
	const events: (keyof types.ActiveSpeakerObserverEvents)[] = ['dominantspeaker', 'routerclose'];
	const observerEvents: (keyof types.ActiveSpeakerObserverObserverEvents)[] = ['dominantspeaker', 'addproducer'];
	void [room, type, events, observerEvents];
}

async function handleDataProducer(dataProducer: types.DataProducer<{ chat: true }>): Promise<void> {
	const chat: true = dataProducer.appData.chat;
	const type: types.DataProducerType = dataProducer.type;
	dataProducer.on('transportclose', () => undefined);
	const observer: types.DataProducerObserver = dataProducer.observer;
	observer.on('pause', () => undefined);
	const dump: types.DataProducerDump = await dataProducer.dump();
	const stats: types.DataProducerStat[] = await dataProducer.getStats();
	dataProducer.send('hello', 51, [1], 1, 2);
	const events: (keyof types.DataProducerEvents)[] = ['transportclose'];
	const observerEvents: (keyof types.DataProducerObserverEvents)[] = ['close', 'pause', 'resume'];
	void [chat, type, dump.label, stats[0].messagesReceived, events, observerEvents];
}

async function handleDataConsumer(dataConsumer: types.DataConsumer): Promise<void> {
	const type: types.DataConsumerType = dataConsumer.type;
	dataConsumer.on('message', (message: Buffer, ppid: number) => void [message, ppid]);
	dataConsumer.on('bufferedamountlow', (amount: number) => void amount);
	dataConsumer.on('sctpsendbufferfull', () => undefined);
	dataConsumer.on('dataproducerclose', () => undefined);
	const observer: types.DataConsumerObserver = dataConsumer.observer;
	observer.on('resume', () => undefined);
	const buffered: number = await dataConsumer.send('hi');
	const dump: types.DataConsumerDump = await dataConsumer.dump();
	const stats: types.DataConsumerStat[] = await dataConsumer.getStats();
	await dataConsumer.setSubchannels([1]);
	const events: (keyof types.DataConsumerEvents)[] = ['message', 'dataproducerpause', 'dataproducerresume'];
	const observerEvents: (keyof types.DataConsumerObserverEvents)[] = ['close', 'pause', 'resume'];
	void [type, buffered, dump.bufferedAmountLowThreshold, stats[0].bytesSent, events, observerEvents];
}

// Results an application reads: a result field that becomes optional fails here.
function readWorkerDump(dump: types.WorkerDump, usage: types.WorkerResourceUsage): number[] {
	return [dump.pid, dump.routerIds.length, dump.webRtcServerIds.length, usage.ru_utime, usage.ru_maxrss];
}
function readWebRtcServerDump(dump: types.WebRtcServerDump): string[] {
	const sockets: types.IpPort[] = [...dump.udpSockets, ...dump.tcpServers];
	const fragments: types.IceUserNameFragment[] = dump.localIceUsernameFragments;
	return [...sockets.map(({ ip, port }) => `${ip}:${port}`), ...fragments.map((f) => f.localIceUsernameFragment + f.webRtcTransportId)];
}
function readRouterDump(dump: types.RouterDump): string[] {
	return [dump.id, ...dump.transportIds, ...dump.rtpObserverIds, ...dump.mapProducerIdConsumerIds.map((e) => e.key)];
}
function readTransportDump(dump: types.BaseTransportDump): (string | number | undefined)[] {
	const listener: types.RtpListenerDump = dump.rtpListener;
	const extensions: types.RecvRtpHeaderExtensions = dump.recvRtpHeaderExtensions;
	const sctpListener: types.SctpListenerDump | undefined = dump.sctpListener;
	return [dump.id, dump.maxSendMessageSize, listener.ssrcTable.length, extensions.mid, sctpListener?.streamIdTable.length];
}
function readTransportStats(stats: types.BaseTransportStats): number[] {
	return [stats.timestamp, stats.bytesReceived, stats.recvBitrate, stats.bytesSent, stats.sendBitrate, stats.rtxBytesSent];
}
function readWebRtcTransport(transport: types.WebRtcTransport, dump: types.WebRtcTransportDump, stats: types.WebRtcTransportStat): unknown[] {
	const iceParameters: types.IceParameters = transport.iceParameters;
	const candidates: types.IceCandidate[] = transport.iceCandidates;
	const candidateType: types.IceCandidateType = candidates[0].type;
	const tcpType: types.IceCandidateTcpType | undefined = candidates[0].tcpType;
	const iceRole: types.IceRole = transport.iceRole;
	const iceState: types.IceState = transport.iceState;
	const dtls: types.DtlsParameters = transport.dtlsParameters;
	const dtlsState: types.DtlsState = transport.dtlsState;
	const sctpParameters: types.SctpParameters | undefined = transport.sctpParameters;
	const sctpState: types.SctpState | undefined = transport.sctpState;
	return [iceParameters.usernameFragment, candidates[0].address, candidates[0].priority, candidateType, tcpType, iceRole, iceState,
		dtls.fingerprints, dtlsState, sctpParameters?.port, sctpState, dump.iceRole, dump.dtlsState, stats.iceState, stats.transportId];
}
function readPlainTransport(transport: types.PlainTransport, dump: types.PlainTransportDump, stats: types.PlainTransportStat): unknown[] {
	const tuple: types.TransportTuple = transport.tuple;
	const srtp: types.SrtpParameters | undefined = transport.srtpParameters;
	return [tuple.localPort, srtp?.cryptoSuite, dump.rtcpMux, dump.comedia, dump.tuple, stats.rtcpMux, stats.tuple];
}
function readPipeTransport(dump: types.PipeTransportDump, stats: types.PipeTransportStat): unknown[] {
	return [dump.rtx, dump.tuple, dump.srtpParameters, stats.tuple];
}
function readDirectTransport(dump: types.DirectTransportDump, stats: types.DirectTransportStat): unknown[] {
	return [dump.producerIds, stats.type];
}
function readProducer(dump: types.ProducerDump, stats: types.ProducerStat[]): unknown[] {
	const recv: types.RtpStreamRecvStats[] = stats;
	const base: types.BaseRtpStreamStats | undefined = recv[0];
	const byLayer: types.BitrateByLayer | undefined = recv[0]?.bitrateByLayer;
	const streams: types.RtpStreamDump[] | undefined = dump.rtpStreams;
	const params: types.RtpStreamParametersDump | undefined = streams?.[0].params;
	const rtx: types.RtxStreamDump | undefined = streams?.[0].rtxStream;
	const rtxParams: types.RtxStreamParameters | undefined = rtx?.params;
	return [dump.id, dump.kind, dump.type, dump.rtpParameters.codecs, dump.paused, base?.ssrc, base?.score, byLayer, params?.ssrc, rtxParams?.ssrc];
}
function readConsumer(dump: types.ConsumerDump, stats: types.ConsumerStat[]): unknown[] {
	const base: types.BaseConsumerDump = dump;
	const variants: (types.SimpleConsumerDump | types.SimulcastConsumerDump | types.SvcConsumerDump | types.PipeConsumerDump)[] = [dump];
	const send: types.RtpStreamSendStats[] = stats.filter((s): s is types.RtpStreamSendStats => s.type === 'outbound-rtp');
	return [base.producerId, base.paused, base.producerPaused, variants, send[0]?.packetCount, send[0]?.byteCount];
}

// The classes are usable as types (interfaces in mediasoup 3.27, classes here).
type Entities = [
	types.Worker, types.WebRtcServer, types.Router, types.Transport, types.WebRtcTransport, types.PlainTransport,
	types.PipeTransport, types.DirectTransport, types.Producer, types.Consumer, types.DataProducer, types.DataConsumer,
	types.RtpObserver, types.AudioLevelObserver, types.ActiveSpeakerObserver,
];
// The error classes too, and they are types.WorkerClosedError etc. as values of errors.
function isClosedError(error: unknown): error is types.WorkerClosedError {
	return error instanceof errors.WorkerClosedError;
}
function isNotFound(error: unknown): error is types.NotFoundError {
	return error instanceof errorsModule.NotFoundError;
}
function isUnsupported(error: unknown): error is types.UnsupportedError {
	return error instanceof errors.UnsupportedError;
}

// mediaplane/extras as applications use it: their own typed emitters, enhancedOnce().
type ChatEvents = { message: [string, number]; closed: [] };
class Chat extends EnhancedEventEmitter<ChatEvents> {}

// Compile-time only: referenced so that nothing above is unused.
export const compileOnly = [
	index, moduleObserver, onNewWorker, logListeners, noListeners, choiceA, choiceB, choiceBoth, appData,
	emptyWorkerSettings, updateableSettings, listenInfoWithoutProtocol, listenIp, webRtcServerOptions,
	codecWithoutPayloadType, routerCapabilities, webRtcTransportOnServer, pipeToRouterOptions, readPipeToRouterResult,
	pipeTransportOptions,
	rtpParametersWithoutCodecs, simulcastEncodings, headerExtension, producerOptionsWithoutKind,
	consumerOptionsWithoutCapabilities, pipeConsumerOptions, activeSpeakerObserverOptions, addRemoveProducerOptions,
	dtlsParameters, srtpParameters, scalabilityMode, dataProducerOptions, dataConsumerOptions, negotiated,
	dataProducerType, dataConsumerType, handleWebRtcServer, handlePipeTransport, handleActiveSpeakerObserver,
	handleDataProducer, handleDataConsumer, readWebRtcServerDump, connectAny, readPipeTransport, isUnsupported,
	undefined as unknown as Entities, EnhancedEventEmitter, extras, ortc, ortcModule,
];

// ---------------------------------------------------------------------------------
// And it runs.
t.test('a mediasoup application, typed with types, runs', async (t) => {
	let newWorker: types.Worker | undefined;
	const onNew = (worker: types.Worker): void => void (newWorker = worker);
	mediaplane.observer.on('newworker', onNew);
	mediaplane.setLogEventListeners(logListeners);
	const worker = await mediaplane.createWorker<{ foo: number }>(workerSettings);
	mediaplane.setLogEventListeners();
	mediaplane.observer.off('newworker', onNew);
	t.equal(newWorker, worker, 'observer newworker');
	const foo: number = worker.appData.foo;
	t.equal(foo, 1, 'worker.appData is typed');
	handleWorker(worker);
	await worker.updateSettings(updateableSettings);
	t.ok(readWorkerDump(await worker.dump(), await worker.getResourceUsage()).every((n) => typeof n === 'number'));

	const router = await worker.createRouter<{ room: string }>(routerOptions);
	const room: string = router.appData.room;
	t.equal(room, 'r1');
	handleRouter(router);
	const caps: types.RtpCapabilities = router.rtpCapabilities;
	const payloadType: number = caps.codecs![0].preferredPayloadType;
	t.type(payloadType, 'number', "a router's codecs have a preferredPayloadType");
	const supported: types.RouterRtpCapabilities = mediaplane.getSupportedRtpCapabilities();
	t.ok(supported.codecs!.length > 0);
	t.ok(readRouterDump(await router.dump()).includes(router.id));

	const transport = await router.createWebRtcTransport<{ peerId: string }>(webRtcTransportOptions);
	const peerId: string = transport.appData.peerId;
	t.equal(peerId, 'p1');
	handleTransport(transport);
	handleWebRtcTransport(transport);
	const webRtcDump = await transport.dump();
	const webRtcStats = await transport.getStats();
	t.equal(readWebRtcTransport(transport, webRtcDump, webRtcStats[0]).length, 15);
	t.equal(readTransportDump(webRtcDump)[0], transport.id);
	t.equal(readTransportStats(webRtcStats[0]).length, 6);
	const dtlsStateChange = enhancedOnce(transport, 'dtlsstatechange');

	const plain = await router.createPlainTransport<{ recorder: boolean }>(plainTransportOptions);
	const recorder: boolean = plain.appData.recorder;
	t.equal(recorder, true);
	handlePlainTransport(plain);
	t.equal(readPlainTransport(plain, await plain.dump(), (await plain.getStats())[0])[2], false, 'rtcpMux: false');

	const producer = await plain.produce<{ source: 'mic' }>(producerOptions);
	handleProducer(producer);
	t.equal(producer.appData.source, 'mic');
	t.equal(readProducer(await producer.dump(), await producer.getStats())[0], producer.id);

	const consumer = await transport.consume<{ peer: string }>(consumerOptions(producer.id, router.rtpCapabilities));
	handleConsumer(consumer);
	t.equal(consumer.appData.peer, 'p2');
	t.equal(readConsumer(await consumer.dump(), await consumer.getStats())[0], producer.id);

	const audioLevelObserver = await router.createAudioLevelObserver<{ room: string }>(audioLevelObserverOptions);
	handleAudioLevelObserver(audioLevelObserver);
	handleRtpObserver(audioLevelObserver);
	await audioLevelObserver.addProducer(addRemoveProducerOptions(producer.id));
	await audioLevelObserver.removeProducer(addRemoveProducerOptions(producer.id));

	const direct = await router.createDirectTransport<{ direct: true }>(directTransportOptions);
	handleDirectTransport(direct);
	t.equal(readDirectTransport(await direct.dump(), (await direct.getStats())[0]).length, 2);

	const pipe = await router.createPipeTransport(pipeTransportOptions);
	handlePipeTransport(pipe);
	t.equal(pipe.type, 'pipe');

	// Errors are the classes `types` names.
	await t.rejects(
		transport.consume(consumerOptions('no-such-producer', router.rtpCapabilities)).catch((error: unknown) => {
			throw isNotFound(error) ? new Error('NotFoundError') : error;
		}),
		{ message: 'NotFoundError' },
		'an unknown producerId is a NotFoundError'
	);

	const chat = new Chat();
	const nextMessage = enhancedOnce<ChatEvents>(chat, 'message');
	chat.safeEmit('message', 'hi', 1);
	t.same(await nextMessage, ['hi', 1], 'enhancedOnce() resolves with the arguments');
	chat.on('listenererror', (eventName, error: Error) => void [eventName, error]);

	const subprocessClose = enhancedOnce<types.WorkerEvents>(worker, 'subprocessclose');
	worker.close();
	await subprocessClose;
	await t.rejects(
		worker.createRouter().catch((error: unknown) => {
			throw isClosedError(error) ? new Error('WorkerClosedError') : error;
		}),
		{ message: 'WorkerClosedError' },
		'a closed worker rejects with WorkerClosedError'
	);
	t.equal(transport.closed, true);
	void dtlsStateChange;
});
