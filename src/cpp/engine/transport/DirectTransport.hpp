#pragma once
// A DirectTransport: RTP and RTCP to and from JavaScript, no network. A consumer's
// packets become its 'rtp' events (Buffers); producer.send() injects RTP; the
// transport's own RTCP becomes its 'rtcp' events and transport.sendRtcp() injects RTCP.

#include "Transport.hpp"

namespace mediaplane {

class DirectTransport : public Transport {
public:
	DirectTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options);
	~DirectTransport() override;

	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;
	void OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity) override;
	// A data consumer's messages become its 'message' events.
	DataConsumer::SendOutcome OnDataConsumerSendMessage(DataConsumer& consumer, uint32_t ppid, const uint8_t* data,
	                                                    size_t len) override;
	bool IsDataTransportReady() const override { return true; }

protected:
	void SendRtp(uint8_t* data, size_t len, size_t capacity) override;
	void SendRtcp(uint8_t* data, size_t len, size_t capacity) override;
	bool CanSendMedia() const override { return true; }

private:
	uint64_t rtpPacketsSent_ = 0;
	uint64_t rtpBytesSent_ = 0;
	uint64_t rtcpPacketsSent_ = 0;
	uint64_t rtcpPacketsReceived_ = 0;
};

} // namespace mediaplane
