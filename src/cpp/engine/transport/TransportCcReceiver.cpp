#include "TransportCcReceiver.hpp"

namespace mediaplane {

int64_t TransportCcReceiver::Unwrap(uint16_t sequenceNumber) {
	if (!started_) {
		started_ = true;
		lastUnwrapped_ = sequenceNumber;
		return lastUnwrapped_;
	}
	// The nearest number with these low 16 bits (RFC 3550 A.1 style unwrapping).
	int16_t delta = static_cast<int16_t>(sequenceNumber - static_cast<uint16_t>(lastUnwrapped_));
	int64_t unwrapped = lastUnwrapped_ + delta;
	if (unwrapped > lastUnwrapped_) lastUnwrapped_ = unwrapped;
	return unwrapped;
}

void TransportCcReceiver::OnPacket(uint16_t sequenceNumber, int64_t arrivalUs) {
	const int64_t seq = Unwrap(sequenceNumber);
	if (nextToReport_ >= 0 && seq < nextToReport_) return; // already reported (as missing)
	arrivals_.emplace(seq, arrivalUs); // a duplicate keeps its first arrival
	// Bound the state: a sender that keeps jumping must not grow the map.
	if (arrivals_.size() > static_cast<size_t>(4 * kMaxGap)) arrivals_.erase(arrivals_.begin());
}

void TransportCcReceiver::SendFeedback(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t* buffer,
                                       const std::function<void(const uint8_t*, size_t)>& send) {
	while (!arrivals_.empty()) {
		int64_t base = arrivals_.begin()->first;
		// Numbers between the last report and the first pending one were lost: the
		// feedback starts at the first unreported number so the sender learns it.
		if (nextToReport_ >= 0 && nextToReport_ < base && base - nextToReport_ <= kMaxGap) base = nextToReport_;
		TransportCcFeedback feedback;
		feedback.senderSsrc = senderSsrc;
		feedback.mediaSsrc = mediaSsrc;
		feedback.baseSequenceNumber = static_cast<uint16_t>(base);
		feedback.feedbackPacketCount = feedbackPacketCount_;
		int64_t expected = base;
		for (const auto& [seq, arrivalUs] : arrivals_) {
			if (seq - expected > kMaxGap) break; // report the jump in the next feedback
			for (; expected < seq; ++expected) feedback.packets.push_back({ false, 0 });
			feedback.packets.push_back({ true, arrivalUs });
			expected = seq + 1;
			if (feedback.packets.size() >= 0xffff - kMaxGap) break;
		}
		const size_t count = feedback.CountSerializable(kMaxFeedbackSize);
		const size_t len = count ? feedback.Serialize(buffer, kMaxFeedbackSize, count) : 0;
		const int64_t reportedUpTo = base + static_cast<int64_t>(count == 0 ? 1 : count);
		if (len > 0) {
			send(buffer, len);
			++feedbackPacketCount_;
			++feedbackPacketsSent_;
		}
		// Forget what was reported (or could not be: a delta out of range is dropped).
		arrivals_.erase(arrivals_.begin(), arrivals_.lower_bound(reportedUpTo));
		nextToReport_ = reportedUpTo;
	}
}

} // namespace mediaplane
