#pragma once
// Bits per second over a sliding one-second window, kept in ten 100 ms buckets: O(1)
// per update, no allocation. Used for the transport and stream bitrates of getStats().

#include <array>
#include <cstddef>
#include <cstdint>

namespace mediaplane {

class RateCalculator {
public:
	void Update(size_t bytes, uint64_t nowMs);
	// Bits per second over the last second.
	uint32_t GetRate(uint64_t nowMs);
	uint64_t GetTotalBytes() const { return totalBytes_; }

private:
	static constexpr uint64_t kBucketMs = 100;
	static constexpr size_t kBuckets = 10;
	void Advance(uint64_t nowMs);

	std::array<uint64_t, kBuckets> buckets_{};
	uint64_t currentBucketStartMs_ = 0;
	size_t currentIndex_ = 0;
	uint64_t totalBytes_ = 0;
};

} // namespace mediaplane
