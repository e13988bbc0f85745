#pragma once
// A bound UDP socket on the worker's loop. Received datagrams go to the listener with
// a TransportTuple; sending is a PacketSender.
//
// Receiving: one buffer per worker thread, shared by all its sockets. libuv reads one
// datagram at a time (alloc, read, callback, next; up to 32 per wake-up), and the
// listener must not keep the data past its callback, so a single buffer serves every
// socket of the loop: receiving allocates nothing per packet and an idle socket costs
// no buffer memory. (recvmmsg was measured and lost: docs/ARCHITECTURE.md, "Batched
// UDP I/O".)
//
// Sending: on a worker thread, datagrams are copied into the thread's UdpSendBatcher
// and leave in one syscall per loop turn (io_uring, or sendmmsg per socket); see
// UdpSendBatcher.hpp. Elsewhere (no batcher on the thread) the synchronous
// uv_udp_try_send. Either way, a datagram the kernel refuses because its queue is full
// (EAGAIN/ENOBUFS) is queued as a copy on libuv, at most kMaxQueuedSends per socket;
// beyond that it is dropped and counted in GetSendErrors().

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ListenInfo.hpp"
#include "TransportTuple.hpp"

namespace mediaplane {

class UdpSocket : public PacketSender {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// `data` points into the socket's own receive buffer: the listener may modify it in
		// place (SRTP decrypts in place) but must not keep it.
		virtual void OnUdpPacket(UdpSocket& socket, uint8_t* data, size_t len, const TransportTuple& tuple) = 0;
	};

	// Binds to info.ip:info.port; with port 0, to a free port in [portRangeMin,
	// portRangeMax] (tried from a random start, skipping EADDRINUSE). Applies the flags
	// (ipv6Only, udpReusePort) before binding and the buffer sizes after. Returns nullptr
	// and sets *error on failure.
	static std::unique_ptr<UdpSocket> Bind(uv_loop_t* loop, Listener& listener, const ListenInfo& info,
	                                       std::string* error);
	~UdpSocket() override;

	UdpSocket(const UdpSocket&) = delete;
	UdpSocket& operator=(const UdpSocket&) = delete;

	void SendPacket(const uint8_t* data, size_t len, const sockaddr* remote) override;
	// Fixes the peer (connect(2)): the kernel then skips the route lookup on every send
	// and delivers only that peer's datagrams. For sockets owned by one peer's transport
	// (PlainTransport/PipeTransport), never for shared ones. Returns false on failure.
	bool ConnectTo(const sockaddr* remote);

	const sockaddr_storage& GetLocalAddress() const { return localAddress_; }
	uint16_t GetLocalPort() const { return AddressPort(reinterpret_cast<const sockaddr*>(&localAddress_)); }
	std::string GetLocalIp() const { return AddressToString(reinterpret_cast<const sockaddr*>(&localAddress_)); }
	uint64_t GetSendErrors() const { return sendErrors_; }
	// The kernel's SO_SNDBUF/SO_RCVBUF (Linux reports twice the size asked for: it counts
	// its bookkeeping). 0 if unknown.
	uint32_t GetSendBufferSize() const;
	uint32_t GetRecvBufferSize() const;

	// Swaps the receiver (WebRtcServer hands sockets' packets to transports itself).
	void SetListener(Listener& listener) { listener_ = &listener; }

	// UdpSendBatcher: the kernel refused a batched datagram with `error` (errno).
	void OnBatchedSendFailed(const uint8_t* data, size_t len, const sockaddr* remote, int error);

private:
	UdpSocket(Listener& listener) : listener_(&listener) {}

	static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
	static void OnRecv(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned flags);
	// Sends at once (uv_udp_try_send), queuing a copy if the kernel's queue is full.
	void SendNow(const uint8_t* data, size_t len, const sockaddr* remote);
	// Queues a copy on libuv (sent when the socket is writable), within kMaxQueuedSends.
	void QueueCopy(const uint8_t* data, size_t len, const sockaddr* remote);

	Listener* listener_;
	uv_udp_t* handle_ = nullptr;
	int fd_ = -1;
	sockaddr_storage localAddress_{};
	bool reading_ = false;
	bool connected_ = false;
	uint64_t sendErrors_ = 0;
};

// Parses "1.2.3.4" or "::1" with a port into a sockaddr_storage.
bool ParseIpAddress(const std::string& ip, uint16_t port, sockaddr_storage* out);

// Reads SO_SNDBUF (send) or SO_RCVBUF of a libuv socket handle; 0 if unknown.
uint32_t SocketBufferSize(const uv_handle_t* handle, bool send);
// Sets SO_SNDBUF/SO_RCVBUF (sizes of 0 are left alone). Returns 0 or a libuv error.
int SetSocketBufferSizes(uv_handle_t* handle, uint32_t sendBufferSize, uint32_t recvBufferSize);

} // namespace mediaplane
