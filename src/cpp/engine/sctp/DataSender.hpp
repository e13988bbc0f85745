#pragma once
// The sending half of the data transfer (RFC 9260 §6, §7): per-stream queues of
// outgoing messages, fragmentation to the path MTU (§6.9), TSN and SSN assignment,
// the retransmission queue with gap-ack bookkeeping (§6.2.1), fast retransmit (§7.2.4),
// congestion control (cwnd, ssthresh, slow start and congestion avoidance, §7.2), the
// peer's receive window (§6.2.1), and partial reliability (RFC 3758: abandoning
// messages, Advanced.Peer.Ack.Point and FORWARD-TSN, §3.5).
//
// It owns no timer: the association runs T3-rtx from HasInFlightData()/the SACK result
// and calls OnT3Expired(). Buffered amounts are in message bytes (what Send() was given).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "SctpAssociation.hpp"
#include "SctpPacket.hpp"

namespace mediaplane {
namespace sctp {

class DataSender {
public:
	struct BufferedAmountLow {
		uint16_t streamId;
		size_t amount;
	};
	struct SackOutcome {
		bool stale = false;              // older than a SACK already processed: ignored
		bool protocolViolation = false;  // acknowledges a TSN never sent
		bool newlyAcked = false;         // new data acknowledged (resets the error counter, §8.3)
		bool cumulativeAdvanced = false; // restart T3-rtx (§6.3.2 R3)
		bool fastRetransmit = false;     // chunks marked for fast retransmit (§7.2.4)
		bool hasRtt = false;
		uint32_t rttMs = 0;
	};

	explicit DataSender(const Options& options);

	// At COOKIE-ECHO / COOKIE-ACK time: our initial TSN, the peer's a_rwnd (also the
	// initial ssthresh, §7.2.1), the negotiated outbound stream count.
	void Start(uint32_t initialTsn, uint32_t peerRwnd, uint16_t outboundStreams, bool peerForwardTsn);

	SendResult Enqueue(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len,
		const SendOptions& options, uint64_t nowMs);

	// The next DATA chunk to put into a packet with `room` bytes left, serialized into
	// out: a chunk marked for retransmission first, else new data, within cwnd and the
	// peer's window. False when nothing may or can be sent now (or it does not fit).
	bool NextChunk(size_t room, uint64_t nowMs, std::vector<uint8_t>& out, bool& retransmission);

	SackOutcome HandleSack(const SackChunk& sack, uint64_t nowMs);
	// T3-rtx expiry (§6.3.3 E1/E3, §7.2.3): cwnd to one MTU, everything outstanding
	// marked for retransmission.
	void OnT3Expired(uint64_t nowMs);

	// RFC 3758 §3.5: true when Advanced.Peer.Ack.Point is ahead of the cumulative TSN
	// ack; fills the FORWARD-TSN to send.
	bool NeedsForwardTsn(ForwardTsnChunk& out) const;

	bool HasInFlightData() const { return flightSize > 0 || HasMarkedChunks(); }
	bool HasOutstandingData() const { return !outstanding.empty(); }
	// Nothing queued and nothing unacknowledged (SHUTDOWN may go, §9.2).
	bool AllAcknowledged() const { return outstanding.empty() && totalQueuedMessages == 0; }
	bool HasQueuedData() const { return totalQueuedMessages > 0; }
	uint32_t CumulativeTsnAck() const { return lastCumulativeAck; }
	uint32_t NextTsn() const { return nextTsn; }

	// Stream reset support (RFC 6525 §5.1.2): Send() refuses a resetting stream; the
	// request may go once the stream has nothing queued.
	void SetResetting(uint16_t streamId, bool resetting);
	bool IsResetting(uint16_t streamId) const;
	bool HasQueued(uint16_t streamId) const;
	// The reset was performed: the stream's SSN restarts at 0.
	void ResetSsn(uint16_t streamId);

	// Message bytes queued or unacknowledged (what counts against the send buffer).
	size_t BufferedAmount(uint16_t streamId) const;
	// Message bytes queued and not yet transmitted: RTCDataChannel.bufferedAmount, what
	// mediasoup reports, and what the bufferedamountlow events follow.
	size_t UnsentAmount(uint16_t streamId) const;
	size_t TotalBufferedAmount() const { return totalBuffered; }
	void SetBufferedAmountLowThreshold(uint16_t streamId, size_t threshold);
	// Events since the last call.
	void TakeBufferedAmountLowEvents(std::vector<BufferedAmountLow>& out);

