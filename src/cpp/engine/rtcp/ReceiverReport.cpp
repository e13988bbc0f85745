#include "ReceiverReport.hpp"

namespace mediaplane {

bool ReceiverReport::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypeReceiverReport &&
	       packet.GetBodySize() >= 4 + ReportBlock::kSize * packet.GetCount();
}

bool ReceiverReport::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	ssrc = rtcp::Read32(body);
	reportBlocks.resize(packet.GetCount());
	for (size_t i = 0; i < reportBlocks.size(); ++i) {
		reportBlocks[i].Parse(body + 4 + ReportBlock::kSize * i);
	}
	return true;
}

size_t ReceiverReport::Serialize(uint8_t* out, size_t capacity) const {
	const size_t size = GetSerializedSize();
	if (reportBlocks.size() > rtcp::kMaxCount || size > capacity) return 0;
	rtcp::WriteHeader(out, static_cast<uint8_t>(reportBlocks.size()), rtcp::kTypeReceiverReport, size);
	uint8_t* body = out + rtcp::kHeaderSize;
	rtcp::Write32(body, ssrc);
	for (size_t i = 0; i < reportBlocks.size(); ++i) {
		reportBlocks[i].Serialize(body + 4 + ReportBlock::kSize * i);
	}
	return size;
}

} // namespace mediaplane
