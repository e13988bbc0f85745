#include "PictureLossIndication.hpp"

namespace mediaplane {

bool PictureLossIndication::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypePayloadFeedback &&
	       packet.GetFormat() == rtcp::kFormatPictureLossIndication && packet.GetBodySize() >= rtcp::kFeedbackHeaderSize;
}

bool PictureLossIndication::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	senderSsrc = rtcp::Read32(packet.GetBody());
	mediaSsrc = rtcp::Read32(packet.GetBody() + 4);
	return true;
}

size_t PictureLossIndication::Serialize(uint8_t* out, size_t capacity) const {
	if (capacity < kSize) return 0;
	rtcp::WriteHeader(out, rtcp::kFormatPictureLossIndication, rtcp::kTypePayloadFeedback, kSize);
	rtcp::Write32(out + 4, senderSsrc);
	rtcp::Write32(out + 8, mediaSsrc);
	return kSize;
}

} // namespace mediaplane
