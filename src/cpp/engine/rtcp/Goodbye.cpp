#include "Goodbye.hpp"

namespace mediaplane {

bool Goodbye::IsWellFormed(const RtcpPacketView& packet) {
	if (packet.GetPacketType() != rtcp::kTypeGoodbye) return false;
	const size_t sourcesSize = 4u * packet.GetCount();
	if (sourcesSize > packet.GetBodySize()) return false;
	// Anything after the sources is the reason: a length octet and that many bytes.
	if (packet.GetBodySize() > sourcesSize) {
		const size_t length = packet.GetBody()[sourcesSize];
		if (sourcesSize + 1 + length > packet.GetBodySize()) return false;
	}
	return true;
}

bool Goodbye::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	const size_t count = packet.GetCount();
	ssrcs.resize(count);
	for (size_t i = 0; i < count; ++i) ssrcs[i] = rtcp::Read32(body + 4 * i);
	reason.clear();
	if (packet.GetBodySize() > 4 * count) {
		const size_t length = body[4 * count];
		reason.assign(reinterpret_cast<const char*>(body + 4 * count + 1), length);
	}
	return true;
}

size_t Goodbye::GetSerializedSize() const {
	size_t size = rtcp::kHeaderSize + 4 * ssrcs.size();
	if (!reason.empty()) size += rtcp::PadTo4(1 + reason.size());
	return size;
}

size_t Goodbye::Serialize(uint8_t* out, size_t capacity) const {
	if (ssrcs.size() > rtcp::kMaxCount || reason.size() > kMaxReasonLength) return 0;
	const size_t size = GetSerializedSize();
	if (size > capacity) return 0;
	rtcp::WriteHeader(out, static_cast<uint8_t>(ssrcs.size()), rtcp::kTypeGoodbye, size);
	size_t offset = rtcp::kHeaderSize;
	for (uint32_t ssrc : ssrcs) {
		rtcp::Write32(out + offset, ssrc);
		offset += 4;
	}
	if (!reason.empty()) {
		out[offset++] = static_cast<uint8_t>(reason.size());
		for (char c : reason) out[offset++] = static_cast<uint8_t>(c);
		// Null octets up to the 32-bit boundary (RFC 3550 §6.6).
		while (offset < size) out[offset++] = 0;
	}
	return size;
}

} // namespace mediaplane
