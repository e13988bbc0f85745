#include "RtpStreamRecv.hpp"

#include "../rtcp/NtpTimestamp.hpp"

namespace mediaplane {

RtpStreamRecv::RtpStreamRecv(const Params& params, Listener* listener)
    : params_(params),
      listener_(listener),
      // With NACK, repaired packets arrive up to a second behind the highest; they are
      // reordered packets, not a jump (see SeqNumberTracker).
      tracker_(params.minSequential,
               params.useNack ? NackGenerator::kMaxSeqAge : SeqNumberTracker::kDefaultMaxMisorder) {
	if (params_.clockRate == 0) params_.clockRate = 90000;
}

bool RtpStreamRecv::ReceivePacket(const RtpPacket& packet, uint64_t nowMs, bool isRetransmission) {
	const uint16_t seq = packet.GetSequenceNumber();
	++packetCount_;
	rate_.Update(packet.GetSize(), nowMs);
	if (isRetransmission) ++packetsRetransmitted_;
	if (!scoreStarted_) {
		scoreStarted_ = true;
		scoreIntervalStartMs_ = nowMs;
	}
	// A retransmission of a packet we are not missing (a sender's RTX bandwidth probe,
	// or a duplicate): it repairs nothing, and counting it as received would drive the
	// RFC 3550 loss figure negative on a lossless path.
	if (isRetransmission && params_.useNack && tracker_.IsValid() && !nack_.IsMissing(seq)) {
		++packetsDiscarded_;
		return false;
	}

	switch (tracker_.Update(seq)) {
		case SeqNumberTracker::Result::Jump:
			// Held back until the next packet confirms the new sequence (RFC 3550 A.1).
			++packetsDiscarded_;
			UpdateScore(nowMs);
			return false;
		case SeqNumberTracker::Result::Restarted:
			Restart();
			break;
		default:
			break;
	}

	bool forward = true;
	if (params_.useNack) {
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
	return forward;
}

void RtpStreamRecv::Restart() {
	// The tracker restarted its counts at this packet; intervals restart with it.
	expectedPrior_ = 0;
	receivedPrior_ = 0;
	scoreExpectedPrior_ = 0;
	scoreReceivedPrior_ = 0;
	hasTransit_ = false;
	nack_.Reset();
}

void RtpStreamRecv::UpdateJitter(uint32_t rtpTimestamp, uint64_t nowMs) {
	// RFC 3550 §6.4.1 and A.8: D = difference of relative transit times of two
	// packets, both in RTP units; J += (|D| - J) / 16. J is kept times 16.
	const uint32_t arrival = static_cast<uint32_t>(nowMs * params_.clockRate / 1000u);
	const uint32_t transit = arrival - rtpTimestamp;
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
	if (!tracker_.IsValid()) return false;
	const uint64_t expected = tracker_.GetExpected();
	const uint64_t received = tracker_.GetReceived();

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

	int64_t cumulativeLost = tracker_.GetCumulativeLost();
	if (cumulativeLost > ReportBlock::kMaxCumulativeLost) cumulativeLost = ReportBlock::kMaxCumulativeLost;
	if (cumulativeLost < ReportBlock::kMinCumulativeLost) cumulativeLost = ReportBlock::kMinCumulativeLost;

	block.ssrc = params_.ssrc;
	block.fractionLost = fractionLost_;
	block.cumulativeLost = static_cast<int32_t>(cumulativeLost);
	block.highestSequenceNumber = static_cast<uint32_t>(tracker_.GetExtendedHighest());
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

	const uint64_t expected = tracker_.GetExpected();
	const uint64_t received = tracker_.GetReceived();
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
	stats.packetsLost = tracker_.GetCumulativeLost();
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
