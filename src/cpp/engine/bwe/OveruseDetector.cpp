// Over-use detector with adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4); see the header.
#include "OveruseDetector.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

OveruseDetector::OveruseDetector(const Params& params) : params(params) {
	const Params defaults;
	if (!(this->params.minThresholdMs > 0) || !(this->params.maxThresholdMs >= this->params.minThresholdMs)) {
		this->params.minThresholdMs = defaults.minThresholdMs;
		this->params.maxThresholdMs = defaults.maxThresholdMs;
	}
	if (!(this->params.kUp >= 0) || !std::isfinite(this->params.kUp)) this->params.kUp = defaults.kUp;
	if (!(this->params.kDown >= 0) || !std::isfinite(this->params.kDown)) this->params.kDown = defaults.kDown;
	this->threshold = std::min(std::max(this->params.initialThresholdMs, this->params.minThresholdMs),
	                           this->params.maxThresholdMs);
}

BandwidthUsage OveruseDetector::Detect(double trend, double sendDeltaMs, int numDeltas, int64_t nowMs) {
	if (!std::isfinite(trend)) return this->state;
	if (numDeltas < 2) {
		this->state = BandwidthUsage::Normal;
		return this->state;
	}
	if (trend > this->threshold) {
		// First sample above: assume half of its interval was spent over (as if the
		// crossing happened mid-way).
		if (this->timeOverusingMs < 0) {
			this->timeOverusingMs = sendDeltaMs / 2;
		} else {
			this->timeOverusingMs += sendDeltaMs;
		}
		++this->overuseCount;
		if (this->timeOverusingMs > this->params.overuseTimeThresholdMs && this->overuseCount > 1 &&
		    trend >= this->previousTrend) {
			this->timeOverusingMs = 0;
			this->overuseCount = 0;
			this->state = BandwidthUsage::Overusing;
		}
	} else if (trend < -this->threshold) {
		this->timeOverusingMs = -1;
		this->overuseCount = 0;
		this->state = BandwidthUsage::Underusing;
	} else {
		this->timeOverusingMs = -1;
		this->overuseCount = 0;
		this->state = BandwidthUsage::Normal;
	}
	this->previousTrend = trend;
	UpdateThreshold(trend, nowMs);
	return this->state;
}

void OveruseDetector::UpdateThreshold(double trend, int64_t nowMs) {
	if (this->lastUpdateMs < 0) this->lastUpdateMs = nowMs;
	const double magnitude = std::fabs(trend);
	if (magnitude > this->threshold + this->params.maxThresholdJumpMs) {
		this->lastUpdateMs = nowMs;
		return;
	}
	const double k = magnitude < this->threshold ? this->params.kDown : this->params.kUp;
	const double dt = static_cast<double>(std::min<int64_t>(std::max<int64_t>(nowMs - this->lastUpdateMs, 0), 100));
	this->threshold += k * (magnitude - this->threshold) * dt;
	this->threshold = std::min(std::max(this->threshold, this->params.minThresholdMs), this->params.maxThresholdMs);
	this->lastUpdateMs = nowMs;
}

} // namespace bwe
} // namespace mediaplane
