#pragma once
// H.265 RTP payloads (RFC 7798 §4.4): single NAL unit packets (types 0-47),
// aggregation packets (AP, 48) and fragmentation units (FU, 49). The payload header is
// a two-octet NAL unit header (RFC 7798 §1.1.4):
//
//   |F|   Type    |  LayerId  | TID |
//
// TID is nuh_temporal_id_plus1 and must not be 0; temporalLayer is TID - 1. For an AP
// it is the lowest TID of the aggregated NAL units (§4.4.2), for an FU the TID of the
// fragmented one (§4.4.3).
//
// Assumes sprop-max-don-diff is 0 (no DONL/DOND fields), as WebRTC endpoints use it.
// PACI packets (50) and the unspecified types 51-63 are reported as not understood.
//
// Every NAL unit that starts in the packet is looked at:
//  - IRAP pictures, BLA_W_LP..CRA_NUT (16-21, H.265 Table 7-1; IDR_W_RADL 19,
//    IDR_N_LP 20, CRA 21, BLA 16-18), VPS (32) and SPS (33): isKeyFrame.
//  - VPS, SPS, PPS (32-34): hasParameterSets.
//  - VPS, SPS, PPS, access unit delimiter (35), prefix SEI (39): isFrameStart, as they
//    precede the first slice of an access unit (H.265 §7.4.2.4.4).
//  - A slice segment (0-31) whose first_slice_segment_in_pic_flag (the first bit after
//    the NAL header, H.265 §7.3.6.1) is 1: isFrameStart.

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

// Parses `payload` (the RTP payload: after the header and extensions, before padding).
// Returns false, with *info reset, for a payload shorter than its header, TID 0, an
// unsupported packet type, an aggregation unit that is too short for a NAL header or
// overruns the payload, trailing bytes that do not form a unit, an aggregated or
// fragmented NAL unit whose type is not 0-47, a fragment with no data, or a slice
// segment with nothing after its header.
bool ParseH265(const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
