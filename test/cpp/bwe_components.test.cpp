// Unit tests of the send-side bandwidth estimator's parts (src/cpp/engine/bwe), each
// with synthetic inputs and a fake clock: sent packet history (wrap-around, duplicate,
// reordered, late and unknown feedback), over-use detector, trendline, AIMD rate
// control, acknowledged bitrate, loss-based controller, probe bitrate estimation and
// probing policy, and the SendSideEstimator facade's REMB mode, trace and timeout.
#include <cmath>
#include <cstdio>
#include <vector>

#include "bwe/AcknowledgedBitrateEstimator.hpp"
#include "bwe/AimdRateControl.hpp"
#include "bwe/LossBasedController.hpp"
#include "bwe/OveruseDetector.hpp"
#include "bwe/ProbeBitrateEstimator.hpp"
#include "bwe/ProbeController.hpp"
#include "bwe/SendSideEstimator.hpp"
#include "bwe/SentPacketHistory.hpp"
#include "bwe/TrendlineEstimator.hpp"
#include "check.hpp"

using namespace mediaplane;
using namespace mediaplane::bwe;

namespace {

TransportCcFeedback MakeFeedback(uint16_t base, const std::vector<int64_t>& arrivalsUs) {
	// arrivalsUs[i] < 0: not received.
	TransportCcFeedback feedback;
	feedback.baseSequenceNumber = base;
	for (int64_t arrival : arrivalsUs) {
		TransportCcFeedback::PacketStatus status;
		status.received = arrival >= 0;
		status.arrivalUs = arrival >= 0 ? arrival : 0;
		feedback.packets.push_back(status);
	}
	return feedback;
}

} // namespace

// ---- SentPacketHistory ----

TEST(history_reports_sent_packets_across_wraparound) {
	SentPacketHistory history;
	for (int i = 0; i < 10; ++i) {
		history.OnPacketSent(static_cast<uint16_t>(65530 + i), 1000 + i, 100 + i, i == 3, i == 5 ? 7 : -1);
	}
	std::vector<PacketResult> results;
	std::vector<int64_t> arrivals;
	for (int i = 0; i < 10; ++i) arrivals.push_back(i == 2 ? -1 : 5000 + i * 1000);
	CHECK_EQ(history.OnFeedback(MakeFeedback(65530, arrivals), results), 10u);
	REQUIRE_EQ(results.size(), 10u);
	for (int i = 0; i < 10; ++i) {
		CHECK_EQ(results[i].sequenceNumber, 65530 + i); // unwrapped: 65536.. after the wrap
		CHECK_EQ(results[i].sizeBytes, 1000u + i);
		CHECK_EQ(results[i].sendTimeMs, 100 + i);
		CHECK_EQ(results[i].received, i != 2);
	}
	CHECK(results[3].isRetransmission);
	CHECK_EQ(results[5].probeClusterId, 7);
	CHECK_EQ(results[4].probeClusterId, -1);
	CHECK_EQ(results[9].arrivalUs, 14000);
	CHECK_EQ(history.GetBytesInFlight(), 0);
}

TEST(history_counts_a_packet_once_and_accepts_late_receipts) {
	SentPacketHistory history;
	for (int i = 0; i < 6; ++i) history.OnPacketSent(static_cast<uint16_t>(100 + i), 1200, i, false, -1);
	CHECK_EQ(history.GetBytesInFlight(), 6 * 1200);
	std::vector<PacketResult> results;
	// 100..103: 101 lost.
	CHECK_EQ(history.OnFeedback(MakeFeedback(100, { 1000, -1, 3000, 4000 }), results), 4u);
	// The same feedback again (duplicated): nothing new.
	CHECK_EQ(history.OnFeedback(MakeFeedback(100, { 1000, -1, 3000, 4000 }), results), 0u);
	// A later feedback overlapping it (reordered/late): 101 now received, 102 and 103
	// repeated, 104 lost, 105 received.
	CHECK_EQ(history.OnFeedback(MakeFeedback(101, { 2500, 3000, 4000, -1, 6000 }), results), 3u);
	REQUIRE_EQ(results.size(), 7u);
	CHECK_EQ(results[4].sequenceNumber, 101);
	CHECK(results[4].received);
	CHECK_EQ(results[5].sequenceNumber, 104);
	CHECK(!results[5].received);
	CHECK_EQ(results[6].sequenceNumber, 105);
	// 104 reported lost again: counted once.
	CHECK_EQ(history.OnFeedback(MakeFeedback(104, { -1 }), results), 0u);
	CHECK_EQ(history.GetBytesInFlight(), 0);
	CHECK(history.IsReportedUpToNewest(200));
}

TEST(history_knows_when_feedback_is_missing_before_the_newest) {
	SentPacketHistory history;
	for (int i = 0; i < 20; ++i) history.OnPacketSent(static_cast<uint16_t>(i), 1200, i * 10, false, -1);
	std::vector<PacketResult> results;
	// The feedback about 10..19 arrives before the one about 0..9.
	history.OnFeedback(MakeFeedback(10, std::vector<int64_t>(10, 5000)), results);
	CHECK(!history.IsReportedUpToNewest(200)); // 0..9 were sent within 200 ms before 19
	CHECK(history.IsReportedUpToNewest(50));   // but not within 50 ms
	history.OnFeedback(MakeFeedback(0, std::vector<int64_t>(10, 4000)), results);
	CHECK(history.IsReportedUpToNewest(200));
}

