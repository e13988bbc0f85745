#pragma once
// A WebRtcTransport: ICE-lite + DTLS + SRTP over UDP and/or ICE-TCP, on its own sockets
// or on a WebRtcServer's shared ones.
//
// Packet path (RFC 7983 demultiplexing on the first byte): STUN -> IceServer; then only
// from a tuple ICE has validated: DTLS -> DtlsTransport; RTP/RTCP -> SRTP unprotect ->
// (the router, once producers exist). Everything else, and anything that fails a check,
// is dropped and counted (GetStats/dump `droppedPackets`).

#include <memory>
#include <string>
#include <vector>

#include "../common/Timer.hpp"
#include "../dtls/DtlsTransport.hpp"
#include "../ice/IceServer.hpp"
#include "../net/ListenInfo.hpp"
#include "../net/TcpServer.hpp"
#include "../net/UdpSocket.hpp"
#include "../srtp/SrtpSession.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "IceCandidate.hpp"
#include "Transport.hpp"

namespace mediaplane {

class WebRtcServer;

class WebRtcTransport : public Transport,
                        public UdpSocket::Listener,
                        public TcpServer::Listener,
                        public IceServer::Listener,
                        public DtlsTransport::Listener {
public:
	// Creates the transport from the router.createWebRtcTransport request data. Throws
	// RequestError (bad options, no port available) without leaving anything behind.
	WebRtcTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options);
	~WebRtcTransport() override;

	WebRtcTransport(const WebRtcTransport&) = delete;
	WebRtcTransport& operator=(const WebRtcTransport&) = delete;

	const std::string& GetUsernameFragment() const { return ice_->GetUsernameFragment(); }
	const std::string& GetPreviousUsernameFragment() const { return ice_->GetPreviousUsernameFragment(); }
	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

	// Entry point of every packet, from own sockets or from the WebRtcServer.
	void ReceivePacket(uint8_t* data, size_t len, const TransportTuple& tuple);
	// The WebRtcServer this transport runs on is going away.
	void OnWebRtcServerClosed();
	// A TCP connection carrying one of our tuples closed.
	void OnTupleClosed(const TransportTuple& tuple);

	// UdpSocket::Listener
	void OnUdpPacket(UdpSocket& socket, uint8_t* data, size_t len, const TransportTuple& tuple) override;
	// TcpServer::Listener
	void OnTcpServerFrame(TcpServer& server, TcpConnection& connection, uint8_t* data, size_t len) override;
	void OnTcpServerConnectionClosed(TcpServer& server, TcpConnection& connection) override;
	void OnInboundSsrcUnrouted(uint32_t ssrc) override;
	bool IsTcpConnectionInUse(TcpServer& server, const TcpConnection& connection) override;
	// IceServer::Listener
	void OnIceServerSendStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple) override;
	void OnIceServerTupleAdded(const TransportTuple& tuple) override;
	void OnIceServerTupleRemoved(const TransportTuple& tuple) override;
	void OnIceServerSelectedTuple(const TransportTuple& tuple) override;
	void OnIceServerStateChange(IceState state) override;
	// DtlsTransport::Listener
	void OnDtlsSendData(const uint8_t* data, size_t len) override;
	void OnDtlsStateChange(DtlsState state) override;
	void OnDtlsSrtpKeys(SrtpCryptoSuite suite, const std::vector<uint8_t>& localSendKey,
	                    const std::vector<uint8_t>& remoteSendKey) override;
	void OnDtlsRemoteCertificate(const std::string& pem) override;
	void OnDtlsApplicationData(const uint8_t* data, size_t len) override;

protected:
	void SendRtp(uint8_t* data, size_t len, size_t capacity) override;
	void SendRtcp(uint8_t* data, size_t len, size_t capacity) override;
	void SendSctpPacket(const uint8_t* data, size_t len) override;
	bool CanSendMedia() const override { return srtpSend_ != nullptr && ice_->GetSelectedTuple() != nullptr; }

private:
	void BindListenInfos(const Value& options);
	Value Connect(const Value& data);
	Value RestartIce();
	Value GetStats();
	void MaybeRunDtls();
	void ScheduleTimer();
	void OnTimer();
	void HandleRtpOrRtcp(uint8_t* data, size_t len);
	void SendToPeer(const uint8_t* data, size_t len);
	std::string AnnouncedAddressFor(const TransportTuple& tuple) const;
	void Emit(const char* event, Value data) const { context_.Emit(id_, event, std::move(data)); }

	WebRtcServer* webRtcServer_ = nullptr;

	std::vector<ListenInfo> listenInfos_;
	std::vector<std::unique_ptr<UdpSocket>> udpSockets_;
	std::vector<std::unique_ptr<TcpServer>> tcpServers_;
	std::vector<IceCandidate> iceCandidates_;

	std::unique_ptr<IceServer> ice_;
	std::unique_ptr<DtlsTransport> dtls_;
	std::unique_ptr<SrtpSession> srtpSend_;
	std::unique_ptr<SrtpSession> srtpRecv_;
	std::unique_ptr<Timer> timer_;

	// connect() state.
	bool connectCalled_ = false;
	DtlsRole localDtlsRole_ = DtlsRole::Auto;
	DtlsFingerprint remoteFingerprint_;
	std::string dtlsRemoteCert_;
	// DTLS records that arrived before connect(): replayed when DTLS starts (the
	// browser's ClientHello often beats the application's connect() signalling).
	std::vector<std::vector<uint8_t>> earlyDtlsRecords_;

	uint32_t initialAvailableOutgoingBitrate_ = 600000;
	uint32_t iceConsentTimeoutSeconds_ = 30;

	// SCTP options, validated and kept for the data channel issue.

	uint64_t droppedPackets_ = 0;
	uint64_t rtpPacketsReceived_ = 0;
	uint64_t rtcpPacketsReceived_ = 0;
};

} // namespace mediaplane
