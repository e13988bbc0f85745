// Probe cluster result estimation; see the header.
#include "ProbeBitrateEstimator.hpp"

#include <algorithm>

namespace mediaplane {
namespace bwe {

void ProbeBitrateEstimator::OnClusterStarted(const ProbeCluster& cluster, int64_t nowMs) {
	Prune(nowMs);
	if (cluster.id < 0) return;
	Cluster entry;
	entry.request = cluster;
	entry.startedMs = nowMs;
	this->clusters[cluster.id] = entry;
}

void ProbeBitrateEstimator::Prune(int64_t nowMs) {
	for (auto it = this->clusters.begin(); it != this->clusters.end();) {
		if (nowMs - it->second.startedMs > kClusterTimeoutMs) {
			it = this->clusters.erase(it);
		} else {
			++it;
		}
	}
}

void ProbeBitrateEstimator::Span::Add(const PacketResult& result) {
	if (this->sentCount == 0 || result.sendTimeMs < this->firstSendMs) this->firstSendMs = result.sendTimeMs;
	if (this->sentCount == 0 || result.sendTimeMs >= this->lastSendMs) {
		this->lastSendMs = result.sendTimeMs;
		this->lastSendSize = result.sizeBytes;
	}
	++this->sentCount;
	this->sentBytes += result.sizeBytes;
	if (!result.received) return;
	if (this->receivedCount == 0 || result.arrivalUs < this->firstArrivalUs) {
		this->firstArrivalUs = result.arrivalUs;
		this->firstArrivalSize = result.sizeBytes;
	}
	if (this->receivedCount == 0 || result.arrivalUs > this->lastArrivalUs) this->lastArrivalUs = result.arrivalUs;
	++this->receivedCount;
	this->receivedBytes += result.sizeBytes;
}

void ProbeBitrateEstimator::Span::Merge(const Span& other) {
	if (other.sentCount == 0) return;
	if (this->sentCount == 0) {
		*this = other;
		return;
	}
	if (other.firstSendMs < this->firstSendMs) this->firstSendMs = other.firstSendMs;
	if (other.lastSendMs >= this->lastSendMs) {
		this->lastSendMs = other.lastSendMs;
		this->lastSendSize = other.lastSendSize;
	}
	this->sentCount += other.sentCount;
	this->sentBytes += other.sentBytes;
	if (other.receivedCount == 0) return;
	if (this->receivedCount == 0 || other.firstArrivalUs < this->firstArrivalUs) {
		this->firstArrivalUs = other.firstArrivalUs;
		this->firstArrivalSize = other.firstArrivalSize;
	}
	if (this->receivedCount == 0 || other.lastArrivalUs > this->lastArrivalUs) this->lastArrivalUs = other.lastArrivalUs;
	this->receivedCount += other.receivedCount;
	this->receivedBytes += other.receivedBytes;
}

int64_t ProbeBitrateEstimator::OnPacketResult(const PacketResult& result, int64_t nowMs) {
	(void)nowMs;
	if (result.probeClusterId < 0) {
		// A packet sent after some cluster's probe packets: it counts if another probe
		// packet of that cluster follows it.
		for (auto& entry : this->clusters) {
			Cluster& cluster = entry.second;
			if (cluster.lastProbeSequence >= 0 && result.sequenceNumber > cluster.lastProbeSequence) cluster.pending.Add(result);
		}
		return 0;
	}
	auto it = this->clusters.find(result.probeClusterId);
	if (it == this->clusters.end()) return 0;
	Cluster& cluster = it->second;
	if (result.sequenceNumber <= cluster.lastProbeSequence) return 0; // seen (should not happen)
	cluster.all.Merge(cluster.pending);
	cluster.pending = Span();
	cluster.all.Add(result);
	cluster.lastProbeSequence = result.sequenceNumber;
	if (result.received) ++cluster.probeReceived;

	const int64_t bps = Estimate(cluster);
	if (bps > 0) {
		this->hasEstimate = true;
		this->lastClusterId = result.probeClusterId;
		this->lastEstimateBps = bps;
	}
	return bps;
}

int64_t ProbeBitrateEstimator::Estimate(const Cluster& cluster) const {
	const Span& span = cluster.all;
	const double minPackets = kMinReceivedFraction * std::max<uint32_t>(cluster.request.minPackets, 2);
	const double minBytes = kMinReceivedFraction * cluster.request.minBytes;
	if (static_cast<double>(cluster.probeReceived) < minPackets) return 0;
	if (static_cast<double>(span.receivedBytes) < minBytes) return 0;
	if (span.receivedCount < 2) return 0;

	const int64_t receiveIntervalUs = std::max(span.lastArrivalUs - span.firstArrivalUs, kArrivalResolutionUs);
	const int64_t sendIntervalMs = span.lastSendMs - span.firstSendMs;
	if (receiveIntervalUs > kMaxIntervalMs * 1000) return 0;
	if (sendIntervalMs < 0 || sendIntervalMs > kMaxIntervalMs) return 0;

	const double receiveBps =
	    static_cast<double>(span.receivedBytes - span.firstArrivalSize) * 8e6 / static_cast<double>(receiveIntervalUs);
	// A probe shows at most the rate it tried: a short burst crosses a bottleneck's
	// bucket (or an idle queue) faster than the bottleneck's rate, and reading that as
	// capacity sent the estimate to tens of Mbps behind a 1.5 Mbps link (measured with
	// bench/bwe-constrained.js; the engine sends a cluster in one burst).
	const double tried = cluster.request.targetBitrateBps > 0 ? cluster.request.targetBitrateBps : receiveBps;
	// Sent all in one millisecond: only the receive side measured anything.
	if (sendIntervalMs == 0) return static_cast<int64_t>(std::min(receiveBps, tried));
	const double sendBps =
	    static_cast<double>(span.sentBytes - span.lastSendSize) * 8e3 / static_cast<double>(sendIntervalMs);
	if (receiveBps < 0.9 * sendBps) return static_cast<int64_t>(std::min(0.95 * receiveBps, tried));
	return static_cast<int64_t>(std::min({ sendBps, receiveBps, tried }));
}

bool ProbeBitrateEstimator::FetchLastEstimate(int32_t& clusterId, int64_t& bps) {
	if (!this->hasEstimate) return false;
	clusterId = this->lastClusterId;
	bps = this->lastEstimateBps;
	this->hasEstimate = false;
	return true;
}

} // namespace bwe
} // namespace mediaplane