TEST(history_ignores_unknown_packets_and_forgets_old_ones) {
	SentPacketHistory::Params params;
	params.maxAgeMs = 1000;
	SentPacketHistory history(params);
	std::vector<PacketResult> results;
	// Feedback before anything was sent.
	CHECK_EQ(history.OnFeedback(MakeFeedback(5, { 10, 20 }), results), 0u);
	for (int i = 0; i < 3000; ++i) history.OnPacketSent(static_cast<uint16_t>(i), 100, i, false, -1);
	CHECK_LE(history.GetSize(), 1002u); // bounded by age
	// Numbers never sent (beyond the newest) and forgotten ones are ignored.
	CHECK_EQ(history.OnFeedback(MakeFeedback(3000, { 10, 20, 30 }), results), 0u);
	CHECK_EQ(history.OnFeedback(MakeFeedback(10, { 10, 20, 30 }), results), 0u);
	CHECK_GE(history.GetIgnoredFeedbackCount(), 8u);
	// A feedback straddling the forgotten edge reports only what is known.
	const uint16_t oldest = static_cast<uint16_t>(3000 - history.GetSize());
	CHECK_EQ(history.OnFeedback(MakeFeedback(static_cast<uint16_t>(oldest - 2), { 1, 2, 3, 4 }), results), 2u);
	// An empty feedback is harmless.
	CHECK_EQ(history.OnFeedback(TransportCcFeedback(), results), 0u);

	// The count bound holds too.
	SentPacketHistory::Params small;
	small.maxPackets = 100;
	SentPacketHistory bounded(small);
	for (int i = 0; i < 70000; ++i) bounded.OnPacketSent(static_cast<uint16_t>(i), 100, 0, false, -1);
	CHECK_EQ(bounded.GetSize(), 100u);
}

// ---- OveruseDetector ----

TEST(overuse_needs_a_sustained_rising_trend) {
	OveruseDetector detector;
	int64_t now = 0;
	// Below the threshold (12.5): normal.
	CHECK(detector.Detect(5.0, 5, 10, now += 5) == BandwidthUsage::Normal);
	// One sample above: not yet (needs > 10 ms and two samples).
	CHECK(detector.Detect(20.0, 5, 10, now += 5) == BandwidthUsage::Normal);
	// Back below: the count restarts.
	CHECK(detector.Detect(5.0, 5, 10, now += 5) == BandwidthUsage::Normal);
	CHECK(detector.Detect(20.0, 5, 10, now += 5) == BandwidthUsage::Normal);
	CHECK(detector.Detect(21.0, 5, 10, now += 5) == BandwidthUsage::Normal); // 7.5 ms so far
	CHECK(detector.Detect(22.0, 5, 10, now += 5) == BandwidthUsage::Overusing); // 12.5 ms, rising
	// Falling trend while above the threshold does not re-trigger.
	OveruseDetector falling;
	now = 0;
	falling.Detect(30.0, 5, 10, now += 5);
	falling.Detect(29.0, 5, 10, now += 5);
	CHECK(falling.Detect(28.0, 5, 10, now += 5) == BandwidthUsage::Normal);
	// Underuse: below -threshold.
	CHECK(falling.Detect(-40.0, 5, 10, now += 5) == BandwidthUsage::Underusing);
	// Fewer than 2 deltas: always normal.
	OveruseDetector early;
	CHECK(early.Detect(100.0, 50, 1, 0) == BandwidthUsage::Normal);
}

TEST(overuse_threshold_adapts_within_bounds) {
	OveruseDetector detector;
	CHECK_EQ(detector.GetThreshold(), 12.5);
	int64_t now = 0;
	// A small trend for a long time: the threshold decays (K_d) towards the minimum, 6.
	for (int i = 0; i < 20000; ++i) detector.Detect(1.0, 5, 60, now += 5);
	CHECK_LT(detector.GetThreshold(), 6.5);
	CHECK_GE(detector.GetThreshold(), 6.0);
	// A large, persistent |m| within 15 ms of the threshold: it grows quickly (K_u).
	double previous = detector.GetThreshold();
	for (int i = 0; i < 50; ++i) {
		detector.Detect(detector.GetThreshold() + 10.0, 5, 60, now += 5);
		CHECK_GE(detector.GetThreshold(), previous);
		previous = detector.GetThreshold();
	}
	CHECK_GT(detector.GetThreshold(), 20.0);
	// Spikes far above (> 15 ms over) do not move it.
	const double before = detector.GetThreshold();
	detector.Detect(before + 100.0, 5, 60, now += 5);
	CHECK_EQ(detector.GetThreshold(), before);
	// Never above 600.
	for (int i = 0; i < 100000; ++i) detector.Detect(detector.GetThreshold() + 14.0, 5, 60, now += 5);
	CHECK_LE(detector.GetThreshold(), 600.0);
	// Non-finite input is ignored.
	detector.Detect(NAN, 5, 60, now += 5);
	CHECK(std::isfinite(detector.GetThreshold()));
}

// ---- TrendlineEstimator ----

