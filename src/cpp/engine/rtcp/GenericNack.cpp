#include "GenericNack.hpp"

namespace mediaplane {

GenericNack GenericNack::FromLostSequenceNumbers(uint32_t senderSsrc, uint32_t mediaSsrc, const std::vector<uint16_t>& lost) {
	GenericNack nack;
	nack.senderSsrc = senderSsrc;
	nack.mediaSsrc = mediaSsrc;
	for (uint16_t seq : lost) {
		if (!nack.items.empty()) {
			Item& last = nack.items.back();
			// Distance modulo 2^16, so a run across 65535 -> 0 stays in one item.
			const uint16_t distance = static_cast<uint16_t>(seq - last.packetId);
			if (distance == 0) continue;
			if (distance <= 16) {
				last.lostPacketBitmask = static_cast<uint16_t>(last.lostPacketBitmask | (1u << (distance - 1)));
				continue;
			}
		}
		nack.items.push_back({ seq, 0 });
	}
	return nack;
}

bool GenericNack::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypeTransportFeedback && packet.GetFormat() == rtcp::kFormatGenericNack &&
	       packet.GetBodySize() >= rtcp::kFeedbackHeaderSize;
}

bool GenericNack::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	senderSsrc = rtcp::Read32(body);
	mediaSsrc = rtcp::Read32(body + 4);
	const size_t count = (packet.GetBodySize() - rtcp::kFeedbackHeaderSize) / kItemSize;
	items.resize(count);
	for (size_t i = 0; i < count; ++i) {
		const uint8_t* item = body + rtcp::kFeedbackHeaderSize + kItemSize * i;
		items[i].packetId = rtcp::Read16(item);
		items[i].lostPacketBitmask = rtcp::Read16(item + 2);
	}
	return true;
}

std::vector<uint16_t> GenericNack::GetLostSequenceNumbers() const {
	std::vector<uint16_t> lost;
	lost.reserve(items.size() * 2);
	for (const Item& item : items) {
		lost.push_back(item.packetId);
		for (unsigned bit = 0; bit < 16; ++bit) {
			if (item.lostPacketBitmask & (1u << bit)) lost.push_back(static_cast<uint16_t>(item.packetId + bit + 1));
		}
	}
	return lost;
}

size_t GenericNack::Serialize(uint8_t* out, size_t capacity) const {
	const size_t size = GetSerializedSize();
	if (size > capacity || size > rtcp::kMaxPacketSize) return 0;
	rtcp::WriteHeader(out, rtcp::kFormatGenericNack, rtcp::kTypeTransportFeedback, size);
	uint8_t* body = out + rtcp::kHeaderSize;
	rtcp::Write32(body, senderSsrc);
	rtcp::Write32(body + 4, mediaSsrc);
	for (size_t i = 0; i < items.size(); ++i) {
		uint8_t* item = body + rtcp::kFeedbackHeaderSize + kItemSize * i;
		rtcp::Write16(item, items[i].packetId);
		rtcp::Write16(item + 2, items[i].lostPacketBitmask);
	}
	return size;
}

} // namespace mediaplane
