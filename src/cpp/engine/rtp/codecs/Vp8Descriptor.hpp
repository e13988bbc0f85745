#pragma once
// The VP8 RTP payload descriptor (RFC 7741 §4.2) and, in the first packet of a frame,
// the start of the VP8 payload header (RFC 7741 §4.3).
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID |   required
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   |   optional
//  I:   |M| PictureID   |   optional, M=1 makes it 15 bits over two bytes
//  L:   |   TL0PICIDX   |   optional
//  T/K: |TID|Y| KEYIDX  |   optional, present when T or K is set
//
// Frame start: S=1 and PID=0 (the first packet of partition 0, RFC 7741 §4.2). Key
// frame: a frame start whose payload header has P (the inverse key frame flag, bit 0
// of the first byte) equal to 0 (RFC 7741 §4.3).

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

// Parses `payload` (the RTP payload: after the header and extensions, before padding).
// Returns false, with *info reset, when the descriptor is truncated, or when there is
// no VP8 data after it.
bool ParseVp8(const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
