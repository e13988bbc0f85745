#include "Method.hpp"

namespace mediaplane {

namespace {

struct MethodEntry {
	Method method;
	const char* name;
};

constexpr MethodEntry kMethods[] = {
	{ Method::WorkerDump, "worker.dump" },
	{ Method::WorkerGetResourceUsage, "worker.getResourceUsage" },
	{ Method::WorkerUpdateSettings, "worker.updateSettings" },
	{ Method::WorkerCreateRouter, "worker.createRouter" },
	{ Method::WorkerCloseRouter, "worker.closeRouter" },
	{ Method::WorkerCreateWebRtcServer, "worker.createWebRtcServer" },
	{ Method::WorkerCloseWebRtcServer, "worker.closeWebRtcServer" },
	{ Method::WorkerSimulateFatalError, "worker.simulateFatalError" },
	{ Method::RouterDump, "router.dump" },
	{ Method::RouterCreateWebRtcTransport, "router.createWebRtcTransport" },
	{ Method::RouterCreatePlainTransport, "router.createPlainTransport" },
	{ Method::RouterCreatePipeTransport, "router.createPipeTransport" },
	{ Method::RouterCreateDirectTransport, "router.createDirectTransport" },
	{ Method::RouterCloseTransport, "router.closeTransport" },
	{ Method::RouterCreateAudioLevelObserver, "router.createAudioLevelObserver" },
	{ Method::RouterCreateActiveSpeakerObserver, "router.createActiveSpeakerObserver" },
	{ Method::RouterCloseRtpObserver, "router.closeRtpObserver" },
	{ Method::RtpObserverPause, "rtpObserver.pause" },
	{ Method::RtpObserverResume, "rtpObserver.resume" },
	{ Method::RtpObserverAddProducer, "rtpObserver.addProducer" },
	{ Method::RtpObserverRemoveProducer, "rtpObserver.removeProducer" },
	{ Method::WebRtcServerDump, "webRtcServer.dump" },
	{ Method::TransportDump, "transport.dump" },
	{ Method::TransportGetStats, "transport.getStats" },
	{ Method::TransportConnect, "transport.connect" },
	{ Method::TransportLinkInProcess, "transport.linkInProcess" },
	{ Method::TransportRestartIce, "transport.restartIce" },
	{ Method::TransportSetMaxIncomingBitrate, "transport.setMaxIncomingBitrate" },
	{ Method::TransportSetMaxOutgoingBitrate, "transport.setMaxOutgoingBitrate" },
	{ Method::TransportSetMinOutgoingBitrate, "transport.setMinOutgoingBitrate" },
	{ Method::TransportEnableTraceEvent, "transport.enableTraceEvent" },
	{ Method::TransportProduce, "transport.produce" },
	{ Method::TransportConsume, "transport.consume" },
	{ Method::TransportCloseProducer, "transport.closeProducer" },
	{ Method::TransportCloseConsumer, "transport.closeConsumer" },
	{ Method::ProducerDump, "producer.dump" },
	{ Method::ProducerGetStats, "producer.getStats" },
	{ Method::ProducerPause, "producer.pause" },
	{ Method::ProducerResume, "producer.resume" },
	{ Method::ProducerEnableTraceEvent, "producer.enableTraceEvent" },
	{ Method::ProducerSend, "producer.send" },
	{ Method::TransportSendRtcp, "transport.sendRtcp" },
	{ Method::ConsumerDump, "consumer.dump" },
	{ Method::ConsumerGetStats, "consumer.getStats" },
	{ Method::ConsumerPause, "consumer.pause" },
	{ Method::ConsumerResume, "consumer.resume" },
	{ Method::ConsumerSetPreferredLayers, "consumer.setPreferredLayers" },
	{ Method::ConsumerSetPriority, "consumer.setPriority" },
	{ Method::ConsumerRequestKeyFrame, "consumer.requestKeyFrame" },
	{ Method::ConsumerEnableTraceEvent, "consumer.enableTraceEvent" },
	{ Method::TransportProduceData, "transport.produceData" },
	{ Method::TransportConsumeData, "transport.consumeData" },
	{ Method::TransportCloseDataProducer, "transport.closeDataProducer" },
	{ Method::TransportCloseDataConsumer, "transport.closeDataConsumer" },
	{ Method::DataProducerDump, "dataProducer.dump" },
	{ Method::DataProducerGetStats, "dataProducer.getStats" },
	{ Method::DataProducerPause, "dataProducer.pause" },
	{ Method::DataProducerResume, "dataProducer.resume" },
	{ Method::DataProducerSend, "dataProducer.send" },
	{ Method::DataConsumerDump, "dataConsumer.dump" },
	{ Method::DataConsumerGetStats, "dataConsumer.getStats" },
	{ Method::DataConsumerPause, "dataConsumer.pause" },
	{ Method::DataConsumerResume, "dataConsumer.resume" },
	{ Method::DataConsumerSetBufferedAmountLowThreshold, "dataConsumer.setBufferedAmountLowThreshold" },
	{ Method::DataConsumerGetBufferedAmount, "dataConsumer.getBufferedAmount" },
	{ Method::DataConsumerSend, "dataConsumer.send" },
	{ Method::DataConsumerSetSubchannels, "dataConsumer.setSubchannels" },
	{ Method::DataConsumerAddSubchannel, "dataConsumer.addSubchannel" },
	{ Method::DataConsumerRemoveSubchannel, "dataConsumer.removeSubchannel" },
};

} // namespace

bool MethodFromName(std::string_view name, Method* method) {
	for (const auto& entry : kMethods) {
		if (name == entry.name) {
			*method = entry.method;
			return true;
		}
	}
	return false;
}

const char* MethodName(Method method) {
	for (const auto& entry : kMethods) {
		if (entry.method == method) return entry.name;
	}
	return "unknown";
}

} // namespace mediaplane
