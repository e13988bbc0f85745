#pragma once
// A Picture Loss Indication, PLI (RFC 4585 §6.3.1): payload-specific feedback (PT 206,
// FMT 1) asking the sender of `mediaSsrc` for a new key frame. It has no FCI. A plain
// value.
//
//   header (FMT = 1, PT = 206) | SSRC of packet sender | SSRC of media source

#include <cstddef>
#include <cstdint>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class PictureLossIndication {
public:
	static constexpr size_t kSize = rtcp::kHeaderSize + rtcp::kFeedbackHeaderSize;

	uint32_t senderSsrc = 0;
	uint32_t mediaSsrc = 0;

	// True when `packet` is a PLI with the feedback header (extra bytes are ignored).
	static bool IsWellFormed(const RtcpPacketView& packet);
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const { return kSize; }
	// Writes the 12-byte packet and returns kSize, or 0 when `capacity` is too small.
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
