// Packet grouping and inter-group delay variation (draft-ietf-rmcat-gcc-02 §5.2, §5.3);
// see the header.
#include "InterArrival.hpp"

#include <cmath>

namespace mediaplane {
namespace bwe {

void InterArrival::Reset() {
	this->current = Group();
	this->previous = Group();
}

bool InterArrival::BelongsToCurrent(double sendTimeMs, double arrivalMs) const {
	if (sendTimeMs - this->current.firstSendMs <= kBurstTimeMs) return true;
	// §5.2: arrived within burst_time of the group's last packet with a negative delay
	// variation against it: part of a burst the network released at once.
	const double arrivalDelta = arrivalMs - this->current.lastArrivalMs;
	const double sendDelta = sendTimeMs - this->current.lastSendMs;
	return arrivalDelta >= 0 && arrivalDelta < kBurstTimeMs && arrivalDelta - sendDelta < 0;
}

bool InterArrival::OnPacket(double sendTimeMs, int64_t arrivalUs, uint32_t sizeBytes, Delta& delta) {
	const double arrivalMs = static_cast<double>(arrivalUs) / 1000.0;
	if (!this->current.valid) {
		this->current = Group{ true, sendTimeMs, sendTimeMs, arrivalMs, arrivalMs, sizeBytes };
		return false;
	}
	if (sendTimeMs < this->current.firstSendMs) return false; // reordered: skip it

	if (BelongsToCurrent(sendTimeMs, arrivalMs)) {
		if (sendTimeMs > this->current.lastSendMs) this->current.lastSendMs = sendTimeMs;
		if (arrivalMs > this->current.lastArrivalMs) this->current.lastArrivalMs = arrivalMs;
		this->current.sizeBytes += sizeBytes;
		return false;
	}

	// The packet starts a new group: the current one is complete.
	bool produced = false;
	if (this->previous.valid) {
		const double sendDelta = this->current.lastSendMs - this->previous.lastSendMs;
		const double arrivalDelta = this->current.lastArrivalMs - this->previous.lastArrivalMs;
		if (std::fabs(arrivalDelta - sendDelta) > kClockJumpMs) {
			// The receiver's clock jumped (or the sender paused for long): start over.
			this->previous = Group();
			this->current = Group{ true, sendTimeMs, sendTimeMs, arrivalMs, arrivalMs, sizeBytes };
			return false;
		}
		if (arrivalDelta >= 0) {
			delta.sendDeltaMs = sendDelta;
			delta.arrivalDeltaMs = arrivalDelta;
			delta.sizeDeltaBytes = this->current.sizeBytes - this->previous.sizeBytes;
			delta.arrivalTimeMs = this->current.lastArrivalMs;
			produced = true;
		}
	}
	this->previous = this->current;
	this->current = Group{ true, sendTimeMs, sendTimeMs, arrivalMs, arrivalMs, sizeBytes };
	return produced;
}

} // namespace bwe
} // namespace mediaplane
