#define MP_LOG_SOURCE "Router"
#include "Router.hpp"

#include "../common/Logger.hpp"
#include "../transport/DirectTransport.hpp"
#include "../transport/PlainTransport.hpp"
#include "../transport/WebRtcTransport.hpp"

#include <algorithm>

namespace mediaplane {

Router::Router(const WorkerContext& context, std::string id) : context_(context), id_(std::move(id)) {
	context_.registry->Register(id_, this);
	MP_DEBUG("router %s created", id_.c_str());
}

Router::~Router() {
	// Transports close their producers and consumers through the hooks below, which
	// must still find the maps intact.
	transports_.clear();
	context_.registry->Unregister(id_);
	MP_DEBUG("router %s closed", id_.c_str());
}

Value Router::Dump() const {
	// Field names and shapes follow mediasoup v3's RouterDump; the maps are arrays of
	// { key, values } / { key, value } entries.
	Value transportIds = Value::MakeArray();
	for (const auto& entry : transports_) transportIds.Push(entry.first);
	Value producerConsumers = Value::MakeArray();
	for (const auto& entry : consumersByProducer_) {
		Value consumerIds = Value::MakeArray();
		for (Consumer* consumer : entry.second) consumerIds.Push(consumer->GetId());
		producerConsumers.Push(Value::MakeObject().Set("key", entry.first->GetId()).Set("values", std::move(consumerIds)));
	}
	Value consumerProducer = Value::MakeArray();
	for (const auto& entry : producerByConsumer_) {
		consumerProducer.Push(Value::MakeObject().Set("key", entry.first->GetId()).Set("value", entry.second->GetId()));
	}
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("transportIds", std::move(transportIds));
	Value observerIds = Value::MakeArray();
	for (const auto& entry : rtpObservers_) observerIds.Push(entry.first);
	dump.Set("rtpObserverIds", std::move(observerIds));
	dump.Set("mapProducerIdConsumerIds", std::move(producerConsumers));
	dump.Set("mapConsumerIdProducerId", std::move(consumerProducer));
	Value producerObservers = Value::MakeArray();
	for (const auto& entry : observersByProducer_) {
		Value ids = Value::MakeArray();
		for (RtpObserver* observer : entry.second) ids.Push(observer->GetId());
		producerObservers.Push(Value::MakeObject().Set("key", entry.first->GetId()).Set("values", std::move(ids)));
	}
	dump.Set("mapProducerIdObserverIds", std::move(producerObservers));
	Value dataProducerConsumers = Value::MakeArray();
	for (const auto& entry : dataConsumersByDataProducer_) {
		Value ids = Value::MakeArray();
		for (DataConsumer* consumer : entry.second) ids.Push(consumer->GetId());
		dataProducerConsumers.Push(Value::MakeObject().Set("key", entry.first->GetId()).Set("values", std::move(ids)));
	}
	Value dataConsumerProducer = Value::MakeArray();
	for (const auto& entry : dataProducerByDataConsumer_) {
		dataConsumerProducer.Push(Value::MakeObject().Set("key", entry.first->GetId()).Set("value", entry.second->GetId()));
	}
	dump.Set("mapDataProducerIdDataConsumerIds", std::move(dataProducerConsumers));
	dump.Set("mapDataConsumerIdDataProducerId", std::move(dataConsumerProducer));
	return dump;
}

Value Router::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::RouterDump: return Dump();
		case Method::RouterCreateWebRtcTransport: return CreateWebRtcTransport(request.data);
		case Method::RouterCreatePlainTransport: return CreatePlainTransport(request.data, false);
		case Method::RouterCreatePipeTransport: return CreatePlainTransport(request.data, true);
		case Method::RouterCreateDirectTransport: {
			const std::string& transportId = request.data.RequireString("transportId");
			if (context_.registry->Find(transportId)) {
				throw RequestError(RequestError::Kind::Error, "id \"" + transportId + "\" already exists");
			}
			auto transport = std::make_unique<DirectTransport>(context_, transportId, *this, request.data);
			Value dump = transport->Dump();
			transports_.emplace(transportId, std::move(transport));
			return dump;
		}
		case Method::RouterCloseTransport: CloseTransport(request.data); return Value();
		case Method::RouterCreateAudioLevelObserver: CreateRtpObserver<AudioLevelObserver>(request.data); return Value();
		case Method::RouterCreateActiveSpeakerObserver: CreateRtpObserver<ActiveSpeakerObserver>(request.data); return Value();
		case Method::RouterCloseRtpObserver: CloseRtpObserver(request.data); return Value();
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a router: ") + MethodName(request.method));
	}
}

Value Router::CreateWebRtcTransport(const Value& data) {
	const std::string& transportId = data.RequireString("transportId");
	if (context_.registry->Find(transportId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + transportId + "\" already exists");
	}
	auto transport = std::make_unique<WebRtcTransport>(context_, transportId, *this, data);
	Value dump = transport->Dump();
	transports_.emplace(transportId, std::move(transport));
	return dump;
}

