#pragma once
// Decides when to probe for more capacity and at what rate (issue 12; the policy
// follows what browsers' GoogCC does towards an SFU, written from its description,
// not its code):
//  - At start: two clusters at 3x and 6x the start bitrate (capped at the maximum),
//    so that a path with room is found within a second or two instead of at 8% per
//    second.
//  - Exponential probing: while a probe's result reaches 70% of its target, the next
//    probe goes to 2x the new estimate, at once; it stops at the first probe that does
//    not (the path's capacity is in between) or at the maximum.
//  - Periodic: while the application would like more than the estimate (desired
//    bitrate above it), a probe at 2x the estimate every params.periodicIntervalMs
//    (5 s): an application-limited sender never shows the room it could have.
//  - Recovery: after a large drop (below 66% of the highest estimate of the last 5 s,
//    typically a short burst of cross traffic), one probe 1 s later at 85% of the
//    former estimate, so that the estimate need not climb back additively.
// Targets never exceed the maximum bitrate, nor (when the application said what it
// wants) 2x the desired bitrate. The engine asks WantsProbe() / NextProbeCluster()
// when it can send, and sends each cluster paced at its target rate. Sans-I/O.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "BweTypes.hpp"

namespace mediaplane {
namespace bwe {

class ProbeController {
public:
	struct Params {
		double initialFactor1 = 3.0;
		double initialFactor2 = 6.0;
		double furtherFactor = 2.0;
		double furtherThreshold = 0.7;
		int64_t furtherTimeoutMs = 1000; // waiting for a result longer than this ends exponential probing
		int64_t periodicIntervalMs = 5000;
		// A periodic probe is one cluster (no exponential follow-up in the same burst: two
		// clusters back to back overflowed a 600 kbps bottleneck's queue); when its result
		// reaches furtherThreshold of its target, the next one comes after this instead.
		int64_t periodicFollowUpMs = 1000;
		double dropFraction = 0.66;
		double recoveryFactor = 0.85;
		int64_t recoveryDelayMs = 1000;
		int64_t dropWindowMs = 5000;
		uint32_t durationMs = 15; // a cluster lasts about this long at its rate
		// Periodic and recovery clusters carry this long of their rate, at most
		// longMaxBytes (ours): a 15 ms cluster fits a bottleneck's token bucket and reads
		// as whatever it tried (1.2-2 x a 600 kbps limit, measured), and the estimate
		// then led a receiver onto a layer the link could not carry. A cluster larger than
		// the bucket and queue loses its tail there and is rejected (< 80% received).
		uint32_t longDurationMs = 100;
		uint32_t longMaxBytes = 30000;
		uint32_t minPackets = 5;  // and has at least this many packets
	};

	ProbeController(int64_t startBps, int64_t minBps, int64_t maxBps) : ProbeController(startBps, minBps, maxBps, Params()) {}
	ProbeController(int64_t startBps, int64_t minBps, int64_t maxBps, const Params& params);

	void SetBounds(int64_t minBps, int64_t maxBps);
	void SetDesiredBitrate(int64_t bps) { this->desiredBps = bps > 0 ? bps : 0; }
	// Periodic and recovery probes on or off (on by default; the start probes are not
	// affected). The caller turns them off while its path shows congestion: behind a token
	// bucket a short burst reads as more than the bottleneck carries, and each probe into
	// a limited link raised the estimate to 1.2-2 x the limit until losses took it back (a
	// VP9 SVC receiver then stopped decoding for 3 s). The rate control's own increase
	// finds the limit there. A recovery probe due while off is dropped.
	void SetPeriodicProbing(bool enabled) {
		this->periodicEnabled = enabled;
		if (enabled) return;
		this->recoveryAtMs = -1;
		this->periodicFollowUp = false;
		this->periodicTargetBps = 0;
	}
	// Every new estimate (after feedback, a probe result or a REMB).
	void OnEstimate(int64_t estimateBps, int64_t nowMs);
	// Periodic checks (periodic and recovery probes).
	void Process(int64_t nowMs);
	bool WantsProbe(int64_t nowMs);
	// The next cluster to send (id -1 when none); ids increase from 0.
	ProbeCluster NextProbeCluster(int64_t nowMs);
	// Stops everything (the estimator went to REMB mode, probing has no feedback).
	void Disable() { this->enabled = false; this->pending.clear(); }
	// Probing again (transport-wide feedback appeared after a REMB).
	void Enable() { this->enabled = true; }
	bool IsEnabled() const { return this->enabled; }
	// The highest target of the clusters pending or sent in the last second, else 0.
	int64_t GetActiveProbeBitrateBps(int64_t nowMs) const;
	// Estimates kept to detect a large drop (bounded by distinct decreasing values; tests).
	size_t GetRecentEstimateCount() const { return this->recentEstimates.size(); }

private:
	void Enqueue(int64_t targetBps, int64_t nowMs, bool exponential, bool longCluster = false);
	int64_t Cap(int64_t bps) const;

	Params params;
	int64_t startBps;
	int64_t minBps;
	int64_t maxBps;
	int64_t desiredBps = 0;
	int64_t estimateBps = 0;
	bool enabled = true;
	bool periodicEnabled = true;
	bool started = false;
	int32_t nextId = 0;
	std::deque<ProbeCluster> pending;
	// Exponential probing: a result at or above this continues it (0: not waiting).
	int64_t minBpsToProbeFurther = 0;
	int64_t waitingSinceMs = -1;
	int64_t lastProbeMs = -1;
	int64_t lastProbeTargetBps = 0;
	std::deque<std::pair<int64_t, int64_t>> recentEstimates; // (time, bps), decreasing bps: for drops
	int64_t recoveryAtMs = -1;
	int64_t recoveryTargetBps = 0;
	int64_t periodicTargetBps = 0;  // the last periodic probe's target, until its result
	bool periodicFollowUp = false;  // that result reached furtherThreshold of it
	int64_t lastDropHandledMs = -1;
};

} // namespace bwe
} // namespace mediaplane
