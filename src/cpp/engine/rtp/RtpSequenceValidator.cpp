#include "RtpSequenceValidator.hpp"

namespace mediaplane {

RtpSequenceValidator::RtpSequenceValidator(uint8_t minSequential, uint16_t maxMisorder)
    : minSequential_(minSequential ? minSequential : 1),
      maxMisorder_(maxMisorder < 0x10000 - kMaxDropout ? maxMisorder : static_cast<uint16_t>(0x10000 - kMaxDropout)) {}

void RtpSequenceValidator::InitSeq(uint16_t seq) {
	baseSeq_ = seq;
	maxSeq_ = seq;
	badSeq_ = kNoBadSeq;
	cycles_ = 0;
	received_ = 0;
}

void RtpSequenceValidator::Restart(uint16_t seq) {
	if (IsValid()) carriedLost_ += static_cast<int64_t>(GetExpected()) - static_cast<int64_t>(received_);
	started_ = true;
	probation_ = 0;
	++resyncs_;
	InitSeq(seq);
	received_ = 1;
}

RtpSequenceValidator::Result RtpSequenceValidator::Update(uint16_t seq) {
	if (!started_) {
		// A.1: a source heard for the first time starts on probation, as if the packet
		// before this one had been the highest.
		started_ = true;
		InitSeq(seq);
		maxSeq_ = static_cast<uint16_t>(seq - 1);
		probation_ = minSequential_;
	}

	if (probation_ > 0) {
		// A.1: the source is valid once minSequential packets came in sequence; a
		// packet out of sequence starts the count again from itself.
		if (seq == static_cast<uint16_t>(maxSeq_ + 1)) {
			--probation_;
		} else {
			probation_ = static_cast<uint8_t>(minSequential_ - 1);
		}
		maxSeq_ = seq;
		if (probation_ > 0) return Result::Probation;
		InitSeq(seq);
		++received_;
		return Result::Newer;
	}

	// Forward distance from the highest, modulo 2^16 (A.1 udelta).
	const uint16_t udelta = static_cast<uint16_t>(seq - maxSeq_);
	if (udelta == 0) {
		++received_; // A.1 counts duplicates as received (loss can go negative)
		return Result::Duplicate;
	}
	if (udelta < kMaxDropout) {
		// In order, with a permissible gap. Numerically smaller than the highest: the 16
		// bits wrapped, one more cycle (A.1).
		if (seq < maxSeq_) cycles_ += 0x10000;
		maxSeq_ = seq;
		++received_;
		return Result::Newer;
	}
	if (udelta <= 0x10000 - maxMisorder_) {
		// A very large jump, forwards or backwards (A.1).
		if (seq != badSeq_) {
			badSeq_ = static_cast<uint16_t>(seq + 1);
			return Result::Jump;
		}
		// Two sequential packets: the other side restarted without telling us; re-sync
		// (A.1 init_seq). The loss of the old space is kept; the new space starts at the
		// packet that made the jump (see the header).
		carriedLost_ += static_cast<int64_t>(GetExpected()) - static_cast<int64_t>(received_);
		++resyncs_;
		const uint16_t first = static_cast<uint16_t>(seq - 1);
		InitSeq(first);
		maxSeq_ = seq;
		if (seq == 0) cycles_ = 0x10000; // the new space wrapped between its two packets
		received_ = 2;
		return Result::Resync;
	}
	// Within maxMisorder behind the highest: reordered or duplicated (A.1).
	++received_;
	return Result::Older;
}

} // namespace mediaplane
