#include "DirectTransport.hpp"

#include "../common/RequestError.hpp"

namespace mediaplane {

DirectTransport::DirectTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options)
    : Transport(context, std::move(id), router) {
	ReadMessageSizes(options);
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
			// Received: RTP given to producer.send() and RTCP to sendRtcp(); sent: the
			// consumers' 'rtp' events and the transport's 'rtcp' events.
			AddTrafficStats(stats, context_.NowMs());
			// Beyond mediasoup's fields: packet counts and what was dropped.
			stats.Set("rtpPacketsSent", rtpPacketsSent_);
			stats.Set("rtcpPacketsSent", rtcpPacketsSent_);
			stats.Set("rtcpPacketsReceived", rtcpPacketsReceived_);
			stats.Set("droppedPackets", rtpPacketsDropped_ + rtcpPacketsDropped_);
			return Value::MakeArray().Push(std::move(stats));
		}
		case Method::TransportSendRtcp: {
			const Value* packet = request.data.Find("packet");
			if (!packet || !packet->IsBytes()) throw RequestError::Type("packet must be a Buffer");
			++rtcpPacketsReceived_;
			recvRate_.Update(packet->AsBytes().size(), context_.NowMs());
			HandleIncomingRtcp(packet->AsBytes().data(), packet->AsBytes().size());
			return Value();
		}
		case Method::TransportSetMaxIncomingBitrate:
			// As mediasoup: a DirectTransport has no remote sender to limit.
			throw RequestError(RequestError::Kind::Error, "setMaxIncomingBitrate() not supported by a DirectTransport");
		case Method::TransportConnect:
		case Method::TransportSetMaxOutgoingBitrate:
		case Method::TransportSetMinOutgoingBitrate:
		default: return HandleTransportRequest(request);
	}
}

void DirectTransport::OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t /*capacity*/) {
	++rtpPacketsSent_;
	rtpBytesSent_ += len;
	const uint64_t now = context_.NowMs();
	sendRate_.Update(len, now);
	(IsRetransmitting() ? rtxSendRate_ : rtpSendRate_).Update(len, now);
	context_.Emit(consumer.GetId(), "rtp", Value(Value::Bytes(data, data + len)));
}

DataConsumer::SendOutcome DirectTransport::OnDataConsumerSendMessage(DataConsumer& consumer, uint32_t ppid,
                                                                     const uint8_t* data, size_t len) {
	Value message = Value::MakeObject();
	message.Set("ppid", ppid);
	message.Set("data", Value::Bytes(data, data + len));
	context_.Emit(consumer.GetId(), "message", std::move(message));
	return DataConsumer::SendOutcome::Sent;
}

void DirectTransport::SendRtp(uint8_t* /*data*/, size_t /*len*/, size_t /*capacity*/) {}

void DirectTransport::SendRtcp(uint8_t* data, size_t len, size_t /*capacity*/) {
	++rtcpPacketsSent_;
	sendRate_.Update(len, context_.NowMs());
	context_.Emit(id_, "rtcp", Value(Value::Bytes(data, data + len)));
}

Value DirectTransport::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("direct", true);
	AddRtpDump(dump);
	return dump;
}

} // namespace mediaplane
