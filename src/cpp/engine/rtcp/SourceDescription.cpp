#include "SourceDescription.hpp"

namespace mediaplane {

bool SourceDescription::IsWellFormed(const RtcpPacketView& packet) {
	return packet.GetPacketType() == rtcp::kTypeSourceDescription && ReadChunks(packet, nullptr);
}

bool SourceDescription::Parse(const RtcpPacketView& packet) {
	if (packet.GetPacketType() != rtcp::kTypeSourceDescription) return false;
	std::vector<Chunk> parsed;
	if (!ReadChunks(packet, &parsed)) return false;
	chunks = std::move(parsed);
	return true;
}

bool SourceDescription::ReadChunks(const RtcpPacketView& packet, std::vector<Chunk>* out) {
	const uint8_t* body = packet.GetBody();
	const size_t size = packet.GetBodySize();
	const size_t count = packet.GetCount();
	if (out) out->reserve(count);
	size_t offset = 0;
	for (size_t c = 0; c < count; ++c) {
		if (offset + 4 > size) return false;
		Chunk chunk;
		chunk.ssrc = rtcp::Read32(body + offset);
		offset += 4;
		// Items follow until a null octet, which is an item type of 0 with no length
		// (RFC 3550 §6.5).
		for (;;) {
			if (offset >= size) return false;
			const uint8_t type = body[offset];
			if (type == kItemEnd) {
				++offset;
				break;
			}
			if (offset + 2 > size) return false;
			const size_t length = body[offset + 1];
			if (offset + 2 + length > size) return false;
			if (type == kItemCname && out) {
				chunk.cname.assign(reinterpret_cast<const char*>(body + offset + 2), length);
			}
			offset += 2 + length;
		}
		// Further null octets pad the chunk to a 32-bit boundary; the body starts on one.
		offset = rtcp::PadTo4(offset);
		if (offset > size) return false;
		if (out) out->push_back(std::move(chunk));
	}
	return true;
}

size_t SourceDescription::GetSerializedSize() const {
	size_t size = rtcp::kHeaderSize;
	for (const Chunk& chunk : chunks) {
		// SSRC, the CNAME item if any, then at least one null octet, padded to 4.
		size_t chunkSize = 4 + (chunk.cname.empty() ? 0 : 2 + chunk.cname.size()) + 1;
		size += rtcp::PadTo4(chunkSize);
	}
	return size;
}

size_t SourceDescription::Serialize(uint8_t* out, size_t capacity) const {
	if (chunks.size() > rtcp::kMaxCount) return 0;
	for (const Chunk& chunk : chunks) {
		if (chunk.cname.size() > kMaxItemLength) return 0;
	}
	const size_t size = GetSerializedSize();
	if (size > capacity) return 0;
	rtcp::WriteHeader(out, static_cast<uint8_t>(chunks.size()), rtcp::kTypeSourceDescription, size);
	size_t offset = rtcp::kHeaderSize;
	for (const Chunk& chunk : chunks) {
		const size_t start = offset;
		rtcp::Write32(out + offset, chunk.ssrc);
		offset += 4;
		if (!chunk.cname.empty()) {
			out[offset] = kItemCname;
			out[offset + 1] = static_cast<uint8_t>(chunk.cname.size());
			for (size_t i = 0; i < chunk.cname.size(); ++i) {
				out[offset + 2 + i] = static_cast<uint8_t>(chunk.cname[i]);
			}
			offset += 2 + chunk.cname.size();
		}
		// The end-of-list null octet and the padding nulls (chunk offsets stay relative
		// to the aligned packet start, so aligning `offset` aligns the chunk).
		const size_t end = start + rtcp::PadTo4(offset - start + 1);
		while (offset < end) out[offset++] = 0;
	}
	return size;
}

const std::string& SourceDescription::GetFirstCname() const {
	static const std::string kEmpty;
	for (const Chunk& chunk : chunks) {
		if (!chunk.cname.empty()) return chunk.cname;
	}
	return kEmpty;
}

} // namespace mediaplane
