#pragma once
// The sender's memory of the packets it stamped with a transport-wide sequence number
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), so that a transport-cc
// feedback (which only carries sequence numbers and arrival times, §3.1) can be turned
// into per-packet results with sizes and send times for the estimators.
//
// - Sequence numbers are 16 bits and wrap; they are unwrapped to int64 in send order,
//   and a feedback's base number is unwrapped against the newest sent one.
// - Bounded: packets older than params.maxAgeMs (relative to the newest send) or
//   beyond params.maxPackets are forgotten; feedback about them is ignored.
// - Each packet is reported received at most once: a duplicated or repeated feedback
//   yields nothing new; a packet reported lost and later received (a late or
//   reordered feedback) is reported again as received; lost twice is reported once.
// - Feedback for numbers never sent (or already forgotten) is ignored.
// Sans-I/O, no exceptions; allocation only grows the ring up to maxPackets.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "../rtcp/TransportCcFeedback.hpp"
#include "BweTypes.hpp"

namespace mediaplane {
namespace bwe {

class SentPacketHistory {
public:
	struct Params {
		// Long enough for feedback sent every 50..100 ms with an RTT of a few hundred
		// ms to find its packets, short enough to stay small (our choice).
		int64_t maxAgeMs = 5000;
		size_t maxPackets = 1 << 15; // half the sequence space: unwrapping stays unambiguous
	};

	SentPacketHistory() : SentPacketHistory(Params()) {}
	explicit SentPacketHistory(const Params& params);

	void OnPacketSent(uint16_t sequenceNumber, uint32_t sizeBytes, int64_t sendTimeMs, bool isRetransmission,
	                  int32_t probeClusterId);
	// Appends to `out` (which it does not clear) the results newly learned from
	// `feedback`, in sequence number order. Returns how many it appended.
	size_t OnFeedback(const TransportCcFeedback& feedback, std::vector<PacketResult>& out);

	// False when a packet sent within `windowMs` before the newest reported one has not
	// been reported yet: the feedback about it is late or reordered, so rates measured
	// over that window of arrivals would miss its bytes.
	bool IsReportedUpToNewest(int64_t windowMs) const;

	size_t GetSize() const { return this->packets.size(); }
	// Bytes sent and not yet reported (received or lost), for diagnostics.
	int64_t GetBytesInFlight() const { return this->bytesInFlight; }
	uint64_t GetIgnoredFeedbackCount() const { return this->ignoredStatuses; }

private:
	enum class State : uint8_t { Unknown, Sent, Lost, Received };
	struct Entry {
		uint32_t sizeBytes = 0;
		int64_t sendTimeMs = 0;
		int32_t probeClusterId = -1;
		bool isRetransmission = false;
		State state = State::Unknown; // Unknown: a number skipped by the sender
	};

	int64_t UnwrapAgainst(uint16_t sequenceNumber, int64_t reference) const;
	void Evict(int64_t newestSendTimeMs);

	Params params;
	std::deque<Entry> packets; // packets[i] has number firstSequence + i
	int64_t firstSequence = 0;
	bool started = false;
	int64_t lastSequence = -1; // unwrapped number of the newest sent packet
	int64_t highestReported = -1;
	int64_t bytesInFlight = 0;
	uint64_t ignoredStatuses = 0;
};

} // namespace bwe
} // namespace mediaplane
