// Loss-based control (draft-ietf-rmcat-gcc-02 §6); see the header.
#include "LossBasedController.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

LossBasedController::LossBasedController(int64_t initialBps, const Params& params)
    : params(params), bitrate(std::max<int64_t>(initialBps, 0)) {}

void LossBasedController::SetBitrate(int64_t bps) { this->bitrate = std::max<int64_t>(bps, 0); }

void LossBasedController::OnPacketResults(int64_t lost, int64_t received, int64_t delayBasedBps, int64_t nowMs,
                                          int64_t acknowledgedBps) {
	if (lost < 0 || received < 0 || lost + received == 0) return;
	if (this->pendingSinceMs < 0) this->pendingSinceMs = nowMs;
	this->pendingLost += lost;
	this->pendingTotal += lost + received;
	if (this->pendingTotal < this->params.minPackets || nowMs - this->pendingSinceMs < this->params.minIntervalMs) return;
	const double fraction = static_cast<double>(this->pendingLost) / static_cast<double>(this->pendingTotal);
	this->pendingLost = 0;
	this->pendingTotal = 0;
	this->pendingSinceMs = -1;
	OnLossFraction(fraction, delayBasedBps, nowMs, acknowledgedBps);
}

void LossBasedController::OnLossFraction(double fraction, int64_t delayBasedBps, int64_t nowMs, int64_t acknowledgedBps) {
	if (!std::isfinite(fraction)) return;
	fraction = std::min(std::max(fraction, 0.0), 1.0);
	this->lastFraction = fraction;
	const int64_t dtMs = this->lastUpdateMs < 0 ? 0 : std::min<int64_t>(std::max<int64_t>(nowMs - this->lastUpdateMs, 0), 1000);
	this->lastUpdateMs = nowMs;

	double next = static_cast<double>(this->bitrate);
	if (fraction < this->params.lowLoss) {
		next *= 1.0 + this->params.increasePerSecond * static_cast<double>(dtMs) / 1000.0;
	} else if (fraction > this->params.highLoss) {
		this->lastHighLossMs = nowMs;
		const int64_t interval = this->params.minDecreaseIntervalMs + this->rttMs;
		if (this->lastDecreaseMs < 0 || nowMs - this->lastDecreaseMs >= interval) {
			const double factor = 1.0 - this->params.decreaseFactor * fraction;
			next *= factor;
			if (acknowledgedBps > 0) next = std::min(next, factor * static_cast<double>(acknowledgedBps));
			this->lastDecreaseMs = nowMs;
		}
	}
	// As only limits the target when losses say so: it does not run ahead of the
	// delay-based estimate.
	if (delayBasedBps > 0) next = std::min(next, static_cast<double>(delayBasedBps));
	this->bitrate = static_cast<int64_t>(std::max(next, 0.0));
}

} // namespace bwe
} // namespace mediaplane
