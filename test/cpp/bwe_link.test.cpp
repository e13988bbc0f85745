// SendSideEstimator against a simulated bottleneck link (bwe_simulation.hpp): a queue
// drained at the link capacity with 25 ms propagation and drop-tail at 100 ms,
// feedback every 50 ms, media at the target rate in 1200-byte packets sent in 5 ms
// bursts, probe clusters sent as paced padding, arrival times in 250 us units. Each
// scenario prints its trace as "# t=.. est=.." lines and its measured figures.
// Measured (deterministic; default parameters):
//   2 Mbps from 300 kbps: 85% reached at 0.17 s (start probes 0.9/1.8 Mbps, then 3.6);
//     10..30 s mean 91% (83..98%), no packet dropped
//   feedback every 100 ms: mean 90%; 0..10 ms jitter: mean 87%
//   2 Mbps -> 600 kbps: below 700 kbps 0.28 s after the step, then mean 93% (84..105%)
//   600 kbps -> 2 Mbps: >= 1.5 Mbps 2.83 s after the step (the next periodic probe;
//     at most ~5 s), then mean 90%
//   5% random loss: mean 73%, never below 70%; 20%: 1.5 Mbps -> 260 kbps in 10 s
//   reordered / duplicated feedback: mean 93% / 91%; wrap-around from 65000: 91%
//   without probing: 85% of 2 Mbps after 36 s (loss-based +5%/s limits the ramp)
//   app-limited at 800 kbps on 2 Mbps: the start probes show 2 Mbps, which stands
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

TEST(feedback_every_100ms_and_jitter) {
	{
		LinkSimulation::Config config;
		config.capacityBps = 2e6;
		config.feedbackIntervalMs = 100;
		LinkSimulation sim(config);
		Window late;
		sim.RunUntil(30000, [&](LinkSimulation& s) {
			if (s.nowMs >= 10000) late.Add(s.Estimate());
		});
		std::printf("# feedback every 100 ms: 10..30 s mean %.0f (%.0f%%), min %u, max %u\n", late.Mean(),
		            100 * late.Mean() / 2e6, late.min, late.max);
		CHECK_GE(late.Mean(), 0.85 * 2e6);
		CHECK_LE(late.Mean(), 1.10 * 2e6);
	}
	{
		// Up to 10 ms of random extra delay per packet (order kept): the estimator must
		// not take jitter for congestion and collapse.
		LinkSimulation::Config config;
		config.capacityBps = 2e6;
		config.jitterUs = 10000;
		config.seed = 3;
		LinkSimulation sim(config);
		Window late;
		sim.RunUntil(30000, [&](LinkSimulation& s) {
			Trace("jitter", s, 2000);
			if (s.nowMs >= 10000) late.Add(s.Estimate());
		});
		std::printf("# jitter 0..10 ms: 10..30 s mean %.0f (%.0f%%), min %u, max %u\n", late.Mean(),
		            100 * late.Mean() / 2e6, late.min, late.max);
		CHECK_GE(late.Mean(), 0.7 * 2e6);
		CHECK_LE(late.Mean(), 1.10 * 2e6);
	}
}

TEST(step_down_2mbps_to_600kbps) {
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.initialBps = 300000;
	LinkSimulation sim(config);
	sim.RunUntil(15000, [](LinkSimulation& s) { Trace("down", s, 1000); });
	CHECK_GE(sim.Estimate(), 1.2e6); // converged before the step
	sim.capacityBps = 600000;
	const int64_t stepMs = sim.nowMs;
	int64_t belowMs = -1;
	Window settled;
	const uint64_t droppedBefore = sim.droppedPackets;
	sim.RunUntil(stepMs + 20000, [&](LinkSimulation& s) {
		Trace("down", s, 250);
		if (belowMs < 0 && s.Estimate() < 700000) belowMs = s.nowMs - stepMs;
		if (s.nowMs >= stepMs + 5000) settled.Add(s.Estimate());
	});
	std::printf("# step down: below 700 kbps %.2f s after the step; +5..+20 s: mean %.0f (%.0f%% of 600 kbps), "
	            "min %u, max %u; %llu packets dropped after the step\n",
	            belowMs / 1000.0, settled.Mean(), 100 * settled.Mean() / 600000, settled.min, settled.max,
	            (unsigned long long)(sim.droppedPackets - droppedBefore));
	CHECK_GE(belowMs, 0);
	CHECK_LE(belowMs, 3000);
	CHECK_GE(settled.Mean(), 0.75 * 600000);
	CHECK_LE(settled.Mean(), 1.25 * 600000);
}

