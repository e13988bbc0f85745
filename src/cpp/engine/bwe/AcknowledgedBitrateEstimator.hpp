#pragma once
// The acknowledged bitrate R_hat of draft-ietf-rmcat-gcc-02 §5.5: the rate at which
// the receiver got our packets, measured over a sliding window of arrival times
// ("R_hat(i) is the incoming bitrate measured over a T seconds window", T = 0.5..1 s;
// we use 500 ms). Every received packet counts, retransmissions and probes included:
// they all crossed the bottleneck. Arrival times are the receiver's clock: only their
// differences are used. Sans-I/O.
//
// GetRecentBitrateBps() measures over a shorter window (params.recentWindowMs, 200 ms;
// ours): the rate controller's decrease uses the smaller of the two. An overuse means
// the bottleneck is saturated, so what just arrived was spaced at its capacity; the
// 500 ms average still mixes in what got through before a capacity drop, and a
// decrease to 0.85 x that would stay above the new capacity.

#include <cstddef>
#include <cstdint>
#include <deque>

namespace mediaplane {
namespace bwe {

class AcknowledgedBitrateEstimator {
public:
	struct Params {
		int64_t windowMs = 500;  // draft §5.5: 0.5..1 s
		int64_t minSpanMs = 150; // no estimate from less than this much arrival time (ours)
		int64_t recentWindowMs = 200;
	};

	AcknowledgedBitrateEstimator() : AcknowledgedBitrateEstimator(Params()) {}
	explicit AcknowledgedBitrateEstimator(const Params& params);

	void OnPacketReceived(int64_t arrivalUs, uint32_t sizeBytes);
	// Bits per second, 0 while unknown.
	int64_t GetBitrateBps() const;
	// Over the last params.recentWindowMs of arrivals, 0 while unknown.
	int64_t GetRecentBitrateBps() const;
	void Reset();
	// How many samples the window holds (bounded; for tests).
	size_t GetSampleCount() const { return samples.size(); }

	static constexpr int64_t kSampleMergeUs = 1000;
	static constexpr size_t kMaxSamples = 4096;

private:
	struct Sample {
		int64_t arrivalUs;
		int64_t sizeBytes; // the packets merged into this sample
	};

	Params params;
	std::deque<Sample> samples;
	int64_t bytesInWindow = 0;
	int64_t newestArrivalUs = 0;
	int64_t firstArrivalUs = 0;
	bool started = false;
};

} // namespace bwe
} // namespace mediaplane
