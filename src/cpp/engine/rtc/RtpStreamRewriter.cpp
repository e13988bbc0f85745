#include "RtpStreamRewriter.hpp"

#include "../rtp/SeqNumbers.hpp"

namespace mediaplane {

bool RtpStreamRewriter::Rewrite(uint16_t inputSeq, uint32_t inputTimestamp, uint64_t nowMs, uint16_t* outputSeq,
                                uint32_t* outputTimestamp) {
	if (syncRequired_) {
		if (started_) {
			seqOffset_ = static_cast<uint16_t>(lastSeq_ + 1 - inputSeq);
			uint64_t elapsedTicks = (nowMs - lastSentMs_) * clockRate_ / 1000;
			if (elapsedTicks == 0) elapsedTicks = 1;
			timestampOffset_ = lastTimestamp_ + static_cast<uint32_t>(elapsedTicks) - inputTimestamp;
		}
		// The first segment keeps the source's own numbering (offsets 0).
		segmentStartSeq_ = inputSeq;
		syncRequired_ = false;
	} else if (IsSeqNewer(segmentStartSeq_, inputSeq)) {
		return false;
	}
	// Sequence numbers compare modulo 2^16 (RFC 3550 §A.1): a start more than half the
	// space behind would look *newer* than every packet and drop them all (a consumer
	// went silent after 32,768 packets, for the next 32,768). So the start trails the
	// stream by at most kSegmentWindow packets: what is older than that is too late to
	// matter to the receiver anyway.
	if (static_cast<uint16_t>(inputSeq - segmentStartSeq_) > kSegmentWindow) {
		segmentStartSeq_ = static_cast<uint16_t>(inputSeq - kSegmentWindow);
	}
	*outputSeq = static_cast<uint16_t>(inputSeq + seqOffset_);
	*outputTimestamp = inputTimestamp + timestampOffset_;
	if (!started_ || IsSeqNewer(*outputSeq, lastSeq_)) {
		lastSeq_ = *outputSeq;
		lastTimestamp_ = *outputTimestamp;
		lastSentMs_ = nowMs;
	}
	started_ = true;
	return true;
}

} // namespace mediaplane