TEST(step_up_600kbps_to_2mbps_with_probing) {
	LinkSimulation::Config config;
	config.capacityBps = 600000;
	config.initialBps = 300000;
	LinkSimulation sim(config);
	Window before;
	// The step falls between two periodic probes (5 s apart).
	sim.RunUntil(17300, [&](LinkSimulation& s) {
		Trace("up", s, 1000);
		if (s.nowMs >= 5000) before.Add(s.Estimate());
	});
	std::printf("# step up: before the step (5..17.3 s) mean %.0f (%.0f%% of 600 kbps), min %u, max %u\n", before.Mean(),
	            100 * before.Mean() / 600000, before.min, before.max);
	CHECK_GE(before.Mean(), 0.75 * 600000);
	CHECK_LE(before.Mean(), 1.25 * 600000);
	sim.capacityBps = 2e6;
	const int64_t stepMs = sim.nowMs;
	const uint64_t probesBefore = sim.probeClusters;
	int64_t reachedMs = -1;
	Window settled;
	sim.RunUntil(stepMs + 20000, [&](LinkSimulation& s) {
		Trace("up", s, 250);
		if (reachedMs < 0 && s.Estimate() >= 1.5e6) reachedMs = s.nowMs - stepMs;
		if (s.nowMs >= stepMs + 10000) settled.Add(s.Estimate());
	});
	std::printf("# step up: >= 1.5 Mbps %.2f s after the step (%llu probe clusters); +10..+20 s: mean %.0f (%.0f%% of 2 "
	            "Mbps)\n",
	            reachedMs / 1000.0, (unsigned long long)(sim.probeClusters - probesBefore), settled.Mean(),
	            100 * settled.Mean() / 2e6);
	CHECK_GE(reachedMs, 0);
	CHECK_LE(reachedMs, 10000);
	CHECK_GE(settled.Mean(), 0.8 * 2e6);
}

TEST(random_5_percent_loss_does_not_collapse) {
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.randomLoss = 0.05;
	config.seed = 7;
	LinkSimulation sim(config);
	Window late;
	sim.RunUntil(30000, [&](LinkSimulation& s) {
		Trace("loss5", s, 1000);
		if (s.nowMs >= 10000) late.Add(s.Estimate());
	});
	std::printf("# 5%% random loss: 10..30 s mean %.0f (%.0f%% of 2 Mbps), min %u\n", late.Mean(),
	            100 * late.Mean() / 2e6, late.min);
	// 0.5: the periodic probes are 100 ms clusters at 2 x the estimate (ProbeController's
	// longDurationMs), which overflow this link's queue and add loss of their own; with
	// 15 ms clusters the minimum was 70%. (The transport itself sends no periodic probes
	// while losses are over 2%: this simulation drives the estimator alone.)
	CHECK_GE(late.min, 0.5 * 2e6);
	CHECK_GE(late.Mean(), 0.6 * 2e6);
}

TEST(random_20_percent_loss_decreases) {
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.initialBps = 1500000;
	config.randomLoss = 0.20;
	config.seed = 11;
	LinkSimulation sim(config);
	sim.RunUntil(10000, [&](LinkSimulation& s) { Trace("loss20", s, 1000); });
	std::printf("# 20%% random loss: estimate %u after 10 s (start 1.5 Mbps)\n", sim.Estimate());
	CHECK_LT(sim.Estimate(), 750000);
	CHECK_GE(sim.Estimate(), config.minBps);
}

TEST(reordered_and_duplicated_feedback_still_converge) {
	for (int variant = 0; variant < 3; ++variant) {
		LinkSimulation::Config config;
		config.capacityBps = 2e6;
		config.reorderFeedback = variant != 1;
		config.duplicateFeedback = variant != 0;
		LinkSimulation sim(config);
		Window late;
		sim.RunUntil(25000, [&](LinkSimulation& s) {
			if (s.nowMs >= 10000) late.Add(s.Estimate());
		});
		std::printf("# feedback %s%s: 10..25 s mean %.0f (%.0f%%), min %u, max %u\n",
		            config.reorderFeedback ? "reordered" : "", config.duplicateFeedback ? " duplicated" : "", late.Mean(),
		            100 * late.Mean() / 2e6, late.min, late.max);
		CHECK_GE(late.Mean(), 0.8 * 2e6);
		CHECK_LE(late.Mean(), 1.1 * 2e6);
	}
}

TEST(sequence_wraparound_from_65000) {
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.firstSequence = 65000;
	LinkSimulation sim(config);
	Window late;
	// 2 Mbps in 1200-byte packets is ~210 packets/s: the numbers wrap after ~3 s and
	// again after ~5 min; check across the first wrap.
	sim.RunUntil(20000, [&](LinkSimulation& s) {
		if (s.nowMs >= 8000) late.Add(s.Estimate());
	});
	std::printf("# wrap-around: %llu packets sent from 65000; 8..20 s mean %.0f (%.0f%%)\n",
	            (unsigned long long)sim.sentPackets, late.Mean(), 100 * late.Mean() / 2e6);
	CHECK_GT(sim.sentPackets, 1000u);
	CHECK_GE(late.Mean(), 0.8 * 2e6);
	CHECK_LE(late.Mean(), 1.1 * 2e6);
}

