#include "DirectTransport.hpp"

#include "../common/RequestError.hpp"

namespace mediaplane {

DirectTransport::DirectTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options)
    : Transport(context, std::move(id), router) {
	maxMessageSize_ = static_cast<uint32_t>(options.OptionalNumber("maxMessageSize", 262144));
	context_.registry->Register(id_, this);
}

DirectTransport::~DirectTransport() {
	CloseAll();
	context_.registry->Unregister(id_);
}

Value DirectTransport::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::TransportDump: return Dump();
		case Method::TransportGetStats: {
			Value stats = Value::MakeObject();
			stats.Set("type", "direct-transport");
			stats.Set("transportId", id_);
			stats.Set("timestamp", static_cast<uint64_t>(uv_hrtime() / 1000000));
			stats.Set("rtpPacketsSent", rtpPacketsSent_);
			stats.Set("rtpBytesSent", rtpBytesSent_);
			stats.Set("rtcpPacketsSent", rtcpPacketsSent_);
			stats.Set("rtcpPacketsReceived", rtcpPacketsReceived_);
			stats.Set("droppedPackets", rtpPacketsDropped_ + rtcpPacketsDropped_);
			return Value::MakeArray().Push(std::move(stats));
		}
		case Method::TransportSendRtcp: {
			const Value* packet = request.data.Find("packet");
			if (!packet || !packet->IsBytes()) throw RequestError::Type("packet must be a Buffer");
			++rtcpPacketsReceived_;
			HandleIncomingRtcp(packet->AsBytes().data(), packet->AsBytes().size());
			return Value();
		}
		case Method::TransportConnect:
		case Method::TransportSetMaxIncomingBitrate:
		case Method::TransportSetMaxOutgoingBitrate:
		case Method::TransportSetMinOutgoingBitrate:
		case Method::TransportEnableTraceEvent: return Value();
		default: return HandleTransportRequest(request);
	}
}

void DirectTransport::OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t /*capacity*/) {
	++rtpPacketsSent_;
	rtpBytesSent_ += len;
	context_.Emit(consumer.GetId(), "rtp", Value(Value::Bytes(data, data + len)));
}

void DirectTransport::SendRtp(uint8_t* /*data*/, size_t /*len*/, size_t /*capacity*/) {}

void DirectTransport::SendRtcp(uint8_t* data, size_t len, size_t /*capacity*/) {
	++rtcpPacketsSent_;
	context_.Emit(id_, "rtcp", Value(Value::Bytes(data, data + len)));
}

Value DirectTransport::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("direct", true);
	AddRtpDump(dump);
	dump.Set("maxMessageSize", maxMessageSize_);
	return dump;
}

} // namespace mediaplane
