#pragma once
// The loss-based controller of draft-ietf-rmcat-gcc-02 §6. With p the fraction of
// packets lost since the last report:
//   p < 2%:        As(i) = 1.05 As(i-1)        (the draft, per report; we apply it as
//                                               +5% per second, pro rata, so that the
//                                               feedback rate does not set the slope)
//   2% <= p <= 10%: As(i) = As(i-1)            (hold)
//   p > 10%:       As(i) = As(i-1) (1 - 0.5 p), and (ours) at most (1 - 0.5 p) times
//                  the rate the receiver acknowledged: when a bottleneck drops a third
//                  of what we send, what it delivered is its capacity, and walking
//                  down from a probe's overshoot by (1 - 0.5 p) per round trip took
//                  4 s of 30% loss behind a 600 kbps link (the acceptance test).
// The sender's target is min(delay-based estimate, As) (§6); As never grows past the
// delay-based estimate, so that it only limits when losses say so.
//
// Loss fractions come either from transport-wide feedback (OnPacketResults: lost and
// received counts, aggregated until at least 20 packets over 500 ms so that one
// feedback with a lost packet out of ten does not read as 10% loss; our values) or
// from the "fraction lost" of receiver reports (OnLossFraction, RFC 3550 §6.4.1, one
// report about every second). Decreases are at most one per 300 ms + RTT (ours: one
// round trip for the previous decrease to show). Sans-I/O.

#include <cstdint>

namespace mediaplane {
namespace bwe {

class LossBasedController {
public:
	struct Params {
		double lowLoss = 0.02;   // draft §6
		double highLoss = 0.10;  // draft §6
		double increasePerSecond = 0.05; // draft §6: 1.05
		double decreaseFactor = 0.5;     // draft §6: (1 - 0.5 p)
		int64_t minPackets = 20;
		int64_t minIntervalMs = 500;
		int64_t minDecreaseIntervalMs = 300;
	};

	explicit LossBasedController(int64_t initialBps) : LossBasedController(initialBps, Params()) {}
	LossBasedController(int64_t initialBps, const Params& params);

	// Sets As at once (start, probe result, bounds).
	void SetBitrate(int64_t bps);
	void SetRtt(int64_t rttMs) { if (rttMs > 0 && rttMs < 60000) this->rttMs = rttMs; }
	// Counts of one feedback's newly reported packets; acknowledgedBps is the rate the
	// receiver reports receiving (0: unknown).
	void OnPacketResults(int64_t lost, int64_t received, int64_t delayBasedBps, int64_t nowMs,
	                     int64_t acknowledgedBps = 0);
	// One loss report p (0..1).
	void OnLossFraction(double fraction, int64_t delayBasedBps, int64_t nowMs, int64_t acknowledgedBps = 0);
	// When losses were last above highLoss (-1: never).
	int64_t GetLastHighLossMs() const { return this->lastHighLossMs; }

	int64_t GetBitrateBps() const { return this->bitrate; }
	// The last fraction applied, -1 before any.
	double GetLastLossFraction() const { return this->lastFraction; }

private:
	Params params;
	int64_t bitrate;
	int64_t rttMs = 100;
	int64_t lastUpdateMs = -1;
	int64_t lastDecreaseMs = -1;
	int64_t pendingLost = 0;
	int64_t pendingTotal = 0;
	int64_t pendingSinceMs = -1;
	double lastFraction = -1;
	int64_t lastHighLossMs = -1;
};

} // namespace bwe
} // namespace mediaplane
