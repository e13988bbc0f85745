#include "RateCalculator.hpp"

namespace mediaplane {

void RateCalculator::Advance(uint64_t nowMs) {
	if (currentBucketStartMs_ == 0) {
		currentBucketStartMs_ = nowMs - nowMs % kBucketMs;
		return;
	}
	uint64_t elapsedBuckets = (nowMs - currentBucketStartMs_) / kBucketMs;
	if (elapsedBuckets == 0) return;
	if (elapsedBuckets >= kBuckets) {
		buckets_.fill(0);
	} else {
		for (uint64_t i = 0; i < elapsedBuckets; ++i) {
			currentIndex_ = (currentIndex_ + 1) % kBuckets;
			buckets_[currentIndex_] = 0;
		}
	}
	currentBucketStartMs_ += elapsedBuckets * kBucketMs;
}

void RateCalculator::Update(size_t bytes, uint64_t nowMs) {
	Advance(nowMs);
	buckets_[currentIndex_] += bytes;
	totalBytes_ += bytes;
}

uint32_t RateCalculator::GetRate(uint64_t nowMs) {
	Advance(nowMs);
	uint64_t bytes = 0;
	for (uint64_t bucket : buckets_) bytes += bucket;
	return static_cast<uint32_t>(bytes * 8);
}

} // namespace mediaplane
