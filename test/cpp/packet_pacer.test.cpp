// PacketPacer: a transport's outgoing RTP paced while the path is congested.
#include <cstring>
#include <vector>

#include "check.hpp"
#include "transport/PacketPacer.hpp"

using namespace mediaplane;

namespace {
std::vector<uint8_t> PacketOf(size_t size, uint8_t tag) { return std::vector<uint8_t>(size, tag); }
} // namespace

TEST(pacer_without_a_rate_lets_everything_through) {
	PacketPacer pacer;
	for (int i = 0; i < 100; ++i) CHECK(pacer.TrySendNow(1200, 0));
	CHECK(pacer.IsEmpty());
	CHECK_EQ(pacer.NextDelayMs(0), -1);
}

TEST(pacer_spreads_a_key_frame_burst_at_its_rate_in_order) {
	PacketPacer pacer;
	pacer.SetRate(900000, 0); // 900 kbps: a 20 ms burst is 2250 bytes
	// A 24 kB key frame arrives in one go: what does not fit the budget waits, in order.
	int sentNow = 0;
	for (int i = 0; i < 20; ++i) {
		const std::vector<uint8_t> packet = PacketOf(1200, static_cast<uint8_t>(i));
		if (pacer.TrySendNow(packet.size(), 0)) {
			CHECK(pacer.IsEmpty()); // never overtakes a queued packet
			++sentNow;
		} else {
			REQUIRE(pacer.Enqueue(packet.data(), packet.size(), 1500, 1000 + i, false, 0));
		}
	}
	CHECK_LE(sentNow, 2);
	CHECK_EQ(pacer.GetQueuedPackets(), static_cast<size_t>(20 - sentNow));
	// A packet arriving while others wait queues behind them even if the budget allowed it.
	CHECK(!pacer.TrySendNow(100, 1000));
	// Drained on a 1 ms timer: the whole frame leaves at about 900 kbps, first in first out.
	int64_t now = 0;
	int expected = sentNow;
	int64_t lastAt = 0;
	PacketPacer::Packet packet;
	for (int steps = 0; steps < 1000 && !pacer.IsEmpty(); ++steps) {
		const int64_t delay = pacer.NextDelayMs(now);
		REQUIRE(delay >= 0);
		now += delay > 0 ? delay : 1;
		while (pacer.PopReady(now, packet)) {
			CHECK_EQ(packet.length, 1200u);
			CHECK_EQ(packet.data[0], expected);
			CHECK_EQ(packet.transportSequence, 1000 + expected);
			CHECK_GE(packet.capacity, 1200u + 16);
			++expected;
			lastAt = now;
			pacer.Recycle(packet);
		}
	}
	CHECK_EQ(expected, 20);
	// (20 - sent now) x 1200 bytes at 900 kbps, less one burst: 150..210 ms.
	CHECK_GT(lastAt, 150);
	CHECK_LT(lastAt, 215);
}

TEST(pacer_drains_within_its_queue_time_whatever_the_rate) {
	PacketPacer::Params params;
	params.maxQueueMs = 500;
	PacketPacer pacer(params);
	pacer.SetRate(50000, 0); // far too low for what comes: 120 kB would take 19 s at 50 kbps
	for (int i = 0; i < 100; ++i) {
		const std::vector<uint8_t> packet = PacketOf(1200, 1);
		if (!pacer.TrySendNow(packet.size(), 0)) REQUIRE(pacer.Enqueue(packet.data(), packet.size(), 1500, -1, true, 0));
	}
	int64_t now = 0;
	PacketPacer::Packet packet;
	for (int steps = 0; steps < 5000 && !pacer.IsEmpty(); ++steps) {
		now += 1;
		while (pacer.PopReady(now, packet)) {
			CHECK(packet.retransmission);
			pacer.Recycle(packet);
		}
	}
	CHECK(pacer.IsEmpty());
	CHECK_LT(now, 1000); // not 19 s
}

TEST(pacer_queue_is_bounded_and_flushes_when_the_rate_is_lifted) {
	PacketPacer::Params params;
	params.maxPackets = 10;
	PacketPacer pacer(params);
	pacer.SetRate(100000, 0);
	const std::vector<uint8_t> packet = PacketOf(1000, 7);
	int queued = 0;
	for (int i = 0; i < 20; ++i) {
		if (pacer.TrySendNow(packet.size(), 0)) continue;
		if (pacer.Enqueue(packet.data(), packet.size(), 1100, -1, false, 0)) ++queued;
	}
	CHECK_EQ(queued, 10); // the rest is refused: the caller sends it at once
	CHECK(!pacer.Enqueue(packet.data(), 0, 100, -1, false, 0));    // empty
	CHECK(!pacer.Enqueue(packet.data(), 1000, 999, -1, false, 0)); // capacity below length
	pacer.SetRate(0, 1);
	CHECK_EQ(pacer.NextDelayMs(1), 0);
	PacketPacer::Packet out;
	int popped = 0;
	while (pacer.PopReady(1, out)) {
		++popped;
		pacer.Recycle(out);
	}
	CHECK_EQ(popped, 10);
	CHECK_EQ(pacer.GetQueuedBytes(), 0u);
}
