#pragma once
// A receiver report, RR (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report
// blocks. An RR with no blocks is how a compound packet starts when there is nothing
// to report (RFC 3550 §6.1). A plain value that owns its fields.
//
//   header (RC = report count, PT = 201)
//   SSRC of packet sender | report blocks (24 bytes each) | profile extensions (ignored)

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ReportBlock.hpp"
#include "RtcpPacketView.hpp"

namespace mediaplane {

class ReceiverReport {
public:
	uint32_t ssrc = 0;
	std::vector<ReportBlock> reportBlocks;

	// True when `packet` is an RR whose body holds the SSRC and all RC blocks.
	static bool IsWellFormed(const RtcpPacketView& packet);
	// Replaces every field from `packet`; false if it is not a well-formed RR.
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const { return rtcp::kHeaderSize + 4 + ReportBlock::kSize * reportBlocks.size(); }
	// Writes the packet and returns its size, or 0 when `capacity` is too small or there
	// are more than 31 report blocks (RFC 3550 §6.1: the rest go in further RRs).
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
