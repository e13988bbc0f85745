#pragma once
// A WebRtcServer: UDP sockets and TCP servers shared by many WebRtcTransports, so a
// deployment can serve every transport on a few well-known ports.
//
// Demultiplexing: a packet from a tuple some transport has validated goes to that
// transport; a STUN packet from an unknown tuple goes to the transport whose local ICE
// username fragment is the first half of its USERNAME (RFC 8445 §7.2.2); anything else
// is dropped and counted.

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../net/ListenInfo.hpp"
#include "../net/TcpServer.hpp"
#include "../net/UdpSocket.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "IceCandidate.hpp"

namespace mediaplane {

class WebRtcTransport;

class WebRtcServer : public RequestHandler, public UdpSocket::Listener, public TcpServer::Listener {
public:
	// Throws RequestError when a listen info is invalid or cannot be bound.
	WebRtcServer(const WorkerContext& context, std::string id, const Value& data);
	~WebRtcServer() override;

	WebRtcServer(const WebRtcServer&) = delete;
	WebRtcServer& operator=(const WebRtcServer&) = delete;

	const std::string& GetId() const { return id_; }
	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

	// For transports created on this server.
	std::vector<IceCandidate> GetIceCandidates(bool enableUdp, bool enableTcp, bool preferUdp, bool preferTcp) const;
	std::string AnnouncedAddressFor(const TransportTuple& tuple) const;
	void RegisterTransport(WebRtcTransport* transport);
	void UnregisterTransport(WebRtcTransport* transport);
	void UpdateUsernameFragment(const std::string& oldUsernameFragment, WebRtcTransport* transport);
	void AddTuple(const TransportTuple& tuple, WebRtcTransport* transport);
	void RemoveTuple(const TransportTuple& tuple, WebRtcTransport* transport);

	void OnUdpPacket(UdpSocket& socket, uint8_t* data, size_t len, const TransportTuple& tuple) override;
	void OnTcpServerFrame(TcpServer& server, TcpConnection& connection, uint8_t* data, size_t len) override;
	void OnTcpServerConnectionClosed(TcpServer& server, TcpConnection& connection) override;
	bool IsTcpConnectionInUse(TcpServer& server, const TcpConnection& connection) override;

private:
	struct Listening {
		ListenInfo info;
		std::unique_ptr<UdpSocket> udpSocket;
		std::unique_ptr<TcpServer> tcpServer;
		uint16_t port = 0;
	};

	void Route(uint8_t* data, size_t len, const TransportTuple& tuple);
	static std::string TupleKey(const TransportTuple& tuple);

	const WorkerContext& context_;
	std::string id_;
	std::vector<Listening> listening_;
	std::unordered_set<WebRtcTransport*> transports_;
	std::unordered_map<std::string, WebRtcTransport*> transportsByUsernameFragment_;
	std::unordered_map<std::string, WebRtcTransport*> transportsByTuple_;
	uint64_t droppedPackets_ = 0;
};

} // namespace mediaplane
