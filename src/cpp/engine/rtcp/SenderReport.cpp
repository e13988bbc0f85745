#include "SenderReport.hpp"

namespace mediaplane {

bool SenderReport::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypeSenderReport &&
	       packet.GetBodySize() >= kSenderInfoSize + ReportBlock::kSize * packet.GetCount();
}

bool SenderReport::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	ssrc = rtcp::Read32(body);
	ntpTimestamp = NtpTimestamp(rtcp::Read32(body + 4), rtcp::Read32(body + 8));
	rtpTimestamp = rtcp::Read32(body + 12);
	packetCount = rtcp::Read32(body + 16);
	octetCount = rtcp::Read32(body + 20);
	reportBlocks.resize(packet.GetCount());
	for (size_t i = 0; i < reportBlocks.size(); ++i) {
		reportBlocks[i].Parse(body + kSenderInfoSize + ReportBlock::kSize * i);
	}
	return true;
}

size_t SenderReport::Serialize(uint8_t* out, size_t capacity) const {
	const size_t size = GetSerializedSize();
	if (reportBlocks.size() > rtcp::kMaxCount || size > capacity) return 0;
	rtcp::WriteHeader(out, static_cast<uint8_t>(reportBlocks.size()), rtcp::kTypeSenderReport, size);
	uint8_t* body = out + rtcp::kHeaderSize;
	rtcp::Write32(body, ssrc);
	rtcp::Write32(body + 4, ntpTimestamp.GetSeconds());
	rtcp::Write32(body + 8, ntpTimestamp.GetFraction());
	rtcp::Write32(body + 12, rtpTimestamp);
	rtcp::Write32(body + 16, packetCount);
	rtcp::Write32(body + 20, octetCount);
	for (size_t i = 0; i < reportBlocks.size(); ++i) {
		reportBlocks[i].Serialize(body + kSenderInfoSize + ReportBlock::kSize * i);
	}
	return size;
}

} // namespace mediaplane
