#pragma once
// A sender report, SR (RFC 3550 §6.4.1): the sender's SSRC, its wall clock and RTP
// clock at the moment of sending, what it has sent, and up to 31 report blocks about
// the sources it receives. A plain value that owns its fields; Parse() copies out of
// the caller's buffer.
//
//   header (RC = report count, PT = 200)
//   SSRC of sender | NTP timestamp (64) | RTP timestamp | packet count | octet count
//   report blocks (24 bytes each) | profile-specific extensions (ignored)

#include <cstddef>
#include <cstdint>
#include <vector>

#include "NtpTimestamp.hpp"
#include "ReportBlock.hpp"
#include "RtcpPacketView.hpp"

namespace mediaplane {

class SenderReport {
public:
	// The sender info after the common header: SSRC and the five sender fields.
	static constexpr size_t kSenderInfoSize = 24;

	uint32_t ssrc = 0;
	NtpTimestamp ntpTimestamp;
	uint32_t rtpTimestamp = 0; // the same instant as ntpTimestamp, in the stream's RTP clock
	uint32_t packetCount = 0;  // RTP packets sent since the stream began
	uint32_t octetCount = 0;   // RTP payload octets sent since the stream began
	std::vector<ReportBlock> reportBlocks;

	// True when `packet` is an SR whose body holds the sender info and all RC blocks.
	static bool IsWellFormed(const RtcpPacketView& packet);
	// Replaces every field from `packet`; returns false (fields unspecified) if it is
	// not a well-formed SR.
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const { return rtcp::kHeaderSize + kSenderInfoSize + ReportBlock::kSize * reportBlocks.size(); }
	// Writes the packet to `out` and returns its size, or 0 when `capacity` is too small
	// or there are more than 31 report blocks (more go in extra RRs, RFC 3550 §6.1).
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