TEST(trendline_normal_on_constant_delay_overuse_on_growing_delay) {
	TrendlineEstimator stable;
	int64_t nowMs = 0;
	// A group every 10 ms, constant 30 ms delay: normal throughout.
	bool anyOveruse = false;
	for (int i = 0; i < 500; ++i) {
		const int64_t send = i * 10;
		stable.OnPacket(send, (send + 30) * 1000, 1200, nowMs = send + 60);
		anyOveruse |= stable.GetState() == BandwidthUsage::Overusing;
	}
	CHECK(!anyOveruse);
	CHECK_LT(std::fabs(stable.GetSlope()), 1e-6);

	// Then the delay grows by 1 ms per 10 ms group (sending at 110% of capacity).
	int64_t overuseAfter = -1;
	for (int i = 500; i < 700; ++i) {
		const int64_t send = i * 10;
		const int64_t delay = 30 + (i - 500);
		stable.OnPacket(send, (send + delay) * 1000, 1200, nowMs = send + 60);
		if (overuseAfter < 0 && stable.GetState() == BandwidthUsage::Overusing) overuseAfter = (i - 500) * 10;
	}
	std::printf("# trendline: overuse %lld ms after the queue started growing at 0.1 ms/ms\n", (long long)overuseAfter);
	CHECK_GE(overuseAfter, 0);
	CHECK_LE(overuseAfter, 300);
	CHECK_GT(stable.GetSlope(), 0.05);

	// A draining queue: underuse.
	TrendlineEstimator draining;
	BandwidthUsage last = BandwidthUsage::Normal;
	for (int i = 0; i < 100; ++i) {
		const int64_t send = i * 10;
		const int64_t delay = 300 - 2 * i;
		last = draining.OnPacket(send, (send + delay) * 1000, 1200, send);
	}
	CHECK(last == BandwidthUsage::Underusing);
}

TEST(trendline_groups_bursts_and_skips_reordered_packets) {
	// Packets of a 5 ms burst form one group: a burst every 20 ms whose packets arrive
	// spread out by a bottleneck, at constant delay per group, is normal.
	TrendlineEstimator trendline;
	bool anyOveruse = false;
	for (int frame = 0; frame < 300; ++frame) {
		for (int p = 0; p < 5; ++p) {
			const int64_t send = frame * 20 + (p < 3 ? 0 : 1);
			const int64_t arrivalUs = (frame * 20 + 30) * 1000 + p * 2000; // 2 ms apart at the receiver
			trendline.OnPacket(send, arrivalUs, 1200, send + 60);
			anyOveruse |= trendline.GetState() == BandwidthUsage::Overusing;
		}
		// A stray packet sent long before (reordered): skipped.
		if (frame % 10 == 5) trendline.OnPacket(frame * 20 - 100, (frame * 20 + 200) * 1000, 1200, frame * 20 + 60);
	}
	CHECK(!anyOveruse);
	CHECK_LT(std::fabs(trendline.GetSlope()), 0.01);
}

// ---- AimdRateControl ----

TEST(aimd_decreases_to_085_of_acknowledged) {
	AimdRateControl aimd(1000000, 50000, 5000000);
	aimd.Update(BandwidthUsage::Normal, 900000, 0);
	aimd.Update(BandwidthUsage::Overusing, 900000, 100);
	CHECK_EQ(aimd.GetEstimate(), 765000); // 0.85 x 900 kbps
	CHECK(aimd.GetState() == AimdRateControl::State::Hold);
	// Never increased by a "decrease": acked above the estimate keeps the estimate.
	AimdRateControl low(300000, 50000, 5000000);
	low.Update(BandwidthUsage::Overusing, 1000000, 0);
	CHECK_LE(low.GetEstimate(), 300000);
	// Bounded below.
	AimdRateControl floor(100000, 80000, 5000000);
	floor.Update(BandwidthUsage::Overusing, 20000, 0);
	CHECK_EQ(floor.GetEstimate(), 80000);
}

TEST(aimd_increases_multiplicatively_far_from_congestion_and_additively_near) {
	AimdRateControl aimd(1000000, 50000, 50000000);
	int64_t now = 0;
	aimd.Update(BandwidthUsage::Normal, 1000000, now);
	// One second of normal signals every 50 ms with plenty acknowledged: about +8%.
	for (int i = 0; i < 20; ++i) aimd.Update(BandwidthUsage::Normal, aimd.GetEstimate(), now += 50);
	const double ratio = aimd.GetEstimate() / 1000000.0;
	std::printf("# aimd: multiplicative increase over 1 s: x%.4f\n", ratio);
	CHECK_GT(ratio, 1.075);
	CHECK_LT(ratio, 1.085);

	// After a decrease at ~1.08 Mbps the congestion point is known: near it, additive.
	aimd.Update(BandwidthUsage::Overusing, 1080000, now += 50);
	CHECK_GT(aimd.GetAverageMaxBps(), 0.0);
	aimd.SetRtt(100);
	aimd.Update(BandwidthUsage::Normal, 1080000, now += 50); // Hold
	aimd.Update(BandwidthUsage::Normal, 1080000, now += 50); // Increase
	const int64_t start = aimd.GetEstimate();
	for (int i = 0; i < 20; ++i) aimd.Update(BandwidthUsage::Normal, 1080000, now += 50);
	const double perSecond = static_cast<double>(aimd.GetEstimate() - start);
	std::printf("# aimd: additive increase near convergence: %.0f bps in 1 s\n", perSecond);
	// One packet (1080 kbps / 30 fps = 36 kbit per frame, 4 packets of 9 kbit) per
	// 200 ms response time: 45 kbps per second.
	CHECK_GT(perSecond, 35000.0);
	CHECK_LT(perSecond, 55000.0);
}

