#pragma once
// A deterministic bottleneck link for the send-side bandwidth estimator's tests
// (bwe_*.test.cpp): sender -> FIFO queue drained at `capacity` bps (drop-tail once a
// packet would wait more than maxQueueMs) -> propagation delay -> receiver, which sends
// transport-wide feedback (TransportCcFeedback values, as a browser does) every
// feedbackIntervalMs back over an uncongested path. The sender sends media at the
// estimator's target in 1200-byte packets, in bursts every 5 ms (a frame's packets
// leave together), and fulfils probe clusters by sending padding at their rate.
// Time advances in 1 ms steps; a fixed-seed generator makes random loss repeatable.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "bwe/SendSideEstimator.hpp"
#include "rtcp/TransportCcFeedback.hpp"

namespace mediaplane {
namespace test {

// xorshift64*: repeatable across platforms (std distributions are not).
class SimRandom {
public:
	explicit SimRandom(uint64_t seed) : state(seed ? seed : 1) {}
	double Uniform() {
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		return static_cast<double>((state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
	}

private:
	uint64_t state;
};

struct LinkSimulation {
	struct Config {
		uint32_t initialBps = 300000;
		uint32_t minBps = 30000;
		uint32_t maxBps = 10000000;
		uint32_t desiredBps = 5000000;
		uint32_t mediaLimitBps = 0;     // the media sent is min(target, this) when set (app-limited)
		double capacityBps = 2000000;
		int64_t propagationMs = 25;
		int64_t maxQueueMs = 100;
		double randomLoss = 0.0;
		int64_t jitterUs = 0;           // extra delay after the queue, uniform 0..jitterUs (order kept)
		int64_t feedbackIntervalMs = 50;
		uint16_t firstSequence = 0;
		bool duplicateFeedback = false; // every feedback is delivered twice
		bool reorderFeedback = false;   // every pair of feedbacks is swapped
		bool probing = true;            // the engine fulfils probe clusters
		uint64_t seed = 1;
	};

	Config config;
	bwe::SendSideEstimator estimator;
	SimRandom random;
	int64_t nowMs = 0;

	// Link state.
	double capacityBps;
	double busyUntilUs = 0;
	struct InFlight {
		uint16_t seq;
		int64_t arrivalUs;
	};
	std::deque<InFlight> inFlight; // FIFO: arrivals are monotonic
	int64_t lastArrivalUs = 0;
	// Receiver state.
	std::map<int64_t, int64_t> arrived; // unwrapped seq -> arrival us, not reported yet
	int64_t nextToReport = -1;
	int64_t lastUnwrapped = -1;
	uint8_t feedbackCount = 0;
	int64_t lastFeedbackMs = 0;
	std::deque<std::pair<int64_t, TransportCcFeedback>> feedbackInFlight;
	TransportCcFeedback held; // for reordering
	bool holding = false;
	// Sender state.
	uint16_t seq;
	double mediaBudgetBytes = 0;
	bwe::ProbeCluster probe;
	uint32_t probeSentPackets = 0;
	uint32_t probeSentBytes = 0;
	double probeNextUs = 0;
	// Statistics.
	uint64_t sentPackets = 0;
	uint64_t droppedPackets = 0;
	uint64_t probeClusters = 0;

	static bwe::SendSideEstimator::Params EstimatorParams(const Config& config) {
		bwe::SendSideEstimator::Params params;
		params.initialBitrateBps = config.initialBps;
		params.minBitrateBps = config.minBps;
		params.maxBitrateBps = config.maxBps;
		return params;
	}

	explicit LinkSimulation(const Config& config)
	    : config(config), estimator(EstimatorParams(config)), random(config.seed), capacityBps(config.capacityBps),
	      seq(config.firstSequence) {
		estimator.SetDesiredBitrate(config.desiredBps);
		estimator.OnRtt(2 * config.propagationMs);
	}

	static constexpr uint32_t kPacketSize = 1200;
	static constexpr int64_t kReceiverClockOffsetUs = 123456789; // only differences count

	void SendPacket(uint32_t size, int32_t clusterId) {
		const uint16_t number = seq++;
		estimator.OnPacketSent(number, size, nowMs, false, clusterId);
		++sentPackets;
		const double nowUs = static_cast<double>(nowMs) * 1000.0;
		const double queueUs = std::max(0.0, busyUntilUs - nowUs);
		if (queueUs > static_cast<double>(config.maxQueueMs) * 1000.0) {
			++droppedPackets;
			return;
		}
		busyUntilUs = std::max(busyUntilUs, nowUs) + size * 8.0 * 1e6 / capacityBps;
		if (config.randomLoss > 0 && random.Uniform() < config.randomLoss) {
			++droppedPackets;
			return;
		}
		int64_t arrivalUs = static_cast<int64_t>(busyUntilUs) + config.propagationMs * 1000;
		if (config.jitterUs > 0) arrivalUs += static_cast<int64_t>(random.Uniform() * static_cast<double>(config.jitterUs));
		arrivalUs = std::max(arrivalUs, lastArrivalUs); // a FIFO path: no reordering
		lastArrivalUs = arrivalUs;
		inFlight.push_back({ number, arrivalUs });
	}

	void Receive() {
		const int64_t nowUs = nowMs * 1000;
		while (!inFlight.empty() && inFlight.front().arrivalUs <= nowUs) {
			const InFlight packet = inFlight.front();
			inFlight.pop_front();
			int64_t unwrapped;
			if (lastUnwrapped < 0) {
				unwrapped = packet.seq;
			} else {
				const int16_t delta = static_cast<int16_t>(static_cast<uint16_t>(packet.seq - static_cast<uint16_t>(lastUnwrapped)));
				unwrapped = lastUnwrapped + delta;
			}
			lastUnwrapped = std::max(lastUnwrapped, unwrapped);
			if (nextToReport < 0) nextToReport = unwrapped;
			if (unwrapped < nextToReport) continue; // already reported missing
			// Feedback carries arrival times in 250 us units (TransportCcFeedback::kDeltaUnitUs).
			const int64_t unit = TransportCcFeedback::kDeltaUnitUs;
			arrived[unwrapped] = (packet.arrivalUs + kReceiverClockOffsetUs) / unit * unit;
		}
		if (nowMs - lastFeedbackMs < config.feedbackIntervalMs || arrived.empty()) return;
		lastFeedbackMs = nowMs;
		TransportCcFeedback feedback;
		feedback.baseSequenceNumber = static_cast<uint16_t>(nextToReport);
		feedback.feedbackPacketCount = feedbackCount++;
		const int64_t highest = arrived.rbegin()->first;
		for (int64_t s = nextToReport; s <= highest; ++s) {
			TransportCcFeedback::PacketStatus status;
			auto it = arrived.find(s);
			if (it != arrived.end()) {
				status.received = true;
				status.arrivalUs = it->second;
			}
			feedback.packets.push_back(status);
		}
		arrived.clear();
		nextToReport = highest + 1;
		const int64_t deliverAt = nowMs + config.propagationMs;
		if (config.reorderFeedback) {
			if (!holding) {
				held = feedback;
				holding = true;
			} else {
				feedbackInFlight.emplace_back(deliverAt, feedback);
				feedbackInFlight.emplace_back(deliverAt, held);
				holding = false;
			}
		} else {
			feedbackInFlight.emplace_back(deliverAt, feedback);
		}
		if (config.duplicateFeedback) feedbackInFlight.emplace_back(deliverAt + 5, feedback);
	}

	void SenderStep() {
		// Feedback that reached us.
		while (!feedbackInFlight.empty() && feedbackInFlight.front().first <= nowMs) {
			estimator.OnTransportCcFeedback(feedbackInFlight.front().second, nowMs);
			feedbackInFlight.pop_front();
		}
		if (nowMs % bwe::SendSideEstimator::kProcessIntervalMs == 0) estimator.Process(nowMs);
		// Media: a burst every 5 ms at the target rate.
		if (nowMs % 5 == 0) {
			uint32_t mediaBps = estimator.GetTargetBitrateBps();
			if (config.mediaLimitBps > 0) mediaBps = std::min(mediaBps, config.mediaLimitBps);
			mediaBudgetBytes += mediaBps * 5.0 / 8000.0;
			while (mediaBudgetBytes >= kPacketSize) {
				SendPacket(kPacketSize, -1);
				mediaBudgetBytes -= kPacketSize;
			}
		}
		// Probes: paced at the cluster's rate.
		if (config.probing) {
			if (probe.id < 0 && estimator.WantsProbe(nowMs)) {
				probe = estimator.NextProbeCluster(nowMs);
				probeSentPackets = 0;
				probeSentBytes = 0;
				probeNextUs = static_cast<double>(nowMs) * 1000.0;
				if (probe.id >= 0) ++probeClusters;
			}
			while (probe.id >= 0 && probeNextUs <= static_cast<double>(nowMs) * 1000.0) {
				SendPacket(kPacketSize, probe.id);
				++probeSentPackets;
				probeSentBytes += kPacketSize;
				probeNextUs += kPacketSize * 8.0 * 1e6 / probe.targetBitrateBps;
				if (probeSentPackets >= probe.minPackets && probeSentBytes >= probe.minBytes) probe = bwe::ProbeCluster();
			}
		}
	}

	// Runs until `untilMs`, calling `sample` every ms after the step.
	void RunUntil(int64_t untilMs, const std::function<void(LinkSimulation&)>& sample = nullptr) {
		while (nowMs < untilMs) {
			++nowMs;
			Receive();
			SenderStep();
			if (sample) sample(*this);
		}
	}

	uint32_t Estimate() const { return estimator.GetTargetBitrateBps(); }
};

} // namespace test
} // namespace mediaplane
