#pragma once
// The codecs mediaplane knows by name, as they appear in RtpCodecParameters.mimeType
// ("audio/opus", "video/VP8", ...). Media type names are case-insensitive (RFC 6838
// §4.2), so "video/vp8" and "VIDEO/VP8" name the same codec. A subtype under the wrong
// top-level type ("audio/VP8") is Unknown.

#include <string_view>

namespace mediaplane {

enum class CodecType {
	Unknown,
	Opus,           // audio/opus (RFC 7587)
	Multiopus,      // audio/multiopus (multichannel Opus as Chromium offers it)
	Pcmu,           // audio/PCMU (RFC 3551 §4.5.14)
	Pcma,           // audio/PCMA (RFC 3551 §4.5.14)
	G722,           // audio/G722 (RFC 3551 §4.5.2)
	Ilbc,           // audio/iLBC (RFC 3952)
	Silk,           // audio/SILK
	Cn,             // audio/CN, comfort noise (RFC 3389)
	TelephoneEvent, // audio/telephone-event (RFC 4733)
	Vp8,            // video/VP8 (RFC 7741)
	Vp9,            // video/VP9 (RFC 9628)
	H264,           // video/H264 (RFC 6184)
	H265,           // video/H265 (RFC 7798)
	Av1,            // video/AV1 (AOM RTP payload format for AV1)
	Rtx,            // video/rtx, retransmission (RFC 4588)
};

// The codec named by a full mime type, compared case-insensitively; Unknown when the
// name is not one of the above.
CodecType CodecTypeFromMimeType(std::string_view mimeType);

// The canonical mime type ("video/VP8"), or "" for Unknown.
std::string_view CodecTypeMimeType(CodecType type);

// True for the video codecs and for RTX (which mediasoup only uses as video/rtx).
bool IsVideo(CodecType type);

} // namespace mediaplane