TEST(bitrate_limits_are_respected) {
	{
		LinkSimulation::Config config;
		config.capacityBps = 2e6;
		config.maxBps = 1000000;
		LinkSimulation sim(config);
		uint32_t highest = 0;
		sim.RunUntil(15000, [&](LinkSimulation& s) { highest = std::max(highest, s.Estimate()); });
		CHECK_LE(highest, 1000000u);
		CHECK_GE(sim.Estimate(), 900000u);
		// Lowered while running: follows at once.
		CHECK(sim.estimator.SetBitrateLimits(100000, 500000));
		CHECK_LE(sim.Estimate(), 500000u);
		sim.RunUntil(20000, [&](LinkSimulation& s) { CHECK_LE(s.Estimate(), 500000u); });
		// Inconsistent limits are refused and change nothing.
		CHECK(!sim.estimator.SetBitrateLimits(600000, 500000));
		CHECK(!sim.estimator.SetBitrateLimits(0, 0));
		CHECK_EQ(sim.estimator.GetTraceInfo(sim.nowMs).maxBitrate, 500000u);
		CHECK_EQ(sim.estimator.GetTraceInfo(sim.nowMs).minBitrate, 100000u);
		// No minimum: the floor.
		CHECK(sim.estimator.SetBitrateLimits(0, 500000));
		CHECK_EQ(sim.estimator.GetTraceInfo(sim.nowMs).minBitrate, bwe::SendSideEstimator::kFloorBps);
		CHECK(sim.estimator.SetBitrateLimits(0, 5000));
		CHECK_EQ(sim.estimator.GetTraceInfo(sim.nowMs).minBitrate, 5000u);
		CHECK_EQ(sim.Estimate(), 5000u);
	}
	{
		LinkSimulation::Config config;
		config.capacityBps = 300000;
		config.minBps = 500000;
		config.initialBps = 600000;
		LinkSimulation sim(config);
		uint32_t lowest = UINT32_MAX;
		sim.RunUntil(10000, [&](LinkSimulation& s) { lowest = std::min(lowest, s.Estimate()); });
		std::printf("# min 500 kbps on a 300 kbps link: lowest estimate %u\n", lowest);
		CHECK_GE(lowest, 500000u);
	}
}

TEST(without_probing_the_ramp_is_gradual) {
	// The engine may not fulfil probes (or the path drops padding): the estimate still
	// gets there, at the loss-based controller's +5% per second (the delay-based AIMD
	// alone would allow +8%).
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.initialBps = 300000;
	config.probing = false;
	LinkSimulation sim(config);
	int64_t reachedMs = -1;
	Window late;
	sim.RunUntil(70000, [&](LinkSimulation& s) {
		Trace("noprobe", s, 5000);
		if (reachedMs < 0 && s.Estimate() >= 0.85 * config.capacityBps) reachedMs = s.nowMs;
		if (s.nowMs >= 50000) late.Add(s.Estimate());
	});
	std::printf("# no probing: reached 85%% of 2 Mbps at %.2f s; 50..70 s mean %.0f (%.0f%%)\n", reachedMs / 1000.0,
	            late.Mean(), 100 * late.Mean() / 2e6);
	CHECK_GE(reachedMs, 0);
	CHECK_LE(reachedMs, 50000);
	CHECK_GE(late.Mean(), 0.85 * 2e6);
	CHECK_LE(late.Mean(), 1.10 * 2e6);
}

TEST(application_limited_sender_keeps_a_bounded_estimate) {
	// The consumers only want 800 kbps on a 2 Mbps link: the estimate may exceed what is
	// sent (so an upgrade can start) but stays bounded: at most 1.5 x the acknowledged
	// rate or what probes (up to 2 x desired) showed, and probing stays within 2 x desired.
	LinkSimulation::Config config;
	config.capacityBps = 2e6;
	config.initialBps = 300000;
	config.desiredBps = 800000;
	config.mediaLimitBps = 800000;
	LinkSimulation sim(config);
	uint32_t highest = 0;
	Window late;
	sim.RunUntil(30000, [&](LinkSimulation& s) {
		Trace("applimited", s, 2000);
		highest = std::max(highest, s.Estimate());
		if (s.nowMs >= 10000) late.Add(s.Estimate());
	});
	std::printf("# app-limited at 800 kbps on 2 Mbps: 10..30 s mean %.0f, max %u; %llu probe clusters, %llu dropped\n",
	            late.Mean(), highest, (unsigned long long)sim.probeClusters, (unsigned long long)sim.droppedPackets);
	CHECK_GE(late.min, 800000u); // never below what is actually getting through
	CHECK_LE(highest, 2000000u); // 2 x desired caps the probes; 1.5 x acked the AIMD
	CHECK_EQ(sim.droppedPackets, 0u);
}
