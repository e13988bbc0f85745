// SendSideEstimator against a simulated bottleneck link (bwe_simulation.hpp): a queue
// drained at the link capacity with 25 ms propagation and drop-tail at 100 ms,
// feedback every 50 ms, media at the target rate in 1200-byte packets sent in 5 ms
// bursts, probe clusters sent as paced padding. Each scenario prints its trace as
// "# t=.. est=.." lines and its measured convergence figures.
#include <cmath>
#include <cstdio>

#include "bwe_simulation.hpp"
#include "check.hpp"

using namespace mediaplane;
using mediaplane::test::LinkSimulation;

namespace {

void Trace(const char* name, LinkSimulation& sim, int64_t everyMs = 500) {
	if (sim.nowMs % everyMs != 0) return;
	std::printf("# %s t=%.1f est=%u acked=%u delay=%u loss=%u cap=%.0f\n", name, sim.nowMs / 1000.0, sim.Estimate(),
	            sim.estimator.GetAcknowledgedBitrateBps(), sim.estimator.GetDelayBasedBitrateBps(),
	            sim.estimator.GetLossBasedBitrateBps(), sim.capacityBps);
}

struct Window {
	double sum = 0;
	uint64_t count = 0;
	uint32_t min = UINT32_MAX;
	uint32_t max = 0;
	void Add(uint32_t value) {
		sum += value;
		++count;
		min = std::min(min, value);
		max = std::max(max, value);
	}
	double Mean() const { return count ? sum / count : 0; }
};

} // namespace

TEST(steady_2mbps_from_300kbps_converges) {
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.initialBps = 300000;
	LinkSimulation sim(config);
	int64_t reachedMs = -1;
	Window late;
	sim.RunUntil(30000, [&](LinkSimulation& s) {
		Trace("steady", s);
		if (reachedMs < 0 && s.Estimate() >= 0.85 * config.capacityBps) reachedMs = s.nowMs;
		if (s.nowMs >= 10000) late.Add(s.Estimate());
	});
	std::printf("# steady: reached 85%% of 2 Mbps at %.2f s; 10..30 s: mean %.0f (%.0f%%), min %u, max %u; "
	            "%llu probe clusters, %llu of %llu packets dropped\n",
	            reachedMs / 1000.0, late.Mean(), 100 * late.Mean() / config.capacityBps, late.min, late.max,
	            (unsigned long long)sim.probeClusters, (unsigned long long)sim.droppedPackets,
	            (unsigned long long)sim.sentPackets);
	CHECK_GE(reachedMs, 0);
	CHECK_LE(reachedMs, 10000);
	CHECK_GE(late.Mean(), 0.85 * config.capacityBps);
	CHECK_LE(late.Mean(), 1.10 * config.capacityBps);
	CHECK_GE(late.min, 0.6 * config.capacityBps);
}
