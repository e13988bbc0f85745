// Acknowledged (received) bitrate over a sliding window; see the header.
#include "AcknowledgedBitrateEstimator.hpp"

#include <algorithm>

namespace mediaplane {
namespace bwe {

AcknowledgedBitrateEstimator::AcknowledgedBitrateEstimator(const Params& params) : params(params) {
	if (this->params.windowMs < 1) this->params.windowMs = 1;
	if (this->params.minSpanMs < 1) this->params.minSpanMs = 1;
	this->params.recentWindowMs = std::min(std::max<int64_t>(this->params.recentWindowMs, 1), this->params.windowMs);
}

void AcknowledgedBitrateEstimator::Reset() {
	this->samples.clear();
	this->bytesInWindow = 0;
	this->started = false;
}

void AcknowledgedBitrateEstimator::OnPacketReceived(int64_t arrivalUs, uint32_t sizeBytes) {
	const int64_t windowUs = this->params.windowMs * 1000;
	if (this->started && arrivalUs < this->newestArrivalUs - 10 * windowUs) {
		// The receiver's clock went back by far more than reordering explains: restart.
		Reset();
	}
	if (!this->started) {
		this->started = true;
		this->firstArrivalUs = arrivalUs;
		this->newestArrivalUs = arrivalUs;
	}
	if (arrivalUs <= this->newestArrivalUs - windowUs) return; // reordered beyond the window
	this->newestArrivalUs = std::max(this->newestArrivalUs, arrivalUs);
	this->bytesInWindow += sizeBytes;
	// Arrival times are the remote receiver's word: a feedback that reports every packet
	// at the same instant would otherwise keep one sample per packet forever (nothing
	// ever leaves the window). Packets that arrived within kSampleMergeUs of the last
	// sample join it, so the window holds about windowMs / 1 ms samples; kMaxSamples
	// bounds what arrival times jumping back and forth inside the window could still add.
	Sample* last = this->samples.empty() ? nullptr : &this->samples.back();
	if (last && arrivalUs >= last->arrivalUs && arrivalUs - last->arrivalUs < kSampleMergeUs) {
		last->sizeBytes += sizeBytes;
	} else {
		this->samples.push_back({ arrivalUs, sizeBytes });
	}
	while (!this->samples.empty() && (this->samples.front().arrivalUs <= this->newestArrivalUs - windowUs ||
	                                  this->samples.size() > kMaxSamples)) {
		this->bytesInWindow -= this->samples.front().sizeBytes;
		this->samples.pop_front();
	}
}

int64_t AcknowledgedBitrateEstimator::GetBitrateBps() const {
	if (!this->started) return 0;
	const int64_t spanUs = std::min(this->newestArrivalUs - this->firstArrivalUs, this->params.windowMs * 1000);
	if (spanUs < this->params.minSpanMs * 1000) return 0;
	return this->bytesInWindow * 8 * 1000000 / spanUs;
}

} // namespace bwe
} // namespace mediaplane

namespace mediaplane {
namespace bwe {

int64_t AcknowledgedBitrateEstimator::GetRecentBitrateBps() const {
	if (!this->started) return 0;
	const int64_t windowUs = this->params.recentWindowMs * 1000;
	const int64_t spanUs = std::min(this->newestArrivalUs - this->firstArrivalUs, windowUs);
	if (spanUs < std::min(this->params.minSpanMs, this->params.recentWindowMs) * 1000) return 0;
	int64_t bytes = 0;
	for (auto it = this->samples.rbegin(); it != this->samples.rend(); ++it) {
		if (it->arrivalUs <= this->newestArrivalUs - windowUs) break;
		bytes += it->sizeBytes;
	}
	return bytes * 8 * 1000000 / spanUs;
}

} // namespace bwe
} // namespace mediaplane