TEST(aimd_never_exceeds_15_times_acknowledged_and_holds_on_underuse) {
	AimdRateControl aimd(1000000, 50000, 50000000);
	int64_t now = 0;
	for (int i = 0; i < 200; ++i) aimd.Update(BandwidthUsage::Normal, 400000, now += 50);
	CHECK_LE(aimd.GetEstimate(), 1000000); // was above 1.5 x 400k + 10k already: no increase
	AimdRateControl grows(300000, 50000, 50000000);
	for (int i = 0; i < 400; ++i) grows.Update(BandwidthUsage::Normal, 400000, now += 50);
	CHECK_EQ(grows.GetEstimate(), 610000); // capped at 1.5 x 400k + 10k
	// Underuse: hold.
	const int64_t before = grows.GetEstimate();
	grows.Update(BandwidthUsage::Underusing, 1000000, now += 50);
	grows.Update(BandwidthUsage::Underusing, 1000000, now += 500);
	CHECK_EQ(grows.GetEstimate(), before);
	// Bounds.
	grows.SetBounds(100000, 200000);
	CHECK_EQ(grows.GetEstimate(), 200000);
	grows.SetEstimate(10, now);
	CHECK_EQ(grows.GetEstimate(), 100000);
}

// ---- AcknowledgedBitrateEstimator ----

TEST(acknowledged_bitrate_measures_received_rate) {
	AcknowledgedBitrateEstimator acked;
	CHECK_EQ(acked.GetBitrateBps(), 0);
	// 1200 bytes every 4.8 ms = 2 Mbps.
	int64_t arrival = 1000000000; // any receiver clock
	for (int i = 0; i < 20; ++i) acked.OnPacketReceived(arrival += 4800, 1200);
	CHECK_EQ(acked.GetBitrateBps(), 0); // under 150 ms of data
	for (int i = 0; i < 400; ++i) acked.OnPacketReceived(arrival += 4800, 1200);
	CHECK_GT(acked.GetBitrateBps(), 1950000);
	CHECK_LT(acked.GetBitrateBps(), 2050000);
	// Halved rate: follows within the 500 ms window.
	for (int i = 0; i < 120; ++i) acked.OnPacketReceived(arrival += 9600, 1200);
	CHECK_GT(acked.GetBitrateBps(), 950000);
	CHECK_LT(acked.GetBitrateBps(), 1050000);
	// A receiver clock that jumps back restarts the measurement rather than break it.
	acked.OnPacketReceived(0, 1200);
	CHECK_EQ(acked.GetBitrateBps(), 0);
}

TEST(acknowledged_bitrate_keeps_bounded_samples_whatever_the_arrival_times) {
	// Arrival times come from the remote receiver's feedback. All at one instant: nothing
	// ever leaves the window, yet the samples must not grow with the packets.
	AcknowledgedBitrateEstimator same;
	for (int i = 0; i < 100000; ++i) same.OnPacketReceived(5000000, 1200);
	CHECK_EQ(same.GetSampleCount(), 1u);
	// 1 us apart: 500,000 would fit in the 500 ms window; merged per millisecond.
	AcknowledgedBitrateEstimator dense;
	int64_t arrival = 0;
	for (int i = 0; i < 100000; ++i) dense.OnPacketReceived(arrival += 1, 100);
	CHECK_LE(dense.GetSampleCount(), 101u);
	// 100 bytes per microsecond over 100 ms of span (under minSpanMs: no estimate yet).
	CHECK_EQ(dense.GetBitrateBps(), 0);
	// Alternating between two times 400 ms apart: no merging, no eviction; capped.
	AcknowledgedBitrateEstimator alternating;
	for (int i = 0; i < 100000; ++i) alternating.OnPacketReceived(i % 2 ? 1000000 : 1400000, 1200);
	CHECK_LE(alternating.GetSampleCount(), AcknowledgedBitrateEstimator::kMaxSamples);
	// Merging keeps the measured rate: 1200 bytes every 4.8 ms = 2 Mbps, in 16 packets
	// of 75 bytes 0.3 ms apart.
	AcknowledgedBitrateEstimator split;
	arrival = 0;
	for (int i = 0; i < 420 * 16; ++i) split.OnPacketReceived(arrival += 300, 75);
	CHECK_GT(split.GetBitrateBps(), 1950000);
	CHECK_LT(split.GetBitrateBps(), 2050000);
	CHECK_GT(split.GetRecentBitrateBps(), 1950000);
	CHECK_LT(split.GetRecentBitrateBps(), 2050000);
}

// ---- LossBasedController ----

TEST(loss_based_follows_the_draft_thresholds) {
	LossBasedController loss(1000000);
	// < 2%: +5% per second, never above the delay-based estimate.
	loss.OnLossFraction(0.01, 5000000, 0);
	loss.OnLossFraction(0.01, 5000000, 1000);
	CHECK_EQ(loss.GetBitrateBps(), 1050000);
	loss.OnLossFraction(0.0, 1060000, 2000);
	CHECK_EQ(loss.GetBitrateBps(), 1060000);
	// 2..10%: hold.
	loss.OnLossFraction(0.05, 5000000, 3000);
	CHECK_EQ(loss.GetBitrateBps(), 1060000);
	// > 10%: x (1 - 0.5 p).
	loss.OnLossFraction(0.2, 5000000, 4000);
	CHECK_EQ(loss.GetBitrateBps(), 954000);
	// At most once per 300 ms + RTT.
	loss.OnLossFraction(0.2, 5000000, 4100);
	CHECK_EQ(loss.GetBitrateBps(), 954000);
	loss.OnLossFraction(0.5, 5000000, 4400);
	CHECK_EQ(loss.GetBitrateBps(), 715500);
	CHECK_EQ(loss.GetLastLossFraction(), 0.5);
}

