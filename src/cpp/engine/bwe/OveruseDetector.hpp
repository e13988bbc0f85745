#pragma once
// The over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4).
//
// Input: an estimate m(i) of the one-way delay gradient (here the trendline's
// modified trend, see TrendlineEstimator) once per packet group. Output: the signal
// that drives the rate controller:
//  - overuse when m(i) > del_var_th(i) for longer than overuse_time_th (10 ms, §5.4)
//    over at least two consecutive groups, and m(i) is not decreasing (m(i) >= m(i-1)):
//    a single spike or a queue that already drains does not count;
//  - underuse when m(i) < -del_var_th(i) (the queue drains);
//  - normal otherwise.
// The threshold adapts (§5.4) so that the detector neither starves against loss-based
// TCP flows (threshold too small) nor ignores a short queue (too large):
//   del_var_th(i) = del_var_th(i-1) + dt * K(i) * (|m(i)| - del_var_th(i-1))
//   K(i) = K_d if |m(i)| < del_var_th(i-1), else K_u
// with dt in ms (capped at 100 ms, our choice, so a pause in feedback does not make
// one sample dominate), no update when |m(i)| - del_var_th(i-1) > 15 ms (a spike, e.g.
// a route change, must not inflate the threshold; §5.4), and del_var_th clamped to
// [6, 600] ms (§5.4). Initial threshold 12.5 ms (§5.4's del_var_th(0)).
//
// Gains: these defaults are the draft's K_u = 0.01 and K_d = 0.00018 (§5.4), tuned
// for the Kalman filter's m(i). TrendlineEstimator passes its own (see there).

#include <cstdint>

#include "BweTypes.hpp"

namespace mediaplane {
namespace bwe {

class OveruseDetector {
public:
	struct Params {
		double kUp = 0.01;          // K_u, draft §5.4
		double kDown = 0.00018;     // K_d, draft §5.4
		double initialThresholdMs = 12.5;
		double minThresholdMs = 6.0;
		double maxThresholdMs = 600.0;
		double overuseTimeThresholdMs = 10.0; // overuse_time_th, draft §5.4
		double maxThresholdJumpMs = 15.0;     // no adaptation above |m| - th > this
	};

	OveruseDetector() : OveruseDetector(Params()) {}
	explicit OveruseDetector(const Params& params);

	// `trend`: m(i); `sendDeltaMs`: departure spacing of the group (how long this
	// sample covers); `numDeltas`: how many samples the estimate rests on (nothing is
	// signalled before 2).
	BandwidthUsage Detect(double trend, double sendDeltaMs, int numDeltas, int64_t nowMs);
	BandwidthUsage GetState() const { return this->state; }
	double GetThreshold() const { return this->threshold; }

private:
	void UpdateThreshold(double trend, int64_t nowMs);

	Params params;
	double threshold;
	double timeOverusingMs = -1;
	int overuseCount = 0;
	double previousTrend = 0;
	int64_t lastUpdateMs = -1;
	BandwidthUsage state = BandwidthUsage::Normal;
};

} // namespace bwe
} // namespace mediaplane
