// Probing policy; see the header.
#include "ProbeController.hpp"

#include <algorithm>

namespace mediaplane {
namespace bwe {

ProbeController::ProbeController(int64_t startBps, int64_t minBps, int64_t maxBps, const Params& params)
    : params(params), startBps(startBps), minBps(0), maxBps(0) {
	SetBounds(minBps, maxBps);
	this->estimateBps = startBps;
}

void ProbeController::SetBounds(int64_t minBps, int64_t maxBps) {
	this->minBps = std::max<int64_t>(minBps, 0);
	this->maxBps = std::max(maxBps, this->minBps);
}

int64_t ProbeController::Cap(int64_t bps) const {
	int64_t cap = this->maxBps;
	if (this->desiredBps > 0) cap = std::min(cap, 2 * this->desiredBps);
	return std::min(bps, cap);
}

void ProbeController::Enqueue(int64_t targetBps, int64_t nowMs, bool exponential, bool longCluster) {
	targetBps = Cap(targetBps);
	// A probe at or below what we already use finds nothing.
	if (targetBps <= this->estimateBps || targetBps <= 0) return;
	// Nor does a second cluster at a rate already queued (both capped at the maximum).
	for (const ProbeCluster& queued : this->pending) {
		if (queued.targetBitrateBps >= targetBps) return;
	}
	ProbeCluster cluster;
	cluster.id = this->nextId++;
	if (this->nextId < 0) this->nextId = 0;
	cluster.targetBitrateBps = static_cast<uint32_t>(std::min<int64_t>(targetBps, UINT32_MAX));
	cluster.minPackets = this->params.minPackets;
	if (longCluster) {
		cluster.minBytes = static_cast<uint32_t>(std::min<int64_t>(targetBps * this->params.longDurationMs / 8000, this->params.longMaxBytes));
		cluster.durationMs = this->params.longDurationMs;
	} else {
		cluster.minBytes = static_cast<uint32_t>(targetBps * this->params.durationMs / 8000);
		cluster.durationMs = this->params.durationMs;
	}
	this->pending.push_back(cluster);
	if (exponential) {
		this->minBpsToProbeFurther = static_cast<int64_t>(this->params.furtherThreshold * static_cast<double>(targetBps));
		this->waitingSinceMs = nowMs;
	}
}

void ProbeController::OnEstimate(int64_t estimateBps, int64_t nowMs) {
	this->estimateBps = estimateBps;
	if (!this->enabled) return;

	// Large drop: remember the estimate before it, probe back a little later.
	while (!this->recentEstimates.empty() && nowMs - this->recentEstimates.front().first > this->params.dropWindowMs) {
		this->recentEstimates.pop_front();
	}
	// recentEstimates is kept in decreasing order of bitrate (a sliding-window maximum):
	// the front is the largest estimate of the window, with no scan. This runs once per
	// receiver-report block, a rate the remote peer chooses.
	const int64_t recentMax = this->recentEstimates.empty() ? 0 : this->recentEstimates.front().second;
	if (recentMax > 0 && static_cast<double>(estimateBps) < this->params.dropFraction * static_cast<double>(recentMax) &&
	    (this->lastDropHandledMs < 0 || nowMs - this->lastDropHandledMs > this->params.dropWindowMs)) {
		if (this->periodicEnabled) this->recoveryAtMs = nowMs + this->params.recoveryDelayMs;
		this->recoveryTargetBps = static_cast<int64_t>(this->params.recoveryFactor * static_cast<double>(recentMax));
		this->lastDropHandledMs = nowMs;
		this->recentEstimates.clear();
	}
	// An older estimate at or below this one can never be the window's maximum again.
	while (!this->recentEstimates.empty() && this->recentEstimates.back().second <= estimateBps) {
		this->recentEstimates.pop_back();
	}
	this->recentEstimates.emplace_back(nowMs, estimateBps);

	// A periodic probe that found room is followed up sooner.
	if (this->periodicTargetBps > 0 && estimateBps >= static_cast<int64_t>(this->params.furtherThreshold * static_cast<double>(this->periodicTargetBps))) {
		this->periodicFollowUp = true;
		this->periodicTargetBps = 0;
	}
	// Exponential probing continues while results come close to the targets.
	if (this->minBpsToProbeFurther > 0) {
		if (estimateBps >= this->minBpsToProbeFurther) {
			this->minBpsToProbeFurther = 0;
			if (this->desiredBps == 0 || estimateBps < this->desiredBps) {
				Enqueue(static_cast<int64_t>(this->params.furtherFactor * static_cast<double>(estimateBps)), nowMs, true);
			}
		} else if (nowMs - this->waitingSinceMs > this->params.furtherTimeoutMs) {
			this->minBpsToProbeFurther = 0;
		}
	}
}

void ProbeController::Process(int64_t nowMs) {
	if (!this->enabled) return;
	if (this->minBpsToProbeFurther > 0 && nowMs - this->waitingSinceMs > this->params.furtherTimeoutMs) {
		this->minBpsToProbeFurther = 0;
	}
	if (this->periodicEnabled && this->recoveryAtMs >= 0 && nowMs >= this->recoveryAtMs) {
		this->recoveryAtMs = -1;
		if (this->recoveryTargetBps > this->estimateBps) Enqueue(this->recoveryTargetBps, nowMs, false, true);
	}
	// Periodic probing while the application wants more than we give it.
	const int64_t interval = this->periodicFollowUp ? this->params.periodicFollowUpMs : this->params.periodicIntervalMs;
	if (this->periodicEnabled && this->started && this->pending.empty() && this->minBpsToProbeFurther == 0 &&
	    this->desiredBps > this->estimateBps &&
	    this->estimateBps < this->maxBps &&
	    (this->lastProbeMs < 0 || nowMs - this->lastProbeMs >= interval)) {
		const size_t before = this->pending.size();
		Enqueue(static_cast<int64_t>(this->params.furtherFactor * static_cast<double>(this->estimateBps)), nowMs, false, true);
		this->periodicFollowUp = false;
		if (this->pending.size() > before) this->periodicTargetBps = this->pending.back().targetBitrateBps;
		// Even when the target was capped to nothing, wait a period before trying again.
		if (this->pending.empty()) this->lastProbeMs = nowMs;
	}
}

bool ProbeController::WantsProbe(int64_t nowMs) {
	if (!this->enabled) return false;
	if (!this->started) {
		this->started = true;
		Enqueue(static_cast<int64_t>(this->params.initialFactor1 * static_cast<double>(this->startBps)), nowMs, false);
		Enqueue(static_cast<int64_t>(this->params.initialFactor2 * static_cast<double>(this->startBps)), nowMs, true);
	}
	Process(nowMs);
	return !this->pending.empty();
}

ProbeCluster ProbeController::NextProbeCluster(int64_t nowMs) {
	if (!WantsProbe(nowMs)) return ProbeCluster();
	ProbeCluster cluster = this->pending.front();
	this->pending.pop_front();
	this->lastProbeMs = nowMs;
	this->lastProbeTargetBps = cluster.targetBitrateBps;
	if (this->minBpsToProbeFurther > 0) this->waitingSinceMs = nowMs;
	return cluster;
}

int64_t ProbeController::GetActiveProbeBitrateBps(int64_t nowMs) const {
	int64_t bps = 0;
	for (const ProbeCluster& cluster : this->pending) bps = std::max<int64_t>(bps, cluster.targetBitrateBps);
	if (this->lastProbeMs >= 0 && nowMs - this->lastProbeMs < 1000) bps = std::max(bps, this->lastProbeTargetBps);
	return bps;
}

} // namespace bwe
} // namespace mediaplane
