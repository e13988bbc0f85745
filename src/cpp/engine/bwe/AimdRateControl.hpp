#pragma once
// The delay-based rate controller (draft-ietf-rmcat-gcc-02 §5.5): an additive
// increase / multiplicative decrease state machine driven by the over-use detector.
//
// States and transitions (§5.5, its table):
//              Hold       Increase    Decrease
//   overuse    Decrease   Decrease    (stays)
//   normal     Increase   (stays)     Hold
//   underuse   (stays)    Hold        Hold
// Underuse means the queues drain: holding lets them empty before increasing again.
//
// Increase (§5.5): multiplicative, eta = 1.08^min(dt/1 s, 1) (8% per second), while
// far from the last congestion point; additive near it: about one packet per
// response time (rtt + 100 ms), where a packet is the average size when a 30 fps
// frame of the current rate is split into packets of at most 1200 bytes. (The draft
// gives alpha = 0.5 packet per response time; we use params.additivePackets = 1, the
// rate of deployed GoogCC, which recovers twice as fast after a decrease.) "Near" is
// the draft's test: the acknowledged bitrate within three standard deviations of the
// average of the acknowledged bitrates measured at decreases (exponential average,
// factor 0.95); above it the congestion point has moved and the average is
// forgotten. The estimate never exceeds 1.5 x the acknowledged bitrate (+10 kbps, our
// margin so a very low rate can still grow), so it follows what actually gets through.
//
// Decrease (§5.5): to beta x acknowledged bitrate, beta = 0.85, never above the
// current estimate; then Hold. A further decrease needs a new overuse signal and
// either one response interval (rtt clamped to 10..200 ms, our choice: the previous
// decrease must have had time to show) or an estimate still above 2 x acknowledged.
//
// Sans-I/O: times are passed in.

#include <cstdint>

#include "BweTypes.hpp"

namespace mediaplane {
namespace bwe {

class AimdRateControl {
public:
	enum class State { Hold, Increase, Decrease };

	struct Params {
		double beta = 0.85;                  // draft §5.5
		double multiplicativeIncrease = 1.08; // per second, draft §5.5 eta
		double ackedCapFactor = 1.5;         // draft §5.5: A_hat < 1.5 R_hat
		int64_t ackedCapMarginBps = 10000;
		double additivePackets = 1.0;        // packets per response time (draft: 0.5)
		double averageMaxSmoothing = 0.95;   // draft §5.5
		int64_t minIncreaseBps = 1000;       // draft §5.5: max(1000, ...)
	};

	AimdRateControl(int64_t initialBps, int64_t minBps, int64_t maxBps) : AimdRateControl(initialBps, minBps, maxBps, Params()) {}
	AimdRateControl(int64_t initialBps, int64_t minBps, int64_t maxBps, const Params& params);

	void SetBounds(int64_t minBps, int64_t maxBps);
	// Sets the estimate at once (a probe result); clamped to the bounds.
	void SetEstimate(int64_t bps, int64_t nowMs);
	void SetRtt(int64_t rttMs);
	// One detector signal with the current acknowledged bitrate (0: unknown). Returns
	// the new estimate. `decreaseAckedBps`, when > 0, is the acknowledged bitrate a
	// decrease starts from (a shorter-window measurement, see
	// AcknowledgedBitrateEstimator::GetRecentBitrateBps); else ackedBps.
	int64_t Update(BandwidthUsage usage, int64_t ackedBps, int64_t nowMs, int64_t decreaseAckedBps = 0);

	int64_t GetEstimate() const { return this->estimate; }
	State GetState() const { return this->state; }
	// The average acknowledged bitrate at decreases, 0 when unknown.
	double GetAverageMaxBps() const { return this->averageMaxBps; }
	bool IsNearConvergence(int64_t ackedBps) const;

private:
	int64_t Clamp(double bps) const;
	void UpdateAverageMax(double ackedBps);
	double AdditiveIncrease(double dtMs) const;

	Params params;
	int64_t minBps;
	int64_t maxBps;
	int64_t estimate;
	State state = State::Increase;
	int64_t rttMs = 100;
	int64_t lastUpdateMs = -1;
	int64_t lastDecreaseMs = -1;
	double averageMaxBps = 0; // 0: unknown
	double varianceMaxRelative = 0.0; // variance / average (bps), as the spread grows with the rate
};

} // namespace bwe
} // namespace mediaplane
