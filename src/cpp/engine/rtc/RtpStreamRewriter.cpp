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
