#pragma once
// A DataConsumer: sends one DataProducer's messages to an endpoint's data channel (an
// outgoing SCTP stream of its transport) or to the application (DirectTransport
// 'message' events), keeping only those that pass its subchannel filter.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "DataProducer.hpp"
#include "SctpStreamParameters.hpp"

namespace mediaplane {

class DataConsumer : public RequestHandler {
public:
	enum class Type { Sctp, Direct };

	// What became of a message handed to the transport.
	enum class SendOutcome { Sent, BufferFull, Failed };

	class Listener {
	public:
		virtual ~Listener() = default;
		virtual SendOutcome OnDataConsumerSendMessage(DataConsumer& consumer, uint32_t ppid, const uint8_t* data,
		                                              size_t len) = 0;
		virtual size_t OnDataConsumerBufferedAmount(const DataConsumer& consumer) = 0;
		virtual void OnDataConsumerSetBufferedAmountLowThreshold(DataConsumer& consumer, size_t threshold) = 0;
		// The transport can carry messages (SCTP connected, or a DirectTransport).
		virtual bool IsDataTransportReady() const = 0;
	};

	// `data` is the transport.consumeData request: dataConsumerId, dataProducerId, type,
	// sctpStreamParameters (type 'sctp'), label, protocol, paused, subchannels.
	DataConsumer(const WorkerContext& context, std::string id, Listener& listener, const Value& data,
	             size_t maxMessageSize, bool pipe, size_t bufferedAmountLowThreshold);
	~DataConsumer() override;

	DataConsumer(const DataConsumer&) = delete;
	DataConsumer& operator=(const DataConsumer&) = delete;

	const std::string& GetId() const { return id_; }
	const std::string& GetDataProducerId() const { return dataProducerId_; }
	Type GetType() const { return type_; }
	const SctpStreamParameters& GetSctpStreamParameters() const { return sctpStreamParameters_; }
	const std::string& GetLabel() const { return label_; }
	const std::string& GetProtocol() const { return protocol_; }
	bool IsPipe() const { return pipe_; }
	// Active: neither paused, nor its producer paused, and the transport ready.
	bool IsActive() const;
	size_t GetBufferedAmountLowThreshold() const { return bufferedAmountLowThreshold_; }

	// A message from the DataProducer: filtered by subchannel, then sent.
	void SendMessage(const DataMessage& message);

	// The router's notifications about the DataProducer.
	void DataProducerPaused();
	void DataProducerResumed();
	// Emits 'dataproducerclose'; the transport destroys this object right after.
	void DataProducerClosed();
	// Events from the transport's SCTP stream.
	void BufferedAmountLow(size_t bufferedAmount);
	void SendBufferFull();

	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

private:
	// mediasoup's subchannel rule: required must be subscribed, ignored must not (except
	// on pipes), and with a list at least one of it must be.
	bool PassesSubchannels(const DataMessage& message) const;
	Value SubchannelsValue() const;

	const WorkerContext& context_;
	std::string id_;
	std::string dataProducerId_;
	Listener& listener_;
	Type type_;
	SctpStreamParameters sctpStreamParameters_;
	std::string label_;
	std::string protocol_;
	bool paused_ = false;
	bool dataProducerPaused_ = false;
	bool pipe_ = false;
	std::set<uint16_t> subchannels_;
	size_t maxMessageSize_;
	size_t bufferedAmountLowThreshold_;
	uint64_t messagesSent_ = 0;
	uint64_t bytesSent_ = 0;
	// Pipes: the frame of the message being sent and the subchannels it carries, kept
	// between messages so that framing does not allocate once they have grown.
	std::vector<uint8_t> pipeFrame_;
	std::vector<uint16_t> pipeSubchannels_;
};

// Subchannels travel between pipe transports in front of the payload, so that the far
// router can filter with them too: "MPSC" (4 bytes), a flags byte (1: a required
// subchannel follows, 2: an ignored one), the count (u16), the subchannels (u16 each),
// then the required and the ignored one when flagged; big-endian. Only messages that
// carry filters are framed. Encode writes the frame of `message` carrying `subchannels`
// (and its required/ignored ones) followed by its payload into `out`; Decode strips the
// frame (returns false, leaving the message as it was, when there is none).
void EncodePipeSubchannels(const DataMessage& message, const std::vector<uint16_t>& subchannels,
                           std::vector<uint8_t>& out);
bool DecodePipeSubchannels(DataMessage& message);

} // namespace mediaplane
