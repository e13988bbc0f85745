#pragma once
// A listening TCP socket for ICE-TCP passive candidates (RFC 6544): accepts
// connections and owns them until they close.

#include <uv.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ListenInfo.hpp"
#include "TcpConnection.hpp"

namespace mediaplane {

class TcpServer : public TcpConnection::Listener {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		virtual void OnTcpServerFrame(TcpServer& server, TcpConnection& connection, uint8_t* data, size_t len) = 0;
		// Called before the connection is destroyed.
		virtual void OnTcpServerConnectionClosed(TcpServer& server, TcpConnection& connection) = 0;
		// Whether ICE holds the connection as a valid path (an authenticated check came
		// through it and its tuple was not removed since).
		virtual bool IsTcpConnectionInUse(TcpServer& server, const TcpConnection& connection) = 0;
	};

	// Same port rules as UdpSocket::Bind; ipv6Only applies, udpReusePort does not (as
	// mediasoup). Buffer sizes are set on the listening socket, which accepted connections
	// inherit.
	static std::unique_ptr<TcpServer> Listen(uv_loop_t* loop, Listener& listener, const ListenInfo& info,
	                                         std::string* error);
	~TcpServer() override;

	TcpServer(const TcpServer&) = delete;
	TcpServer& operator=(const TcpServer&) = delete;

	uint16_t GetLocalPort() const { return AddressPort(reinterpret_cast<const sockaddr*>(&localAddress_)); }
	std::string GetLocalIp() const { return AddressToString(reinterpret_cast<const sockaddr*>(&localAddress_)); }
	size_t GetConnectionCount() const { return connections_.size(); }
	uint64_t GetClosedUnusedConnections() const { return closedUnusedConnections_; }
	void SetListener(Listener& listener) { listener_ = &listener; }

	// A guard against connection floods: more than this many open connections and new
	// ones are refused.
	static constexpr size_t kMaxConnections = 1024;
	// A connection ICE does not hold as a valid path for this long is closed: one that
	// never carried an authenticated check (anyone can open one, and each may pin a
	// 64 KiB partial frame and a slot of kMaxConnections), or one whose tuple ICE removed
	// (consent expired, ICE restarted, the transport closed while a WebRtcServer's
	// listening socket lives on). RFC 6544 sets no time; a browser sends its first check
	// on a new connection at once, and ICE-TCP paths live as long as consent does.
	static constexpr uint64_t kUnusedConnectionTimeoutMs = 10000;
	static constexpr uint64_t kSweepIntervalMs = 2500;

	void OnTcpFrame(TcpConnection& connection, uint8_t* data, size_t len) override;
	void OnTcpConnectionClosed(TcpConnection& connection) override;
	void OnTcpConnectionSendFailed(TcpConnection& connection) override;

private:
	explicit TcpServer(Listener& listener) : listener_(&listener) {}
	static void OnConnection(uv_stream_t* server, int status);
	void ReapClosedConnections();
	void StartReaper();
	void CloseUnusedConnections();

	Listener* listener_;
	uv_loop_t* loop_ = nullptr;
	uv_tcp_t* handle_ = nullptr;
	sockaddr_storage localAddress_{};
	std::unordered_map<TcpConnection*, std::unique_ptr<TcpConnection>> connections_;
	std::vector<std::unique_ptr<TcpConnection>> closedConnections_;
	std::vector<TcpConnection*> failedConnections_; // closed by the reaper (see SendFailed)
	uv_idle_t* reaper_ = nullptr; // frees closed connections outside their own callbacks
	uv_timer_t* sweeper_ = nullptr; // closes connections ICE does not use
	uint64_t closedUnusedConnections_ = 0;
};

} // namespace mediaplane
