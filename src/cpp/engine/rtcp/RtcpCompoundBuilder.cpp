#include "RtcpCompoundBuilder.hpp"

#include <cstring>

#include "RtcpCompoundParser.hpp"
#include "SourceDescription.hpp"

namespace mediaplane {

bool RtcpCompoundBuilder::AddRaw(const uint8_t* packet, size_t len) {
	if (len < rtcp::kHeaderSize || len > capacity_ - size_) return false;
	if ((packet[0] >> 6) != 2 || (packet[0] & 0x20) != 0) return false;
	if ((static_cast<size_t>(rtcp::Read16(packet + 2)) + 1) * 4 != len) return false;
	std::memcpy(out_ + size_, packet, len);
	size_ += len;
	return true;
}

size_t RtcpCompoundBuilder::Finish() const {
	RtcpCompoundParser parser;
	if (!parser.Parse(out_, size_)) return 0;

	const RtcpPacketKind first = parser.begin()->GetKind();
	if (first == RtcpPacketKind::SenderReport || first == RtcpPacketKind::ReceiverReport) {
		// Full compound: an SDES packet with a CNAME item (RFC 3550 §6.1).
		for (const RtcpPacketView& packet : parser) {
			if (packet.GetKind() != RtcpPacketKind::SourceDescription) continue;
			SourceDescription sdes;
			if (sdes.Parse(packet) && !sdes.GetFirstCname().empty()) return size_;
		}
		return 0;
	}
	// Reduced-size: feedback messages only (RFC 5506 §4.1).
	for (const RtcpPacketView& packet : parser) {
		if (!packet.IsFeedback()) return 0;
	}
	return size_;
}

} // namespace mediaplane
