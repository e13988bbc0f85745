#include "FullIntraRequest.hpp"

namespace mediaplane {

bool FullIntraRequest::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypePayloadFeedback && packet.GetFormat() == rtcp::kFormatFullIntraRequest &&
	       packet.GetBodySize() >= rtcp::kFeedbackHeaderSize;
}

bool FullIntraRequest::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	senderSsrc = rtcp::Read32(body);
	mediaSsrc = rtcp::Read32(body + 4);
	const size_t count = (packet.GetBodySize() - rtcp::kFeedbackHeaderSize) / kEntrySize;
	entries.resize(count);
	for (size_t i = 0; i < count; ++i) {
		const uint8_t* entry = body + rtcp::kFeedbackHeaderSize + kEntrySize * i;
		entries[i].ssrc = rtcp::Read32(entry);
		entries[i].sequenceNumber = entry[4];
	}
	return true;
}

size_t FullIntraRequest::Serialize(uint8_t* out, size_t capacity) const {
	const size_t size = GetSerializedSize();
	if (size > capacity || size > rtcp::kMaxPacketSize) return 0;
	rtcp::WriteHeader(out, rtcp::kFormatFullIntraRequest, rtcp::kTypePayloadFeedback, size);
	uint8_t* body = out + rtcp::kHeaderSize;
	rtcp::Write32(body, senderSsrc);
	rtcp::Write32(body + 4, mediaSsrc);
	for (size_t i = 0; i < entries.size(); ++i) {
		uint8_t* entry = body + rtcp::kFeedbackHeaderSize + kEntrySize * i;
		rtcp::Write32(entry, entries[i].ssrc);
		entry[4] = entries[i].sequenceNumber;
		rtcp::Write24(entry + 5, 0);
	}
	return size;
}

} // namespace mediaplane
