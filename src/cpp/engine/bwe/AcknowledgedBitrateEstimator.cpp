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
	this->samples.push_back({ arrivalUs, sizeBytes });
	this->bytesInWindow += sizeBytes;
	while (!this->samples.empty() && this->samples.front().arrivalUs <= this->newestArrivalUs - windowUs) {
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
