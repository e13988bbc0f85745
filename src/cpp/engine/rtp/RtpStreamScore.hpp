#pragma once
// The 0..10 quality score of an RTP stream (the `score` of mediasoup's Producer and
// Consumer), shared by RtpStreamRecv and RtpStreamSend. Our own formula, not a
// standard one:
//
//   per interval (about a second of media, or one receiver report):
//     sample = clamp(10 - 50 * badRatio, 0, 10)
//   where badRatio is the share of the interval's expected packets that went wrong
//   (lost and never recovered count fully; the caller may add other, lighter harms).
//   score = round(weighted mean of the last 8 samples, weights 1..8, newest heaviest)
//
// Why: unrecovered loss is what a viewer sees. 2 % of it gives occasional artifacts
// (score 9), 10 % makes video hard to watch (5), 20 % or more makes it unusable (0).
// One bad second should dent the score, not zero it (a burst is normal on Wi-Fi), yet a
// lasting problem must dominate within a few seconds, and recovery must show quickly:
// a linearly weighted window gives the newest sample 8/36 of the weight and the newest
// three nearly half. A stream starts at 10 with no samples.

#include <array>
#include <cstddef>
#include <cstdint>

namespace mediaplane {

class RtpStreamScore {
public:
	static constexpr size_t kWindow = 8;

	// Adds one interval; returns true when the score changed.
	bool AddSample(uint64_t expected, uint64_t bad) {
		double ratio = expected > 0 ? static_cast<double>(bad) / static_cast<double>(expected) : 0.0;
		if (ratio > 1.0) ratio = 1.0;
		double sample = 10.0 - 50.0 * ratio;
		if (sample < 0.0) sample = 0.0;
		samples_[next_] = sample;
		next_ = (next_ + 1) % kWindow;
		if (count_ < kWindow) ++count_;

		double weighted = 0.0;
		double weights = 0.0;
		// Oldest first: weight 1 for the oldest kept sample, count_ for the newest.
		for (size_t i = 0; i < count_; ++i) {
			size_t index = (next_ + kWindow - count_ + i) % kWindow;
			double weight = static_cast<double>(i + 1);
			weighted += weight * samples_[index];
			weights += weight;
		}
		uint8_t score = static_cast<uint8_t>(weighted / weights + 0.5);
		if (score > 10) score = 10;
		const bool changed = score != score_;
		score_ = score;
		return changed;
	}

	uint8_t Get() const { return score_; }
	// Forgets the history (a restarted or long-inactive stream) and starts from `score`.
	void Reset(uint8_t score) {
		count_ = 0;
		next_ = 0;
		score_ = score;
	}

private:
	std::array<double, kWindow> samples_{};
	size_t next_ = 0;
	size_t count_ = 0;
	uint8_t score_ = 10;
};

} // namespace mediaplane
