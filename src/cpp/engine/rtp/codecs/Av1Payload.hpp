#pragma once
// AV1 RTP payloads (RTP Payload Format for AV1, AOM, v1.0, §4.4-4.5): a one-octet
// aggregation header followed by OBU elements.
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |Z|Y| W |N|-|-|-|
//   +-+-+-+-+-+-+-+-+
//
//  Z: the first OBU element continues an OBU fragment from the previous packet.
//  Y: the last OBU element continues in the next packet.
//  W: the number of OBU elements, or 0. With W=0 every element is preceded by its
//     length (leb128); with W=1..3 all elements but the last are, and the last one
//     runs to the end of the payload.
//  N: the packet is the first packet of a coded video sequence; MUST be 0 when Z=1.
//
// Each element that does not continue a fragment begins with an OBU header (AV1
// §5.3.2): |F|type(4)|X|S|R| and, with X, |temporal_id(3)|spatial_id(2)|-(3)|.
//
// Key frame: N=1 (a new coded video sequence begins with a key frame, and the
// packetizer sets N exactly then). Frame start: N=1, or Z=0 and the first OBU is a
// sequence header, temporal delimiter, frame header or frame (AV1 §6.2.2 types 1, 2,
// 3, 6). Layers: the temporal_id/spatial_id of the first OBU with an extension header.
// hasParameterSets: a sequence header OBU starts in the packet.

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

// Parses `payload` (the RTP payload: after the header and extensions, before padding).
// Returns false, with *info reset, for: no OBU element; N and Z both set; a length
// field that is malformed (more than 8 octets or a value above 2^32-1, AV1 §4.10.5),
// zero, or larger than what remains; a W that does not match the elements present; an
// OBU header with the forbidden bit set or an extension header cut off by the end of a
// complete element.
bool ParseAv1(const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
