#define MP_LOG_SOURCE "DataProducer"
#include "DataProducer.hpp"

#include <cmath>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"

namespace mediaplane {

namespace {

bool IsSubchannel(const Value& value) {
	return value.IsNumber() && value.AsNumber() >= 0 && value.AsNumber() <= 65535 &&
	       std::floor(value.AsNumber()) == value.AsNumber();
}

} // namespace

std::vector<uint16_t> ReadSubchannels(const Value& data, const char* key) {
	std::vector<uint16_t> subchannels;
	const Value* list = data.Find(key);
	if (!list || list->IsNull()) return subchannels;
	if (!list->IsArray()) throw RequestError::Type(std::string("invalid ") + key + ": must be an array");
	for (const Value& item : list->AsArray()) {
		if (!IsSubchannel(item)) throw RequestError::Type(std::string("invalid ") + key + ": integers 0..65535");
		subchannels.push_back(static_cast<uint16_t>(item.AsNumber()));
	}
	return subchannels;
}

std::optional<uint16_t> ReadOptionalSubchannel(const Value& data, const char* key) {
	const Value* item = data.Find(key);
	if (!item || item->IsNull()) return std::nullopt;
	if (!IsSubchannel(*item)) throw RequestError::Type(std::string("invalid ") + key + ": an integer 0..65535");
	return static_cast<uint16_t>(item->AsNumber());
}

DataProducer::DataProducer(const WorkerContext& context, std::string id, Listener& listener, const Value& data,
                           size_t maxMessageSize)
    : context_(context), id_(std::move(id)), listener_(listener), maxMessageSize_(maxMessageSize) {
	DataChannelFields fields = DataChannelFields::FromRequest(data);
	type_ = fields.sctp ? Type::Sctp : Type::Direct;
	sctpStreamParameters_ = fields.sctpStreamParameters;
	label_ = std::move(fields.label);
	protocol_ = std::move(fields.protocol);
	paused_ = data.OptionalBool("paused", false);
	context_.registry->Register(id_, this);
}

DataProducer::~DataProducer() { context_.registry->Unregister(id_); }

void DataProducer::ReceiveMessage(const DataMessage& message) {
	++messagesReceived_;
	bytesReceived_ += message.len;
	if (message.len > maxMessageSize_) {
		++messagesDropped_;
		MP_DEBUG("message of %zu bytes exceeds maxMessageSize %zu, dropped", message.len, maxMessageSize_);
		return;
	}
	if (paused_) return;
	listener_.OnDataProducerMessage(*this, message);
}

Value DataProducer::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("type", GetTypeName());
	if (type_ == Type::Sctp) dump.Set("sctpStreamParameters", sctpStreamParameters_.ToValue());
	dump.Set("label", label_);
	dump.Set("protocol", protocol_);
	dump.Set("paused", paused_);
	return dump;
}

void DataProducer::HandleSend(const Value& data) {
	if (type_ != Type::Direct) throw RequestError::Type("send() is only for DataProducers of a DirectTransport");
	const Value* payload = data.Find("data");
	if (!payload || !payload->IsBytes()) throw RequestError::Type("message must be a string or a Buffer");
	DataMessage message;
	message.ppid = data.RequireUint32("ppid");
	message.data = payload->AsBytes().data();
	message.len = payload->AsBytes().size();
	message.subchannels = ReadSubchannels(data, "subchannels");
	message.requiredSubchannel = ReadOptionalSubchannel(data, "requiredSubchannel");
	message.ignoredSubchannel = ReadOptionalSubchannel(data, "ignoredSubchannel");
	ReceiveMessage(message);
}

Value DataProducer::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::DataProducerDump: return Dump();
		case Method::DataProducerGetStats: {
			Value stats = Value::MakeObject();
			stats.Set("type", "data-producer");
			stats.Set("timestamp", static_cast<uint64_t>(uv_hrtime() / 1000000));
			stats.Set("label", label_);
			stats.Set("protocol", protocol_);
			stats.Set("messagesReceived", messagesReceived_);
			stats.Set("bytesReceived", bytesReceived_);
			return Value::MakeArray().Push(std::move(stats));
		}
		case Method::DataProducerPause:
			if (!paused_) {
				paused_ = true;
				listener_.OnDataProducerPaused(*this);
			}
			return Value();
		case Method::DataProducerResume:
			if (paused_) {
				paused_ = false;
				listener_.OnDataProducerResumed(*this);
			}
			return Value();
		case Method::DataProducerSend: HandleSend(request.data); return Value();
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a data producer: ") + MethodName(request.method));
	}
}

} // namespace mediaplane
