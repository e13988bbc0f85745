#pragma once
// One SCTP association (RFC 9260, one path) carrying WebRTC data channels (RFC 8831),
// over DTLS (RFC 8261, WebRtcTransport) or straight over UDP (PlainTransport and
// PipeTransport, as mediasoup does). One object per transport, owned by that worker
// thread; no globals, no locks.
//
// Sans-I/O, like IceServer and DtlsTransport: the transport feeds it every SCTP packet
// received (HandlePacket) and the loop's time, calls OnTimer() at NextTimeoutMs(), and
// the association answers through the Listener: whole SCTP packets to send, state
// changes, complete (reassembled) messages, stream resets and buffered-amount changes.
// It owns no socket and no timer, so it is unit-tested with a fake clock and fuzzed.
//
// Both ends of a WebRTC association send INIT when their transport connects
// (RFC 8831 §6.2 lets either side start): Connect() handles the INIT collision of
// RFC 9260 §5.2.
//
// Listener callbacks run synchronously inside HandlePacket, Send, ResetStreams,
// OnTimer, Connect, Shutdown and Abort. A listener may call Send() and ResetStreams()
// from inside one (they queue, and their packets are sent before the outer call
// returns), but must not destroy the association there.
//
// Nothing here throws (apart from std::bad_alloc): a malformed packet is dropped and
// counted (GetStats().packetsDropped); a protocol violation by the peer aborts this
// association (ABORT with the RFC 9260 §3.3.10 error cause, state Failed).
//
// Memory is bounded: outgoing messages queued and unacknowledged are limited to
// Options::sendBufferSize in total (bytes, and sendBufferSize / 128 messages and chunks)
// and perStreamSendQueueLimit per stream; the receive
// side keeps at most maxReceiverWindowBufferSize bytes of out-of-order and partially
// reassembled data, a fixed overhead per chunk or message included (the advertised
// a_rwnd), and a message larger than
// maxReceiveMessageSize aborts nothing: it is discarded and counted.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mediaplane {
namespace sctp {

// mediasoup's SctpState names: "new", "connecting", "connected", "failed", "closed".
enum class State { New, Connecting, Connected, Failed, Closed };
const char* StateName(State state);

// Well-known payload protocol identifiers of WebRTC (RFC 8831 §8, IANA).
enum Ppid : uint32_t {
	PpidDcep = 50,        // DATA_CHANNEL_OPEN / DATA_CHANNEL_ACK (RFC 8832)
	PpidString = 51,      // UTF-8
	PpidBinary = 53,
	PpidStringEmpty = 56, // an empty string (a zero-byte message cannot be sent)
	PpidBinaryEmpty = 57, // an empty binary message
};

struct Options {
	uint16_t localPort = 5000;  // RFC 8841 §5: 5000 for WebRTC
	uint16_t remotePort = 5000;
	// Streams we ask for / accept (INIT's OS and MIS, RFC 9260 §3.3.2). The negotiated
	// counts are the minimum of ours and the peer's.
	uint16_t maxOutboundStreams = 65535;
	uint16_t maxInboundStreams = 65535;
	// Largest message Send() accepts.
	size_t maxSendMessageSize = 262144;
	// Largest message delivered; a larger one is discarded (counted).
	size_t maxReceiveMessageSize = 262144;
	// Bytes queued or in flight across all streams; Send() beyond it fails with BufferFull.
	// It also holds at most sendBufferSize / 128 queued messages and unacknowledged
	// chunks, so that tiny or empty messages are bounded too (DataSender.cpp).
	size_t sendBufferSize = 262144;
	// Bytes queued per stream; Send() beyond it fails with BufferFull.
	size_t perStreamSendQueueLimit = 262144;
	// Our receive window (a_rwnd) and the cap on buffered receive data.
	size_t maxReceiverWindowBufferSize = 262144;
	// Path MTU for packets we build (DTLS and IP overhead included by the caller).
	size_t mtu = 1200;
	// RTO bounds and initial value, ms (RFC 9260 §16 defaults are 1000/60000/1000; WebRTC
	// stacks use lower ones).
	uint32_t rtoInitialMs = 1000;
	uint32_t rtoMinMs = 400;
	uint32_t rtoMaxMs = 10000;
	// Association.Max.Retrans and Max.Init.Retransmits (RFC 9260 §16). Beyond them the
	// association fails (TOO_MANY_RETRIES, as mediasoup 3.20.4 does).
	uint32_t maxRetransmissions = 10;
	uint32_t maxInitRetransmissions = 8;
	uint32_t heartbeatIntervalMs = 30000;
	// Lifetime of our state cookie (RFC 9260 §5.1.3 Valid.Cookie.Life).
	uint32_t cookieLifetimeMs = 60000;
};

// Delivery of one outgoing message (RFC 8831 §6.1; RFC 3758 for the limits).
struct SendOptions {
	bool ordered = true;
	// Partial reliability: give up after this many retransmissions (0: send once), or
	// after this lifetime in ms since Send(). -1: no limit. At most one of them is set.
	int32_t maxRetransmits = -1;
	int32_t maxPacketLifeTimeMs = -1;
};

enum class SendResult {
	Ok,
	NotConnected,     // not in state Connected
	MessageTooLarge,  // larger than maxSendMessageSize
	InvalidStream,    // streamId >= negotiated outbound streams, or being reset
	BufferFull,       // sendBufferSize or perStreamSendQueueLimit would be exceeded
};

struct Stats {
	uint64_t packetsReceived = 0;
	uint64_t packetsSent = 0;
	uint64_t bytesReceived = 0; // SCTP packet bytes
	uint64_t bytesSent = 0;
	uint64_t packetsDropped = 0;     // malformed, bad checksum or verification tag
	uint64_t messagesReceived = 0;   // delivered to OnSctpMessage
	uint64_t messagesSent = 0;       // accepted by Send()
	uint64_t messagesDiscarded = 0;  // too large to deliver, or abandoned (partial reliability)
	uint64_t retransmissions = 0;    // DATA chunks sent again (timer or fast retransmit)
};

class Association {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// A complete SCTP packet (common header and CRC32c included) to send to the peer.
		virtual void OnSctpSendPacket(const uint8_t* data, size_t len) = 0;
		virtual void OnSctpStateChange(State state) = 0;
		// A complete message received on an incoming stream (any PPID, DCEP included).
		virtual void OnSctpMessage(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len) = 0;
		// The peer reset these outgoing streams of its own (our incoming streams,
		// RFC 6525 §5.2.2): their channels are closing (RFC 8831 §6.7).
		virtual void OnSctpIncomingStreamsReset(const std::vector<uint16_t>& streamIds) = 0;
		// A stream's buffered amount (bytes queued, not yet transmitted) went from above the
		// stream's threshold to at or below it (the RTCDataChannel bufferedamountlow rule).
		virtual void OnSctpBufferedAmountLow(uint16_t streamId, size_t bufferedAmount) = 0;
	};

