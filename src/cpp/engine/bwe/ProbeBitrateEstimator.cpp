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

int64_t ProbeBitrateEstimator::OnPacketResult(const PacketResult& result, int64_t nowMs) {
	(void)nowMs;
	if (result.probeClusterId < 0) return 0;
	auto it = this->clusters.find(result.probeClusterId);
	if (it == this->clusters.end()) return 0;
	Cluster& cluster = it->second;

	if (cluster.sentCount == 0 || result.sendTimeMs < cluster.firstSendMs) cluster.firstSendMs = result.sendTimeMs;
	if (cluster.sentCount == 0 || result.sendTimeMs >= cluster.lastSendMs) {
		cluster.lastSendMs = result.sendTimeMs;
		cluster.lastSendSize = result.sizeBytes;
	}
	++cluster.sentCount;
	cluster.sentBytes += result.sizeBytes;
	if (result.received) {
		if (cluster.receivedCount == 0 || result.arrivalUs < cluster.firstArrivalUs) {
			cluster.firstArrivalUs = result.arrivalUs;
			cluster.firstArrivalSize = result.sizeBytes;
		}
		if (cluster.receivedCount == 0 || result.arrivalUs > cluster.lastArrivalUs) cluster.lastArrivalUs = result.arrivalUs;
		++cluster.receivedCount;
		cluster.receivedBytes += result.sizeBytes;
	}

	const int64_t bps = Estimate(cluster);
	if (bps > 0) {
		this->hasEstimate = true;
		this->lastClusterId = result.probeClusterId;
		this->lastEstimateBps = bps;
	}
	return bps;
}

int64_t ProbeBitrateEstimator::Estimate(const Cluster& cluster) const {
	const double minPackets = kMinReceivedFraction * std::max<uint32_t>(cluster.request.minPackets, 2);
	const double minBytes = kMinReceivedFraction * cluster.request.minBytes;
	if (static_cast<double>(cluster.receivedCount) < minPackets) return 0;
	if (static_cast<double>(cluster.receivedBytes) < minBytes) return 0;
	if (cluster.receivedCount < 2) return 0;

	const int64_t receiveIntervalUs = cluster.lastArrivalUs - cluster.firstArrivalUs;
	const int64_t sendIntervalMs = cluster.lastSendMs - cluster.firstSendMs;
	if (receiveIntervalUs <= 0 || receiveIntervalUs > kMaxIntervalMs * 1000) return 0;
	if (sendIntervalMs < 0 || sendIntervalMs > kMaxIntervalMs) return 0;

	const double receiveBps = static_cast<double>(cluster.receivedBytes - cluster.firstArrivalSize) * 8e6 /
	                          static_cast<double>(receiveIntervalUs);
	// Sent all in one millisecond: only the receive side measured anything.
	if (sendIntervalMs == 0) return static_cast<int64_t>(receiveBps);
	const double sendBps = static_cast<double>(cluster.sentBytes - cluster.lastSendSize) * 8e3 /
	                       static_cast<double>(sendIntervalMs);
	if (receiveBps < 0.9 * sendBps) return static_cast<int64_t>(0.95 * receiveBps);
	return static_cast<int64_t>(std::min(sendBps, receiveBps));
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
