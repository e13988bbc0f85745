#include "SpscDatagramRing.hpp"

namespace mediaplane {

namespace {

size_t RoundUpToPowerOfTwo(size_t value) {
	size_t power = 2;
	while (power < value) power <<= 1;
	return power;
}

} // namespace

SpscDatagramRing::SpscDatagramRing(size_t slots)
    : mask_(RoundUpToPowerOfTwo(slots) - 1), slots_(new Slot[mask_ + 1]) {}

SpscDatagramRing::PushResult SpscDatagramRing::Push(const uint8_t* data, size_t len) {
	if (len > kMaxDatagram) return PushResult::TooLarge;
	const uint64_t tail = tail_.load(std::memory_order_relaxed);
	// Only re-read the consumer's position when the cached one says "full".
	if (tail - cachedHead_ > mask_) {
		cachedHead_ = head_.load(std::memory_order_acquire);
		if (tail - cachedHead_ > mask_) return PushResult::Full;
	}
	Slot& slot = slots_[tail & mask_];
	slot.length = static_cast<uint32_t>(len);
	if (len > 0) std::memcpy(slot.bytes, data, len); // (memcpy from null is undefined even for 0 bytes)
	// seq_cst store then seq_cst load: see the header on lost wake-ups.
	tail_.store(tail + 1, std::memory_order_seq_cst);
	const uint64_t head = head_.load(std::memory_order_seq_cst);
	cachedHead_ = head;
	// head == tail: the consumer had read everything before this datagram, so it may
	// have stopped draining and be asleep.
	return head == tail ? PushResult::QueuedWakeConsumer : PushResult::Queued;
}

} // namespace mediaplane
