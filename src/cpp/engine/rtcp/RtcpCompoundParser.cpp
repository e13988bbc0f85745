#include "RtcpCompoundParser.hpp"

#include "FullIntraRequest.hpp"
#include "GenericNack.hpp"
#include "Goodbye.hpp"
#include "PictureLossIndication.hpp"
#include "ReceiverEstimatedMaxBitrate.hpp"
#include "ReceiverReport.hpp"
#include "SenderReport.hpp"
#include "SourceDescription.hpp"

namespace mediaplane {

size_t RtcpCompoundParser::CheckHeader(const uint8_t* data, size_t len, size_t offset, size_t* bodySize) {
	if (len - offset < rtcp::kHeaderSize) return 0;
	const uint8_t* header = data + offset;
	if ((header[0] >> 6) != 2) return 0;
	// The length field counts 32-bit words minus one (RFC 3550 §6.4.1), so every
	// individual packet is at least the 4-byte header.
	const size_t size = (static_cast<size_t>(rtcp::Read16(header + 2)) + 1) * 4;
	if (size > len - offset) return 0;
	size_t body = size - rtcp::kHeaderSize;
	if (header[0] & 0x20) {
		// Padding only on the last packet of a compound (RFC 3550 §6.4.1); its last octet
		// counts the padding octets, itself included.
		if (offset + size != len) return 0;
		const size_t padding = header[size - 1];
		if (padding == 0 || padding > body) return 0;
		body -= padding;
	}
	*bodySize = body;
	return size;
}

bool RtcpCompoundParser::CheckContents(const RtcpPacketView& packet) {
	switch (packet.GetKind()) {
	case RtcpPacketKind::SenderReport:
		return SenderReport::IsWellFormed(packet);
	case RtcpPacketKind::ReceiverReport:
		return ReceiverReport::IsWellFormed(packet);
	case RtcpPacketKind::SourceDescription:
		return SourceDescription::IsWellFormed(packet);
	case RtcpPacketKind::Goodbye:
		return Goodbye::IsWellFormed(packet);
	case RtcpPacketKind::Application:
		// SSRC/CSRC and a 4-character name (RFC 3550 §6.7).
		return packet.GetBodySize() >= 8;
	case RtcpPacketKind::GenericNack:
		return GenericNack::IsWellFormed(packet);
	case RtcpPacketKind::PictureLossIndication:
		return PictureLossIndication::IsWellFormed(packet);
	case RtcpPacketKind::FullIntraRequest:
		return FullIntraRequest::IsWellFormed(packet);
	case RtcpPacketKind::ReceiverEstimatedMaxBitrate:
		return ReceiverEstimatedMaxBitrate::IsWellFormed(packet);
	case RtcpPacketKind::TransportCc:
	case RtcpPacketKind::OtherTransportFeedback:
	case RtcpPacketKind::OtherPayloadFeedback:
		// Every feedback message carries both SSRCs (RFC 4585 §6.1).
		return packet.GetBodySize() >= rtcp::kFeedbackHeaderSize;
	case RtcpPacketKind::ExtendedReport:
	case RtcpPacketKind::Unknown:
		return true;
	}
	return true;
}

bool RtcpCompoundParser::Parse(const uint8_t* data, size_t len) {
	data_ = nullptr;
	size_ = 0;
	packetCount_ = 0;
	if (data == nullptr || len == 0) return false;
	size_t count = 0;
	for (size_t offset = 0; offset < len;) {
		size_t bodySize = 0;
		const size_t size = CheckHeader(data, len, offset, &bodySize);
		if (size == 0) return false;
		if (!CheckContents(RtcpPacketView(data + offset, size, bodySize))) return false;
		offset += size;
		++count;
	}
	data_ = data;
	size_ = len;
	packetCount_ = count;
	return true;
}

void RtcpCompoundParser::Iterator::Load() {
	if (offset_ >= size_) {
		current_ = RtcpPacketView();
		return;
	}
	// Parse() already checked every header, so this does not fail; if it did, the
	// walk ends rather than loops.
	size_t bodySize = 0;
	const size_t size = CheckHeader(data_, size_, offset_, &bodySize);
	if (size == 0) {
		offset_ = size_;
		current_ = RtcpPacketView();
		return;
	}
	current_ = RtcpPacketView(data_ + offset_, size, bodySize);
}

} // namespace mediaplane
