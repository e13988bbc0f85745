#define MP_LOG_SOURCE "DataConsumer"
#include "DataConsumer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"

namespace mediaplane {

DataConsumer::DataConsumer(const WorkerContext& context, std::string id, Listener& listener, const Value& data,
                           size_t maxMessageSize, bool pipe, size_t bufferedAmountLowThreshold)
    : context_(context), id_(std::move(id)), listener_(listener), pipe_(pipe), maxMessageSize_(maxMessageSize),
      bufferedAmountLowThreshold_(bufferedAmountLowThreshold) {
	dataProducerId_ = data.RequireString("dataProducerId");
	DataChannelFields fields = DataChannelFields::FromRequest(data);
	type_ = fields.sctp ? Type::Sctp : Type::Direct;
	sctpStreamParameters_ = fields.sctpStreamParameters;
	label_ = std::move(fields.label);
	protocol_ = std::move(fields.protocol);
	paused_ = data.OptionalBool("paused", false);
	for (uint16_t subchannel : ReadSubchannels(data, "subchannels")) subchannels_.insert(subchannel);
	context_.registry->Register(id_, this);
}

DataConsumer::~DataConsumer() { context_.registry->Unregister(id_); }

bool DataConsumer::IsActive() const { return !paused_ && !dataProducerPaused_ && listener_.IsDataTransportReady(); }

bool DataConsumer::PassesSubchannels(const DataMessage& message) const {
	// A pipe subscribed to nothing carries everything: the far router filters.
	if (pipe_ && subchannels_.empty()) return true;
	if (message.requiredSubchannel && !subchannels_.count(*message.requiredSubchannel)) return false;
	// Not on pipes: a message one peer sends to "everyone but me" must still reach the
	// other host, where that peer's own consumers are filtered.
	if (!pipe_ && message.ignoredSubchannel && subchannels_.count(*message.ignoredSubchannel)) return false;
	if (!message.subchannels.empty()) {
		for (uint16_t subchannel : message.subchannels) {
			if (subchannels_.count(subchannel)) return true;
		}
		return false;
	}
	return true;
}

void DataConsumer::SendMessage(const DataMessage& message) {
	if (!IsActive() || !PassesSubchannels(message)) return;
	const uint8_t* data = message.data;
	size_t len = message.len;
	if (pipe_ && (!message.subchannels.empty() || message.requiredSubchannel || message.ignoredSubchannel)) {
		// Only the subchannels this pipe carries, so the far router does not deliver to
		// consumers of subchannels this pipe was not subscribed to. The frame is built in
		// a buffer kept for the next message (no allocation once it has grown).
		const std::vector<uint16_t>* carried = &message.subchannels;
		if (!subchannels_.empty()) {
			pipeSubchannels_.clear();
			for (uint16_t subchannel : message.subchannels) {
				if (subchannels_.count(subchannel)) pipeSubchannels_.push_back(subchannel);
			}
			carried = &pipeSubchannels_;
		}
		EncodePipeSubchannels(message, *carried, pipeFrame_);
		data = pipeFrame_.data();
		len = pipeFrame_.size();
	}
	if (len > maxMessageSize_) {
		MP_DEBUG("message of %zu bytes exceeds maxMessageSize %zu, not sent", len, maxMessageSize_);
		return;
	}
	++messagesSent_;
	bytesSent_ += len;
	if (listener_.OnDataConsumerSendMessage(*this, message.ppid, data, len) == SendOutcome::BufferFull) SendBufferFull();
}

void DataConsumer::DataProducerPaused() {
	if (dataProducerPaused_) return;
	dataProducerPaused_ = true;
	context_.Emit(id_, "dataproducerpause");
}

void DataConsumer::DataProducerResumed() {
	if (!dataProducerPaused_) return;
	dataProducerPaused_ = false;
	context_.Emit(id_, "dataproducerresume");
}

void DataConsumer::DataProducerClosed() { context_.Emit(id_, "dataproducerclose"); }

void DataConsumer::BufferedAmountLow(size_t bufferedAmount) {
	context_.Emit(id_, "bufferedamountlow",
	              Value::MakeObject().Set("bufferedAmount", static_cast<uint64_t>(bufferedAmount)));
}

void DataConsumer::SendBufferFull() { context_.Emit(id_, "sctpsendbufferfull"); }

Value DataConsumer::SubchannelsValue() const {
	Value list = Value::MakeArray();
	for (uint16_t subchannel : subchannels_) list.Push(static_cast<uint32_t>(subchannel));
	return list;
}

Value DataConsumer::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("dataProducerId", dataProducerId_);
	dump.Set("type", type_ == Type::Sctp ? "sctp" : "direct");
	if (type_ == Type::Sctp) dump.Set("sctpStreamParameters", sctpStreamParameters_.ToValue());
	dump.Set("label", label_);
	dump.Set("protocol", protocol_);
	dump.Set("bufferedAmount", static_cast<uint64_t>(listener_.OnDataConsumerBufferedAmount(*this)));
	dump.Set("bufferedAmountLowThreshold", static_cast<uint64_t>(bufferedAmountLowThreshold_));
	dump.Set("paused", paused_);
	dump.Set("dataProducerPaused", dataProducerPaused_);
	dump.Set("subchannels", SubchannelsValue());
	return dump;
}

