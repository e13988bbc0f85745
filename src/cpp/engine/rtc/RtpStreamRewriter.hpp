#pragma once
// Rewrites the sequence numbers and timestamps of one forwarded stream so that the
// receiver sees a single continuous stream, whatever happens upstream: a consumer that
// pauses and resumes, a producer that pauses, a switch to another source stream.
//
// RFC 3550 §5.1: the sequence number increments by one for each packet sent, and the
// timestamp advances with the media clock. On every (re)start the rewriter continues
// right after the last packet it let out: seq = last + 1, and the timestamp advanced by
// the wall time that passed (at least one tick), so the receiver's jitter buffer sees
// a gap in time, not a jump backwards. Between restarts the offsets are constant, so
// reordering and retransmission upstream map through unchanged. Pure logic: no I/O.

#include <cstdint>

namespace mediaplane {

class RtpStreamRewriter {
public:
	explicit RtpStreamRewriter(uint32_t clockRate) : clockRate_(clockRate) {}

	// The next packet that Accept()s starts a new segment (call on resume or switch).
	void RequestSync() { syncRequired_ = true; }
	bool IsSyncRequired() const { return syncRequired_; }

	// Maps an input packet. Returns false for a packet to drop: one older than the
	// packet the current segment started on (it would land before the restart).
	bool Rewrite(uint16_t inputSeq, uint32_t inputTimestamp, uint64_t nowMs, uint16_t* outputSeq,
	             uint32_t* outputTimestamp);
	// The input packet was dropped on purpose (opus DTX): close the gap it leaves so the
	// receiver does not count it lost.
	void SkipPacket() { --seqOffset_; }

	bool HasSent() const { return started_; }
	uint16_t GetLastSeq() const { return lastSeq_; }
	uint32_t GetLastTimestamp() const { return lastTimestamp_; }

private:
	// How far behind the newest packet the segment start may trail (see Rewrite).
	static constexpr uint16_t kSegmentWindow = 0x4000;

	uint32_t clockRate_;
	bool syncRequired_ = true;
	bool started_ = false;
	uint16_t seqOffset_ = 0;
	uint32_t timestampOffset_ = 0;
	uint16_t segmentStartSeq_ = 0;
	uint16_t lastSeq_ = 0;
	uint32_t lastTimestamp_ = 0;
	uint64_t lastSentMs_ = 0;
};

} // namespace mediaplane