TEST(loss_based_falls_to_what_the_receiver_acknowledged_on_heavy_loss) {
	// A probe's overshoot: 1.4 Mbps set, the bottleneck delivers 600 kbps and drops 30%.
	LossBasedController loss(1400000);
	loss.OnLossFraction(0.3, 5000000, 0, 600000);
	CHECK_EQ(loss.GetBitrateBps(), 510000); // 0.85 x 600 kbps, not 0.85 x 1.4 Mbps
	CHECK_EQ(loss.GetLastHighLossMs(), 0);
	// Unknown acknowledged rate: the draft's rule alone.
	LossBasedController unknown(1400000);
	unknown.OnLossFraction(0.3, 5000000, 0, 0);
	CHECK_EQ(unknown.GetBitrateBps(), 1190000);
	// Moderate loss never consults it.
	LossBasedController moderate(1400000);
	moderate.OnLossFraction(0.05, 5000000, 0, 600000);
	CHECK_EQ(moderate.GetBitrateBps(), 1400000);
	CHECK_EQ(moderate.GetLastHighLossMs(), -1);
}

TEST(loss_based_aggregates_feedback_counts) {
	LossBasedController loss(1000000);
	// One lost in ten, but too few packets and too short to judge: nothing yet.
	loss.OnPacketResults(1, 9, 5000000, 0);
	CHECK_EQ(loss.GetLastLossFraction(), -1.0);
	for (int i = 1; i <= 10; ++i) loss.OnPacketResults(0, 10, 5000000, i * 50);
	CHECK_GE(loss.GetLastLossFraction(), 0.0);
	CHECK_LT(loss.GetLastLossFraction(), 0.02);
	loss.OnPacketResults(-1, 5, 5000000, 2000); // nonsense is ignored
}

// ---- ProbeBitrateEstimator ----

namespace {

// Sends `count` probe packets of `size` at `sendBps` through a link of `linkBps`,
// returning their results (received unless `lost(i)`).
std::vector<PacketResult> ProbeResults(int32_t id, int count, uint32_t size, double sendBps, double linkBps,
                                       bool (*lost)(int) = nullptr) {
	std::vector<PacketResult> results;
	double linkFreeUs = 0;
	for (int i = 0; i < count; ++i) {
		PacketResult result;
		result.sequenceNumber = 1000 + i;
		result.sizeBytes = size;
		const double sendUs = i * size * 8.0 * 1e6 / sendBps;
		result.sendTimeMs = static_cast<int64_t>(sendUs / 1000);
		linkFreeUs = std::max(linkFreeUs, sendUs) + size * 8.0 * 1e6 / linkBps;
		result.received = !(lost && lost(i));
		result.arrivalUs = static_cast<int64_t>(linkFreeUs) + 40000;
		result.probeClusterId = id;
		results.push_back(result);
	}
	return results;
}

} // namespace

TEST(probe_estimate_is_min_of_send_and_receive_rates) {
	ProbeCluster cluster{ 3, 2000000, 5, 2000000 * 30 / 8000, 30 };
	{
		// Link faster than the probe: the send rate.
		ProbeBitrateEstimator estimator;
		estimator.OnClusterStarted(cluster, 0);
		for (const PacketResult& result : ProbeResults(3, 8, 1200, 2e6, 10e6)) estimator.OnPacketResult(result, 100);
		int32_t id;
		int64_t bps;
		REQUIRE(estimator.FetchLastEstimate(id, bps));
		CHECK_EQ(id, 3);
		std::printf("# probe at 2 Mbps over 10 Mbps: %lld\n", (long long)bps);
		CHECK_GT(bps, 1.8e6);
		CHECK_LT(bps, 2.3e6);
		CHECK(!estimator.FetchLastEstimate(id, bps)); // fetched once
	}
	{
		// Link slower: the receive rate (with a 5% margin).
		ProbeBitrateEstimator estimator;
		estimator.OnClusterStarted(cluster, 0);
		for (const PacketResult& result : ProbeResults(3, 8, 1200, 2e6, 1e6)) estimator.OnPacketResult(result, 100);
		int32_t id;
		int64_t bps;
		REQUIRE(estimator.FetchLastEstimate(id, bps));
		std::printf("# probe at 2 Mbps over 1 Mbps: %lld\n", (long long)bps);
		CHECK_GT(bps, 0.9e6);
		CHECK_LT(bps, 1.0e6);
	}
}

TEST(probe_arriving_within_one_feedback_tick_reads_as_its_target) {
	// A burst over an idle loopback path: every packet reported in the same 250 us tick.
	ProbeCluster cluster{ 5, 1200000, 5, 1200000 * 15 / 8000, 15 };
	ProbeBitrateEstimator estimator;
	estimator.OnClusterStarted(cluster, 0);
	for (int i = 0; i < 5; ++i) {
		PacketResult result;
		result.sequenceNumber = 2000 + i;
		result.sizeBytes = 900;
		result.sendTimeMs = 10;
		result.received = true;
		result.arrivalUs = 50000;
		result.probeClusterId = 5;
		estimator.OnPacketResult(result, 100);
	}
	int32_t id;
	int64_t bps;
	REQUIRE(estimator.FetchLastEstimate(id, bps));
	CHECK_EQ(bps, 1200000);
}