	uint64_t AbandonedMessages() const { return abandonedMessages; }
	uint32_t Cwnd() const { return static_cast<uint32_t>(cwnd); }
	uint32_t Ssthresh() const { return static_cast<uint32_t>(ssthresh); }
	size_t FlightSize() const { return flightSize; }
	uint32_t PeerRwnd() const { return static_cast<uint32_t>(peerRwnd); }

private:
	struct QueuedMessage {
		uint64_t messageId = 0;
		uint32_t ppid = 0;
		std::vector<uint8_t> payload; // wire bytes (one zero byte for an empty message)
		size_t userBytes = 0;         // counted in the buffered amount
		bool ordered = true;
		int32_t maxRetransmits = -1;
		uint64_t expiresMs = UINT64_MAX;
		size_t offset = 0; // bytes already fragmented
		size_t userBytesLeft = 0;
		bool ssnAssigned = false;
		uint16_t ssn = 0;
	};
	struct OutgoingStream {
		std::deque<QueuedMessage> queue;
		uint16_t nextSsn = 0;
		size_t queuedBytes = 0; // message bytes not yet fragmented
		size_t buffered = 0;    // queued + unacknowledged message bytes (the send buffer's use)
		// Message bytes not yet transmitted: the W3C RTCDataChannel bufferedAmount ("queued
		// using send() but not yet transmitted to the network"), which mediasoup reports.
		size_t unsent = 0;
		size_t lowThreshold = 0;
		bool resetting = false;
	};
	struct SentChunk {
		DataChunk chunk;
		uint64_t messageId = 0;
		size_t userBytes = 0;
		uint64_t lastSentMs = 0;
		uint32_t transmissions = 0;
		uint32_t missingReports = 0;
		int32_t maxRetransmits = -1;
		uint64_t expiresMs = UINT64_MAX;
		bool acked = false;      // gap-acked
		bool marked = false;     // to be retransmitted
		bool fastMarked = false; // marked by fast retransmit (may ignore cwnd once)
		bool fastRetransmitted = false;
		bool abandoned = false;
		bool inFlight = false; // counted in flightSize
	};

	bool HasMarkedChunks() const;
	size_t MaxFragment() const;
	void ReduceBuffered(uint16_t streamId, size_t bytes);
	void ReduceUnsent(OutgoingStream& stream, uint16_t streamId, size_t bytes);
	// RFC 3758 §3.5 A1-A3: marks every chunk of the message abandoned (and drops its
	// unsent rest from the stream queue).
	void AbandonMessage(uint64_t messageId, uint16_t streamId);
	// Whether a chunk about to be retransmitted exceeded its limits.
	bool ShouldAbandon(const SentChunk& chunk, uint64_t nowMs) const;
	bool NextRetransmission(size_t room, uint64_t nowMs, std::vector<uint8_t>& out);
	bool NextNewChunk(size_t room, uint64_t nowMs, std::vector<uint8_t>& out);
	OutgoingStream* PickStream(uint64_t nowMs);

	Options options;
	std::map<uint16_t, OutgoingStream> streams;
	std::deque<SentChunk> outstanding; // TSN order, contiguous from lastCumulativeAck + 1
	std::vector<BufferedAmountLow> lowEvents;
	uint16_t outboundStreams = 0;
	bool peerForwardTsn = false;
	uint32_t nextTsn = 0;
	uint32_t lastCumulativeAck = 0;
	uint64_t nextMessageId = 1;
	size_t totalBuffered = 0;
	size_t totalQueuedMessages = 0;
	bool fragmenting = false; // the current message of currentStream is partly sent (§6.9)
	uint16_t currentStream = 0;
	size_t cwnd = 0;
	size_t ssthresh = 0;
	size_t partialBytesAcked = 0;
	size_t flightSize = 0;
	size_t peerRwnd = 0;
	size_t fastRetransmitBudget = 0;
	bool fastRecovery = false;
	uint32_t fastRecoveryExit = 0;
	uint64_t abandonedMessages = 0;
};

} // namespace sctp
} // namespace mediaplane
