#pragma once
// The delay-based part of send-side estimation: packet groups (InterArrival), the
// trendline estimate of the one-way delay gradient, and the over-use detector
// (OveruseDetector). Feed it received packet results in send order; it signals
// overuse, normal or underuse.
//
// The trendline (Carlucci et al., "Analysis and Design of the Google Congestion
// Control for WebRTC", MMSys 2016; it replaces draft-ietf-rmcat-gcc-02 §5.3's Kalman
// filter when the sender has per-packet arrival times from transport-wide feedback):
//  1. accumulate the inter-group delay variations d(i): D(i) = D(i-1) + d(i), the
//     one-way queuing delay relative to the first group;
//  2. smooth it exponentially: S(i) = a S(i-1) + (1 - a) D(i), a = 0.9;
//  3. keep the last kWindow = 20 points (arrival time, S(i)) and fit a line by least
//     squares; its slope is the delay gradient (ms of queue growth per ms): 0 when the
//     queue is stable, (R - C) / C when sending at R into a bottleneck of capacity C;
//  4. the detector compares m(i) = min(n, 60) * slope * 4 with its threshold, where n
//     is the number of deltas so far: the 60 and the gain 4 scale the dimensionless
//     slope to the range of the draft's threshold (12.5 ms at start: overuse at about
//     5% above capacity); scaling by n (capped) keeps the first, noisy slopes below
//     the threshold. (Constants as deployed in browsers' GoogCC; our own code.)
//
// Threshold gains: the trendline's detector uses K_u = 0.0087 and K_d = 0.039 (the
// gains deployed GoogCC pairs with the trendline), not the draft's K_u = 0.01 and
// K_d = 0.00018, which were tuned for the Kalman filter's m(i). Measured with
// test/cpp/bwe_simulation.hpp (2 Mbps bottleneck, 100 ms drop-tail queue, 50 s):
// with the draft's gains, the large negative trend while the queue drains after a
// decrease lifts the threshold to ~30 and K_d lets it fall back only over ~5 s; a
// 5..7% overshoot then fills the queue unnoticed (a full drop-tail queue has a flat
// delay): average queue 77 ms, 3% of packets dropped. With these gains the threshold
// follows the trend's actual noise: average queue 5 ms, no drops, 90% utilization.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "BweTypes.hpp"
#include "InterArrival.hpp"
#include "OveruseDetector.hpp"

namespace mediaplane {
namespace bwe {

class TrendlineEstimator {
public:
	struct Params {
		size_t windowSize = 20;        // regression window, groups
		double smoothingCoefficient = 0.9;
		double thresholdGain = 4.0;
		int maxDeltasScale = 60;
		OveruseDetector::Params detector = DetectorParams();
	};

	// OveruseDetector's defaults with the trendline's threshold gains (see above).
	static OveruseDetector::Params DetectorParams() {
		OveruseDetector::Params params;
		params.kUp = 0.0087;
		params.kDown = 0.039;
		return params;
	}

	TrendlineEstimator() : TrendlineEstimator(Params()) {}
	explicit TrendlineEstimator(const Params& params);

	// One received packet (sendTimeMs: sender clock, arrivalUs: receiver clock); nowMs
	// is the sender's current time, for the threshold adaptation. Returns the state.
	BandwidthUsage OnPacket(int64_t sendTimeMs, int64_t arrivalUs, uint32_t sizeBytes, int64_t nowMs);
	BandwidthUsage GetState() const { return this->detector.GetState(); }
	// The last slope (ms/ms) and modified trend m(i), for tests and traces.
	double GetSlope() const { return this->slope; }
	double GetModifiedTrend() const { return this->modifiedTrend; }
	double GetThreshold() const { return this->detector.GetThreshold(); }
	// True when the last OnPacket produced a new detector decision (a group completed).
	bool Updated() const { return this->updated; }
	void Reset();

private:
	void OnDelta(const InterArrival::Delta& delta, int64_t nowMs);
	static bool LinearFitSlope(const std::deque<std::pair<double, double>>& points, double& slope);

	Params params;
	InterArrival interArrival;
	OveruseDetector detector;
	std::deque<std::pair<double, double>> window; // (arrival ms since first, smoothed delay ms)
	double firstArrivalMs = -1;
	double accumulatedDelayMs = 0;
	double smoothedDelayMs = 0;
	int numDeltas = 0;
	double slope = 0;
	double modifiedTrend = 0;
	bool updated = false;
};

} // namespace bwe
} // namespace mediaplane