TEST(probe_estimate_needs_enough_received_packets) {
	ProbeCluster cluster{ 1, 2000000, 5, 6000, 15 };
	ProbeBitrateEstimator estimator;
	estimator.OnClusterStarted(cluster, 0);
	// 5 sent, 2 lost: 3 < 80% of 5 received.
	for (const PacketResult& result : ProbeResults(1, 5, 1200, 2e6, 10e6, [](int i) { return i == 1 || i == 3; })) {
		CHECK_EQ(estimator.OnPacketResult(result, 100), 0);
	}
	int32_t id;
	int64_t bps;
	CHECK(!estimator.FetchLastEstimate(id, bps));
	// Unknown cluster id: ignored.
	for (const PacketResult& result : ProbeResults(9, 10, 1200, 2e6, 10e6)) CHECK_EQ(estimator.OnPacketResult(result, 100), 0);
	CHECK(!estimator.FetchLastEstimate(id, bps));
	// Clusters older than 5 s are forgotten.
	estimator.OnClusterStarted(ProbeCluster{ 2, 1000000, 5, 0, 15 }, 0);
	estimator.OnClusterStarted(ProbeCluster{ 4, 1000000, 5, 0, 15 }, 6000);
	for (const PacketResult& result : ProbeResults(2, 10, 1200, 1e6, 10e6)) CHECK_EQ(estimator.OnPacketResult(result, 6000), 0);
}

// ---- ProbeController ----

TEST(probe_controller_initial_exponential_and_periodic_probes) {
	ProbeController controller(300000, 30000, 10000000);
	REQUIRE(controller.WantsProbe(0));
	ProbeCluster first = controller.NextProbeCluster(0);
	ProbeCluster second = controller.NextProbeCluster(0);
	CHECK_EQ(first.targetBitrateBps, 900000u);  // 3x start
	CHECK_EQ(second.targetBitrateBps, 1800000u); // 6x start
	CHECK_EQ(first.minPackets, 5u);
	CHECK_NE(first.id, second.id);
	CHECK(!controller.WantsProbe(1));
	// The result reached 70% of the 1.8 Mbps target: probe further at 2x.
	controller.OnEstimate(1700000, 100);
	REQUIRE(controller.WantsProbe(100));
	ProbeCluster third = controller.NextProbeCluster(100);
	CHECK_EQ(third.targetBitrateBps, 3400000u);
	// This one fell short (the link has ~2 Mbps): stop.
	controller.OnEstimate(2000000, 200);
	CHECK(!controller.WantsProbe(300));
	// No periodic probe without an application that wants more...
	CHECK(!controller.WantsProbe(20000));
	// ...but one when it does, at 2x the estimate, at most every 5 s.
	controller.SetDesiredBitrate(5000000);
	REQUIRE(controller.WantsProbe(20000));
	CHECK_EQ(controller.NextProbeCluster(20000).targetBitrateBps, 4000000u);
	controller.OnEstimate(2000000, 20100); // failed
	CHECK(!controller.WantsProbe(21200));
	// Not while the caller says its path is congested; again once it is not.
	controller.SetPeriodicProbing(false);
	CHECK(!controller.WantsProbe(25100));
	CHECK(!controller.WantsProbe(40000));
	controller.SetPeriodicProbing(true);
	REQUIRE(controller.WantsProbe(40000));
	// One cluster per periodic probe; when it finds room, the next follows a second later.
	CHECK_EQ(controller.NextProbeCluster(40000).targetBitrateBps, 4000000u);
	CHECK(!controller.WantsProbe(40000));
	controller.OnEstimate(3900000, 40100);
	CHECK(!controller.WantsProbe(40900));
	REQUIRE(controller.WantsProbe(41000));
	CHECK_EQ(controller.NextProbeCluster(41000).targetBitrateBps, 7800000u);
	controller.OnEstimate(4000000, 41100); // fell short: back to every 5 s
	CHECK(!controller.WantsProbe(45000));
	CHECK(controller.WantsProbe(46000));
}

TEST(probe_controller_respects_max_and_desired_and_recovers_after_drop) {
	ProbeController capped(1000000, 30000, 2000000);
	REQUIRE(capped.WantsProbe(0));
	CHECK_EQ(capped.NextProbeCluster(0).targetBitrateBps, 2000000u); // 3x capped at max
	CHECK(!capped.WantsProbe(0)); // 6x capped too: the same target is not probed twice
	ProbeController limited(1000000, 30000, 50000000);
	limited.SetDesiredBitrate(1200000);
	REQUIRE(limited.WantsProbe(0));
	CHECK_EQ(limited.NextProbeCluster(0).targetBitrateBps, 2400000u); // 2x desired
	// A large drop: a recovery probe at 85% of the former estimate, a second later.
	ProbeController recovery(1000000, 30000, 50000000);
	recovery.SetDesiredBitrate(3000000);
	while (recovery.WantsProbe(0)) recovery.NextProbeCluster(0);
	recovery.OnEstimate(2000000, 3000); // initial probing ends (no further: < 70% of 6 Mbps)
	recovery.OnEstimate(2000000, 3100);
	recovery.OnEstimate(600000, 3200);
	CHECK(!recovery.WantsProbe(3300));
	REQUIRE(recovery.WantsProbe(4300));
	CHECK_EQ(recovery.NextProbeCluster(4300).targetBitrateBps, 1700000u);
	// A drop while the caller reports congestion: no recovery probe, then or later.
	ProbeController congested(1000000, 30000, 50000000);
	congested.SetDesiredBitrate(3000000);
	while (congested.WantsProbe(0)) congested.NextProbeCluster(0);
	congested.OnEstimate(2000000, 3000);
	congested.OnEstimate(2000000, 3100);
	congested.OnEstimate(600000, 3200);
	congested.SetPeriodicProbing(false);
	CHECK(!congested.WantsProbe(4300));
	congested.SetPeriodicProbing(true);
	CHECK(!congested.WantsProbe(4400)); // the recovery was dropped (periodic waits its 5 s)
	// Disabled (REMB mode): nothing.
	recovery.Disable();
	CHECK(!recovery.WantsProbe(100000));
}

