#define MP_LOG_SOURCE "UdpSocket"
#include "UdpSocket.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <random>

#include "../common/CallbackGuard.hpp"
#include "../common/Logger.hpp"
#include "UdpSendBatcher.hpp"

namespace mediaplane {

namespace {

// The largest UDP payload. (Receiving uses recvmsg, one datagram per call, up to 32 per
// wake-up as libuv does: libuv's recvmmsg mode, measured, cost more per datagram; see
// docs/ARCHITECTURE.md, "Batched UDP I/O".)
constexpr size_t kRecvBufferSize = 65536;
// Copies queued on libuv per socket while the kernel refuses sends (EAGAIN/ENOBUFS);
// beyond this, datagrams are dropped and counted rather than queued without bound.
constexpr size_t kMaxQueuedSends = 512;

// Null when it cannot be allocated: this runs in libuv's alloc callback, which must
// not throw (libuv then reports UV_ENOBUFS to the read callback, which drops the read).
uint8_t* ThreadRecvBuffer() {
	static thread_local std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[kRecvBufferSize]);
	return buffer.get();
}

struct SendRequest {
	uv_udp_send_t request;
	std::unique_ptr<uint8_t[]> data;
};

} // namespace

bool ParseIpAddress(const std::string& ip, uint16_t port, sockaddr_storage* out) {
	std::memset(out, 0, sizeof(*out));
	if (uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return true;
	if (uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0) return true;
	return false;
}

uint32_t SocketBufferSize(const uv_handle_t* handle, bool send) {
	int size = 0; // 0 asks libuv to read the value
	int result = send ? uv_send_buffer_size(const_cast<uv_handle_t*>(handle), &size)
	                  : uv_recv_buffer_size(const_cast<uv_handle_t*>(handle), &size);
	return result == 0 && size > 0 ? static_cast<uint32_t>(size) : 0;
}

int SetSocketBufferSizes(uv_handle_t* handle, uint32_t sendBufferSize, uint32_t recvBufferSize) {
	if (sendBufferSize) {
		int size = static_cast<int>(sendBufferSize);
		if (int result = uv_send_buffer_size(handle, &size); result != 0) return result;
	}
	if (recvBufferSize) {
		int size = static_cast<int>(recvBufferSize);
		if (int result = uv_recv_buffer_size(handle, &size); result != 0) return result;
	}
	return 0;
}

std::unique_ptr<UdpSocket> UdpSocket::Bind(uv_loop_t* loop, Listener& listener, const ListenInfo& info,
                                           std::string* error) {
	const std::string& ip = info.ip;
	sockaddr_storage address;
	if (!ParseIpAddress(ip, 0, &address)) {
		*error = "invalid IP address \"" + ip + "\"";
		return nullptr;
	}
	std::unique_ptr<UdpSocket> socket(new UdpSocket(listener));
	socket->handle_ = new uv_udp_t;
	// With a domain, libuv creates the socket now, so options can be set before bind.
	int result = uv_udp_init_ex(loop, socket->handle_, address.ss_family);
	if (result != 0) {
		delete socket->handle_;
		socket->handle_ = nullptr;
		*error = std::string("cannot create UDP socket: ") + uv_strerror(result);
		return nullptr;
	}
	socket->handle_->data = socket.get();
	uv_os_fd_t fd;
	if (uv_fileno(reinterpret_cast<uv_handle_t*>(socket->handle_), &fd) != 0) {
		*error = "cannot read the descriptor of a UDP socket";
		return nullptr;
	}
	socket->fd_ = fd;

	if (info.udpReusePort) {
		// libuv 1.46 (Node 20's) has no UV_UDP_REUSEPORT; on Linux its UV_UDP_REUSEADDR is
		// SO_REUSEADDR, which is not the same: set SO_REUSEPORT on the descriptor itself.
		int on = 1;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) {
			*error = std::string("cannot set SO_REUSEPORT on UDP socket for ") + ip;
			return nullptr;
		}
	}

	auto setPort = [&address](uint16_t p) {
		if (address.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(p);
		else reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(p);
	};
	unsigned flags = address.ss_family == AF_INET6 && info.ipv6Only ? UV_UDP_IPV6ONLY : 0;

	result = UV_EADDRINUSE;
	if (info.port != 0) {
		setPort(info.port);
		result = uv_udp_bind(socket->handle_, reinterpret_cast<sockaddr*>(&address), flags);
	} else {
		// Try every port of the range once, from a random start, so that concurrent
		// workers do not all race for the lowest free port.
		uint32_t span = static_cast<uint32_t>(info.portRangeMax) - info.portRangeMin + 1;
		static thread_local std::mt19937 random{ std::random_device{}() };
		uint32_t offset = std::uniform_int_distribution<uint32_t>(0, span - 1)(random);
		for (uint32_t i = 0; i < span && result == UV_EADDRINUSE; ++i) {
			setPort(static_cast<uint16_t>(info.portRangeMin + (offset + i) % span));
			result = uv_udp_bind(socket->handle_, reinterpret_cast<sockaddr*>(&address), flags);
		}
	}
	if (result != 0) {
		*error = std::string("cannot bind UDP ") + ip + ": " + uv_strerror(result);
		if (result == UV_EADDRINUSE && info.port == 0) {
			*error += " (no free port in " + std::to_string(info.portRangeMin) + "-" + std::to_string(info.portRangeMax) + ")";
		}
		return nullptr; // the destructor closes the handle
	}

	int length = sizeof(socket->localAddress_);
	uv_udp_getsockname(socket->handle_, reinterpret_cast<sockaddr*>(&socket->localAddress_), &length);
	result = SetSocketBufferSizes(reinterpret_cast<uv_handle_t*>(socket->handle_), info.sendBufferSize,
	                              info.recvBufferSize);
	if (result != 0) {
		*error = std::string("cannot set UDP socket buffer sizes: ") + uv_strerror(result);
		return nullptr;
	}
	result = uv_udp_recv_start(socket->handle_, &UdpSocket::OnAlloc, &UdpSocket::OnRecv);
	if (result != 0) {
		*error = std::string("cannot read UDP socket: ") + uv_strerror(result);
		return nullptr;
	}
	socket->reading_ = true;
	MP_DEBUG("UDP socket bound to %s:%u [send buffer:%u, recv buffer:%u]", socket->GetLocalIp().c_str(),
	         socket->GetLocalPort(), socket->GetSendBufferSize(), socket->GetRecvBufferSize());
	return socket;
}

uint32_t UdpSocket::GetSendBufferSize() const {
	return SocketBufferSize(reinterpret_cast<const uv_handle_t*>(handle_), true);
}

uint32_t UdpSocket::GetRecvBufferSize() const {
	return SocketBufferSize(reinterpret_cast<const uv_handle_t*>(handle_), false);
}

UdpSocket::~UdpSocket() {
	if (!handle_) return;
	if (UdpSendBatcher* batcher = UdpSendBatcher::ForThisThread()) batcher->ForgetSocket(*this);
	handle_->data = nullptr;
	if (reading_) uv_udp_recv_stop(handle_);
	uv_close(reinterpret_cast<uv_handle_t*>(handle_),
	         [](uv_handle_t* handle) { delete reinterpret_cast<uv_udp_t*>(handle); });
}

void UdpSocket::OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
	auto* socket = static_cast<UdpSocket*>(handle->data);
	if (!socket) {
		*buf = uv_buf_init(nullptr, 0);
		return;
	}
	uint8_t* buffer = ThreadRecvBuffer();
	*buf = uv_buf_init(reinterpret_cast<char*>(buffer), buffer ? kRecvBufferSize : 0);
}

