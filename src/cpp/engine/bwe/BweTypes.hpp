#pragma once
// Plain values shared by the send-side bandwidth estimator's parts (issue 12): the
// per-packet result of transport-wide feedback, the delay detector's signal and a
// probe cluster request. No behaviour here.
//
// Sources for the whole folder (read while writing it; no code was copied):
//  - draft-ietf-rmcat-gcc-02, "A Google Congestion Control Algorithm for Real-Time
//    Communication" (Holmer, Lundin, Carlucci, De Cicco, Mascolo, July 2016):
//    §5.2 pre-filtering (packet groups), §5.3 arrival-time filter, §5.4 over-use
//    detector and adaptive threshold, §5.5 rate control (AIMD), §6 loss-based control.
//  - draft-holmer-rmcat-transport-wide-cc-extensions-01: per-packet arrival times
//    reported to the sender, which runs the delay-based estimator itself (§1, §3.1).
//  - G. Carlucci, L. De Cicco, S. Holmer, S. Mascolo, "Analysis and Design of the
//    Google Congestion Control for Web Real-time Communication (WebRTC)", ACM MMSys
//    2016: the adaptive threshold's rationale and gains; the trendline variant (a
//    linear regression over the smoothed accumulated one-way delay variation) is the
//    one browsers run with transport-wide feedback and is what TrendlineEstimator does.
//  - draft-alvestrand-rmcat-remb-03 (REMB) and RFC 3550 §6.4.1 (fraction lost).

#include <cstdint>

namespace mediaplane {
namespace bwe {

// One sent packet as known after feedback about it.
struct PacketResult {
	int64_t sequenceNumber = 0;  // transport-wide sequence number, unwrapped
	uint32_t sizeBytes = 0;
	int64_t sendTimeMs = 0;      // sender clock
	bool received = false;
	int64_t arrivalUs = 0;       // receiver clock (only differences mean something)
	bool isRetransmission = false;
	int32_t probeClusterId = -1; // -1: not part of a probe
};

// The over-use detector's signal (draft-ietf-rmcat-gcc-02 §5.4).
enum class BandwidthUsage { Normal, Underusing, Overusing };

// A burst of padding/RTX that the engine sends at targetBitrateBps, tagging every
// packet with `id`, until it has sent at least minPackets packets and minBytes bytes
// (which at that rate takes about durationMs).
struct ProbeCluster {
	int32_t id = -1; // -1: none
	uint32_t targetBitrateBps = 0;
	uint32_t minPackets = 0;
	uint32_t minBytes = 0;
	uint32_t durationMs = 0;
};

} // namespace bwe
} // namespace mediaplane