Value Router::CreatePlainTransport(const Value& data, bool pipe) {
	const std::string& transportId = data.RequireString("transportId");
	if (context_.registry->Find(transportId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + transportId + "\" already exists");
	}
	auto transport = std::make_unique<PlainTransport>(context_, transportId, *this, data,
	                                                  pipe ? PlainTransport::Kind::Pipe : PlainTransport::Kind::Plain);
	Value dump = transport->Dump();
	transports_.emplace(transportId, std::move(transport));
	return dump;
}

template <typename Observer>
void Router::CreateRtpObserver(const Value& data) {
	const std::string& observerId = data.RequireString("rtpObserverId");
	if (context_.registry->Find(observerId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + observerId + "\" already exists");
	}
	rtpObservers_.emplace(observerId, std::make_unique<Observer>(context_, observerId, *this, data));
}

void Router::CloseRtpObserver(const Value& data) {
	const std::string& observerId = data.RequireString("rtpObserverId");
	auto it = rtpObservers_.find(observerId);
	if (it == rtpObservers_.end()) throw RequestError::NotFound("RtpObserver \"" + observerId + "\" not found");
	RtpObserver* observer = it->second.get();
	for (const Producer* producer : observer->GetProducers()) {
		OnObserverRemoveProducer(*observer, *const_cast<Producer*>(producer));
	}
	rtpObservers_.erase(it);
}

void Router::OnObserverAddProducer(RtpObserver& observer, Producer& producer) {
	observersByProducer_[&producer].push_back(&observer);
}

void Router::OnObserverRemoveProducer(RtpObserver& observer, Producer& producer) {
	auto it = observersByProducer_.find(&producer);
	if (it == observersByProducer_.end()) return;
	auto& list = it->second;
	list.erase(std::remove(list.begin(), list.end(), &observer), list.end());
	if (list.empty()) observersByProducer_.erase(it);
}

void Router::CloseTransport(const Value& data) {
	const std::string& transportId = data.RequireString("transportId");
	auto it = transports_.find(transportId);
	if (it == transports_.end()) {
		throw RequestError::NotFound("transport \"" + transportId + "\" not found");
	}
	transports_.erase(it);
}

} // namespace mediaplane

namespace mediaplane {

void Router::OnTransportNewProducer(Transport& /*transport*/, Producer& producer) {
	producers_[producer.GetId()] = &producer;
	consumersByProducer_[&producer];
}

void Router::OnTransportProducerClosing(Transport& /*transport*/, Producer& producer) {
	if (auto watched = observersByProducer_.find(&producer); watched != observersByProducer_.end()) {
		for (RtpObserver* observer : watched->second) observer->ProducerClosed(producer);
		observersByProducer_.erase(watched);
	}
	auto it = consumersByProducer_.find(&producer);
	if (it != consumersByProducer_.end()) {
		// Every consumer of a closed producer closes too ('producerclose').
		std::vector<Consumer*> consumers = std::move(it->second);
		consumersByProducer_.erase(it);
		for (Consumer* consumer : consumers) {
			consumer->ProducerClosed();
			producerByConsumer_.erase(consumer);
			auto transport = transportByConsumer_.find(consumer);
			if (transport != transportByConsumer_.end()) {
				Transport* owner = transport->second;
				transportByConsumer_.erase(transport);
				owner->RemoveConsumerForClosedProducer(*consumer);
			}
		}
	}
	producers_.erase(producer.GetId());
}

void Router::OnTransportProducerPaused(Producer& producer) {
	auto it = consumersByProducer_.find(&producer);
	if (it == consumersByProducer_.end()) return;
	for (Consumer* consumer : it->second) consumer->ProducerPaused();
}

void Router::OnTransportProducerResumed(Producer& producer) {
	auto it = consumersByProducer_.find(&producer);
	if (it == consumersByProducer_.end()) return;
	for (Consumer* consumer : it->second) consumer->ProducerResumed();
}

void Router::OnTransportProducerScore(Producer& producer) {
	auto it = consumersByProducer_.find(&producer);
	if (it == consumersByProducer_.end()) return;
	std::vector<int> scores = producer.GetScores();
	for (Consumer* consumer : it->second) consumer->ProducerScoresChanged(scores);
}

void Router::OnTransportProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) {
	auto it = consumersByProducer_.find(&producer);
	if (it != consumersByProducer_.end()) {
		for (Consumer* consumer : it->second) consumer->SendRtpPacket(packet, info);
	}
	// Observers read the packet after the consumers (it is not modified by them).
	if (!observersByProducer_.empty()) {
		auto watched = observersByProducer_.find(&producer);
		if (watched != observersByProducer_.end()) {
			for (RtpObserver* observer : watched->second) observer->ReceiveRtpPacket(producer, packet, info);
		}
	}
}

