#pragma once
// Reception state of one incoming RTP stream (one SSRC of a Producer): what RFC 3550
// §6.4 asks a receiver to measure (extended highest sequence number, loss, interarrival
// jitter, the timing of the last sender report) for its receiver reports, the NACK
// requests of that stream (NackGenerator), and the counters and score of mediasoup's
// `inbound-rtp` stats.
//
// Sans-I/O: the owner feeds it each received packet and sender report with the current
// time (the worker loop's millisecond clock) and asks for the report block, the NACK
// list and the stats; it sends nothing itself.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../common/RateCalculator.hpp"
#include "../rtcp/ReportBlock.hpp"
#include "NackGenerator.hpp"
#include "RtpPacket.hpp"
#include "RtpSequenceValidator.hpp"
#include "RtpStreamScore.hpp"
#include "SeqNumbers.hpp"

namespace mediaplane {

class RtpStreamRecv {
public:
	// A score sample covers this much media.
	static constexpr uint64_t kScoreIntervalMs = 1000;
	// A packet up to MAX_DROPOUT ahead (after a gap) whose relative transit time
	// (RFC 3550 §6.4.1: arrival minus RTP timestamp, in clock units) moved by more than
	// this many seconds comes from a restarted sender: the same source would need its
	// media clock to jump while packets were lost. Random timestamps of a restart are
	// this close to the old ones with a probability under 0.1%.
	static constexpr uint32_t kRestartTransitJumpSeconds = 30;

	struct Params {
		uint32_t ssrc = 0;
		uint32_t clockRate = 90000; // RTP timestamp units per second, for the jitter
		bool useNack = false;       // the stream negotiated nack: keep a NackGenerator
		// Retransmissions arrive on their own RTX SSRC (RFC 4588). Without RTX a NACKed
		// packet comes back on the media SSRC a round trip late, hundreds of packets
		// behind the highest: the misorder window widens so that it is not a jump.
		bool useRtx = false;
		// Packets in sequence before the source counts as valid (RFC 3550 A.1). A
		// signaled stream is known to exist, so 1 is enough.
		uint8_t minSequential = 1;
	};

	// What the owner does with a received packet.
	enum class Verdict : uint8_t {
		Forward, // forward it
		Discard, // counted, not forwarded (an unwanted retransmission, not validated yet)
		Hold,    // a sequence jump not confirmed yet (RFC 3550 A.1): not forwarded; the
		         // owner may keep a copy in case the next packet confirms it
		Restart, // this packet confirmed the jump: the sender restarted its sequence at
		         // the held packet (this seq - 1). Forward the held packet then this one,
		         // as the start of a new stream (consumers re-base, ask for a key frame)
	};

	class Listener {
	public:
		virtual ~Listener() = default;
		// The score changed (the Producer emits `score`).
		virtual void OnRtpStreamRecvScore(RtpStreamRecv& stream, uint8_t score, uint8_t previousScore) = 0;
		// Too much is missing to repair by retransmission: ask the sender for a key
		// frame (PLI or FIR, RFC 4585 §6.3.1, RFC 5104 §4.3.1), then CountPli/CountFir.
		virtual void OnRtpStreamRecvKeyFrameRequired(RtpStreamRecv& stream) = 0;
	};

	struct Stats {
		uint32_t ssrc = 0;
		uint64_t packetCount = 0; // every packet received, retransmissions included
		uint64_t byteCount = 0;   // their bytes, headers included
		int64_t packetsLost = 0;  // RFC 3550 cumulative lost (expected - received)
		uint8_t fractionLost = 0; // of the last report interval, times 256
		uint64_t packetsDiscarded = 0;
		uint64_t packetsRetransmitted = 0;
		uint64_t packetsRepaired = 0;
		uint64_t nackCount = 0;       // NACK feedback messages asked for
		uint64_t nackPacketCount = 0; // sequence numbers in them
		uint64_t pliCount = 0;
		uint64_t firCount = 0;
		uint32_t jitter = 0;  // RTP timestamp units (RFC 3550 §6.4.1)
		uint32_t bitrate = 0; // bits per second over the last second
		uint8_t score = 10;
		bool hasRoundTripTime = false;
		uint32_t roundTripTime = 0; // ms
	};

	explicit RtpStreamRecv(const Params& params, Listener* listener = nullptr);

	// Accounts one received packet (for an RTX stream, the caller passes the decoded
	// original with isRetransmission = true). Discard: a retransmission nobody is
	// waiting for (a duplicate, or a sender's bandwidth probe) or a source still on
	// probation; Hold/Restart: a sequence jump and its confirmation (RFC 3550 A.1). At a
	// restart the loss counts, the NACK list and the jitter's transit time are re-based
	// on the new sequence: the jump is neither loss nor jitter.
	Verdict ReceivePacket(const RtpPacket& packet, uint64_t nowMs, bool isRetransmission);

