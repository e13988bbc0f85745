#pragma once
// A goodbye packet, BYE (RFC 3550 §6.6): the sources that are leaving and an optional
// reason. A plain value that owns its fields.
//
//   header (SC = source count, PT = 203)
//   SSRC/CSRC ... | optional: length (8 bits), reason text, null padding to 32 bits

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class Goodbye {
public:
	static constexpr size_t kMaxReasonLength = 255;

	std::vector<uint32_t> ssrcs;
	std::string reason; // empty when the packet carries none

	// True when `packet` is a BYE whose SC sources, and reason if present, fit the body.
	static bool IsWellFormed(const RtcpPacketView& packet);
	// Replaces every field from `packet`; false if it is not a well-formed BYE.
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const;
	// Writes the packet and returns its size, or 0 when `capacity` is too small, there
	// are more than 31 sources or the reason is longer than 255 bytes.
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