Producer* Router::FindProducer(const std::string& producerId) {
	auto it = producers_.find(producerId);
	return it == producers_.end() ? nullptr : it->second;
}

void Router::OnTransportNewConsumer(Transport& transport, Consumer& consumer, Producer& producer) {
	consumer.SetProducer(&producer);
	consumersByProducer_[&producer].push_back(&consumer);
	producerByConsumer_[&consumer] = &producer;
	transportByConsumer_[&consumer] = &transport;
}

void Router::OnTransportConsumerClosing(Transport& /*transport*/, Consumer& consumer) {
	auto producer = producerByConsumer_.find(&consumer);
	if (producer != producerByConsumer_.end()) {
		auto list = consumersByProducer_.find(producer->second);
		if (list != consumersByProducer_.end()) {
			// Order does not matter for the fan-out: swap with the last and pop.
			auto& consumers = list->second;
			auto found = std::find(consumers.begin(), consumers.end(), &consumer);
			if (found != consumers.end()) {
				*found = consumers.back();
				consumers.pop_back();
			}
		}
		producerByConsumer_.erase(producer);
	}
	transportByConsumer_.erase(&consumer);
}

void Router::OnTransportConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) {
	auto producer = producerByConsumer_.find(&consumer);
	if (producer != producerByConsumer_.end()) producer->second->RequestKeyFrame(mappedSsrc, context_.NowMs());
}

// ---- Data producers and consumers ----------------------------------------------------

void Router::OnTransportNewDataProducer(Transport& /*transport*/, DataProducer& producer) {
	dataProducers_[producer.GetId()] = &producer;
	dataConsumersByDataProducer_[&producer];
}

void Router::OnTransportDataProducerClosing(Transport& /*transport*/, DataProducer& producer) {
	auto it = dataConsumersByDataProducer_.find(&producer);
	if (it != dataConsumersByDataProducer_.end()) {
		// Every data consumer of a closed data producer closes too ('dataproducerclose').
		std::vector<DataConsumer*> consumers = std::move(it->second);
		dataConsumersByDataProducer_.erase(it);
		for (DataConsumer* consumer : consumers) {
			consumer->DataProducerClosed();
			dataProducerByDataConsumer_.erase(consumer);
			auto transport = transportByDataConsumer_.find(consumer);
			if (transport != transportByDataConsumer_.end()) {
				Transport* owner = transport->second;
				transportByDataConsumer_.erase(transport);
				owner->RemoveDataConsumerForClosedDataProducer(*consumer);
			}
		}
	}
	dataProducers_.erase(producer.GetId());
}

void Router::OnTransportDataProducerPaused(DataProducer& producer) {
	auto it = dataConsumersByDataProducer_.find(&producer);
	if (it == dataConsumersByDataProducer_.end()) return;
	for (DataConsumer* consumer : it->second) consumer->DataProducerPaused();
}

void Router::OnTransportDataProducerResumed(DataProducer& producer) {
	auto it = dataConsumersByDataProducer_.find(&producer);
	if (it == dataConsumersByDataProducer_.end()) return;
	for (DataConsumer* consumer : it->second) consumer->DataProducerResumed();
}

void Router::OnTransportDataProducerMessage(DataProducer& producer, const DataMessage& message) {
	auto it = dataConsumersByDataProducer_.find(&producer);
	if (it == dataConsumersByDataProducer_.end()) return;
	for (DataConsumer* consumer : it->second) consumer->SendMessage(message);
}

DataProducer* Router::FindDataProducer(const std::string& dataProducerId) {
	auto it = dataProducers_.find(dataProducerId);
	return it == dataProducers_.end() ? nullptr : it->second;
}

void Router::OnTransportNewDataConsumer(Transport& transport, DataConsumer& consumer, DataProducer& producer) {
	dataConsumersByDataProducer_[&producer].push_back(&consumer);
	dataProducerByDataConsumer_[&consumer] = &producer;
	transportByDataConsumer_[&consumer] = &transport;
}

void Router::OnTransportDataConsumerClosing(Transport& /*transport*/, DataConsumer& consumer) {
	auto producer = dataProducerByDataConsumer_.find(&consumer);
	if (producer != dataProducerByDataConsumer_.end()) {
		auto list = dataConsumersByDataProducer_.find(producer->second);
		if (list != dataConsumersByDataProducer_.end()) {
			auto& consumers = list->second;
			auto found = std::find(consumers.begin(), consumers.end(), &consumer);
			if (found != consumers.end()) consumers.erase(found);
		}
		dataProducerByDataConsumer_.erase(producer);
	}
	transportByDataConsumer_.erase(&consumer);
}

} // namespace mediaplane
