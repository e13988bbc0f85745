// SpscDatagramRing: the single-producer/single-consumer ring of an in-process pipe.
// Order, content and bounds on one thread; then two threads, where the consumer sleeps
// whenever the ring is empty and is woken only when a push reports it may be asleep: no
// datagram may be lost, reordered or stranded (a lost wake-up shows as a consumer that
// sleeps through its whole timeout with datagrams waiting).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "check.hpp"
#include "common/SpscDatagramRing.hpp"

using namespace mediaplane;
using PushResult = SpscDatagramRing::PushResult;

namespace {

// Datagram `index`: its length and bytes follow from the index.
size_t LengthOf(uint64_t index) { return 1 + (index * 7919) % SpscDatagramRing::kMaxDatagram; }

std::vector<uint8_t> DatagramOf(uint64_t index) {
	std::vector<uint8_t> bytes(LengthOf(index));
	for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(index * 31 + i);
	return bytes;
}

} // namespace

TEST(spsc_ring_order_content_and_bounds) {
	SpscDatagramRing ring(5); // rounds up to 8
	CHECK_EQ(ring.Capacity(), 8u);
	for (uint64_t i = 0; i < 8; ++i) {
		std::vector<uint8_t> d = DatagramOf(i);
		PushResult result = ring.Push(d.data(), d.size());
		CHECK(result == (i == 0 ? PushResult::QueuedWakeConsumer : PushResult::Queued));
	}
	std::vector<uint8_t> extra = DatagramOf(8);
	CHECK(ring.Push(extra.data(), extra.size()) == PushResult::Full);
	std::vector<uint8_t> huge(SpscDatagramRing::kMaxDatagram + 1, 1);
	CHECK(ring.Push(huge.data(), huge.size()) == PushResult::TooLarge);

	uint64_t next = 0;
	auto check = [&next](const uint8_t* data, size_t len) {
		std::vector<uint8_t> expected = DatagramOf(next++);
		CHECK_BYTES_EQ(data, len, expected.data(), expected.size());
	};
	CHECK_EQ(ring.Drain(check, 3), 3u);
	// Room again for 3: the producer sees it after re-reading the consumer's position.
	for (uint64_t i = 8; i < 11; ++i) {
		std::vector<uint8_t> d = DatagramOf(i);
		CHECK(ring.Push(d.data(), d.size()) == PushResult::Queued);
	}
	CHECK_EQ(ring.Drain(check, 100), 8u);
	CHECK_EQ(next, 11u);
	CHECK_EQ(ring.Drain(check, 100), 0u);
	// Empty again: the next push says the consumer may be asleep.
	std::vector<uint8_t> d = DatagramOf(11);
	CHECK(ring.Push(d.data(), d.size()) == PushResult::QueuedWakeConsumer);
	CHECK_EQ(ring.Drain(check, 100), 1u);
	// Zero-length datagrams are datagrams too.
	CHECK(ring.Push(nullptr, 0) == PushResult::QueuedWakeConsumer);
	size_t lengths = 99;
	CHECK_EQ(ring.Drain([&lengths](const uint8_t*, size_t len) { lengths = len; }, 1), 1u);
	CHECK_EQ(lengths, 0u);
}

TEST(spsc_ring_two_threads_no_loss_no_lost_wakeup) {
	constexpr uint64_t kCount = 200000;
	SpscDatagramRing ring(64);
	std::mutex mutex;
	std::condition_variable wake;
	bool woken = false;
	uint64_t wakeUps = 0;
	uint64_t fullRetries = 0;

	std::thread producer([&]() {
		for (uint64_t i = 0; i < kCount; ++i) {
			std::vector<uint8_t> d = DatagramOf(i);
			PushResult result;
			while ((result = ring.Push(d.data(), d.size())) == PushResult::Full) {
				++fullRetries;
				std::this_thread::yield();
			}
			if (result == PushResult::QueuedWakeConsumer) {
				std::lock_guard<std::mutex> lock(mutex);
				woken = true;
				++wakeUps;
				wake.notify_one();
			}
		}
	});

	uint64_t next = 0;
	uint64_t mismatches = 0;
	uint64_t sleptWithWork = 0;
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
	while (next < kCount && std::chrono::steady_clock::now() < deadline) {
		size_t got = ring.Drain(
		    [&](const uint8_t* data, size_t len) {
			    std::vector<uint8_t> expected = DatagramOf(next++);
			    if (len != expected.size() || std::memcmp(data, expected.data(), len) != 0) ++mismatches;
		    },
		    32);
		if (got > 0) continue;
		// Empty: sleep until woken, as a worker's loop would. A wake-up that was lost
		// leaves the consumer asleep for the whole 2 s with work waiting.
		std::unique_lock<std::mutex> lock(mutex);
		if (!wake.wait_for(lock, std::chrono::seconds(2), [&]() { return woken; })) {
			if (ring.Size() > 0) ++sleptWithWork;
		}
		woken = false;
	}
	producer.join();
	CHECK_EQ(next, kCount);
	CHECK_EQ(mismatches, 0u);
	CHECK_EQ(sleptWithWork, 0u);
	// Wake-ups only when the ring may have been empty, not per datagram.
	CHECK_LT(wakeUps, kCount);
	CHECK_GE(wakeUps, 1u);
}
