#pragma once
// Decides which sequence numbers of one received RTP stream to request again with
// Generic NACK (RFC 4585 §6.2.1), the receiver half of RTP retransmission (RFC 4588).
//
// Sans-I/O: the owner feeds it every received sequence number (saying whether the
// packet was a retransmission) and the current time, and asks GetNackList(now) after
// each packet and when NextTimeoutMs() is reached; the list says which sequence
// numbers to put in a NACK now. Nothing here sends anything or owns a timer.
//
// Policy (ours; RFC 4585 leaves it to the implementation):
// - a gap is requested at once: waiting for reordering delays every recovery, and a
//   spurious request costs one retransmission that is then discarded;
// - it is requested again every max(RTT, kMinRetryIntervalMs) (a retransmission cannot
//   arrive sooner than one round trip), at most kMaxRetries times and for at most
//   kMaxAgeMs after the gap was seen: older video is useless to a decoder by then;
// - at most kMaxMissing sequence numbers are tracked; a larger hole is no longer worth
//   repairing packet by packet, so the list is cleared and the owner is told to ask
//   the sender for a key frame (PLI/FIR) instead.
//
// Memory: the missing list is reserved once, on the first gap, and reused; no
// allocation per packet afterwards.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mediaplane {

class NackGenerator {
public:
	static constexpr size_t kMaxMissing = 1000;
	static constexpr uint8_t kMaxRetries = 10;
	static constexpr uint64_t kMaxAgeMs = 1000;
	static constexpr uint64_t kMinRetryIntervalMs = 20;
	// Round-trip time assumed until SetRtt() is called.
	static constexpr uint32_t kDefaultRttMs = 100;
	// A missing packet further than this behind the newest is dropped from the list
	// even if its time is not up (it would be far outside any decoder's window).
	static constexpr uint16_t kMaxSeqAge = 10000;

	enum class PacketResult : uint8_t {
		New,              // the newest packet so far (gaps before it are now missing)
		Repaired,         // a missing packet arrived as a retransmission
		Late,             // a missing packet arrived, not a retransmission (reordering)
		Old,              // older than the newest and not missing: a duplicate, a
		                  // retransmission no longer wanted, or a packet given up on
		KeyFrameRequired, // new, but the hole exceeded kMaxMissing: list cleared
	};

	PacketResult ReceivePacket(uint16_t seq, bool isRetransmission, uint64_t nowMs);

	// The sequence numbers to NACK now, oldest first (possibly empty). Each returned
	// number counts as one request. Entries past their age or retries are dropped. The
	// reference stays valid until the next call.
	const std::vector<uint16_t>& GetNackList(uint64_t nowMs);

	// When GetNackList() next has something to return or drop (absolute time on the
	// nowMs clock, never earlier than nowMs), or UINT64_MAX when nothing is missing.
	uint64_t NextTimeoutMs(uint64_t nowMs) const;

	// Also reschedules the pending entries (the retry interval follows the RTT).
	void SetRtt(uint32_t rttMs);
	size_t GetMissingCount() const { return missing_.size(); }
	// Missing packets given up on without their arrival: too old, requested too often,
	// too far behind, or cleared by an overflow (the overflowing hole included).
	uint64_t GetGivenUpCount() const { return givenUp_; }
	bool IsMissing(uint16_t seq) const { return Find(seq) != missing_.size(); }
	// Forgets everything, e.g. when the stream restarts.
	void Reset();

private:
	struct Missing {
		uint64_t detectedMs;
		uint64_t lastRequestMs; // 0 before the first request
		uint16_t seq;
		uint8_t requests;
	};

	uint64_t RetryIntervalMs() const { return rttMs_ > kMinRetryIntervalMs ? rttMs_ : kMinRetryIntervalMs; }
	uint64_t DueMs(const Missing& entry) const;
	// Index of `seq` in missing_, or missing_.size().
	size_t Find(uint16_t seq) const;
	void AddMissingRange(uint16_t first, uint16_t count, uint64_t nowMs);

	bool started_ = false;
	uint16_t highestSeq_ = 0;
	uint32_t rttMs_ = kDefaultRttMs;
	// Sorted oldest first, which is also the order gaps were detected in.
	std::vector<Missing> missing_;
	std::vector<uint16_t> nackList_;
	// No entry is due before this time: GetNackList() returns at once until then.
	uint64_t nextDueMs_ = UINT64_MAX;
	uint64_t givenUp_ = 0;
};

} // namespace mediaplane
