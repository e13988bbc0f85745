#pragma once
// H.264 RTP payloads (RFC 6184 §5.6-5.8): single NAL unit packets (types 1-23),
// STAP-A (24) and STAP-B (25) aggregation packets, FU-A (28) and FU-B (29)
// fragmentation units. MTAP16/MTAP24 (26, 27) exist only in interleaved mode
// (packetization-mode=2), which WebRTC never negotiates; they are reported as not
// understood (false), as are the reserved types 0, 30 and 31.
//
// Every NAL unit that starts in the packet (the single one, each aggregated one, or
// the fragmented one when the FU header has S set) is looked at:
//  - IDR slice (5) or SPS (7): isKeyFrame. Browsers send SPS and PPS right before
//    every IDR picture (often aggregated with it in one STAP-A), and only then.
//  - SPS (7), PPS (8): hasParameterSets.
//  - SEI (6), SPS, PPS, access unit delimiter (9): isFrameStart, since these precede
//    the first slice of an access unit (H.264 §7.4.1.2.3).
//  - A coded slice (1, 5) whose first_mb_in_slice is 0: isFrameStart. The field is
//    the first ue(v) of the slice header, so it is 0 exactly when the first bit after
//    the NAL header is 1.
// A fragment whose S bit is clear starts nothing.

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

// Parses `payload` (the RTP payload: after the header and extensions, before padding).
// Returns false, with *info reset, for an empty payload, an unsupported or reserved
// packet type, an aggregation unit that is empty or overruns the payload, trailing
// bytes that do not form an aggregation unit, an aggregated or fragmented NAL unit
// whose type is not 1-23, a fragment with no data, or a slice NAL unit with nothing
// after its header.
bool ParseH264(const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
