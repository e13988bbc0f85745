#pragma once
// The VP9 RTP payload descriptor (RFC 9628 §4.2), in both modes, with the scalability
// structure (RFC 9628 §4.2.1) read far enough to be skipped.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z|   required
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PICTURE ID  |   M=1: 15-bit picture id over two octets
//  M:   | EXTENDED PID  |
//  L:   | TID |U| SID |D|   layer indices
//       |   TL0PICIDX   |   only in non-flexible mode (F=0) with L
//  P,F: | P_DIFF      |N|   flexible mode, inter-picture predicted: up to 3 times
//  V:   | SS            |   scalability structure
//
// Frame start: B (RFC 9628 calls the unit a frame; with spatial layers each layer's
// frame has its own B). Key frame: B set, P clear (not inter-picture predicted) and
// spatial layer 0 (SID 0, or no layer indices at all).

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

// Parses `payload` (the RTP payload: after the header and extensions, before padding).
// Returns false, with *info reset, when the descriptor or its scalability structure is
// truncated, when flexible mode lists more than 3 reference indices, or when there is
// no VP9 data after the descriptor.
bool ParseVp9(const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
