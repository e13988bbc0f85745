// Leaky bucket pacing budget; see the header.
#include "PacingBudget.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {
namespace bwe {

PacingBudget::PacingBudget(uint32_t rateBps, const Params& params) : params(params), rateBps(rateBps), levelBytes(0) {
	if (this->params.burstMs < 1) this->params.burstMs = 1;
	this->levelBytes = Capacity();
}

double PacingBudget::Capacity() const {
	return static_cast<double>(this->rateBps) * static_cast<double>(this->params.burstMs) / 8000.0;
}

void PacingBudget::Refill(int64_t nowMs) {
	if (this->lastMs < 0 || nowMs < this->lastMs) {
		// First use, or a clock that went back: start from now without a refill.
		this->lastMs = nowMs;
		return;
	}
	const double elapsedMs = static_cast<double>(nowMs - this->lastMs);
	this->levelBytes = std::min(Capacity(), this->levelBytes + static_cast<double>(this->rateBps) * elapsedMs / 8000.0);
	this->lastMs = nowMs;
}

void PacingBudget::SetRate(uint32_t rateBps, int64_t nowMs) {
	Refill(nowMs);
	this->rateBps = rateBps;
	this->levelBytes = std::min(this->levelBytes, Capacity());
}

bool PacingBudget::CanSend(uint32_t sizeBytes, int64_t nowMs) {
	Refill(nowMs);
	if (this->rateBps == 0) return false;
	const double capacity = Capacity();
	if (static_cast<double>(sizeBytes) > capacity) return this->levelBytes >= capacity; // oversized: needs a full bucket
	return this->levelBytes >= static_cast<double>(sizeBytes);
}

void PacingBudget::OnSent(uint32_t sizeBytes, int64_t nowMs) {
	Refill(nowMs);
	this->levelBytes -= static_cast<double>(sizeBytes);
	// Bound the debt to one burst plus the packet, so a burst of unpaced sends (the
	// caller ignoring CanSend) does not block it for long.
	this->levelBytes = std::max(this->levelBytes, -Capacity() - static_cast<double>(sizeBytes));
}

int64_t PacingBudget::TimeUntilMs(uint32_t sizeBytes, int64_t nowMs) {
	if (CanSend(sizeBytes, nowMs)) return 0;
	if (this->rateBps == 0) return INT64_MAX;
	const double needed = std::min(static_cast<double>(sizeBytes), Capacity()) - this->levelBytes;
	return static_cast<int64_t>(std::ceil(needed * 8000.0 / static_cast<double>(this->rateBps)));
}

int64_t PacingBudget::GetAvailableBytes(int64_t nowMs) {
	Refill(nowMs);
	return this->levelBytes > 0 ? static_cast<int64_t>(this->levelBytes) : 0;
}

} // namespace bwe
} // namespace mediaplane