	Association(Listener& listener, const Options& options);
	~Association();
	Association(const Association&) = delete;
	Association& operator=(const Association&) = delete;

	// Starts the association: sends INIT (state Connecting). Does nothing unless New.
	void Connect(uint64_t nowMs);
	// One received SCTP packet. Packets that arrive before Connect() are handled too
	// (the peer's INIT may come first).
	void HandlePacket(const uint8_t* data, size_t len, uint64_t nowMs);
	// Queues a message on an outgoing stream. An empty message must use one of the
	// *Empty PPIDs with len 0 (it is sent as one zero byte, RFC 8831 §6.6).
	SendResult Send(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len,
		const SendOptions& options, uint64_t nowMs);
	// Resets our outgoing streams (RFC 6525 §5.1.2), after their queued data is sent.
	// The stream ids can be used again once the reset completes.
	void ResetStreams(const std::vector<uint16_t>& streamIds, uint64_t nowMs);
	// Graceful close (SHUTDOWN, RFC 9260 §9.2); state Closed when done.
	void Shutdown(uint64_t nowMs);
	// Sends ABORT (when there is a peer) and goes to Closed at once.
	void Abort();

	void OnTimer(uint64_t nowMs);
	// Absolute time at which OnTimer should next run, or UINT64_MAX.
	uint64_t NextTimeoutMs(uint64_t nowMs) const;

	State GetState() const;
	// Negotiated stream counts (0 until connected).
	uint16_t GetNegotiatedOutboundStreams() const;
	uint16_t GetNegotiatedInboundStreams() const;
	// A stream's bytes queued and not yet transmitted (the W3C RTCDataChannel
	// bufferedAmount, as mediasoup reports it); of all streams: queued + unacknowledged
	// (what counts against sendBufferSize).
	size_t GetBufferedAmount(uint16_t streamId) const;
	size_t GetTotalBufferedAmount() const;
	// The bufferedamountlow threshold of a stream (default 0).
	void SetBufferedAmountLowThreshold(uint16_t streamId, size_t threshold);
	const Stats& GetStats() const;

	// True when the bytes look like an SCTP packet (12-byte common header) rather than
	// RTP/RTCP/STUN/DTLS: for demultiplexing plain UDP (RFC 7983 leaves SCTP out, so we
	// check the ports, 5000/5000 by default, and the length).
	static bool LooksLikeSctp(const uint8_t* data, size_t len, uint16_t port = 5000);

private:
	// Deterministic seeding for the fuzzer and tests (AssociationTestAccess.hpp).
	friend class AssociationTestAccess;
	class Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace sctp
} // namespace mediaplane
