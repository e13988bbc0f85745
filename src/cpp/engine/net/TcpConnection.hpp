#pragma once
// One accepted TCP connection carrying ICE-TCP traffic (RFC 6544) framed per RFC 4571:
// every packet is preceded by its 16-bit big-endian length. Incoming bytes are
// reassembled into whole frames by an Rfc4571Framer (sans-I/O, fuzzed apart).

#include <uv.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "Rfc4571Framer.hpp"
#include "TransportTuple.hpp"

namespace mediaplane {

class TcpConnection : public PacketSender {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// `data` is the connection's buffer: modifiable in place, not to be kept.
		virtual void OnTcpFrame(TcpConnection& connection, uint8_t* data, size_t len) = 0;
		// The peer closed, or an error/protocol violation closed the connection. The
		// listener owns the connection and must destroy it (not from inside this call's
		// caller stack frames of the connection: the server defers it).
		virtual void OnTcpConnectionClosed(TcpConnection& connection) = 0;
		// A send failed and the stream cannot go on (an error, or a frame only partly
		// queued): the listener must Close() the connection, but not from inside this
		// call. Sends happen inside ICE's handling of a check, which records the tuple
		// after its response is sent; closing at once would hand ICE a dead connection.
		virtual void OnTcpConnectionSendFailed(TcpConnection& connection) = 0;
	};

	// Takes over an accepted handle (already initialised on the loop).
	TcpConnection(Listener& listener, uv_tcp_t* handle);
	~TcpConnection() override;

	TcpConnection(const TcpConnection&) = delete;
	TcpConnection& operator=(const TcpConnection&) = delete;

	bool Start(); // begins reading; false if the handle is unusable
	void SendPacket(const uint8_t* data, size_t len, const sockaddr* remote) override;
	void Close();  // stops reading; OnTcpConnectionClosed follows once

	const TransportTuple& GetTuple() const { return tuple_; }
	bool IsClosed() const { return closed_; }
	uint64_t GetDroppedFrames() const { return framer_.GetDroppedFrames(); }
	// When the connection was last a valid ICE path (or accepted); see TcpServer.
	void MarkInUse(uint64_t nowMs) { lastInUseMs_ = nowMs; }
	uint64_t GetLastInUseMs() const { return lastInUseMs_; }
	// Outgoing frames dropped because the peer was not reading (see kMaxQueuedWriteBytes).
	uint64_t GetDroppedSends() const { return droppedSends_; }

private:
	static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
	static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
	void ConsumeFrames();
	void FailSends();

	Listener& listener_;
	uv_tcp_t* handle_;
	TransportTuple tuple_;
	Rfc4571Framer framer_;
	bool closed_ = false;
	bool sendFailed_ = false; // nothing more is sent; the listener closes it soon
	uint64_t droppedSends_ = 0;
	uint64_t lastInUseMs_ = 0;
};

} // namespace mediaplane
