#include "RetransmissionBuffer.hpp"

namespace mediaplane {

RetransmissionBuffer::RetransmissionBuffer(size_t maxPackets, uint64_t maxAgeMs) : maxAgeMs_(maxAgeMs) {
	// Half the sequence space at most, so that a slot's seq is never ambiguous.
	size_t capacity = 1;
	while (capacity < maxPackets && capacity < 0x8000) capacity <<= 1;
	mask_ = capacity - 1;
}

bool RetransmissionBuffer::Store(const uint8_t* packet, size_t len, uint16_t seq, uint64_t nowMs) {
	if (len == 0 || len > kMaxPacketLength) return false;
	if (!slots_) slots_.reset(new Stored[mask_ + 1]);
	Stored& slot = slots_[seq & mask_];
	// Storage grows in 512-byte steps (audio slots stay small, a video slot settles
	// after one or two packets) and assign() then reuses it.
	if (slot.data.capacity() < len) {
		size_t rounded = (len + 511) & ~static_cast<size_t>(511);
		slot.data.reserve(rounded < kMaxPacketLength ? rounded : kMaxPacketLength);
	}
	slot.data.assign(packet, packet + len);
	slot.storedAtMs = nowMs;
	slot.lastResentMs = 0;
	slot.resendCount = 0;
	slot.seq = seq;
	slot.used = true;
	return true;
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
		slots_[i].data.clear(); // keeps capacity
	}
}

size_t RetransmissionBuffer::GetMemoryBytes() const {
	if (!slots_) return 0;
	size_t bytes = sizeof(Stored) * (mask_ + 1);
	for (size_t i = 0; i <= mask_; ++i) bytes += slots_[i].data.capacity();
	return bytes;
}

} // namespace mediaplane
