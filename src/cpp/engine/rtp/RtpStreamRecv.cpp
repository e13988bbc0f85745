#include "RtpStreamRecv.hpp"

#include "../rtcp/NtpTimestamp.hpp"

namespace mediaplane {

RtpStreamRecv::RtpStreamRecv(const Params& params, Listener* listener)
    : params_(params),
      listener_(listener),
      // Without RTX, repaired packets come back on this SSRC up to a second behind the
      // highest: reordered packets, not a jump (see RtpSequenceValidator). With RTX the
      // retransmissions the NACK generator waits for bypass the jump rules (below), so
      // RFC 3550 A.1's MAX_MISORDER applies.
      validator_(params.minSequential, params.useNack && !params.useRtx ? NackGenerator::kMaxSeqAge
                                                                         : RtpSequenceValidator::kMaxMisorder) {
	if (params_.clockRate == 0) params_.clockRate = 90000;
}

RtpStreamRecv::Verdict RtpStreamRecv::ReceivePacket(const RtpPacket& packet, uint64_t nowMs, bool isRetransmission) {
	const uint16_t seq = packet.GetSequenceNumber();
	++packetCount_;
	rate_.Update(packet.GetSize(), nowMs);
	if (isRetransmission) ++packetsRetransmitted_;
	if (!scoreStarted_) {
		scoreStarted_ = true;
		scoreIntervalStartMs_ = nowMs;
	}

	bool restarted = false;
	if (params_.useNack && validator_.IsValid() && IsSeqNewer(validator_.GetHighest(), seq) && nack_.IsMissing(seq)) {
		// A packet we are waiting for (asked for with NACK, or reordered): it belongs to
		// the current sequence however far behind it is. (Only a packet behind the
		// highest can be missing: the common in-order packet skips the search.)
		validator_.CountLatePacket();
	} else if (isRetransmission && params_.useNack && validator_.IsValid()) {
		// A retransmission of a packet we are not missing (a sender's RTX bandwidth
		// probe, or a duplicate): it repairs nothing, and counting it as received would
		// drive the RFC 3550 loss figure negative on a lossless path.
		++packetsDiscarded_;
		return Verdict::Discard;
	} else if (!isRetransmission && validator_.IsValid() && hasTransit_ && IsRestartCandidate(seq) &&
	           IsTimestampDiscontinuity(packet.GetTimestamp(), nowMs)) {
		// In order after a gap by its sequence number (or reordered, in the wide window
		// of a stream without RTX), but its timestamp is far off: a sender that restarted
		// with a new random sequence number which happened to land near the old one
		// (RFC 3550 A.1 would count the gap as loss, or the packet as reordered, and keep
		// going; §5.1 makes both numbers random at a start). Re-synchronise at this
		// packet, as A.1 does after a confirmed jump, so the gap is neither loss nor
		// NACKs and consumers re-base their output timestamps.
		validator_.Restart(seq);
		Restart(seq, nowMs, isRetransmission, false);
		restarted = true;
	} else {
		switch (validator_.Update(seq)) {
			case RtpSequenceValidator::Result::Probation:
				++packetsDiscarded_;
				UpdateScore(nowMs);
				return Verdict::Discard;
			case RtpSequenceValidator::Result::Jump:
				// Held back until the next packet confirms the new sequence (RFC 3550 A.1).
				++packetsDiscarded_;
				UpdateScore(nowMs);
				return Verdict::Hold;
			case RtpSequenceValidator::Result::Resync:
				Restart(seq, nowMs, isRetransmission, true);
				restarted = true;
				break;
			default:
				break;
		}
	}

	bool forward = true;
	if (params_.useNack && !restarted) {
		switch (nack_.ReceivePacket(seq, isRetransmission, nowMs)) {
			case NackGenerator::PacketResult::Repaired:
				++packetsRepaired_;
				break;
			case NackGenerator::PacketResult::Old:
				// A retransmission of something not missing: a duplicate or a probe.
				if (isRetransmission) forward = false;
				break;
			case NackGenerator::PacketResult::KeyFrameRequired:
				if (listener_) listener_->OnRtpStreamRecvKeyFrameRequired(*this);
				break;
			default:
				break;
		}
	}
	// A retransmission's arrival time says nothing about the network's jitter.
	if (!isRetransmission) UpdateJitter(packet.GetTimestamp(), nowMs);
	if (!forward) ++packetsDiscarded_;
	UpdateScore(nowMs);
	if (restarted) return Verdict::Restart;
	return forward ? Verdict::Forward : Verdict::Discard;
}

bool RtpStreamRecv::IsRestartCandidate(uint16_t seq) const {
	const uint16_t ahead = static_cast<uint16_t>(seq - validator_.GetHighest());
	// Ahead after a gap, but not so far that A.1's own jump rule applies.
	if (ahead > 1 && ahead < RtpSequenceValidator::kMaxDropout) return true;
	// Behind by more than A.1's MAX_MISORDER but inside this stream's wider misorder
	// window (NACK without RTX): A.1 would have called it a jump.
	const uint32_t behind = 0x10000u - ahead;
	return ahead != 0 && behind > RtpSequenceValidator::kMaxMisorder && behind < validator_.GetMaxMisorder();
}

bool RtpStreamRecv::IsTimestampDiscontinuity(uint32_t rtpTimestamp, uint64_t nowMs) const {
	const int32_t d = static_cast<int32_t>(TransitOf(rtpTimestamp, nowMs) - lastTransit_);
	const uint64_t magnitude = d < 0 ? static_cast<uint64_t>(-static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
	return magnitude > static_cast<uint64_t>(kRestartTransitJumpSeconds) * params_.clockRate;
}

uint32_t RtpStreamRecv::TransitOf(uint32_t rtpTimestamp, uint64_t nowMs) const {
	const uint32_t arrival = static_cast<uint32_t>(nowMs * params_.clockRate / 1000u);
	return arrival - rtpTimestamp;
}

void RtpStreamRecv::Restart(uint16_t seq, uint64_t nowMs, bool isRetransmission, bool withHeldPacket) {
	// The validator re-based its counts on the new sequence (this packet, and the held
	// packet seq - 1 after a confirmed jump); the report and score intervals restart with it (RFC 3550 A.3: the
	// interval counts are differences from the priors), so the jump counts as neither
	// loss nor reception.
	expectedPrior_ = 0;
	receivedPrior_ = 0;
	scoreExpectedPrior_ = validator_.GetExpected();
	scoreReceivedPrior_ = validator_.GetReceived();
	// The timestamps restarted at a new random base too (RFC 3550 §5.1): the transit
	// time of the old sequence means nothing for the new one (§6.4.1 jitter).
	hasTransit_ = false;
	// The held packet (seq - 1) was counted as discarded when it arrived; the owner
	// forwards it now.
	if (withHeldPacket && packetsDiscarded_ > 0) --packetsDiscarded_;
	// Nothing of the old sequence is worth asking for any more, and nothing between the
	// two sequences is missing: the NACK generator starts over at the new sequence.
	nack_.Reset();
	if (params_.useNack) {
		if (withHeldPacket) nack_.ReceivePacket(static_cast<uint16_t>(seq - 1), false, nowMs);
		nack_.ReceivePacket(seq, isRetransmission, nowMs);
	}
}

void RtpStreamRecv::UpdateJitter(uint32_t rtpTimestamp, uint64_t nowMs) {
	// RFC 3550 §6.4.1 and A.8: D = difference of relative transit times of two
	// packets, both in RTP units; J += (|D| - J) / 16. J is kept times 16.
	const uint32_t transit = TransitOf(rtpTimestamp, nowMs);
	if (hasTransit_) {
		const int32_t d = static_cast<int32_t>(transit - lastTransit_);
		const uint64_t magnitude = d < 0 ? static_cast<uint64_t>(-static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
		// More than ten seconds is a timestamp discontinuity (a new encoder, a paused
		// source), not jitter; it would swamp the estimate for minutes.
		if (magnitude <= 10u * static_cast<uint64_t>(params_.clockRate)) {
			jitterQ4_ = static_cast<uint32_t>(jitterQ4_ + magnitude - ((jitterQ4_ + 8u) >> 4));
		}
	}
	lastTransit_ = transit;
	hasTransit_ = true;
}

const std::vector<uint16_t>& RtpStreamRecv::GetNackList(uint64_t nowMs) {
	if (!params_.useNack) return noNacks_;
	const std::vector<uint16_t>& list = nack_.GetNackList(nowMs);
	if (!list.empty()) {
		++nackCount_;
		nackPacketCount_ += list.size();
	}
	return list;
}

uint64_t RtpStreamRecv::NextTimeoutMs(uint64_t nowMs) const {
	return params_.useNack ? nack_.NextTimeoutMs(nowMs) : UINT64_MAX;
}

void RtpStreamRecv::ReceiveSenderReport(uint32_t ntpMiddle32, uint64_t nowMs) {
	lastSrCompact_ = ntpMiddle32;
	lastSrReceivedMs_ = nowMs;
	hasSr_ = true;
}

bool RtpStreamRecv::FillReportBlock(ReportBlock& block, uint64_t nowMs) {
	if (!validator_.IsValid()) return false;
	const uint64_t expected = validator_.GetExpected();
	const uint64_t received = validator_.GetReceived();

	// Fraction lost over the interval since the last report (RFC 3550 A.3); duplicates
	// can make the interval's loss negative, which reports as 0.
	const uint64_t expectedInterval = expected - expectedPrior_;
	const int64_t lostInterval = static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(received - receivedPrior_);
	expectedPrior_ = expected;
	receivedPrior_ = received;
	if (expectedInterval == 0 || lostInterval <= 0) {
		fractionLost_ = 0;
	} else {
		const uint64_t fraction = (static_cast<uint64_t>(lostInterval) << 8) / expectedInterval;
		fractionLost_ = static_cast<uint8_t>(fraction > 255 ? 255 : fraction);
	}

	int64_t cumulativeLost = validator_.GetCumulativeLost();
	if (cumulativeLost > ReportBlock::kMaxCumulativeLost) cumulativeLost = ReportBlock::kMaxCumulativeLost;
	if (cumulativeLost < ReportBlock::kMinCumulativeLost) cumulativeLost = ReportBlock::kMinCumulativeLost;

	block.ssrc = params_.ssrc;
	block.fractionLost = fractionLost_;
	block.cumulativeLost = static_cast<int32_t>(cumulativeLost);
	block.highestSequenceNumber = static_cast<uint32_t>(validator_.GetExtendedHighest());
	block.jitter = GetJitter();
	// LSR and DLSR are 0 until an SR has arrived (RFC 3550 §6.4.1).
	block.lastSenderReport = hasSr_ ? lastSrCompact_ : 0;
	block.delaySinceLastSenderReport =
	    hasSr_ ? NtpTimestamp::MsToCompact(nowMs >= lastSrReceivedMs_ ? nowMs - lastSrReceivedMs_ : 0) : 0;
	return true;
}

void RtpStreamRecv::UpdateScore(uint64_t nowMs) {
	if (!scoreStarted_ || nowMs < scoreIntervalStartMs_ + kScoreIntervalMs) return;
	scoreIntervalStartMs_ = nowMs;

	const uint64_t expected = validator_.GetExpected();
	const uint64_t received = validator_.GetReceived();
	const uint64_t givenUp = nack_.GetGivenUpCount();
	const uint64_t expectedDelta = expected >= scoreExpectedPrior_ ? expected - scoreExpectedPrior_ : 0;
	const uint64_t receivedDelta = received >= scoreReceivedPrior_ ? received - scoreReceivedPrior_ : 0;
	const uint64_t repairedDelta = packetsRepaired_ - scoreRepairedPrior_;
	const uint64_t givenUpDelta = givenUp - scoreGivenUpPrior_;
	scoreExpectedPrior_ = expected;
	scoreReceivedPrior_ = received;
	scoreRepairedPrior_ = packetsRepaired_;
	scoreGivenUpPrior_ = givenUp;
	if (expectedDelta == 0) return; // silence is not loss

	// In quarters of a packet: a packet lost for good weighs 4, a repaired one 1 (it
	// came a round trip late and cost a retransmission). Without NACK nothing is
	// repaired and the tracker's loss is the unrecovered loss.
	uint64_t badQuarters;
	if (params_.useNack) {
		badQuarters = 4 * givenUpDelta + repairedDelta;
	} else {
		badQuarters = expectedDelta > receivedDelta ? 4 * (expectedDelta - receivedDelta) : 0;
	}
	const uint8_t previous = score_.Get();
	if (score_.AddSample(4 * expectedDelta, badQuarters) && listener_) {
		listener_->OnRtpStreamRecvScore(*this, score_.Get(), previous);
	}
}

void RtpStreamRecv::SetRtt(uint32_t rttMs) {
	hasRtt_ = true;
	rttMs_ = rttMs;
	nack_.SetRtt(rttMs);
}

RtpStreamRecv::Stats RtpStreamRecv::GetStats(uint64_t nowMs) {
	Stats stats;
	stats.ssrc = params_.ssrc;
	stats.packetCount = packetCount_;
	stats.byteCount = rate_.GetTotalBytes();
	stats.packetsLost = validator_.GetCumulativeLost();
	stats.fractionLost = fractionLost_;
	stats.packetsDiscarded = packetsDiscarded_;
	stats.packetsRetransmitted = packetsRetransmitted_;
	stats.packetsRepaired = packetsRepaired_;
	stats.nackCount = nackCount_;
	stats.nackPacketCount = nackPacketCount_;
	stats.pliCount = pliCount_;
	stats.firCount = firCount_;
	stats.jitter = GetJitter();
	stats.bitrate = rate_.GetRate(nowMs);
	stats.score = score_.Get();
	stats.hasRoundTripTime = hasRtt_;
	stats.roundTripTime = rttMs_;
	return stats;
}

} // namespace mediaplane
