#pragma once
// Receive-side sequence number validation of one RTP source, RFC 3550 Appendix A.1,
// with the counts of Appendix A.3 (extended highest sequence number, expected,
// received, cumulative loss) that receiver reports and stats are made of.
//
// Sans-I/O and allocation-free: the owner (RtpStreamRecv) feeds it each packet's 16-bit
// sequence number and acts on the verdict. What A.1 asks, and what we do:
// - probation: a new source is valid after MIN_SEQUENTIAL packets in sequence (A.1
//   uses 2; a stream signaled by SDP or produce() is known to exist, so the engine
//   accepts it on the first packet with minSequential = 1);
// - a packet less than MAX_DROPOUT (3000) ahead of the highest is in order (maybe after
//   a gap: loss); the highest sequence number wraps at 65535 and a wrap counts a cycle
//   (the extended highest sequence number = cycles << 16 | highest);
// - a packet at most MAX_MISORDER (100) behind the highest is reordered or duplicated;
// - anything else is a jump too large to be loss. A.1 believes it only when the next
//   packet follows it (bad_seq): the sender restarted without telling us (a restarted
//   ffmpeg or GStreamer pipeline, any sender after a long gap), so the validator
//   re-synchronises to the new sequence. A single stray packet changes nothing.
//
// One deviation from A.1, on purpose: A.1 discards the first packet of the new
// sequence (the one that set bad_seq). The owner keeps a copy of it and forwards it once
// the jump is confirmed (it is often the start of the new encoder's key frame), so here
// the new sequence starts at that packet: after a resync both packets are counted
// (received = 2, base = seq - 1).

#include <cstdint>

namespace mediaplane {

class RtpSequenceValidator {
public:
	// RFC 3550 A.1's suggested constants.
	static constexpr uint16_t kMaxDropout = 3000;
	static constexpr uint16_t kMaxMisorder = 100;
	static constexpr uint8_t kMinSequential = 2;

	enum class Result : uint8_t {
		Probation, // the source is not validated yet: not counted, not to be forwarded
		Newer,     // the new highest sequence number (after a gap when it is not +1)
		Duplicate, // the highest sequence number again: counted (A.1 counts duplicates)
		Older,     // behind the highest within the misorder window: reordered, a late
		           // or a duplicated packet; counted, the highest is unchanged
		Jump,      // too far from the highest to be loss or misorder; not counted. If the
		           // next packet follows it, that one returns Resync
		Resync,    // the previous packet's jump is confirmed (A.1 bad_seq): the sequence
		           // restarted at seq - 1; both are counted in the new sequence space
	};

	// minSequential: packets in sequence that validate a new source (0 counts as 1).
	// maxMisorder: how far behind the highest a packet is reordered rather than a jump
	// (a stream repaired by retransmission on its own SSRC sees packets a round trip
	// late); at most 0x10000 - kMaxDropout.
	explicit RtpSequenceValidator(uint8_t minSequential = kMinSequential, uint16_t maxMisorder = kMaxMisorder);

	Result Update(uint16_t seq);

	// The owner knows, by other means, that the source restarted its sequence at `seq`
	// (RtpStreamRecv: the timestamp jumped while the sequence number looked in order,
	// i.e. a restarted sender whose new random number landed within MAX_DROPOUT ahead).
	// Like a confirmed resync, the new space starting at this packet, counted; the loss
	// counted so far is kept. Call instead of Update() for that packet.
	void Restart(uint16_t seq);

	// A packet the owner knows belongs to the current sequence whatever its distance (a
	// retransmission it asked for with NACK): counted as received, no jump rules.
	void CountLatePacket() {
		if (IsValid()) ++received_;
	}

	bool IsValid() const { return started_ && probation_ == 0; }
	uint16_t GetMaxMisorder() const { return maxMisorder_; }
	uint16_t GetHighest() const { return maxSeq_; }
	// cycles << 16 | highest: the RR's "extended highest sequence number received"
	// (RFC 3550 §6.4.1), of the current sequence space.
	uint64_t GetExtendedHighest() const { return cycles_ + maxSeq_; }
	uint32_t GetCycles() const { return static_cast<uint32_t>(cycles_ >> 16); }
	// Packets received and expected in the current sequence space (since validation or
	// the last resync; A.3: expected = extended highest - base + 1).
	uint64_t GetReceived() const { return received_; }
	uint64_t GetExpected() const { return IsValid() ? GetExtendedHighest() - baseSeq_ + 1 : 0; }
	// Cumulative number of packets lost (A.3: expected - received, negative when
	// duplicates arrived). A resync starts a new space; the loss counted before it is
	// kept, so the figure neither restarts at 0 nor counts the jump as loss.
	int64_t GetCumulativeLost() const {
		return carriedLost_ + static_cast<int64_t>(GetExpected()) - static_cast<int64_t>(received_);
	}
	// How many times the sequence restarted (confirmed jumps).
	uint64_t GetResyncCount() const { return resyncs_; }

private:
	// A.1 init_seq(): a new sequence space starting at `seq`.
	void InitSeq(uint16_t seq);

	uint8_t minSequential_;
	uint16_t maxMisorder_;
	bool started_ = false;
	uint8_t probation_ = 0;
	uint16_t maxSeq_ = 0;
	// A.1 bad_seq: the sequence number that would confirm the last jump; 0x10001 (no
	// 16-bit value) when there is none.
	uint32_t badSeq_ = kNoBadSeq;
	uint64_t baseSeq_ = 0;
	uint64_t cycles_ = 0; // shifted count of wraps (A.1 keeps it shifted too)
	uint64_t received_ = 0;
	int64_t carriedLost_ = 0;
	uint64_t resyncs_ = 0;

	static constexpr uint32_t kNoBadSeq = 0x10001;
};

} // namespace mediaplane
