#pragma once
// A DataProducer: messages coming into the router from one endpoint's data channel (an
// SCTP stream of its transport) or from the application (DirectTransport send()). The
// router hands each message to the DataConsumers of this producer, which filter it by
// subchannel.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "SctpStreamParameters.hpp"

namespace mediaplane {

// One message as the router routes it: the payload, its PPID (RFC 8831 §8) and the
// subchannel filters given by the sender (mediasoup's DataProducer send()).
struct DataMessage {
	uint32_t ppid = 0;
	const uint8_t* data = nullptr;
	size_t len = 0;
	std::vector<uint16_t> subchannels;
	std::optional<uint16_t> requiredSubchannel;
	std::optional<uint16_t> ignoredSubchannel;
};

class DataProducer : public RequestHandler {
public:
	enum class Type { Sctp, Direct };

	class Listener {
	public:
		virtual ~Listener() = default;
		virtual void OnDataProducerMessage(DataProducer& producer, const DataMessage& message) = 0;
		virtual void OnDataProducerPaused(DataProducer& producer) = 0;
		virtual void OnDataProducerResumed(DataProducer& producer) = 0;
	};

	// `data` is the transport.produceData request: dataProducerId, type, label,
	// protocol, paused, sctpStreamParameters (type 'sctp'). Throws RequestError.
	DataProducer(const WorkerContext& context, std::string id, Listener& listener, const Value& data,
	             size_t maxMessageSize);
	~DataProducer() override;

	DataProducer(const DataProducer&) = delete;
	DataProducer& operator=(const DataProducer&) = delete;

	const std::string& GetId() const { return id_; }
	Type GetType() const { return type_; }
	const char* GetTypeName() const { return type_ == Type::Sctp ? "sctp" : "direct"; }
	const SctpStreamParameters& GetSctpStreamParameters() const { return sctpStreamParameters_; }
	const std::string& GetLabel() const { return label_; }
	const std::string& GetProtocol() const { return protocol_; }
	bool IsPaused() const { return paused_; }

	// A message received from the endpoint (or the application): counted, and handed to
	// the listener unless paused or too large.
	void ReceiveMessage(const DataMessage& message);

	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

private:
	void HandleSend(const Value& data);

	const WorkerContext& context_;
	std::string id_;
	Listener& listener_;
	Type type_;
	SctpStreamParameters sctpStreamParameters_;
	std::string label_;
	std::string protocol_;
	bool paused_ = false;
	size_t maxMessageSize_;
	uint64_t messagesReceived_ = 0;
	uint64_t bytesReceived_ = 0;
	uint64_t messagesDropped_ = 0; // too large
};

// Reads an optional list of subchannels (integers 0..65535) from `key`.
std::vector<uint16_t> ReadSubchannels(const Value& data, const char* key);
std::optional<uint16_t> ReadOptionalSubchannel(const Value& data, const char* key);

} // namespace mediaplane