Value DataConsumer::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::DataConsumerDump: return Dump();
		case Method::DataConsumerGetStats: {
			Value stats = Value::MakeObject();
			stats.Set("type", "data-consumer");
			stats.Set("timestamp", static_cast<uint64_t>(uv_hrtime() / 1000000));
			stats.Set("label", label_);
			stats.Set("protocol", protocol_);
			stats.Set("messagesSent", messagesSent_);
			stats.Set("bytesSent", bytesSent_);
			stats.Set("bufferedAmount", static_cast<uint64_t>(listener_.OnDataConsumerBufferedAmount(*this)));
			return Value::MakeArray().Push(std::move(stats));
		}
		case Method::DataConsumerPause: paused_ = true; return Value();
		case Method::DataConsumerResume: paused_ = false; return Value();
		case Method::DataConsumerGetBufferedAmount:
			return Value::MakeObject().Set("bufferedAmount",
			                               static_cast<uint64_t>(listener_.OnDataConsumerBufferedAmount(*this)));
		case Method::DataConsumerSetBufferedAmountLowThreshold: {
			const double threshold = request.data.RequireNumber("threshold");
			if (threshold < 0 || threshold > 4294967295.0 || std::floor(threshold) != threshold) {
				throw RequestError::Type("invalid threshold: must be a non-negative integer");
			}
			bufferedAmountLowThreshold_ = static_cast<size_t>(threshold);
			listener_.OnDataConsumerSetBufferedAmountLowThreshold(*this, bufferedAmountLowThreshold_);
			return Value();
		}
		case Method::DataConsumerSend: {
			if (type_ != Type::Sctp) throw RequestError::Type("invalid DataConsumer type: send() needs an SCTP DataConsumer");
			const Value* payload = request.data.Find("data");
			if (!payload || !payload->IsBytes()) throw RequestError::Type("message must be a string or a Buffer");
			const auto& bytes = payload->AsBytes();
			if (bytes.size() > maxMessageSize_) {
				throw RequestError::Type("given message exceeds maxMessageSize value [maxMessageSize:" +
				                         std::to_string(maxMessageSize_) + ", len:" + std::to_string(bytes.size()) + "]");
			}
			const uint32_t ppid = request.data.RequireUint32("ppid");
			if (!IsActive()) throw RequestError(RequestError::Kind::Error, "message send failed");
			const SendOutcome outcome = listener_.OnDataConsumerSendMessage(*this, ppid, bytes.data(), bytes.size());
			if (outcome == SendOutcome::BufferFull) {
				SendBufferFull();
				throw RequestError(RequestError::Kind::Error, "sctpsendbufferfull");
			}
			if (outcome == SendOutcome::Failed) throw RequestError(RequestError::Kind::Error, "message send failed");
			++messagesSent_;
			bytesSent_ += bytes.size();
			return Value::MakeObject().Set("bufferedAmount",
			                               static_cast<uint64_t>(listener_.OnDataConsumerBufferedAmount(*this)));
		}
		case Method::DataConsumerSetSubchannels: {
			std::vector<uint16_t> list = ReadSubchannels(request.data, "subchannels");
			subchannels_ = std::set<uint16_t>(list.begin(), list.end());
			return Value::MakeObject().Set("subchannels", SubchannelsValue());
		}
		case Method::DataConsumerAddSubchannel: {
			auto subchannel = ReadOptionalSubchannel(request.data, "subchannel");
			if (!subchannel) throw RequestError::Type("missing subchannel");
			subchannels_.insert(*subchannel);
			return Value::MakeObject().Set("subchannels", SubchannelsValue());
		}
		case Method::DataConsumerRemoveSubchannel: {
			auto subchannel = ReadOptionalSubchannel(request.data, "subchannel");
			if (!subchannel) throw RequestError::Type("missing subchannel");
			subchannels_.erase(*subchannel);
			return Value::MakeObject().Set("subchannels", SubchannelsValue());
		}
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a data consumer: ") + MethodName(request.method));
	}
}

