#pragma once
// Dispatches an RTP payload to its codec's parser (Vp8Descriptor, Vp9Descriptor,
// H264Payload, H265Payload, Av1Payload). What a caller should make of the result:
//
//  - Only the codecs for which CanInspectPayload() is true have a parser. Audio codecs
//    need none (every packet can start playout), and RTX carries an original sequence
//    number before the original payload (RFC 4588 §4), so it is inspected through its
//    associated codec after that prefix is removed.
//  - A receiver that needs a key frame (a new consumer, a resumed one, a layer switch)
//    starts forwarding at a packet with valid, isKeyFrame and isFrameStart all true.
//  - `false` means the payload is malformed or of a kind the parser does not
//    understand; no field of *info is meaningful then.

#include <cstddef>
#include <cstdint>

#include "CodecType.hpp"
#include "PayloadInfo.hpp"

namespace mediaplane {

// True for VP8, VP9, H264, H265 and AV1.
bool CanInspectPayload(CodecType type);

// Parses `payload` (the RTP payload: after the header and extensions, before padding)
// as `type`. Returns false, with *info reset, when the codec has no parser or the
// payload does not parse. `info` must not be null.
bool InspectPayload(CodecType type, const uint8_t* payload, size_t len, PayloadInfo* info);

} // namespace mediaplane
