#include "NackGenerator.hpp"

#include "SeqNumbers.hpp"

namespace mediaplane {

NackGenerator::PacketResult NackGenerator::ReceivePacket(uint16_t seq, bool isRetransmission, uint64_t nowMs) {
	if (!started_) {
		started_ = true;
		highestSeq_ = seq;
		return PacketResult::New;
	}
	const int32_t diff = SeqDiff(seq, highestSeq_);
	if (diff <= 0) {
		const size_t index = Find(seq);
		if (index == missing_.size()) return PacketResult::Old;
		missing_.erase(missing_.begin() + static_cast<std::ptrdiff_t>(index));
		return isRetransmission ? PacketResult::Repaired : PacketResult::Late;
	}

	PacketResult result = PacketResult::New;
	if (diff > 1) {
		const size_t gap = static_cast<size_t>(diff - 1);
		if (missing_.size() + gap > kMaxMissing) {
			givenUp_ += missing_.size() + gap;
			missing_.clear();
			nextDueMs_ = UINT64_MAX;
			result = PacketResult::KeyFrameRequired;
		} else {
			AddMissingRange(static_cast<uint16_t>(highestSeq_ + 1), static_cast<uint16_t>(gap), nowMs);
		}
	}
	highestSeq_ = seq;

	// Entries now too far behind are dropped (oldest first), which also keeps every
	// entry within half the sequence space of the newest, as Find() needs.
	size_t stale = 0;
	while (stale < missing_.size() && static_cast<uint16_t>(highestSeq_ - missing_[stale].seq) > kMaxSeqAge) ++stale;
	givenUp_ += stale;
	if (stale > 0) missing_.erase(missing_.begin(), missing_.begin() + static_cast<std::ptrdiff_t>(stale));
	return result;
}

void NackGenerator::AddMissingRange(uint16_t first, uint16_t count, uint64_t nowMs) {
	if (missing_.capacity() < kMaxMissing) {
		// Once, on the first gap: a stream that never loses anything costs nothing.
		missing_.reserve(kMaxMissing);
		nackList_.reserve(kMaxMissing);
	}
	for (uint16_t i = 0; i < count; ++i) {
		missing_.push_back(Missing{ nowMs, 0, static_cast<uint16_t>(first + i), 0 });
	}
	if (nowMs < nextDueMs_) nextDueMs_ = nowMs;
}

size_t NackGenerator::Find(uint16_t seq) const {
	// Distances behind the newest decrease along the list (oldest first).
	const uint16_t target = static_cast<uint16_t>(highestSeq_ - seq);
	size_t low = 0;
	size_t high = missing_.size();
	while (low < high) {
		const size_t middle = low + (high - low) / 2;
		const uint16_t distance = static_cast<uint16_t>(highestSeq_ - missing_[middle].seq);
		if (distance > target) {
			low = middle + 1;
		} else {
			high = middle;
		}
	}
	if (low < missing_.size() && missing_[low].seq == seq) return low;
	return missing_.size();
}

uint64_t NackGenerator::DueMs(const Missing& entry) const {
	const uint64_t expiry = entry.detectedMs + kMaxAgeMs;
	const uint64_t next = entry.requests == 0 ? entry.detectedMs : entry.lastRequestMs + RetryIntervalMs();
	return next < expiry ? next : expiry;
}

const std::vector<uint16_t>& NackGenerator::GetNackList(uint64_t nowMs) {
	nackList_.clear();
	if (nowMs < nextDueMs_) return nackList_;

	const uint64_t interval = RetryIntervalMs();
	uint64_t nextDue = UINT64_MAX;
	size_t kept = 0;
	for (size_t i = 0; i < missing_.size(); ++i) {
		Missing entry = missing_[i];
		if (nowMs >= entry.detectedMs + kMaxAgeMs) {
			++givenUp_; // too old to be useful
			continue;
		}
		if (entry.requests >= kMaxRetries) {
			// The last request had its round trip to be answered: give up.
			if (nowMs >= entry.lastRequestMs + interval) {
				++givenUp_;
				continue;
			}
		} else if (nowMs >= (entry.requests == 0 ? entry.detectedMs : entry.lastRequestMs + interval)) {
			nackList_.push_back(entry.seq);
			++entry.requests;
			entry.lastRequestMs = nowMs;
		}
		missing_[kept++] = entry;
		const uint64_t due = DueMs(entry);
		if (due < nextDue) nextDue = due;
	}
	missing_.resize(kept);
	nextDueMs_ = nextDue;
	return nackList_;
}

void NackGenerator::SetRtt(uint32_t rttMs) {
	rttMs_ = rttMs;
	// RTT updates come with receiver reports, about once a second: a scan is cheap.
	nextDueMs_ = UINT64_MAX;
	for (const Missing& entry : missing_) {
		const uint64_t due = DueMs(entry);
		if (due < nextDueMs_) nextDueMs_ = due;
	}
}

uint64_t NackGenerator::NextTimeoutMs(uint64_t nowMs) const {
	if (missing_.empty()) return UINT64_MAX;
	return nextDueMs_ > nowMs ? nextDueMs_ : nowMs;
}

void NackGenerator::Reset() {
	started_ = false;
	highestSeq_ = 0;
	missing_.clear();
	nackList_.clear();
	nextDueMs_ = UINT64_MAX;
}

} // namespace mediaplane
