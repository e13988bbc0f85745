#pragma once
// Sequence number and timestamp arithmetic for RTP.
//
// RTP sequence numbers (16 bits) and timestamps (32 bits) wrap, so "newer" is decided
// by serial number arithmetic (RFC 1982 §3.2): a is newer than b when the forward
// distance from b to a is less than half the number space. At exactly half the space
// the comparison is undefined by RFC 1982; here neither value is newer than the other.
//
// SeqNumberTracker extends 16-bit sequence numbers to 64 bits by counting wraps, and
// keeps the received / expected counts of RFC 3550 §6.4.1 and Appendix A.1/A.3: a
// source is validated after a few packets in sequence (probation), a jump too large to
// be loss is only believed when the next packet confirms it (the sender restarted),
// and a packet that is a little older than the highest is counted as reordered.

#include <cstdint>

namespace mediaplane {

// a is newer than b (RFC 1982 §3.2, SERIAL_BITS = 16).
inline bool IsSeqNewer(uint16_t a, uint16_t b) {
	return a != b && static_cast<uint16_t>(a - b) < 0x8000;
}

// The signed distance from b to a (positive when a is newer), in -32768..32767.
inline int32_t SeqDiff(uint16_t a, uint16_t b) {
	return static_cast<int16_t>(static_cast<uint16_t>(a - b));
}

// a is newer than b (RFC 1982 §3.2, SERIAL_BITS = 32), for RTP timestamps.
inline bool IsTimestampNewer(uint32_t a, uint32_t b) {
	return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

// The signed distance from b to a (positive when a is newer).
inline int64_t TimestampDiff(uint32_t a, uint32_t b) {
	return static_cast<int32_t>(static_cast<uint32_t>(a - b));
}

class SeqNumberTracker {
public:
	// RFC 3550 Appendix A.1 suggests these values; 3000 packets of dropout covers
	// seconds of loss at video rates, 100 packets of misordering is far beyond what
	// networks do. A stream repaired by retransmission needs a wider window behind the
	// highest: a retransmission arrives a round trip (hundreds of packets) late.
	static constexpr uint16_t kMaxDropout = 3000;
	static constexpr uint16_t kDefaultMaxMisorder = 100;

	enum class Result : uint8_t {
		Probation, // source not validated yet: not counted
		Newer,     // the new highest sequence number (possibly after a gap)
		Older,     // reordered, duplicated or retransmitted: counted, highest unchanged
		Jump,      // a jump too large to be loss; not counted until confirmed
		Restarted, // the jump was confirmed by the next packet: counts restart here
	};

	// minSequential: packets in sequence needed to validate the source (A.1 uses 2; a
	// signaled WebRTC stream may use 1, which accepts the first packet at once).
	// maxMisorder: how far behind the highest a packet still counts as reordered
	// rather than as a jump (at most 0x10000 - kMaxDropout).
	explicit SeqNumberTracker(uint8_t minSequential = 2, uint16_t maxMisorder = kDefaultMaxMisorder)
	    : minSequential_(minSequential ? minSequential : 1),
	      maxMisorder_(maxMisorder < 0x10000 - kMaxDropout ? maxMisorder : 0x10000 - kMaxDropout) {}

	Result Update(uint16_t seq) {
		if (!started_) {
			started_ = true;
			Restart(seq);
			maxSeq_ = static_cast<uint16_t>(seq - 1);
			probation_ = minSequential_;
		}
		const uint16_t forward = static_cast<uint16_t>(seq - maxSeq_);
		if (probation_ > 0) {
			// Validation (A.1): each packet must follow the previous one.
			if (seq == static_cast<uint16_t>(maxSeq_ + 1)) {
				maxSeq_ = seq;
				if (--probation_ == 0) {
					Restart(seq);
					++received_;
					return Result::Newer;
				}
			} else {
				probation_ = static_cast<uint8_t>(minSequential_ - 1);
				maxSeq_ = seq;
				if (probation_ == 0) {
					Restart(seq);
					++received_;
					return Result::Newer;
				}
			}
			return Result::Probation;
		}
		Result result;
		if (forward == 0) {
			result = Result::Older; // a duplicate of the highest
		} else if (forward < kMaxDropout) {
			// In order, maybe after a gap; a smaller value means the 16 bits wrapped.
			if (seq < maxSeq_) cycles_ += 0x10000;
			maxSeq_ = seq;
			result = Result::Newer;
		} else if (forward <= 0x10000 - maxMisorder_) {
			// A big jump. Believe it only if the next packet follows it: the sender
			// restarted its sequence (A.1); otherwise it is a stray packet.
			if (seq == badSeq_) {
				Restart(seq);
				++received_;
				return Result::Restarted;
			}
			badSeq_ = static_cast<uint32_t>(static_cast<uint16_t>(seq + 1));
			return Result::Jump;
		} else {
			result = Result::Older; // reordered, duplicated or retransmitted
		}
		++received_;
		return result;
	}

	bool IsValid() const { return started_ && probation_ == 0; }
	// cycles << 16 | highest sequence number received.
	uint64_t GetExtendedHighest() const { return cycles_ + maxSeq_; }
	uint16_t GetHighest() const { return maxSeq_; }
	uint64_t GetReceived() const { return received_; }
	// Packets expected since validation (or the last restart).
	uint64_t GetExpected() const { return IsValid() ? GetExtendedHighest() - baseSeq_ + 1 : 0; }
	// Expected minus received; negative when duplicates arrived (RFC 3550 §6.4.1).
	int64_t GetCumulativeLost() const {
		return static_cast<int64_t>(GetExpected()) - static_cast<int64_t>(received_);
	}

private:
	void Restart(uint16_t seq) {
		baseSeq_ = seq;
		maxSeq_ = seq;
		badSeq_ = 0x10001; // matches no 16-bit value
		cycles_ = 0;
		received_ = 0;
	}

	uint8_t minSequential_;
	uint16_t maxMisorder_;
	bool started_ = false;
	uint8_t probation_ = 0;
	uint16_t maxSeq_ = 0;
	uint32_t badSeq_ = 0x10001;
	uint64_t baseSeq_ = 0;
	uint64_t cycles_ = 0;
	uint64_t received_ = 0;
};

} // namespace mediaplane
