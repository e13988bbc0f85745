// The data-channel half of Transport: DataProducers and DataConsumers, and the SCTP
// association (RFC 8831) that carries them on WebRTC, plain and pipe transports. A
// DirectTransport has no association: its data producers take messages from the
// application and its data consumers hand them back (see DirectTransport.cpp).
#define MP_LOG_SOURCE "Transport"
#include <algorithm>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../sctp/DataChannelEstablishment.hpp"
#include "Transport.hpp"

namespace mediaplane {

namespace {

// mediasoup 3.20+'s defaults for the SCTP options of a transport.
constexpr double kDefaultSendBufferSize = 2000000;
constexpr double kDefaultPerStreamSendQueueLimit = 2000000;
constexpr double kDefaultMaxReceiverWindowBufferSize = 5242880;
constexpr uint32_t kDefaultBufferedAmountLowThreshold = 1024;
// SCTP packets over DTLS must fit one DTLS record in a 1200-byte datagram (RFC 8261
// §5: no IP fragmentation); over plain UDP only the UDP payload counts.
constexpr size_t kSctpMtuOverDtls = 1150;
constexpr size_t kSctpMtuOverUdp = 1200;
constexpr uint16_t kDefaultStreams = 65535;

size_t ReadSize(const Value& options, const char* key, double fallback) {
	const double value = options.OptionalNumber(key, fallback);
	if (!(value > 0) || value > 4294967295.0) throw RequestError::Type(std::string("invalid ") + key);
	return static_cast<size_t>(value);
}

// The payload an empty message stands for on an SCTP stream: RFC 8831 §6.6 sends one
// byte with the *Empty PPIDs; mediasoup hands ' ' or 0x00 to the application.
bool IsEmptyPpid(uint32_t ppid) { return ppid == sctp::PpidStringEmpty || ppid == sctp::PpidBinaryEmpty; }

} // namespace

void Transport::CreateSctpAssociation(const Value& options, bool isDataChannel) {
	if (!options.OptionalBool("enableSctp", false)) return;
	sctpIsDataChannel_ = isDataChannel;
	sctp::Options& o = sctpOptions_;
	o.maxSendMessageSize = maxSendMessageSize_;
	o.maxReceiveMessageSize = maxReceiveMessageSize_;
	o.sendBufferSize = ReadSize(options, "sctpSendBufferSize", kDefaultSendBufferSize);
	o.perStreamSendQueueLimit = ReadSize(options, "sctpPerStreamSendQueueLimit", kDefaultPerStreamSendQueueLimit);
	o.maxReceiverWindowBufferSize =
	    ReadSize(options, "sctpMaxReceiverWindowBufferSize", kDefaultMaxReceiverWindowBufferSize);
	sctpDefaultBufferedAmountLowThreshold_ =
	    options.OptionalUint32("sctpDefaultStreamBufferedAmountLowThreshold", kDefaultBufferedAmountLowThreshold);
	o.maxOutboundStreams = kDefaultStreams;
	o.maxInboundStreams = kDefaultStreams;
	// mediasoup 3.14's numSctpStreams, still honoured when given.
	if (const Value* streams = options.Find("numSctpStreams"); streams && streams->IsObject()) {
		o.maxOutboundStreams = static_cast<uint16_t>(std::clamp(streams->OptionalNumber("OS", kDefaultStreams), 1.0, 65535.0));
		o.maxInboundStreams = static_cast<uint16_t>(std::clamp(streams->OptionalNumber("MIS", kDefaultStreams), 1.0, 65535.0));
	}
	o.mtu = isDataChannel ? kSctpMtuOverDtls : kSctpMtuOverUdp;
	sctp_ = std::make_unique<sctp::Association>(*this, o);
	sctpTimer_ = std::make_unique<Timer>(context_.loop, [this]() { OnSctpTimer(); });
	sctpState_ = sctp::State::New;
}

void Transport::StartSctp() {
	if (!sctp_ || closedSctp_ || sctp_->GetState() != sctp::State::New) return;
	sctp_->Connect(context_.NowMs());
	RescheduleSctpTimer();
}

void Transport::HandleIncomingSctp(const uint8_t* data, size_t len) {
	if (!sctp_ || closedSctp_) return;
	sctp_->HandlePacket(data, len, context_.NowMs());
	RescheduleSctpTimer();
}

void Transport::OnSctpTimer() {
	if (!sctp_ || closedSctp_) return;
	sctp_->OnTimer(context_.NowMs());
	RescheduleSctpTimer();
}

void Transport::RescheduleSctpTimer() {
	if (!sctp_ || closedSctp_) return;
	const uint64_t now = context_.NowMs();
	const uint64_t next = sctp_->NextTimeoutMs(now);
	if (next == UINT64_MAX) {
		sctpTimer_->Stop();
		return;
	}
	sctpTimer_->Start(next > now ? next - now : 0);
}

void Transport::CloseSctp(bool notify) {
	if (!sctp_ || closedSctp_) return;
	sctpTimer_->Stop();
	const bool wasClosed = sctpState_ == sctp::State::Closed;
	// Taken out first: the callbacks Abort() makes see no association and emit nothing.
	std::unique_ptr<sctp::Association> association = std::move(sctp_);
	association->Abort();
	sctpState_ = sctp::State::Closed;
	// Kept (closed) so that dumps still report the SCTP fields.
	sctp_ = std::move(association);
	closedSctp_ = true;
	if (notify && !wasClosed) context_.Emit(id_, "sctpstatechange", Value::MakeObject().Set("sctpState", "closed"));
}

const char* Transport::SctpStateName() const { return sctp::StateName(sctpState_); }

void Transport::AddSctpDump(Value& dump) const {
	const sctp::Options& o = sctpOptions_;
	Value params = Value::MakeObject();
	params.Set("port", 5000);
	params.Set("OS", static_cast<uint32_t>(o.maxOutboundStreams));
	params.Set("MIS", static_cast<uint32_t>(o.maxInboundStreams));
	params.Set("maxMessageSize", static_cast<uint64_t>(o.maxReceiveMessageSize));
	params.Set("maxSendMessageSize", static_cast<uint64_t>(o.maxSendMessageSize));
	params.Set("maxReceiveMessageSize", static_cast<uint64_t>(o.maxReceiveMessageSize));
	params.Set("sendBufferSize", static_cast<uint64_t>(o.sendBufferSize));
	params.Set("perStreamSendQueueLimit", static_cast<uint64_t>(o.perStreamSendQueueLimit));
	params.Set("maxReceiverWindowBufferSize", static_cast<uint64_t>(o.maxReceiverWindowBufferSize));
	params.Set("isDataChannel", sctpIsDataChannel_);
	dump.Set("sctpParameters", std::move(params));
	dump.Set("sctpState", SctpStateName());
	Value negotiated = Value::MakeObject();
	negotiated.Set("negotiatedMaxOutboundStreams", static_cast<uint32_t>(sctp_->GetNegotiatedOutboundStreams()));
	negotiated.Set("negotiatedMaxInboundStreams", static_cast<uint32_t>(sctp_->GetNegotiatedInboundStreams()));
	dump.Set("sctpNegotiatedCapabilities", std::move(negotiated));
	Value table = Value::MakeArray();
	for (const auto& entry : dataProducersByStreamId_) {
		table.Push(Value::MakeObject().Set("key", static_cast<uint32_t>(entry.first)).Set("value", entry.second->GetId()));
	}
	dump.Set("sctpListener", Value::MakeObject().Set("streamIdTable", std::move(table)));
	const sctp::Stats& stats = sctp_->GetStats();
	Value counters = Value::MakeObject();
	counters.Set("packetsReceived", stats.packetsReceived);
	counters.Set("packetsSent", stats.packetsSent);
	counters.Set("packetsDropped", stats.packetsDropped);
	counters.Set("messagesReceived", stats.messagesReceived);
	counters.Set("messagesSent", stats.messagesSent);
	counters.Set("messagesDiscarded", stats.messagesDiscarded);
	counters.Set("retransmissions", stats.retransmissions);
	// Beyond mediasoup's fields: the association's own counters.
	dump.Set("sctpStats", std::move(counters));
}

// ---- sctp::Association::Listener ---------------------------------------------------

void Transport::OnSctpSendPacket(const uint8_t* data, size_t len) { SendSctpPacket(data, len); }

void Transport::OnSctpStateChange(sctp::State state) {
	if (closedSctp_ || !sctp_) return; // closing: the transport reports 'closed' itself
	sctpState_ = state;
	context_.Emit(id_, "sctpstatechange", Value::MakeObject().Set("sctpState", sctp::StateName(state)));
	if (state == sctp::State::Connected) {
		Value negotiated = Value::MakeObject();
		negotiated.Set("negotiatedMaxOutboundStreams", static_cast<uint32_t>(sctp_->GetNegotiatedOutboundStreams()));
		negotiated.Set("negotiatedMaxInboundStreams", static_cast<uint32_t>(sctp_->GetNegotiatedInboundStreams()));
		context_.Emit(id_, "sctpnegotiatedcapabilities", std::move(negotiated));
		std::vector<uint16_t> opens;
		opens.swap(pendingDataChannelOpens_);
		for (uint16_t streamId : opens) {
			auto it = dataConsumersByStreamId_.find(streamId);
			if (it != dataConsumersByStreamId_.end()) SendDataChannelOpen(*it->second);
		}
	}
}

// RFC 8832 §5.1: the channel type and reliability parameter of a DataConsumer's stream.
void Transport::SendDataChannelOpen(const DataConsumer& consumer) {
	const SctpStreamParameters& params = consumer.GetSctpStreamParameters();
	sctp::DataChannelOpen open;
	const uint8_t unordered = params.ordered ? 0x00 : 0x80;
	if (params.maxRetransmits >= 0) {
		open.channelType = sctp::DcepPartialReliableRexmit | unordered;
		open.reliabilityParameter = static_cast<uint32_t>(params.maxRetransmits);
	} else if (params.maxPacketLifeTime >= 0) {
		open.channelType = sctp::DcepPartialReliableTimed | unordered;
		open.reliabilityParameter = static_cast<uint32_t>(params.maxPacketLifeTime);
	} else {
		open.channelType = sctp::DcepReliable | unordered;
	}
	open.label = consumer.GetLabel();
	open.protocol = consumer.GetProtocol();
	const std::vector<uint8_t> bytes = open.Serialize();
	// RFC 8832 §6: DCEP messages go reliable and ordered.
	sctp_->Send(params.streamId, sctp::PpidDcep, bytes.data(), bytes.size(), sctp::SendOptions{}, context_.NowMs());
	RescheduleSctpTimer();
}

void Transport::OnSctpMessage(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len) {
	if (ppid == sctp::PpidDcep) {
		// RFC 8832 §6: a DATA_CHANNEL_OPEN is acknowledged on the same stream. mediasoup's
		// clients negotiate their channels out of band (negotiated: true); a peer that
		// opens one in band still gets its ACK, and its messages reach the DataProducer
		// the application created for that stream. A channel with no DataProducer yet is
		// reported ('datachannelopen', for the W3C layer, which makes one).
		sctp::DataChannelOpen open;
		if (sctpIsDataChannel_ && open.Parse(data, len)) {
			const std::vector<uint8_t> ack = sctp::SerializeDataChannelAck();
			sctp_->Send(streamId, sctp::PpidDcep, ack.data(), ack.size(), sctp::SendOptions{}, context_.NowMs());
			if (!dataProducersByStreamId_.count(streamId)) {
				Value event = Value::MakeObject();
				event.Set("streamId", static_cast<uint32_t>(streamId));
				event.Set("label", open.label);
				event.Set("protocol", open.protocol);
				event.Set("ordered", !open.Unordered());
				const uint8_t reliability = open.channelType & 0x7f;
				if (reliability == sctp::DcepPartialReliableRexmit) event.Set("maxRetransmits", open.reliabilityParameter);
				if (reliability == sctp::DcepPartialReliableTimed) event.Set("maxPacketLifeTime", open.reliabilityParameter);
				context_.Emit(id_, "datachannelopen", std::move(event));
			}
		}
		return;
	}
	auto it = dataProducersByStreamId_.find(streamId);
	if (it == dataProducersByStreamId_.end()) {
		MP_DEBUG("no DataProducer for SCTP stream %u, message dropped", streamId);
		return;
	}
	DataMessage message;
	message.ppid = ppid;
	static const uint8_t kSpace = ' ';
	static const uint8_t kZero = 0;
	if (IsEmptyPpid(ppid)) {
		message.data = ppid == sctp::PpidStringEmpty ? &kSpace : &kZero;
		message.len = 1;
	} else {
		message.data = data;
		message.len = len;
	}
	if (IsPipe()) DecodePipeSubchannels(message);
	it->second->ReceiveMessage(message);
}

void Transport::OnSctpIncomingStreamsReset(const std::vector<uint16_t>& streamIds) {
	// RFC 8831 §6.7: the peer closed these channels; resetting our outgoing side of the
	// same streams completes the close on its end.
	if (!sctpIsDataChannel_) return;
	sctp_->ResetStreams(streamIds, context_.NowMs());
	// For the W3C layer: the peer closed these channels (their DataProducers can go).
	Value ids = Value::MakeArray();
	for (uint16_t streamId : streamIds) ids.Push(static_cast<uint32_t>(streamId));
	context_.Emit(id_, "sctpincomingstreamsreset", Value::MakeObject().Set("streamIds", std::move(ids)));
}

void Transport::OnSctpBufferedAmountLow(uint16_t streamId, size_t bufferedAmount) {
	auto it = dataConsumersByStreamId_.find(streamId);
	if (it != dataConsumersByStreamId_.end()) it->second->BufferedAmountLow(bufferedAmount);
}

// ---- Requests ----------------------------------------------------------------------

Value Transport::ProduceData(const Value& data) {
	const std::string& dataProducerId = data.RequireString("dataProducerId");
	if (context_.registry->Find(dataProducerId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + dataProducerId + "\" already exists");
	}
	auto producer = std::make_unique<DataProducer>(context_, dataProducerId, *this, data, maxReceiveMessageSize_);
	if (producer->GetType() == DataProducer::Type::Sctp) {
		if (!sctp_) throw RequestError::Type("SCTP not enabled on this transport (enableSctp)");
		const uint16_t streamId = producer->GetSctpStreamParameters().streamId;
		if (dataProducersByStreamId_.count(streamId)) {
			throw RequestError(RequestError::Kind::Error,
			                   "sctpStreamParameters.streamId " + std::to_string(streamId) + " already in use");
		}
		dataProducersByStreamId_[streamId] = producer.get();
	}
	DataProducer& ref = *producer;
	dataProducers_.emplace(dataProducerId, std::move(producer));
	router_.OnTransportNewDataProducer(*this, ref);
	return ref.Dump();
}

Value Transport::ConsumeData(const Value& data) {
	const std::string& dataConsumerId = data.RequireString("dataConsumerId");
	const std::string& dataProducerId = data.RequireString("dataProducerId");
	if (context_.registry->Find(dataConsumerId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + dataConsumerId + "\" already exists");
	}
	DataProducer* producer = router_.FindDataProducer(dataProducerId);
	if (!producer) throw RequestError::NotFound("DataProducer with id \"" + dataProducerId + "\" not found");
	auto consumer = std::make_unique<DataConsumer>(context_, dataConsumerId, *this, data, maxSendMessageSize_, IsPipe(),
	                                               sctpDefaultBufferedAmountLowThreshold_);
	if (consumer->GetType() == DataConsumer::Type::Sctp) {
		if (!sctp_) throw RequestError::Type("SCTP not enabled on this transport (enableSctp)");
		const uint16_t streamId = consumer->GetSctpStreamParameters().streamId;
		if (dataConsumersByStreamId_.count(streamId)) {
			throw RequestError(RequestError::Kind::Error,
			                   "sctpStreamParameters.streamId " + std::to_string(streamId) + " already in use");
		}
		dataConsumersByStreamId_[streamId] = consumer.get();
		sctp_->SetBufferedAmountLowThreshold(streamId, consumer->GetBufferedAmountLowThreshold());
		// Announce the channel in band to a peer that does not negotiate it out of band.
		if (data.OptionalBool("dcepOpen", false) && sctpIsDataChannel_) {
			if (IsDataTransportReady()) SendDataChannelOpen(*consumer);
			else pendingDataChannelOpens_.push_back(streamId);
		}
	}
	DataConsumer& ref = *consumer;
	dataConsumers_.emplace(dataConsumerId, std::move(consumer));
	if (producer->IsPaused()) ref.DataProducerPaused();
	router_.OnTransportNewDataConsumer(*this, ref, *producer);
	return ref.Dump();
}

void Transport::CloseDataProducer(const std::string& dataProducerId) {
	auto it = dataProducers_.find(dataProducerId);
	if (it == dataProducers_.end()) {
		throw RequestError::NotFound("DataProducer with id \"" + dataProducerId + "\" not found");
	}
	DataProducer& producer = *it->second;
	router_.OnTransportDataProducerClosing(*this, producer);
	if (producer.GetType() == DataProducer::Type::Sctp) {
		const uint16_t streamId = producer.GetSctpStreamParameters().streamId;
		dataProducersByStreamId_.erase(streamId);
		// RFC 8831 §6.7: closing a channel resets its outgoing stream; the peer then
		// closes its side (its outgoing stream, our incoming one).
		if (sctp_ && !closedSctp_ && sctpIsDataChannel_ && !dataConsumersByStreamId_.count(streamId)) {
			sctp_->ResetStreams({ streamId }, context_.NowMs());
			RescheduleSctpTimer();
		}
	}
	dataProducers_.erase(it);
}

void Transport::CloseDataConsumer(const std::string& dataConsumerId) {
	auto it = dataConsumers_.find(dataConsumerId);
	if (it == dataConsumers_.end()) {
		throw RequestError::NotFound("DataConsumer with id \"" + dataConsumerId + "\" not found");
	}
	router_.OnTransportDataConsumerClosing(*this, *it->second);
	DestroyDataConsumer(*it->second);
}

void Transport::RemoveDataConsumerForClosedDataProducer(DataConsumer& consumer) { DestroyDataConsumer(consumer); }

void Transport::DestroyDataConsumer(DataConsumer& consumer) {
	if (consumer.GetType() == DataConsumer::Type::Sctp) {
		const uint16_t streamId = consumer.GetSctpStreamParameters().streamId;
		dataConsumersByStreamId_.erase(streamId);
		// The endpoint's data channel closes with the stream reset (RFC 8831 §6.7).
		if (sctp_ && sctp_->GetState() == sctp::State::Connected) {
			sctp_->ResetStreams({ streamId }, context_.NowMs());
			RescheduleSctpTimer();
		}
	}
	dataConsumers_.erase(consumer.GetId());
}

// ---- DataProducer / DataConsumer listeners -----------------------------------------

void Transport::OnDataProducerMessage(DataProducer& producer, const DataMessage& message) {
	router_.OnTransportDataProducerMessage(producer, message);
}

void Transport::OnDataProducerPaused(DataProducer& producer) { router_.OnTransportDataProducerPaused(producer); }

void Transport::OnDataProducerResumed(DataProducer& producer) { router_.OnTransportDataProducerResumed(producer); }

DataConsumer::SendOutcome Transport::OnDataConsumerSendMessage(DataConsumer& consumer, uint32_t ppid,
                                                               const uint8_t* data, size_t len) {
	if (!sctp_ || consumer.GetType() != DataConsumer::Type::Sctp) return DataConsumer::SendOutcome::Failed;
	const SctpStreamParameters& params = consumer.GetSctpStreamParameters();
	sctp::SendOptions options;
	options.ordered = params.ordered;
	options.maxPacketLifeTimeMs = params.maxPacketLifeTime;
	options.maxRetransmits = params.maxRetransmits;
	// RFC 8831 §6.6: an empty message is one byte with an *Empty PPID.
	if (IsEmptyPpid(ppid)) len = 0;
	const sctp::SendResult result = sctp_->Send(params.streamId, ppid, data, len, options, context_.NowMs());
	RescheduleSctpTimer();
	switch (result) {
		case sctp::SendResult::Ok: return DataConsumer::SendOutcome::Sent;
		case sctp::SendResult::BufferFull: return DataConsumer::SendOutcome::BufferFull;
		default: return DataConsumer::SendOutcome::Failed;
	}
}

size_t Transport::OnDataConsumerBufferedAmount(const DataConsumer& consumer) {
	if (!sctp_ || consumer.GetType() != DataConsumer::Type::Sctp) return 0;
	return sctp_->GetBufferedAmount(consumer.GetSctpStreamParameters().streamId);
}

void Transport::OnDataConsumerSetBufferedAmountLowThreshold(DataConsumer& consumer, size_t threshold) {
	if (!sctp_ || consumer.GetType() != DataConsumer::Type::Sctp) return;
	sctp_->SetBufferedAmountLowThreshold(consumer.GetSctpStreamParameters().streamId, threshold);
}

bool Transport::IsDataTransportReady() const { return sctp_ && sctpState_ == sctp::State::Connected; }

} // namespace mediaplane
