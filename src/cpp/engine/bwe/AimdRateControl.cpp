// AIMD rate control (draft-ietf-rmcat-gcc-02 §5.5); see the header.
#include "AimdRateControl.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

namespace {
constexpr double kPacketBits = 1200 * 8;   // draft §5.5: packets of at most 1200 bytes
constexpr double kFramesPerSecond = 30.0;  // draft §5.5: 30 fps assumed
constexpr double kResponseExtraMs = 100.0; // draft §5.5: response_time = rtt + 100 ms
} // namespace

AimdRateControl::AimdRateControl(int64_t initialBps, int64_t minBps, int64_t maxBps, const Params& params)
    : params(params), minBps(0), maxBps(0), estimate(0) {
	SetBounds(minBps, maxBps);
	this->estimate = Clamp(static_cast<double>(initialBps));
}

void AimdRateControl::SetBounds(int64_t minBps, int64_t maxBps) {
	this->minBps = std::max<int64_t>(minBps, 0);
	this->maxBps = std::max(maxBps, this->minBps);
	this->estimate = Clamp(static_cast<double>(this->estimate));
}

int64_t AimdRateControl::Clamp(double bps) const {
	if (!std::isfinite(bps)) bps = static_cast<double>(this->minBps);
	bps = std::min(std::max(bps, static_cast<double>(this->minBps)), static_cast<double>(this->maxBps));
	return static_cast<int64_t>(bps);
}

void AimdRateControl::SetRtt(int64_t rttMs) {
	if (rttMs > 0 && rttMs < 60000) this->rttMs = rttMs;
}

void AimdRateControl::SetEstimate(int64_t bps, int64_t nowMs) {
	this->estimate = Clamp(static_cast<double>(bps));
	// A jump above the last congestion point (a probe found room) makes it stale.
	if (this->averageMaxBps > 0 && this->estimate > this->averageMaxBps * 1.5) this->averageMaxBps = 0;
	this->lastUpdateMs = nowMs;
}

bool AimdRateControl::IsNearConvergence(int64_t ackedBps) const {
	if (this->averageMaxBps <= 0 || ackedBps <= 0) return false;
	const double sigma = std::sqrt(this->varianceMaxRelative * this->averageMaxBps);
	return std::fabs(static_cast<double>(ackedBps) - this->averageMaxBps) <= 3 * sigma;
}

void AimdRateControl::UpdateAverageMax(double ackedBps) {
	const double a = this->params.averageMaxSmoothing;
	if (this->averageMaxBps <= 0) {
		this->averageMaxBps = ackedBps;
	} else {
		this->averageMaxBps = a * this->averageMaxBps + (1 - a) * ackedBps;
	}
	const double error = ackedBps - this->averageMaxBps;
	this->varianceMaxRelative = a * this->varianceMaxRelative + (1 - a) * error * error / std::max(this->averageMaxBps, 1.0);
	// Keep sigma between 5% and 50% of the average (our bounds): with few samples
	// the variance is meaningless, and a zero sigma would never count as "near".
	const double minVar = 0.05 * 0.05 * this->averageMaxBps;
	const double maxVar = 0.5 * 0.5 * this->averageMaxBps;
	this->varianceMaxRelative = std::min(std::max(this->varianceMaxRelative, minVar), maxVar);
}

double AimdRateControl::AdditiveIncrease(double dtMs) const {
	const double bitsPerFrame = static_cast<double>(this->estimate) / kFramesPerSecond;
	const double packetsPerFrame = std::max(1.0, std::ceil(bitsPerFrame / kPacketBits));
	const double packetBits = bitsPerFrame / packetsPerFrame;
	const double responseMs = static_cast<double>(this->rttMs) + kResponseExtraMs;
	return this->params.additivePackets * packetBits * dtMs / responseMs;
}

int64_t AimdRateControl::Update(BandwidthUsage usage, int64_t ackedBps, int64_t nowMs, int64_t decreaseAckedBps) {
	if (this->lastUpdateMs < 0) this->lastUpdateMs = nowMs;
	const double dtMs = static_cast<double>(std::min<int64_t>(std::max<int64_t>(nowMs - this->lastUpdateMs, 0), 1000));

	switch (usage) {
	case BandwidthUsage::Overusing:
		this->state = State::Decrease;
		break;
	case BandwidthUsage::Underusing:
		this->state = State::Hold;
		break;
	case BandwidthUsage::Normal:
		if (this->state == State::Hold) this->state = State::Increase;
		else if (this->state == State::Decrease) this->state = State::Hold;
		break;
	}

	const double acked = static_cast<double>(std::max<int64_t>(ackedBps, 0));
	double next = static_cast<double>(this->estimate);
	switch (this->state) {
	case State::Hold:
		break;
	case State::Increase: {
		if (acked > 0 && this->averageMaxBps > 0) {
			const double sigma = std::sqrt(this->varianceMaxRelative * this->averageMaxBps);
			if (acked > this->averageMaxBps + 3 * sigma) this->averageMaxBps = 0; // the congestion point moved
		}
		double increase;
		if (IsNearConvergence(ackedBps)) {
			increase = AdditiveIncrease(dtMs);
		} else {
			increase = next * (std::pow(this->params.multiplicativeIncrease, dtMs / 1000.0) - 1.0);
		}
		if (dtMs > 0) increase = std::max(increase, static_cast<double>(this->params.minIncreaseBps) * std::min(dtMs / 1000.0, 1.0));
		next += increase;
		if (acked > 0) {
			const double cap = this->params.ackedCapFactor * acked + static_cast<double>(this->params.ackedCapMarginBps);
			next = std::min(next, std::max(cap, static_cast<double>(this->estimate)));
		}
		break;
	}
	case State::Decrease: {
		const int64_t interval = std::min<int64_t>(std::max<int64_t>(this->rttMs, 10), 200);
		const bool mayReduce = this->lastDecreaseMs < 0 || nowMs - this->lastDecreaseMs >= interval ||
		                       (acked > 0 && static_cast<double>(this->estimate) > 2 * acked);
		if (mayReduce) {
			double base = acked > 0 ? acked : static_cast<double>(this->estimate);
			if (decreaseAckedBps > 0) base = std::min(base, static_cast<double>(decreaseAckedBps));
			next = std::min(next, this->params.beta * base);
			if (acked > 0) UpdateAverageMax(base);
			this->lastDecreaseMs = nowMs;
		}
		this->state = State::Hold;
		break;
	}
	}
	this->estimate = Clamp(next);
	this->lastUpdateMs = nowMs;
	return this->estimate;
}

} // namespace bwe
} // namespace mediaplane
