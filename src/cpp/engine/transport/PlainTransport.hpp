#pragma once
// A PlainTransport: RTP and RTCP over plain UDP (optionally SRTP with keys exchanged as
// srtpParameters, RFC 4568-style), towards a media server, a recorder, ffmpeg or
// GStreamer. With `comedia` the remote address is learned from the first packet the
// peer sends (so a peer behind NAT needs no signalled address).
//
// It also serves as the PipeTransport: a plain transport between two routers (of this
// or another process/host), always RTCP-muxed, never comedia.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../net/InProcessPipeLink.hpp"
#include "../net/ListenInfo.hpp"
#include "../net/UdpSocket.hpp"
#include "../srtp/SrtpSession.hpp"
#include "Transport.hpp"

namespace mediaplane {

class PlainTransport : public Transport, public UdpSocket::Listener {
public:
	enum class Kind { Plain, Pipe };

	// Throws RequestError on bad options or when no port can be bound.
	PlainTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options, Kind kind);
	~PlainTransport() override;

	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

	void OnUdpPacket(UdpSocket& socket, uint8_t* data, size_t len, const TransportTuple& tuple) override;
	// A plain RTP peer that negotiates transport-wide sequence numbers gets send-side
	// estimation (a pipe's consumers never negotiate them).
	bool EstimatesWhenNegotiated() const override { return kind_ == Kind::Plain; }
	void OnInboundSsrcUnrouted(uint32_t ssrc) override;

protected:
	void SendRtp(uint8_t* data, size_t len, size_t capacity) override;
	void SendRtcp(uint8_t* data, size_t len, size_t capacity) override;
	bool CanSendMedia() const override;
	void SendSctpPacket(const uint8_t* data, size_t len) override;
	bool IsPipe() const override { return kind_ == Kind::Pipe; }

private:
	Value Connect(const Value& data);
	// Pipe only, before connect(): sends and receives through an in-process link to the
	// other PipeTransport of a pipeToRouter() pair instead of the UDP socket.
	Value LinkInProcess(const Value& data);
	// To the connected peer: through the in-process link when there is one.
	void SendToPeer(const TransportTuple& tuple, const uint8_t* data, size_t len);
	Value GetStats();
	Value SrtpParametersValue() const;
	// A new random key and outbound SRTP session for `suite` (throws RequestError).
	void CreateLocalSrtp(SrtpCryptoSuite suite);
	void ConnectSockets();
	void LearnTuple(std::optional<TransportTuple>& slot, const TransportTuple& tuple, const char* event,
	                const char* field);

	Kind kind_;
	ListenInfo listenInfo_;
	std::optional<ListenInfo> rtcpListenInfo_;
	std::unique_ptr<UdpSocket> socket_;
	std::unique_ptr<UdpSocket> rtcpSocket_; // only without rtcpMux
	std::unique_ptr<InProcessPipeLink::End> link_; // in-process pipe (pipeToRouter)
	bool rtcpMux_ = true;
	bool comedia_ = false;
	bool connected_ = false;
	std::optional<TransportTuple> tuple_;     // remote RTP (and muxed RTCP) path
	std::optional<TransportTuple> rtcpTuple_; // remote RTCP path without rtcpMux

	bool enableSrtp_ = false;
	SrtpCryptoSuite srtpSuite_ = SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80;
	std::vector<uint8_t> localSrtpKey_; // key||salt for what we send
	std::unique_ptr<SrtpSession> srtpSend_;
	std::unique_ptr<SrtpSession> srtpRecv_;

	uint64_t droppedPackets_ = 0;
};

} // namespace mediaplane
