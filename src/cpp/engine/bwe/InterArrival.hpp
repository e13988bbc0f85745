#pragma once
// Packet groups and the delay variation between consecutive groups
// (draft-ietf-rmcat-gcc-02 §5.2 "Pre-filtering" and §5.3 "Arrival-time filter").
//
// A video frame leaves the sender as a burst of packets; their arrival spacing says
// little about the path, so delays are measured per group, not per packet:
//  - a group is the packets sent within kBurstTimeMs (5 ms, the draft's burst_time)
//    of its first packet;
//  - a packet that arrives less than kBurstTimeMs after the group's last one and whose
//    delay variation against it is negative (it caught up: the channel delivered a
//    queued burst) joins the group as well (§5.2's second rule, for bursts that a
//    network outage released at once).
// When a group completes, the delay variation against the previous group is
//   d(i) = (arrival(i) - arrival(i-1)) - (departure(i) - departure(i-1))
// with departure and arrival of a group taken at its last packet (§5.3).
//
// Packets sent before the current group's first packet (reordered by the network or
// by feedback) are skipped; a negative arrival spacing between groups (reordering)
// yields no delta; a jump of more than kClockJumpMs between the two spacings (a
// receiver clock reset) restarts the grouping. Sans-I/O.

#include <cstdint>

namespace mediaplane {
namespace bwe {

class InterArrival {
public:
	static constexpr double kBurstTimeMs = 5.0; // draft §5.2 burst_time
	static constexpr double kClockJumpMs = 3000.0; // our choice

	struct Delta {
		double sendDeltaMs = 0;    // departure(i) - departure(i-1)
		double arrivalDeltaMs = 0; // arrival(i) - arrival(i-1)
		int64_t sizeDeltaBytes = 0;
		double arrivalTimeMs = 0;  // arrival of group i (receiver clock)
	};

	// Feeds one received packet (in send order, as feedback lists them). Returns true and
	// fills `delta` when the packet closed a group that has a predecessor.
	bool OnPacket(double sendTimeMs, int64_t arrivalUs, uint32_t sizeBytes, Delta& delta);
	void Reset();

private:
	struct Group {
		bool valid = false;
		double firstSendMs = 0;
		double lastSendMs = 0;
		double firstArrivalMs = 0;
		double lastArrivalMs = 0;
		int64_t sizeBytes = 0;
	};

	bool BelongsToCurrent(double sendTimeMs, double arrivalMs) const;

	Group current;
	Group previous;
};

} // namespace bwe
} // namespace mediaplane
