#include "RetransmissionBuffer.hpp"

#include <cstring>

namespace mediaplane {

RetransmissionBuffer::RetransmissionBuffer(size_t maxPackets, uint64_t maxAgeMs) : maxAgeMs_(maxAgeMs) {
	// Half the sequence space at most, so that a slot's seq is never ambiguous.
	size_t capacity = 1;
	while (capacity < maxPackets && capacity < 0x8000) capacity <<= 1;
	maxCapacity_ = capacity;
}

void RetransmissionBuffer::Grow() {
	const size_t oldCapacity = mask_ + 1;
	const size_t newCapacity = oldCapacity * 2;
	std::unique_ptr<Stored[]> slots(new Stored[newCapacity]);
	// Distinct old slots stay distinct: their numbers differ in the low bits already.
	for (size_t i = 0; i < oldCapacity; ++i) {
		Stored& old = slots_[i];
		slots[old.seq & (newCapacity - 1)] = std::move(old);
	}
	slots_ = std::move(slots);
	mask_ = newCapacity - 1;
}

bool RetransmissionBuffer::Store(const uint8_t* packet, size_t len, uint16_t seq, uint64_t nowMs,
                                 const SharedPacketBytes* tail) {
	if (len == 0 || len > kMaxPacketLength) return false;
	const size_t tailLength = tail && tail->GetLength() <= len ? tail->GetLength() : 0;
	const size_t headLength = len - tailLength;
	if (!slots_) {
		const size_t capacity = maxCapacity_ < kInitialCapacity ? maxCapacity_ : kInitialCapacity;
		slots_.reset(new Stored[capacity]);
		mask_ = capacity - 1;
	}
	// A packet still young enough to be asked for would be overwritten: the stream
	// sends more than the ring holds within the maximum age.
	while (mask_ + 1 < maxCapacity_) {
		const Stored& occupant = slots_[seq & mask_];
		if (!occupant.used || occupant.seq == seq || nowMs < occupant.storedAtMs || nowMs - occupant.storedAtMs > maxAgeMs_) break;
		Grow();
	}
	Stored& slot = slots_[seq & mask_];
	// Head storage grows in 64-byte steps (a header with extensions settles at once; a
	// whole packet, without a tail, after one or two) and assign() then reuses it.
	if (slot.head.capacity() < headLength) {
		size_t rounded = (headLength + 63) & ~static_cast<size_t>(63);
		slot.head.reserve(rounded < kMaxPacketLength ? rounded : kMaxPacketLength);
	}
	slot.head.assign(packet, packet + headLength);
	if (tailLength > 0) slot.tail = *tail;
	else slot.tail.Reset();
	slot.storedAtMs = nowMs;
	slot.lastResentMs = 0;
	slot.resendCount = 0;
	slot.seq = seq;
	slot.used = true;
	return true;
}

void RetransmissionBuffer::Stored::CopyTo(uint8_t* out) const {
	if (!head.empty()) std::memcpy(out, head.data(), head.size());
	if (!tail.IsEmpty()) std::memcpy(out + head.size(), tail.GetData(), tail.GetLength());
}

const RetransmissionBuffer::Stored* RetransmissionBuffer::Get(uint16_t seq, uint64_t nowMs) const {
	const Stored* slot = Slot(seq);
	if (!slot || !slot->used || slot->seq != seq) return nullptr;
	// A clock that went backwards (it does not, on the loop clock) counts as fresh.
	if (nowMs > slot->storedAtMs && nowMs - slot->storedAtMs > maxAgeMs_) return nullptr;
	return slot;
}

void RetransmissionBuffer::MarkResent(uint16_t seq, uint64_t nowMs) {
	Stored* slot = Slot(seq);
	if (!slot || !slot->used || slot->seq != seq) return;
	slot->lastResentMs = nowMs;
	++slot->resendCount;
}

void RetransmissionBuffer::Clear() {
	if (!slots_) return;
	for (size_t i = 0; i <= mask_; ++i) {
		slots_[i].used = false;
		slots_[i].head.clear(); // keeps capacity
		slots_[i].tail.Reset();
	}
}

size_t RetransmissionBuffer::GetMemoryBytes() const {
	if (!slots_) return 0;
	size_t bytes = sizeof(Stored) * (mask_ + 1);
	for (size_t i = 0; i <= mask_; ++i) bytes += slots_[i].head.capacity();
	return bytes;
}

} // namespace mediaplane
