#pragma once
// A Receiver Estimated Maximum Bitrate message, REMB (draft-alvestrand-rmcat-remb-03
// §2.2): application layer feedback (PT 206, FMT 15) whose FCI starts with "REMB" and
// carries the total bitrate the receiver estimates it can take for the listed SSRCs.
// A plain value that owns its SSRC list.
//
//   header (FMT = 15, PT = 206) | SSRC of packet sender | SSRC of media source (0)
//   'R' 'E' 'M' 'B' | Num SSRC (8) | BR Exp (6) | BR Mantissa (18) | SSRC feedback ...
//
// The bitrate is mantissa * 2^exp bits per second.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class ReceiverEstimatedMaxBitrate {
public:
	// After the feedback header: identifier, then count/exponent/mantissa.
	static constexpr size_t kFixedFciSize = 8;
	static constexpr size_t kMaxSsrcs = 255;
	static constexpr uint32_t kMaxMantissa = (1u << 18) - 1;

	uint32_t senderSsrc = 0;
	uint32_t mediaSsrc = 0; // 0 per the draft
	// Bits per second. Serialize() rounds it down to what 18 bits of mantissa hold;
	// Parse() saturates at UINT64_MAX when the encoded value does not fit 64 bits.
	uint64_t bitrate = 0;
	std::vector<uint32_t> ssrcs;

	// True when `packet` is PT 206 FMT 15 with the "REMB" identifier and room for all
	// Num SSRC entries.
	static bool IsWellFormed(const RtcpPacketView& packet);
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const {
		return rtcp::kHeaderSize + rtcp::kFeedbackHeaderSize + kFixedFciSize + 4 * ssrcs.size();
	}
	// Writes the packet and returns its size, or 0 when `capacity` is too small or there
	// are more than 255 SSRCs.
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
