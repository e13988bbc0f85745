#pragma once
// The bitrate a probe cluster found: the engine sent the cluster's packets at the
// target rate (padding or RTX tagged with the cluster id); the transport-wide
// feedback about them says at what rate they arrived. If the path has room, they
// arrive as fast as they left; if not, the bottleneck spaced them at its capacity.
// So the result is min(send rate, receive rate) over the cluster:
//   send rate    = (bytes sent - the last packet's size) / (last send - first send)
//   receive rate = (bytes received - the first arrival's size) / (last - first arrival)
// (n packets span n - 1 intervals, hence one packet's size out of each).
// Media keeps flowing during a probe and shares the bottleneck with it, so every
// packet whose transport-wide number lies between the cluster's first and last probe
// packet counts in both rates (its bytes crossed the same link in the same interval);
// only the probe packets count towards the minimum packets received.
// A cluster counts only once at least 80% of its minimum packets and bytes were
// received (our choice: a probe that mostly got lost measured nothing), and only over
// intervals of at most 1 s. If the receive rate is below 90% of the send rate the
// probe overshot: the bottleneck rate is the receive rate, taken with a 5% margin
// for the queue it left behind (ours).
// The method follows the probing that deployed GoogCC performs (the transport-wide
// feedback draft §1 names probing as one use of per-packet timestamps). Sans-I/O.

#include <cstdint>
#include <map>

#include "BweTypes.hpp"

namespace mediaplane {
namespace bwe {

class ProbeBitrateEstimator {
public:
	static constexpr double kMinReceivedFraction = 0.8;
	static constexpr int64_t kMaxIntervalMs = 1000;
	// Transport-cc reports arrival times in 250 us ticks (transport-wide-cc-extensions-01
	// §3.1.5): a burst that crossed an idle path arrives "in one tick", which says the
	// path carried it at least that fast, not that nothing was measured.
	static constexpr int64_t kArrivalResolutionUs = 250;
	static constexpr int64_t kClusterTimeoutMs = 5000;

	// The cluster as requested (for its minimum packets and bytes). Results of unknown
	// clusters are ignored.
	void OnClusterStarted(const ProbeCluster& cluster, int64_t nowMs);
	// Every packet result, in sequence number order (as feedback lists them). Returns
	// the estimate of the probe cluster it belongs to, in bps, when that is (still)
	// valid after this packet, else 0.
	int64_t OnPacketResult(const PacketResult& result, int64_t nowMs);
	// The last valid estimate since the previous call (and its cluster), then forgets it.
	bool FetchLastEstimate(int32_t& clusterId, int64_t& bps);

private:
	// Bytes and times of some packets.
	struct Span {
		int64_t firstSendMs = 0;
		int64_t lastSendMs = 0;
		uint32_t lastSendSize = 0;
		int64_t firstArrivalUs = 0;
		int64_t lastArrivalUs = 0;
		uint32_t firstArrivalSize = 0;
		int64_t sentBytes = 0;
		int64_t receivedBytes = 0;
		int64_t sentCount = 0;
		int64_t receivedCount = 0;
		void Add(const PacketResult& result);
		void Merge(const Span& other);
	};
	struct Cluster {
		ProbeCluster request;
		int64_t lastProbeSequence = -1;
		int64_t probeReceived = 0;
		Span all;     // probe packets and the packets sent between them
		Span pending; // packets after the last probe packet seen so far
		int64_t startedMs = 0;
	};

	int64_t Estimate(const Cluster& cluster) const;
	void Prune(int64_t nowMs);

	std::map<int32_t, Cluster> clusters;
	bool hasEstimate = false;
	int32_t lastClusterId = -1;
	int64_t lastEstimateBps = 0;
};

} // namespace bwe
} // namespace mediaplane