TEST(probe_controller_keeps_only_estimates_that_can_still_be_the_recent_maximum) {
	// OnEstimate runs once per receiver-report block, at a rate the peer chooses: the
	// drop detection must not keep (and scan) every estimate of its 5 s window.
	ProbeController flood(1000000, 30000, 50000000);
	while (flood.WantsProbe(0)) flood.NextProbeCluster(0);
	for (int i = 0; i < 100000; ++i) flood.OnEstimate(2000000, 1000 + i / 100);
	CHECK_EQ(flood.GetRecentEstimateCount(), 1u);
	for (int i = 0; i < 1000; ++i) flood.OnEstimate(1900000 + (i % 2) * 50000, 2000 + i);
	CHECK_LE(flood.GetRecentEstimateCount(), 3u);
	// The maximum of the window still drives the drop detection: 2 Mbps, then 1.95
	// Mbps, then a fall to 0.6 Mbps: a recovery probe at 85% of 2 Mbps a second later.
	flood.SetDesiredBitrate(3000000);
	flood.OnEstimate(600000, 3100);
	CHECK(!flood.WantsProbe(3200));
	REQUIRE(flood.WantsProbe(4200));
	CHECK_EQ(flood.NextProbeCluster(4200).targetBitrateBps, 1700000u);
}

// ---- SendSideEstimator ----

TEST(estimator_remb_mode_is_min_of_remb_and_loss_based) {
	SendSideEstimator::Params params;
	params.initialBitrateBps = 500000;
	params.minBitrateBps = 50000;
	params.maxBitrateBps = 3000000;
	SendSideEstimator estimator(params);
	CHECK(estimator.GetType() == BweType::TransportCc);
	estimator.OnRemb(1500000, 0);
	CHECK(estimator.GetType() == BweType::Remb);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 1500000u);
	CHECK(!estimator.WantsProbe(0)); // no probing without transport-wide feedback
	estimator.OnRemb(1200000, 1000);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 1200000u);
	// 25% loss in receiver reports: loss-based x (1 - 0.125).
	estimator.OnReceiverReportLoss(0.25, 2000);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 1050000u);
	// A higher REMB while losses persist: the loss-based limit holds.
	estimator.OnRemb(2000000, 2500);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 1050000u);
	// Losses gone: REMB again.
	estimator.OnReceiverReportLoss(0.0, 3500);
	estimator.OnRemb(2000000, 3600);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 2000000u);
	// Clamped to max.
	estimator.OnRemb(1ull << 40, 4000);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 3000000u);
	// And min.
	estimator.OnRemb(0, 4100);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 50000u);
	const BweTraceInfo trace = estimator.GetTraceInfo(4100);
	CHECK(trace.bweType == BweType::Remb);
	CHECK_EQ(trace.availableBitrate, 50000u);
	CHECK_EQ(trace.maxPaddingBitrate, 0u);

	// Transport-wide feedback appears: transport-cc from then on, REMB ignored, probing on.
	estimator.OnRemb(800000, 5000);
	estimator.OnPacketSent(1, 1200, 5000, false, -1);
	estimator.OnTransportCcFeedback(MakeFeedback(1, { 1000000 }), 5050);
	CHECK(estimator.GetType() == BweType::TransportCc);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 800000u);
	estimator.OnRemb(100000, 5100);
	CHECK_EQ(estimator.GetTargetBitrateBps(), 800000u);
	CHECK(estimator.WantsProbe(5100));
}

TEST(estimator_trace_info_and_parameter_sanitizing) {
	SendSideEstimator::Params params;
	params.initialBitrateBps = 100; // below min: raised
	params.minBitrateBps = 30000;
	params.maxBitrateBps = 20000; // below min: becomes min
	SendSideEstimator odd(params);
	CHECK_EQ(odd.GetTargetBitrateBps(), 30000u);

	params.initialBitrateBps = 600000;
	params.maxBitrateBps = 5000000;
	SendSideEstimator estimator(params);
	estimator.SetDesiredBitrate(8000000);
	BweTraceInfo trace = estimator.GetTraceInfo(0);
	CHECK(trace.bweType == BweType::TransportCc);
	CHECK_EQ(trace.desiredBitrate, 8000000u);
	CHECK_EQ(trace.effectiveDesiredBitrate, 5000000u);
	CHECK_EQ(trace.minBitrate, 30000u);
	CHECK_EQ(trace.maxBitrate, 5000000u);
	CHECK_EQ(trace.startBitrate, 600000u);
	CHECK_EQ(trace.availableBitrate, 600000u);
	REQUIRE(estimator.WantsProbe(0));
	const ProbeCluster cluster = estimator.NextProbeCluster(0);
	CHECK_EQ(cluster.targetBitrateBps, 1800000u);
	CHECK_EQ(estimator.GetTraceInfo(1).maxPaddingBitrate, 3600000u); // the 6x cluster is pending
}

