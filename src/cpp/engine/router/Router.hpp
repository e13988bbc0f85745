#pragma once
// A Router: the engine's media routing domain. It owns its transports (and, with the
// producers/consumers issue, the producer -> consumers routing table).

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "../observer/ActiveSpeakerObserver.hpp"
#include "../observer/AudioLevelObserver.hpp"
#include "../transport/Transport.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class WebRtcTransport;

class Router : public RequestHandler, public Transport::RouterHooks, public RtpObserver::Listener {
public:
	Router(const WorkerContext& context, std::string id);
	~Router() override;

	Router(const Router&) = delete;
	Router& operator=(const Router&) = delete;

	const std::string& GetId() const { return id_; }
	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

	// Transport::RouterHooks
	void OnTransportNewProducer(Transport& transport, Producer& producer) override;
	void OnTransportProducerClosing(Transport& transport, Producer& producer) override;
	void OnTransportProducerPaused(Producer& producer) override;
	void OnTransportProducerResumed(Producer& producer) override;
	void OnTransportProducerScore(Producer& producer) override;
	void OnTransportProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) override;
	Producer* FindProducer(const std::string& producerId) override;
	void OnTransportNewConsumer(Transport& transport, Consumer& consumer, Producer& producer) override;
	void OnTransportConsumerClosing(Transport& transport, Consumer& consumer) override;
	void OnTransportConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) override;

	void OnTransportNewDataProducer(Transport& transport, DataProducer& producer) override;
	void OnTransportDataProducerClosing(Transport& transport, DataProducer& producer) override;
	void OnTransportDataProducerPaused(DataProducer& producer) override;
	void OnTransportDataProducerResumed(DataProducer& producer) override;
	void OnTransportDataProducerMessage(DataProducer& producer, const DataMessage& message) override;
	DataProducer* FindDataProducer(const std::string& dataProducerId) override;
	void OnTransportNewDataConsumer(Transport& transport, DataConsumer& consumer, DataProducer& producer) override;
	void OnTransportDataConsumerClosing(Transport& transport, DataConsumer& consumer) override;

	// RtpObserver::Listener (FindProducer above serves both)
	void OnObserverAddProducer(RtpObserver& observer, Producer& producer) override;
	void OnObserverRemoveProducer(RtpObserver& observer, Producer& producer) override;

private:
	Value CreateWebRtcTransport(const Value& data);
	Value CreatePlainTransport(const Value& data, bool pipe);
	void CloseTransport(const Value& data);
	// Creates an observer of that class under data's rtpObserverId (RequestError on a taken id).
	template <typename Observer>
	void CreateRtpObserver(const Value& data);
	void CloseRtpObserver(const Value& data);

	const WorkerContext& context_;
	std::string id_;
	std::unordered_map<std::string, std::unique_ptr<Transport>> transports_;
	// Routing: producer -> its consumers (a vector: the per-packet fan-out walks it),
	// consumer -> its producer and transport.
	std::unordered_map<std::string, Producer*> producers_;
	std::unordered_map<Producer*, std::vector<Consumer*>> consumersByProducer_;
	std::unordered_map<Consumer*, Producer*> producerByConsumer_;
	std::unordered_map<Consumer*, Transport*> transportByConsumer_;
	// Data routing, as for media: data producer -> its data consumers, and back.
	std::unordered_map<std::string, DataProducer*> dataProducers_;
	std::unordered_map<DataProducer*, std::vector<DataConsumer*>> dataConsumersByDataProducer_;
	std::unordered_map<DataConsumer*, DataProducer*> dataProducerByDataConsumer_;
	std::unordered_map<DataConsumer*, Transport*> transportByDataConsumer_;
	// RTP observers, and the ones watching each producer (fed its packets).
	std::unordered_map<std::string, std::unique_ptr<RtpObserver>> rtpObservers_;
	std::unordered_map<Producer*, std::vector<RtpObserver*>> observersByProducer_;
};

} // namespace mediaplane
