// Trendline delay-gradient estimator (Carlucci et al., MMSys 2016) feeding the
// over-use detector of draft-ietf-rmcat-gcc-02 §5.4; see the header.
#include "TrendlineEstimator.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

TrendlineEstimator::TrendlineEstimator(const Params& params) : params(params), detector(params.detector) {
	if (this->params.windowSize < 2) this->params.windowSize = 2;
	if (!(this->params.smoothingCoefficient >= 0 && this->params.smoothingCoefficient < 1)) {
		this->params.smoothingCoefficient = 0.9;
	}
	if (this->params.maxDeltasScale < 1) this->params.maxDeltasScale = 1;
}

void TrendlineEstimator::Reset() {
	this->interArrival.Reset();
	this->detector = OveruseDetector(this->params.detector);
	this->window.clear();
	this->firstArrivalMs = -1;
	this->accumulatedDelayMs = 0;
	this->smoothedDelayMs = 0;
	this->numDeltas = 0;
	this->slope = 0;
	this->modifiedTrend = 0;
	this->updated = false;
}

BandwidthUsage TrendlineEstimator::OnPacket(int64_t sendTimeMs, int64_t arrivalUs, uint32_t sizeBytes, int64_t nowMs) {
	this->updated = false;
	InterArrival::Delta delta;
	if (this->interArrival.OnPacket(static_cast<double>(sendTimeMs), arrivalUs, sizeBytes, delta)) OnDelta(delta, nowMs);
	return this->detector.GetState();
}

void TrendlineEstimator::OnDelta(const InterArrival::Delta& delta, int64_t nowMs) {
	const double variation = delta.arrivalDeltaMs - delta.sendDeltaMs;
	this->numDeltas = std::min(this->numDeltas + 1, 1000);
	if (this->firstArrivalMs < 0) this->firstArrivalMs = delta.arrivalTimeMs;

	this->accumulatedDelayMs += variation;
	const double a = this->params.smoothingCoefficient;
	this->smoothedDelayMs = a * this->smoothedDelayMs + (1 - a) * this->accumulatedDelayMs;

	this->window.emplace_back(delta.arrivalTimeMs - this->firstArrivalMs, this->smoothedDelayMs);
	if (this->window.size() > this->params.windowSize) this->window.pop_front();

	// Until the window is full the previous slope stands (0 at start).
	if (this->window.size() == this->params.windowSize) {
		double fitted;
		if (LinearFitSlope(this->window, fitted)) this->slope = fitted;
	}
	this->modifiedTrend =
	    std::min(this->numDeltas, this->params.maxDeltasScale) * this->slope * this->params.thresholdGain;
	this->detector.Detect(this->modifiedTrend, delta.sendDeltaMs, this->numDeltas, nowMs);
	this->updated = true;
}

// Least squares slope of y over x; false when x does not vary.
bool TrendlineEstimator::LinearFitSlope(const std::deque<std::pair<double, double>>& points, double& slope) {
	const double n = static_cast<double>(points.size());
	double sumX = 0;
	double sumY = 0;
	for (const auto& point : points) {
		sumX += point.first;
		sumY += point.second;
	}
	const double meanX = sumX / n;
	const double meanY = sumY / n;
	double numerator = 0;
	double denominator = 0;
	for (const auto& point : points) {
		const double dx = point.first - meanX;
		numerator += dx * (point.second - meanY);
		denominator += dx * dx;
	}
	if (denominator <= 0) return false;
	slope = numerator / denominator;
	return std::isfinite(slope);
}

} // namespace bwe
} // namespace mediaplane
