#include "BitrateAllocator.hpp"

#include <algorithm>
#include <numeric>

namespace mediaplane {

void BitrateAllocator::Allocate(uint32_t budget, uint32_t fixed, std::vector<Entry>& entries) {
	int64_t remaining = static_cast<int64_t>(budget) - fixed;
	// Everyone gets their lowest option: a layered consumer is never starved entirely.
	for (Entry& entry : entries) {
		entry.chosen = entry.options.empty() ? -1 : 0;
		if (entry.chosen == 0) remaining -= entry.options[0].bitrate;
	}
	// Higher priorities first within each round.
	std::vector<size_t> order(entries.size());
	std::iota(order.begin(), order.end(), 0);
	std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return entries[a].priority > entries[b].priority; });
	for (bool progressed = true; progressed && remaining > 0;) {
		progressed = false;
		for (size_t index : order) {
			Entry& entry = entries[index];
			for (int step = 0; step < std::max(1, entry.priority); ++step) {
				if (entry.chosen < 0 || static_cast<size_t>(entry.chosen) + 1 >= entry.options.size()) break;
				const int64_t extra = static_cast<int64_t>(entry.options[entry.chosen + 1].bitrate) -
				                      entry.options[entry.chosen].bitrate;
				if (extra > remaining) break;
				remaining -= extra;
				++entry.chosen;
				progressed = true;
			}
		}
	}
}

} // namespace mediaplane