namespace {
constexpr uint8_t kPipeMagic[4] = { 'M', 'P', 'S', 'C' };
constexpr uint8_t kRequiredFlag = 1;
constexpr uint8_t kIgnoredFlag = 2;
void PutU16(std::vector<uint8_t>& out, uint16_t v) {
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}
} // namespace

void EncodePipeSubchannels(const DataMessage& message, const std::vector<uint16_t>& subchannels,
                           std::vector<uint8_t>& out) {
	out.clear();
	out.insert(out.end(), kPipeMagic, kPipeMagic + 4);
	out.push_back(static_cast<uint8_t>((message.requiredSubchannel ? kRequiredFlag : 0) |
	                                   (message.ignoredSubchannel ? kIgnoredFlag : 0)));
	PutU16(out, static_cast<uint16_t>(std::min<size_t>(subchannels.size(), 0xffff)));
	for (size_t i = 0; i < subchannels.size() && i < 0xffff; ++i) PutU16(out, subchannels[i]);
	if (message.requiredSubchannel) PutU16(out, *message.requiredSubchannel);
	if (message.ignoredSubchannel) PutU16(out, *message.ignoredSubchannel);
	out.insert(out.end(), message.data, message.data + message.len);
}

bool DecodePipeSubchannels(DataMessage& message) {
	const uint8_t* p = message.data;
	size_t len = message.len;
	if (len < 7 || std::memcmp(p, kPipeMagic, 4) != 0) return false;
	const uint8_t flags = p[4];
	if (flags & ~(kRequiredFlag | kIgnoredFlag)) return false;
	const size_t count = (static_cast<size_t>(p[5]) << 8) | p[6];
	size_t header = 7 + 2 * count + ((flags & kRequiredFlag) ? 2 : 0) + ((flags & kIgnoredFlag) ? 2 : 0);
	if (header > len) return false;
	auto u16 = [p](size_t offset) { return static_cast<uint16_t>((p[offset] << 8) | p[offset + 1]); };
	message.subchannels.clear();
	size_t offset = 7;
	for (size_t i = 0; i < count; ++i, offset += 2) message.subchannels.push_back(u16(offset));
	if (flags & kRequiredFlag) {
		message.requiredSubchannel = u16(offset);
		offset += 2;
	}
	if (flags & kIgnoredFlag) {
		message.ignoredSubchannel = u16(offset);
		offset += 2;
	}
	message.data = p + offset;
	message.len = len - offset;
	return true;
}

} // namespace mediaplane
