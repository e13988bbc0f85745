#include "TransportCcReceiver.hpp"

#include <algorithm>

#include "../rtp/SeqNumbers.hpp"

namespace mediaplane {

int64_t TransportCcReceiver::Unwrap(uint16_t sequenceNumber) {
	if (!started_) {
		started_ = true;
		lastUnwrapped_ = sequenceNumber;
		return lastUnwrapped_;
	}
	// The nearest number with these low 16 bits (RFC 3550 A.1 style unwrapping).
	int64_t unwrapped = lastUnwrapped_ + SeqDiff(sequenceNumber, static_cast<uint16_t>(lastUnwrapped_));
	if (unwrapped > lastUnwrapped_) lastUnwrapped_ = unwrapped;
	return unwrapped;
}

void TransportCcReceiver::Forget(int64_t from, int64_t to) {
	if (arrivals_.empty()) return;
	if (to - from >= static_cast<int64_t>(kWindow)) {
		std::fill(arrivals_.begin(), arrivals_.end(), kNotReceived);
		return;
	}
	for (int64_t seq = from; seq < to; ++seq) Slot(seq) = kNotReceived;
}

void TransportCcReceiver::OnPacket(uint16_t sequenceNumber, int64_t arrivalUs) {
	const int64_t seq = Unwrap(sequenceNumber);
	// Taken with the first packet: a transport that never receives it costs nothing.
	if (arrivals_.empty()) arrivals_.assign(kWindow, kNotReceived);
	if (nextToReport_ < 0) nextToReport_ = seq;
	if (seq < nextToReport_) return; // already reported (as missing)
	if (seq - nextToReport_ >= static_cast<int64_t>(kWindow)) {
		// Far ahead of what is pending (a sender restart, or no feedback for a long
		// time): what was pending can no longer be told; start again from here.
		Forget(nextToReport_, highest_ + 1);
		nextToReport_ = seq;
	}
	int64_t& slot = Slot(seq);
	if (slot != kNotReceived) return; // a duplicate keeps its first arrival
	slot = arrivalUs;
	if (seq > highest_) highest_ = seq;
}

void TransportCcReceiver::SendFeedback(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t* buffer,
                                       const std::function<void(const uint8_t*, size_t)>& send) {
	while (HasPending()) {
		// A long run of missing numbers is skipped rather than reported one by one.
		int64_t firstReceived = nextToReport_;
		while (firstReceived <= highest_ && Slot(firstReceived) == kNotReceived) ++firstReceived;
		if (firstReceived > highest_) {
			nextToReport_ = highest_ + 1;
			break;
		}
		const int64_t base = firstReceived - nextToReport_ > kMaxGap ? firstReceived : nextToReport_;

		TransportCcFeedback feedback;
		feedback.senderSsrc = senderSsrc;
		feedback.mediaSsrc = mediaSsrc;
		feedback.baseSequenceNumber = static_cast<uint16_t>(base);
		feedback.feedbackPacketCount = feedbackPacketCount_;
		int64_t gap = 0;
		for (int64_t seq = base; seq <= highest_ && feedback.packets.size() < 0xffff; ++seq) {
			const int64_t arrival = Slot(seq);
			if (arrival == kNotReceived) {
				if (++gap > kMaxGap) break; // report the jump in the next feedback
				feedback.packets.push_back({ false, 0 });
			} else {
				gap = 0;
				feedback.packets.push_back({ true, arrival });
			}
		}
		const size_t count = feedback.CountSerializable(kMaxFeedbackSize);
		const size_t len = count ? feedback.Serialize(buffer, kMaxFeedbackSize, count) : 0;
		if (len > 0) {
			send(buffer, len);
			++feedbackPacketCount_;
			++feedbackPacketsSent_;
		}
		// Forget what was reported (or could not be: a delta out of range is dropped).
		const int64_t reportedUpTo = base + static_cast<int64_t>(count == 0 ? 1 : count);
		Forget(nextToReport_, reportedUpTo);
		nextToReport_ = reportedUpTo;
	}
}

} // namespace mediaplane