	// The sequence numbers to NACK now (empty without NACK); call after each packet
	// and at NextTimeoutMs(). A non-empty list counts as one NACK message sent.
	const std::vector<uint16_t>& GetNackList(uint64_t nowMs);
	// When GetNackList() next needs a call, or UINT64_MAX (absolute, nowMs clock).
	uint64_t NextTimeoutMs(uint64_t nowMs) const;

	// An SR from this source arrived: its NTP timestamp's middle 32 bits (RFC 3550
	// §6.4.1, LSR) and the arrival time.
	void ReceiveSenderReport(uint32_t ntpMiddle32, uint64_t nowMs);
	// Fills the report block for this source and starts a new report interval (the
	// fraction lost covers the time since the previous call, RFC 3550 A.3). Returns
	// false, leaving `block` alone, when no valid packet has arrived yet.
	bool FillReportBlock(ReportBlock& block, uint64_t nowMs);

	// Score (RtpStreamScore), one sample per kScoreIntervalMs of packets: with NACK,
	// bad = packets given up on (never arrived in time) + a quarter per repaired packet;
	// without NACK, bad = expected - received over the interval (RFC 3550 A.3 counts).
	// Closes the current score interval if it is over; ReceivePacket does this too, the
	// owner calls it periodically so that a silent stream is sampled as well (an
	// interval with no packet expected adds no sample: silence is not loss).
	void UpdateScore(uint64_t nowMs);
	uint8_t GetScore() const { return score_.Get(); }

	void SetRtt(uint32_t rttMs);
	void CountPli() { ++pliCount_; }
	void CountFir() { ++firCount_; }

	uint32_t GetSsrc() const { return params_.ssrc; }
	uint32_t GetClockRate() const { return params_.clockRate; }
	uint64_t GetExtendedHighestSeq() const { return validator_.GetExtendedHighest(); }
	int64_t GetCumulativeLost() const { return validator_.GetCumulativeLost(); }
	// Sequence restarts confirmed so far (RFC 3550 A.1 resynchronisations).
	uint64_t GetRestartCount() const { return validator_.GetResyncCount(); }
	uint32_t GetJitter() const { return jitterQ4_ >> 4; }
	Stats GetStats(uint64_t nowMs);

private:
	// A packet a little ahead in sequence whose timestamp is far off what its arrival
	// time predicts: a restarted sender (see ReceivePacket).
	bool IsTimestampDiscontinuity(uint32_t rtpTimestamp, uint64_t nowMs) const;
	// Where a restart would go unnoticed by the sequence number alone.
	bool IsRestartCandidate(uint16_t seq) const;
	uint32_t TransitOf(uint32_t rtpTimestamp, uint64_t nowMs) const;
	void UpdateJitter(uint32_t rtpTimestamp, uint64_t nowMs);
	// withHeldPacket: the restart was a confirmed jump, whose first packet (seq - 1) the
	// owner forwards too.
	void Restart(uint16_t seq, uint64_t nowMs, bool isRetransmission, bool withHeldPacket);

	Params params_;
	Listener* listener_;
	RtpSequenceValidator validator_;
	NackGenerator nack_;
	RateCalculator rate_;
	RtpStreamScore score_;
	std::vector<uint16_t> noNacks_;

	uint64_t packetCount_ = 0;
	uint64_t packetsDiscarded_ = 0;
	uint64_t packetsRetransmitted_ = 0;
	uint64_t packetsRepaired_ = 0;
	uint64_t nackCount_ = 0;
	uint64_t nackPacketCount_ = 0;
	uint64_t pliCount_ = 0;
	uint64_t firCount_ = 0;

	// Interarrival jitter (RFC 3550 §6.4.1, A.8), times 16 to keep precision.
	uint32_t jitterQ4_ = 0;
	uint32_t lastTransit_ = 0;
	bool hasTransit_ = false;

	// Report interval (RFC 3550 A.3).
	uint64_t expectedPrior_ = 0;
	uint64_t receivedPrior_ = 0;
	uint8_t fractionLost_ = 0;

	uint32_t lastSrCompact_ = 0;
	uint64_t lastSrReceivedMs_ = 0;
	bool hasSr_ = false;

	bool hasRtt_ = false;
	uint32_t rttMs_ = 0;

	// Score interval.
	uint64_t scoreIntervalStartMs_ = 0;
	bool scoreStarted_ = false;
	uint64_t scoreExpectedPrior_ = 0;
	uint64_t scoreReceivedPrior_ = 0;
	uint64_t scoreRepairedPrior_ = 0;
	uint64_t scoreGivenUpPrior_ = 0;
};

} // namespace mediaplane
