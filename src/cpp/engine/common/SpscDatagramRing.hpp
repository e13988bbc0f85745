#pragma once
// A bounded, lock-free ring of datagrams from exactly one producer thread to exactly one
// consumer thread: the carrier of an in-process pipe between two workers (issue 15),
// where a packet crosses from one worker thread to another with no socket, no syscall
// and no allocation.
//
// Each slot holds one datagram of up to kMaxDatagram bytes, copied in by the producer and
// read in place by the consumer (a 1,200-byte copy costs tens of nanoseconds; sharing a
// buffer instead would need an atomic reference count per packet and a free on the
// other thread, which costs as much and ties the two threads' allocators together).
//
// Wake-ups: the consumer sleeps in its event loop, and waking it costs a syscall
// (uv_async_send: an eventfd write), so the producer wakes it only when the ring may
// have been empty, which Push() reports. The rule that keeps a wake-up from being lost:
// the producer publishes its item and then reads the consumer's position; the consumer
// publishes its position and then reads the producer's (both sequentially consistent).
// Either the consumer sees the new item before it stops, or the producer sees that the
// consumer had caught up and wakes it (sometimes both: a spurious wake-up is harmless).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace mediaplane {

class SpscDatagramRing {
public:
	// The largest datagram a slot holds: an Ethernet-MTU RTP packet, an SCTP packet.
	static constexpr size_t kMaxDatagram = 2040;

	// `slots` is rounded up to a power of two (at least 2).
	explicit SpscDatagramRing(size_t slots);

	SpscDatagramRing(const SpscDatagramRing&) = delete;
	SpscDatagramRing& operator=(const SpscDatagramRing&) = delete;

	enum class PushResult {
		Queued,             // queued behind others: the consumer is awake or will be
		QueuedWakeConsumer, // queued, and the consumer may be asleep: wake it
		Full,               // dropped: the ring is full
		TooLarge,           // dropped: longer than kMaxDatagram
	};
	// Producer thread only.
	PushResult Push(const uint8_t* data, size_t len);

	// Consumer thread only. Calls onDatagram(data, len) for up to `max` datagrams, in the
	// order they were pushed; `data` (uint8_t*) is valid during the call only and may be
	// modified in place (SRTP decrypts in place). Returns how many it delivered; 0 means the ring was empty
	// and the consumer may sleep (the next Push reports QueuedWakeConsumer).
	template <typename F>
	size_t Drain(F&& onDatagram, size_t max) {
		size_t delivered = 0;
		uint64_t head = head_.load(std::memory_order_relaxed);
		uint64_t tail = tail_.load(std::memory_order_acquire);
		while (delivered < max) {
			if (head == tail) {
				// Caught up. Publish that (seq_cst), then look at the producer's position
				// again (seq_cst): this store-then-load pairs with Push's, so either this
				// load sees a datagram pushed meanwhile or that Push sees head == its
				// tail and wakes the consumer. One fence per drained batch, not per
				// datagram.
				head_.store(head, std::memory_order_seq_cst);
				tail = tail_.load(std::memory_order_seq_cst);
				if (head == tail) break;
			}
			Slot& slot = slots_[head & mask_];
			onDatagram(slot.bytes, static_cast<size_t>(slot.length));
			++head;
			++delivered;
			// release: the slot is the producer's again once it sees this.
			head_.store(head, std::memory_order_release);
		}
		// Stopped at `max`: publish the position seq_cst too, so that a caller which next
		// stores a "may block" flag and checks IsEmpty() (InProcessPipeLink) is ordered
		// against Push's seq_cst read of head_ as on the caught-up path (one fence per
		// `max` datagrams).
		if (delivered == max) head_.store(head, std::memory_order_seq_cst);
		return delivered;
	}

	// Consumer thread only: whether the producer has published nothing the consumer has
	// not read. A seq_cst load, for a consumer that published something (a "may block"
	// flag) just before and must not miss a datagram pushed meanwhile.
	bool IsEmpty() const {
		return tail_.load(std::memory_order_seq_cst) == head_.load(std::memory_order_relaxed);
	}

	size_t Capacity() const { return mask_ + 1; }
	// Approximate (the other thread moves it): for stats and tests.
	size_t Size() const {
		return static_cast<size_t>(tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire));
	}

private:
	struct Slot {
		uint32_t length;
		uint8_t bytes[kMaxDatagram];
	};

	size_t mask_;
	std::unique_ptr<Slot[]> slots_;
	// Each index on its own cache line: the two threads write one each.
	alignas(64) std::atomic<uint64_t> head_{ 0 }; // next slot to read (consumer)
	alignas(64) std::atomic<uint64_t> tail_{ 0 }; // next slot to write (producer)
	alignas(64) uint64_t cachedHead_ = 0;          // producer's last view of head_
};

} // namespace mediaplane
