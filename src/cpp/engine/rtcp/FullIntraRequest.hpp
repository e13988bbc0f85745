#pragma once
// A Full Intra Request, FIR (RFC 5104 §4.3.1): payload-specific feedback (PT 206,
// FMT 4) asking one or more senders for a decoder refresh point. Each FCI entry names
// the target SSRC and a command sequence number that the requester increments for
// every new request (RFC 5104 §4.3.1.1), so a repeated entry is not a new request. A
// plain value that owns its entries.
//
//   header (FMT = 4, PT = 206) | SSRC of packet sender | SSRC of media source (0)
//   FCI entries, each: SSRC | Seq nr. (8 bits) | reserved (24 bits, zero)

#include <cstddef>
#include <cstdint>
#include <vector>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class FullIntraRequest {
public:
	static constexpr size_t kEntrySize = 8;

	struct Entry {
		uint32_t ssrc = 0;          // the media sender asked for a refresh
		uint8_t sequenceNumber = 0; // command sequence number

		bool operator==(const Entry& other) const { return ssrc == other.ssrc && sequenceNumber == other.sequenceNumber; }
	};

	uint32_t senderSsrc = 0;
	// RFC 5104 §4.3.1.2: unused and set to 0 by the sender; the targets are in entries.
	uint32_t mediaSsrc = 0;
	std::vector<Entry> entries;

	// True when `packet` is a FIR with the feedback header. Trailing bytes shorter than
	// an entry are ignored.
	static bool IsWellFormed(const RtcpPacketView& packet);
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const { return rtcp::kHeaderSize + rtcp::kFeedbackHeaderSize + kEntrySize * entries.size(); }
	// Writes the packet and returns its size, or 0 when `capacity` is too small.
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