TEST(estimator_halves_when_feedback_stops) {
	SendSideEstimator::Params params;
	params.initialBitrateBps = 1000000;
	SendSideEstimator estimator(params);
	uint16_t seq = 0;
	int64_t now = 0;
	// Some traffic with feedback, then feedback stops while sending continues.
	for (; now < 1000; now += 10) {
		estimator.OnPacketSent(seq++, 1200, now, false, -1);
		if (now % 100 == 90) {
			TransportCcFeedback feedback = MakeFeedback(static_cast<uint16_t>(seq - 10), {});
			for (int i = 0; i < 10; ++i) {
				TransportCcFeedback::PacketStatus status;
				status.received = true;
				status.arrivalUs = (now - 90 + i * 10 + 30) * 1000;
				feedback.packets.push_back(status);
			}
			estimator.OnTransportCcFeedback(feedback, now);
		}
		if (now % 100 == 0) estimator.Process(now);
	}
	const uint32_t before = estimator.GetTargetBitrateBps();
	for (; now < 6000; now += 10) {
		estimator.OnPacketSent(seq++, 1200, now, false, -1);
		if (now % 100 == 0) estimator.Process(now);
	}
	std::printf("# feedback timeout: %u -> %u after 5 s without feedback\n", before, estimator.GetTargetBitrateBps());
	CHECK_LE(estimator.GetTargetBitrateBps(), before / 2);
	CHECK_GE(estimator.GetTargetBitrateBps(), params.minBitrateBps);
}

// ---- Hostile input ----

TEST(estimator_survives_arbitrary_feedback_and_time) {
	// Random feedback (bases, lengths, arrival times including absurd ones), sends with
	// jumps, REMB, RR loss, RTT and limits in random order: nothing crashes or trips the
	// sanitizers, the estimate stays within the limits.
	uint64_t state = 0x9e3779b97f4a7c15ull;
	auto next = [&state]() {
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		return state * 2685821657736338717ull;
	};
	SendSideEstimator::Params params;
	params.initialBitrateBps = 500000;
	params.minBitrateBps = 40000;
	params.maxBitrateBps = 4000000;
	SendSideEstimator estimator(params);
	estimator.SetDesiredBitrate(3000000);
	int64_t now = 0;
	uint16_t seq = 0;
	uint32_t minBps = params.minBitrateBps;
	uint32_t maxBps = params.maxBitrateBps;
	for (int step = 0; step < 20000; ++step) {
		now += static_cast<int64_t>(next() % 20) - 2; // mostly forward, sometimes back
		switch (next() % 10) {
		case 0:
		case 1:
		case 2:
		case 3: {
			const int32_t cluster = next() % 5 == 0 ? static_cast<int32_t>(next() % 4) : -1;
			estimator.OnPacketSent(seq, static_cast<uint32_t>(next() % 1500), now, next() % 7 == 0, cluster);
			seq = static_cast<uint16_t>(seq + (next() % 50 == 0 ? next() % 40000 : 1));
			break;
		}
		case 4:
		case 5: {
			TransportCcFeedback feedback;
			feedback.baseSequenceNumber = static_cast<uint16_t>(next() % 3 == 0 ? next() : seq - next() % 300);
			const size_t count = next() % 400;
			int64_t arrival = static_cast<int64_t>(next() % 1000000000ull);
			for (size_t i = 0; i < count; ++i) {
				TransportCcFeedback::PacketStatus status;
				status.received = next() % 4 != 0;
				const uint64_t kind = next() % 100;
				arrival += static_cast<int64_t>(next() % 20000) - 5000;
				status.arrivalUs = arrival;
				if (kind == 0) status.arrivalUs = INT64_MAX - static_cast<int64_t>(next() % 1000);
				if (kind == 1) status.arrivalUs = INT64_MIN + static_cast<int64_t>(next() % 1000);
				feedback.packets.push_back(status);
			}
			estimator.OnTransportCcFeedback(feedback, now);
			break;
		}
		case 6:
			if (next() % 10 == 0) estimator.OnRemb(next() % 2 ? next() : next() % 5000000, now);
			if (next() % 10 == 0) estimator.OnReceiverReportLoss(static_cast<double>(next() % 300) / 256.0, now);
			break;
		case 7:
			estimator.OnRtt(static_cast<int64_t>(next() % 3000) - 100);
			if (next() % 50 == 0) {
				const uint32_t a = static_cast<uint32_t>(next() % 5000000);
				const uint32_t b = static_cast<uint32_t>(next() % 5000000);
				if (estimator.SetBitrateLimits(a, b)) {
					minBps = a;
					maxBps = b;
				}
			}
			break;
		case 8:
			estimator.Process(now);
			break;
		case 9:
			while (estimator.WantsProbe(now)) {
				const ProbeCluster cluster = estimator.NextProbeCluster(now);
				if (cluster.id < 0) break;
				CHECK_LE(cluster.targetBitrateBps, maxBps);
			}
			break;
		}
		const uint32_t target = estimator.GetTargetBitrateBps();
		if (target < minBps || target > maxBps) {
			CHECK_GE(target, minBps);
			CHECK_LE(target, maxBps);
			break;
		}
	}
	estimator.GetTraceInfo(now);
	estimator.GetAcknowledgedBitrateBps();
}
