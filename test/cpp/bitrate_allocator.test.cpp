// BitrateAllocator: a transport's available bitrate shared among its consumers (issue
// 12): non-layered consumers' rate comes off the top, every layered consumer keeps its
// lowest layer, upgrades go in rounds weighted by priority while they fit.
#include "check.hpp"
#include "transport/BitrateAllocator.hpp"

using namespace mediaplane;
using Entry = BitrateAllocator::Entry;

namespace {

// A 3x3 simulcast ladder: spatial s costs base[s] scaled by temporal layers 50/75/100%.
Entry Simulcast(int priority) {
	Entry entry;
	entry.priority = priority;
	const uint32_t base[3] = { 150000, 500000, 1500000 };
	for (int s = 0; s < 3; ++s) {
		for (int t = 0; t < 3; ++t) entry.options.push_back({ s, t, base[s] * (2 + t) / 4 });
	}
	return entry;
}

const BitrateAllocator::Option& Chosen(const Entry& entry) { return entry.options[entry.chosen]; }

} // namespace

TEST(allocator_gives_everything_on_a_wide_link) {
	std::vector<Entry> entries = { Simulcast(1) };
	BitrateAllocator::Allocate(10000000, 100000, entries);
	CHECK_EQ(Chosen(entries[0]).spatialLayer, 2);
	CHECK_EQ(Chosen(entries[0]).temporalLayer, 2);
}

TEST(allocator_steps_down_to_what_fits) {
	std::vector<Entry> entries = { Simulcast(1) };
	// 600 kbps minus 50 kbps of audio: spatial 1 at 75% (375 kbps) fits, 100% (500) does not.
	BitrateAllocator::Allocate(600000, 50000, entries);
	CHECK_EQ(Chosen(entries[0]).spatialLayer, 1);
	CHECK_EQ(Chosen(entries[0]).temporalLayer, 2);
	BitrateAllocator::Allocate(300000, 50000, entries);
	CHECK_EQ(Chosen(entries[0]).spatialLayer, 1);
	CHECK_EQ(Chosen(entries[0]).temporalLayer, 0);
}

TEST(allocator_keeps_the_lowest_layer_even_without_budget) {
	std::vector<Entry> entries = { Simulcast(1), Simulcast(1) };
	BitrateAllocator::Allocate(100000, 200000, entries);
	CHECK_EQ(entries[0].chosen, 0);
	CHECK_EQ(entries[1].chosen, 0);
}

TEST(allocator_favours_higher_priority_and_swaps_with_it) {
	std::vector<Entry> entries = { Simulcast(5), Simulcast(1) };
	BitrateAllocator::Allocate(1200000, 0, entries);
	const auto& high = Chosen(entries[0]);
	const auto& low = Chosen(entries[1]);
	CHECK(high.spatialLayer > low.spatialLayer || (high.spatialLayer == low.spatialLayer && high.temporalLayer >= low.temporalLayer));
	CHECK(high.bitrate > low.bitrate);
	entries[0].priority = 1;
	entries[1].priority = 5;
	BitrateAllocator::Allocate(1200000, 0, entries);
	CHECK(Chosen(entries[1]).bitrate > Chosen(entries[0]).bitrate);
	// The total never exceeds the budget beyond the lowest layers.
	CHECK_LE(Chosen(entries[0]).bitrate + Chosen(entries[1]).bitrate, 1200000u);
}

TEST(allocator_skips_consumers_with_nothing_received) {
	std::vector<Entry> entries(2);
	entries[1] = Simulcast(1);
	BitrateAllocator::Allocate(5000000, 0, entries);
	CHECK_EQ(entries[0].chosen, -1);
	CHECK_EQ(Chosen(entries[1]).spatialLayer, 2);
}
