// Send-side bandwidth estimation facade; see the header.
#include "SendSideEstimator.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

namespace {

struct Bounds {
	uint32_t min;
	uint32_t max;
	uint32_t start;
};

Bounds Sanitize(const SendSideEstimator::Params& params) {
	Bounds bounds;
	bounds.min = std::max<uint32_t>(params.minBitrateBps, SendSideEstimator::kFloorBps);
	bounds.max = std::max(params.maxBitrateBps, bounds.min);
	bounds.start = std::min(std::max(params.initialBitrateBps, bounds.min), bounds.max);
	return bounds;
}

uint32_t ToU32(int64_t bps) { return static_cast<uint32_t>(std::min<int64_t>(std::max<int64_t>(bps, 0), UINT32_MAX)); }

} // namespace

SendSideEstimator::SendSideEstimator(const Params& params)
    : params(params),
      history(params.history),
      trendline(params.trendline),
      acknowledged(params.acknowledged),
      aimd(Sanitize(params).start, Sanitize(params).min, Sanitize(params).max, params.aimd),
      loss(Sanitize(params).start, params.loss),
      probes(Sanitize(params).start, Sanitize(params).min, Sanitize(params).max, params.probe) {
	const Bounds bounds = Sanitize(params);
	this->minBps = bounds.min;
	this->maxBps = bounds.max;
	this->startBps = bounds.start;
	this->target = bounds.start;
}

void SendSideEstimator::OnPacketSent(uint16_t transportSequenceNumber, uint32_t sizeBytes, int64_t sendTimeMs,
                                     bool isRetransmission, int32_t probeClusterId) {
	this->history.OnPacketSent(transportSequenceNumber, sizeBytes, sendTimeMs, isRetransmission, probeClusterId);
	this->lastSendMs = sendTimeMs;
}

void SendSideEstimator::OnTransportCcFeedback(const TransportCcFeedback& feedback, int64_t nowMs) {
	if (!this->sawTransportCc) {
		this->sawTransportCc = true;
		if (this->type == BweType::Remb) {
			// The endpoint sent REMB first: start the delay-based estimate from where
			// REMB left us, and probe again.
			this->aimd.SetEstimate(this->target, nowMs);
			this->loss.SetBitrate(this->target);
			this->probes.Enable();
		}
		this->type = BweType::TransportCc;
	}
	this->lastFeedbackMs = nowMs;
	this->results.clear();
	if (this->history.OnFeedback(feedback, this->results) == 0) return;

	bool overuse = false;
	int64_t lost = 0;
	int64_t received = 0;
	for (const PacketResult& result : this->results) {
		if (result.received) {
			++received;
			this->acknowledged.OnPacketReceived(result.arrivalUs, result.sizeBytes);
			this->trendline.OnPacket(result.sendTimeMs, result.arrivalUs, result.sizeBytes, nowMs);
			// An overuse signalled mid-feedback counts even if a later group of the same
			// feedback looks normal again: the rate controller runs once per feedback.
			if (this->trendline.Updated() && this->trendline.GetState() == BandwidthUsage::Overusing) overuse = true;
		} else {
			++lost;
		}
		this->probeEstimator.OnPacketResult(result, nowMs);
	}

	int32_t clusterId = -1;
	int64_t probeBps = 0;
	if (this->probeEstimator.FetchLastEstimate(clusterId, probeBps) && probeBps > this->target) {
		// A probe showed room above the target: take it at once in whichever controller
		// holds the target down. Comparing with the delay-based estimate alone ignored
		// every probe once heavy loss had set the target (the loss-based one) far below a
		// delay-based estimate left high: after a 600 kbps limit was lifted the target
		// then rose at the loss-based +5%/s only.
		if (probeBps > this->aimd.GetEstimate()) this->aimd.SetEstimate(probeBps, nowMs);
		this->loss.SetBitrate(std::max(this->loss.GetBitrateBps(), probeBps));
	}
	const BandwidthUsage usage = overuse ? BandwidthUsage::Overusing : this->trendline.GetState();
	// The short-window rate only when no feedback about that window is still missing
	// (reordered feedback would make it read low).
	const int64_t recentBps = this->history.IsReportedUpToNewest(this->params.acknowledged.recentWindowMs)
	                              ? this->acknowledged.GetRecentBitrateBps()
	                              : 0;
	this->aimd.Update(usage, this->acknowledged.GetBitrateBps(), nowMs, recentBps);
	this->loss.OnPacketResults(lost, received, this->aimd.GetEstimate(), nowMs, this->acknowledged.GetBitrateBps());
	UpdateTarget(nowMs);
}