void UdpSocket::OnRecv(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                       unsigned flags) {
	auto* socket = static_cast<UdpSocket*>(handle->data);
	if (!socket || nread <= 0 || !addr) return; // 0 with null addr: nothing more to read
	if (flags & UV_UDP_PARTIAL) return;          // truncated datagram: drop
	GuardCallback([&]() {
		TransportTuple tuple;
		tuple.protocol = TransportProtocol::Udp;
		tuple.localAddress = socket->localAddress_;
		std::memcpy(&tuple.remoteAddress, addr,
		            addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
		tuple.sender = socket;
		socket->listener_->OnUdpPacket(*socket, reinterpret_cast<uint8_t*>(buf->base),
		                               static_cast<size_t>(nread), tuple);
	});
}

bool UdpSocket::ConnectTo(const sockaddr* remote) {
	if (uv_udp_connect(handle_, remote) != 0) return false;
	connected_ = true;
	return true;
}

void UdpSocket::SendPacket(const uint8_t* data, size_t len, const sockaddr* remote) {
	// A connected socket must be given no address (and has only one peer anyway).
	if (connected_) remote = nullptr;
	// While libuv holds queued copies, new datagrams queue behind them (order kept).
	if (handle_->send_queue_count == 0) {
		UdpSendBatcher* batcher = UdpSendBatcher::ForThisThread();
		if (batcher && batcher->Enqueue(*this, fd_, data, len, remote)) return;
	}
	SendNow(data, len, remote);
}

void UdpSocket::SendNow(const uint8_t* data, size_t len, const sockaddr* remote) {
	if (handle_->send_queue_count == 0) {
		uv_buf_t buffer = uv_buf_init(reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<unsigned>(len));
		int sent = uv_udp_try_send(handle_, &buffer, 1, remote);
		if (sent == static_cast<int>(len)) return;
		if (sent != UV_EAGAIN && sent != UV_ENOSYS && sent != UV_ENOBUFS) {
			++sendErrors_;
			return;
		}
	}
	QueueCopy(data, len, remote);
}

void UdpSocket::OnBatchedSendFailed(const uint8_t* data, size_t len, const sockaddr* remote, int error) {
	if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) QueueCopy(data, len, remote);
	else ++sendErrors_;
}

void UdpSocket::QueueCopy(const uint8_t* data, size_t len, const sockaddr* remote) {
	if (handle_->send_queue_count >= kMaxQueuedSends) {
		++sendErrors_;
		return;
	}
	auto* request = new (std::nothrow) SendRequest;
	if (request) request->data.reset(new (std::nothrow) uint8_t[len]);
	if (!request || !request->data) {
		delete request;
		++sendErrors_;
		return;
	}
	std::memcpy(request->data.get(), data, len);
	request->request.data = request;
	uv_buf_t copy = uv_buf_init(reinterpret_cast<char*>(request->data.get()), static_cast<unsigned>(len));
	int result = uv_udp_send(&request->request, handle_, &copy, 1, remote, [](uv_udp_send_t* req, int) {
		delete static_cast<SendRequest*>(req->data);
	});
	if (result != 0) {
		++sendErrors_;
		delete request;
	}
}

} // namespace mediaplane
