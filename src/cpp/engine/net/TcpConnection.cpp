#define MP_LOG_SOURCE "TcpConnection"
#include "TcpConnection.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "../common/CallbackGuard.hpp"
#include "../common/Logger.hpp"

namespace mediaplane {

namespace {

struct WriteRequest {
	uv_write_t request;
	std::unique_ptr<uint8_t[]> data;
};

// Bytes queued on libuv (beyond what the kernel's send buffer took) after which whole
// frames are dropped and counted instead of queued. A peer that stops reading (a zero
// TCP window) while it keeps its ICE consent alive would otherwise make every packet
// forwarded to it pile up here for the life of the transport. 1 MiB is over a second of
// a 5 Mbit/s stream on top of the kernel's own buffer (up to tcp_wmem's maximum, 4 MiB
// by default): enough for bursts, not for a stalled reader. UdpSocket bounds its queue
// the same way (kMaxQueuedSends).
constexpr size_t kMaxQueuedWriteBytes = 1 << 20;

} // namespace

TcpConnection::TcpConnection(Listener& listener, uv_tcp_t* handle)
    : listener_(listener), handle_(handle) {
	handle_->data = this;
	tuple_.protocol = TransportProtocol::Tcp;
	tuple_.sender = this;
	int length = sizeof(tuple_.localAddress);
	uv_tcp_getsockname(handle_, reinterpret_cast<sockaddr*>(&tuple_.localAddress), &length);
	length = sizeof(tuple_.remoteAddress);
	uv_tcp_getpeername(handle_, reinterpret_cast<sockaddr*>(&tuple_.remoteAddress), &length);
}

TcpConnection::~TcpConnection() {
	handle_->data = nullptr;
	if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(handle_))) {
		uv_close(reinterpret_cast<uv_handle_t*>(handle_),
		         [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
	}
}

bool TcpConnection::Start() {
	uv_tcp_nodelay(handle_, 1);
	return uv_read_start(reinterpret_cast<uv_stream_t*>(handle_), &TcpConnection::OnAlloc,
	                     &TcpConnection::OnRead) == 0;
}

void TcpConnection::Close() {
	if (closed_) return;
	closed_ = true;
	uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
	listener_.OnTcpConnectionClosed(*this);
}

void TcpConnection::OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
	auto* connection = static_cast<TcpConnection*>(handle->data);
	if (!connection) {
		*buf = uv_buf_init(nullptr, 0);
		return;
	}
	// Growing the reassembly buffer may fail; nothing may throw through libuv here. An
	// empty buffer makes libuv report UV_ENOBUFS to OnRead, which closes the connection.
	size_t room = 0;
	uint8_t* data = nullptr;
	try {
		data = connection->framer_.PrepareWrite(&room);
	} catch (const std::bad_alloc&) {
		room = 0;
	}
	*buf = uv_buf_init(room ? reinterpret_cast<char*>(data) : nullptr, static_cast<unsigned>(room));
}

void TcpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/) {
	auto* connection = static_cast<TcpConnection*>(stream->data);
	if (!connection || connection->closed_) return;
	GuardCallback([&]() {
		if (nread < 0) {
			MP_DEBUG_TAG(Ice, "TCP connection closed by peer (%s)", uv_strerror(static_cast<int>(nread)));
			connection->Close();
			return;
		}
		connection->framer_.CommitWrite(static_cast<size_t>(nread));
		connection->ConsumeFrames();
	});
}

void TcpConnection::ConsumeFrames() {
	framer_.Drain([this](uint8_t* data, size_t length) {
		listener_.OnTcpFrame(*this, data, length);
		return !closed_;
	});
}

void TcpConnection::SendPacket(const uint8_t* data, size_t len, const sockaddr* /*remote*/) {
	if (closed_ || sendFailed_ || len == 0 || len > 65535) return;
	// Only whole frames are dropped, so RFC 4571 framing stays intact for the reader.
	if (uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(handle_)) >= kMaxQueuedWriteBytes) {
		++droppedSends_;
		return;
	}
	uint8_t header[2] = { static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len & 0xff) };
	uv_buf_t buffers[2] = {
		uv_buf_init(reinterpret_cast<char*>(header), 2),
		uv_buf_init(reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<unsigned>(len)),
	};
	int written = uv_try_write(reinterpret_cast<uv_stream_t*>(handle_), buffers, 2);
	if (written < 0 && written != UV_EAGAIN) {
		FailSends();
		return;
	}
	size_t done = written > 0 ? static_cast<size_t>(written) : 0;
	if (done == len + 2) return;
	// Queue what the kernel did not take, as one copy.
	size_t remaining = len + 2 - done;
	auto* request = new (std::nothrow) WriteRequest;
	if (request) request->data.reset(new (std::nothrow) uint8_t[remaining]);
	if (!request || !request->data) {
		// The frame is partly written: the stream cannot be resumed at a frame boundary.
		delete request;
		FailSends();
		return;
	}
	size_t headerPart = done < 2 ? 2 - done : 0;
	std::memcpy(request->data.get(), header + (2 - headerPart), headerPart);
	std::memcpy(request->data.get() + headerPart, data + (done > 2 ? done - 2 : 0), remaining - headerPart);
	request->request.data = request;
	uv_buf_t rest = uv_buf_init(reinterpret_cast<char*>(request->data.get()), static_cast<unsigned>(remaining));
	int result = uv_write(&request->request, reinterpret_cast<uv_stream_t*>(handle_), &rest, 1,
	                      [](uv_write_t* req, int) { delete static_cast<WriteRequest*>(req->data); });
	if (result != 0) {
		delete request;
		FailSends();
	}
}

void TcpConnection::FailSends() {
	if (sendFailed_) return;
	sendFailed_ = true;
	uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
	listener_.OnTcpConnectionSendFailed(*this);
}

} // namespace mediaplane