void SendSideEstimator::OnRemb(uint64_t bitrateBps, int64_t nowMs) {
	if (this->sawTransportCc) return;
	this->sawRemb = true;
	this->type = BweType::Remb;
	this->rembBps = static_cast<int64_t>(std::min<uint64_t>(bitrateBps, INT64_MAX / 2));
	this->probes.Disable();
	// The receiver's REMB already is a delay-based estimate that grows slowly; while
	// losses are low the loss-based limit follows it, otherwise it keeps its own value.
	const double fraction = this->loss.GetLastLossFraction();
	if (fraction < this->params.loss.lowLoss) this->loss.SetBitrate(this->rembBps);
	else this->loss.SetBitrate(std::min(this->loss.GetBitrateBps(), this->rembBps));
	UpdateTarget(nowMs);
}

void SendSideEstimator::OnReceiverReportLoss(double fractionLost, int64_t nowMs) {
	if (this->sawTransportCc || !std::isfinite(fractionLost)) return;
	const int64_t delayBased = this->sawRemb ? this->rembBps : this->aimd.GetEstimate();
	this->loss.OnLossFraction(fractionLost, delayBased, nowMs);
	UpdateTarget(nowMs);
}

void SendSideEstimator::OnRtt(int64_t rttMs) {
	this->aimd.SetRtt(rttMs);
	this->loss.SetRtt(rttMs);
}

bool SendSideEstimator::SetBitrateLimits(uint32_t minBitrateBps, uint32_t maxBitrateBps) {
	if (maxBitrateBps == 0 || minBitrateBps > maxBitrateBps) return false;
	this->minBps = std::min(std::max(minBitrateBps, kFloorBps), maxBitrateBps);
	this->maxBps = maxBitrateBps;
	this->aimd.SetBounds(this->minBps, maxBitrateBps);
	this->probes.SetBounds(this->minBps, maxBitrateBps);
	this->target = std::min(std::max(this->target, this->minBps), this->maxBps);
	return true;
}

void SendSideEstimator::SetDesiredBitrate(uint32_t bitrateBps) {
	this->desiredBps = bitrateBps;
	this->probes.SetDesiredBitrate(bitrateBps);
}

void SendSideEstimator::UpdateTarget(int64_t nowMs) {
	int64_t bps;
	if (this->type == BweType::Remb) {
		bps = std::min(this->rembBps, this->loss.GetBitrateBps());
	} else {
		bps = std::min(this->aimd.GetEstimate(), this->loss.GetBitrateBps());
	}
	bps = std::min<int64_t>(std::max<int64_t>(bps, this->minBps), this->maxBps);
	this->target = ToU32(bps);
	this->probes.OnEstimate(this->target, nowMs);
}

void SendSideEstimator::Process(int64_t nowMs) {
	const int64_t timeout = this->params.feedbackTimeoutMs;
	if (this->type == BweType::TransportCc && this->sawTransportCc && timeout > 0 && this->lastSendMs >= 0 &&
	    nowMs - this->lastSendMs < timeout && nowMs - this->lastFeedbackMs > timeout &&
	    (this->lastTimeoutCutMs < 0 || nowMs - this->lastTimeoutCutMs >= timeout)) {
		// Sending, but the feedback stopped: assume the worst and halve.
		const int64_t halved = this->target / 2;
		this->aimd.SetEstimate(halved, nowMs);
		this->loss.SetBitrate(std::min(this->loss.GetBitrateBps(), this->aimd.GetEstimate()));
		this->lastTimeoutCutMs = nowMs;
		UpdateTarget(nowMs);
	}
	this->probes.Process(nowMs);
}

bool SendSideEstimator::WantsProbe(int64_t nowMs) {
	if (this->type == BweType::Remb) return false;
	return this->probes.WantsProbe(nowMs);
}

ProbeCluster SendSideEstimator::NextProbeCluster(int64_t nowMs) {
	if (this->type == BweType::Remb) return ProbeCluster();
	ProbeCluster cluster = this->probes.NextProbeCluster(nowMs);
	if (cluster.id >= 0) this->probeEstimator.OnClusterStarted(cluster, nowMs);
	return cluster;
}

uint32_t SendSideEstimator::GetAcknowledgedBitrateBps() const { return ToU32(this->acknowledged.GetBitrateBps()); }

BweTraceInfo SendSideEstimator::GetTraceInfo(int64_t nowMs) const {
	BweTraceInfo info;
	info.bweType = this->type;
	info.desiredBitrate = this->desiredBps;
	info.effectiveDesiredBitrate = std::min(std::max(this->desiredBps, this->minBps), this->maxBps);
	info.minBitrate = this->minBps;
	info.maxBitrate = this->maxBps;
	info.startBitrate = this->startBps;
	info.maxPaddingBitrate = this->type == BweType::Remb ? 0 : ToU32(this->probes.GetActiveProbeBitrateBps(nowMs));
	info.availableBitrate = this->target;
	return info;
}

} // namespace bwe
} // namespace mediaplane
