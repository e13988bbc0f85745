#pragma once
// The requests the TypeScript layer can send to a worker. Names follow the
// "<target>.<action>" form; the addon maps the JS string to this enum once, on the main
// thread, so the worker dispatches on an integer.

#include <cstdint>
#include <string_view>

namespace mediaplane {

enum class Method : uint16_t {
	WorkerDump,
	WorkerGetResourceUsage,
	WorkerUpdateSettings,
	WorkerCreateRouter,
	WorkerCloseRouter,
	WorkerCreateWebRtcServer,
	WorkerCloseWebRtcServer,
	// Only accepted when the worker was created with test hooks enabled: makes the
	// engine take its fatal-error path so tests can observe `died`.
	WorkerSimulateFatalError,
	RouterDump,
	RouterCreateWebRtcTransport,
	RouterCreatePlainTransport,
	RouterCreatePipeTransport,
	RouterCreateDirectTransport,
	RouterCloseTransport,
	RouterCreateAudioLevelObserver,
	RouterCreateActiveSpeakerObserver,
	RouterCloseRtpObserver,
	RtpObserverPause,
	RtpObserverResume,
	RtpObserverAddProducer,
	RtpObserverRemoveProducer,
	WebRtcServerDump,
	TransportDump,
	TransportGetStats,
	TransportConnect,
	TransportLinkInProcess,
	TransportRestartIce,
	TransportSetMaxIncomingBitrate,
	TransportSetMaxOutgoingBitrate,
	TransportSetMinOutgoingBitrate,
	TransportEnableTraceEvent,
	TransportProduce,
	TransportConsume,
	TransportCloseProducer,
	TransportCloseConsumer,
	ProducerDump,
	ProducerGetStats,
	ProducerPause,
	ProducerResume,
	ProducerEnableTraceEvent,
	ProducerSend,
	TransportSendRtcp,
	ConsumerDump,
	ConsumerGetStats,
	ConsumerPause,
	ConsumerResume,
	ConsumerSetPreferredLayers,
	ConsumerSetPriority,
	ConsumerRequestKeyFrame,
	ConsumerEnableTraceEvent,
	TransportProduceData,
	TransportConsumeData,
	TransportCloseDataProducer,
	TransportCloseDataConsumer,
	DataProducerDump,
	DataProducerGetStats,
	DataProducerPause,
	DataProducerResume,
	DataProducerSend,
	DataConsumerDump,
	DataConsumerGetStats,
	DataConsumerPause,
	DataConsumerResume,
	DataConsumerSetBufferedAmountLowThreshold,
	DataConsumerGetBufferedAmount,
	DataConsumerSend,
	DataConsumerSetSubchannels,
	DataConsumerAddSubchannel,
	DataConsumerRemoveSubchannel,
};

// Methods the Worker answers itself; the rest go to the engine object named by the
// request's handlerId.
inline bool IsWorkerMethod(Method method) {
	return method <= Method::WorkerSimulateFatalError;
}

// Returns false when the name is unknown.
bool MethodFromName(std::string_view name, Method* method);
const char* MethodName(Method method);

} // namespace mediaplane
