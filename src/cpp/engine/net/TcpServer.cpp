#define MP_LOG_SOURCE "TcpServer"
#include "TcpServer.hpp"

#include <random>

#include "../common/CallbackGuard.hpp"
#include "../common/Logger.hpp"
#include "UdpSocket.hpp"

namespace mediaplane {

std::unique_ptr<TcpServer> TcpServer::Listen(uv_loop_t* loop, Listener& listener, const ListenInfo& info,
                                             std::string* error) {
	const std::string& ip = info.ip;
	const uint16_t port = info.port;
	const uint16_t minPort = info.portRangeMin;
	const uint16_t maxPort = info.portRangeMax;
	sockaddr_storage address;
	if (!ParseIpAddress(ip, 0, &address)) {
		*error = "invalid IP address \"" + ip + "\"";
		return nullptr;
	}
	std::unique_ptr<TcpServer> server(new TcpServer(listener));
	server->loop_ = loop;
	server->handle_ = new uv_tcp_t;
	uv_tcp_init_ex(loop, server->handle_, address.ss_family);
	server->handle_->data = server.get();
	server->reaper_ = new uv_idle_t;
	uv_idle_init(loop, server->reaper_);
	server->reaper_->data = server.get();
	server->sweeper_ = new uv_timer_t;
	uv_timer_init(loop, server->sweeper_);
	server->sweeper_->data = server.get();
	uv_timer_start(server->sweeper_, [](uv_timer_t* timer) {
		auto* self = static_cast<TcpServer*>(timer->data);
		if (self) GuardCallback([self]() { self->CloseUnusedConnections(); });
	}, kSweepIntervalMs, kSweepIntervalMs);

	auto setPort = [&address](uint16_t p) {
		if (address.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(p);
		else reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(p);
	};
	unsigned flags = address.ss_family == AF_INET6 && info.ipv6Only ? UV_TCP_IPV6ONLY : 0;
	auto tryBindAndListen = [&](uint16_t p) {
		setPort(p);
		int result = uv_tcp_bind(server->handle_, reinterpret_cast<sockaddr*>(&address), flags);
		if (result == 0) result = uv_listen(reinterpret_cast<uv_stream_t*>(server->handle_), 256, &TcpServer::OnConnection);
		return result;
	};

	int result = UV_EADDRINUSE;
	if (port != 0) {
		result = tryBindAndListen(port);
	} else {
		uint32_t span = static_cast<uint32_t>(maxPort) - minPort + 1;
		static thread_local std::mt19937 random{ std::random_device{}() };
		uint32_t offset = std::uniform_int_distribution<uint32_t>(0, span - 1)(random);
		for (uint32_t i = 0; i < span && result == UV_EADDRINUSE; ++i) {
			// A failed bind leaves the handle unusable: start each try on a fresh one.
			if (i > 0) {
				server->handle_->data = nullptr;
				uv_close(reinterpret_cast<uv_handle_t*>(server->handle_),
				         [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
				server->handle_ = new uv_tcp_t;
				uv_tcp_init_ex(loop, server->handle_, address.ss_family);
				server->handle_->data = server.get();
			}
			result = tryBindAndListen(static_cast<uint16_t>(minPort + (offset + i) % span));
		}
	}
	if (result != 0) {
		*error = std::string("cannot listen on TCP ") + ip + ": " + uv_strerror(result);
		if (result == UV_EADDRINUSE && port == 0) {
			*error += " (no free port in " + std::to_string(minPort) + "-" + std::to_string(maxPort) + ")";
		}
		return nullptr;
	}
	int length = sizeof(server->localAddress_);
	uv_tcp_getsockname(server->handle_, reinterpret_cast<sockaddr*>(&server->localAddress_), &length);
	result = SetSocketBufferSizes(reinterpret_cast<uv_handle_t*>(server->handle_), info.sendBufferSize,
	                              info.recvBufferSize);
	if (result != 0) {
		*error = std::string("cannot set TCP socket buffer sizes: ") + uv_strerror(result);
		return nullptr;
	}
	MP_DEBUG("TCP server listening on %s:%u [send buffer:%u, recv buffer:%u]", server->GetLocalIp().c_str(),
	         server->GetLocalPort(), SocketBufferSize(reinterpret_cast<uv_handle_t*>(server->handle_), true),
	         SocketBufferSize(reinterpret_cast<uv_handle_t*>(server->handle_), false));
	return server;
}

TcpServer::~TcpServer() {
	// Connections first: their destructors close their handles.
	connections_.clear();
	closedConnections_.clear();
	if (handle_) {
		handle_->data = nullptr;
		uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
	}
	if (reaper_) {
		reaper_->data = nullptr;
		uv_close(reinterpret_cast<uv_handle_t*>(reaper_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
	}
	if (sweeper_) {
		sweeper_->data = nullptr;
		uv_close(reinterpret_cast<uv_handle_t*>(sweeper_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
	}
}

void TcpServer::OnConnection(uv_stream_t* stream, int status) {
	auto* server = static_cast<TcpServer*>(stream->data);
	if (!server || status != 0) return;
	GuardCallback([server]() {
		auto* client = new uv_tcp_t;
		uv_tcp_init(server->loop_, client);
		if (uv_accept(reinterpret_cast<uv_stream_t*>(server->handle_), reinterpret_cast<uv_stream_t*>(client)) != 0 ||
		    server->connections_.size() >= kMaxConnections) {
			uv_close(reinterpret_cast<uv_handle_t*>(client), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
			return;
		}
		auto connection = std::make_unique<TcpConnection>(*server, client);
		TcpConnection* raw = connection.get();
		raw->MarkInUse(uv_now(server->loop_)); // its grace period starts now
		server->connections_.emplace(raw, std::move(connection));
		if (!raw->Start()) raw->Close();
	});
}

void TcpServer::OnTcpFrame(TcpConnection& connection, uint8_t* data, size_t len) {
	listener_->OnTcpServerFrame(*this, connection, data, len);
}

void TcpServer::OnTcpConnectionClosed(TcpConnection& connection) {
	listener_->OnTcpServerConnectionClosed(*this, connection);
	auto it = connections_.find(&connection);
	if (it == connections_.end()) return;
	// The connection may be on the stack (this is called from its read callback):
	// destroy it on the next loop iteration.
	closedConnections_.push_back(std::move(it->second));
	connections_.erase(it);
	StartReaper();
}

void TcpServer::OnTcpConnectionSendFailed(TcpConnection& connection) {
	failedConnections_.push_back(&connection);
	StartReaper();
}

void TcpServer::StartReaper() {
	uv_idle_start(reaper_, [](uv_idle_t* idle) {
		auto* server = static_cast<TcpServer*>(idle->data);
		uv_idle_stop(idle);
		if (server) GuardCallback([server]() { server->ReapClosedConnections(); });
	});
}

void TcpServer::ReapClosedConnections() {
	// Connections whose sends failed are closed here, outside the send that failed (its
	// listener is told, so ICE drops the tuple), then freed with the others.
	std::vector<TcpConnection*> failed;
	failed.swap(failedConnections_);
	for (TcpConnection* connection : failed) {
		if (connections_.count(connection) && !connection->IsClosed()) connection->Close();
	}
	closedConnections_.clear();
}

void TcpServer::CloseUnusedConnections() {
	const uint64_t now = uv_now(loop_);
	std::vector<TcpConnection*> unused;
	for (auto& entry : connections_) {
		TcpConnection& connection = *entry.second;
		if (connection.IsClosed()) continue;
		if (listener_->IsTcpConnectionInUse(*this, connection)) {
			connection.MarkInUse(now);
		} else if (now - connection.GetLastInUseMs() >= kUnusedConnectionTimeoutMs) {
			unused.push_back(&connection);
		}
	}
	// Close() takes the connection out of connections_ (through OnTcpConnectionClosed).
	for (TcpConnection* connection : unused) {
		MP_DEBUG_TAG(Ice, "closing an ICE-TCP connection no valid ICE path uses");
		++closedUnusedConnections_;
		connection->Close();
	}
}

} // namespace mediaplane
