#include "RtpPacketWriter.hpp"

#include <cstring>

namespace mediaplane {

namespace {

void Write16(uint8_t* at, uint16_t v) {
	at[0] = static_cast<uint8_t>(v >> 8);
	at[1] = static_cast<uint8_t>(v);
}

void Write32(uint8_t* at, uint32_t v) {
	at[0] = static_cast<uint8_t>(v >> 24);
	at[1] = static_cast<uint8_t>(v >> 16);
	at[2] = static_cast<uint8_t>(v >> 8);
	at[3] = static_cast<uint8_t>(v);
}

} // namespace

size_t RtpPacketWriter::Write(const RtpPacket& in, uint8_t* out, size_t capacity, const RtpHeaderFields& header,
                              const RtpExtensionValue* extensions, size_t extensionCount,
                              const RtpExtensionMap& map, const uint8_t* payloadPrefix,
                              size_t payloadPrefixLength) {
	const size_t csrcEnd = in.GetCsrcEnd();
	if (capacity < csrcEnd) return 0;

	// Which extensions go out, and in which form.
	bool oneByte = true;
	size_t elementsSize = 0;
	size_t written = 0;
	for (size_t i = 0; i < extensionCount; ++i) {
		uint8_t id = map.GetId(extensions[i].type);
		if (id == 0 || !extensions[i].value) continue;
		if (id > 14 || extensions[i].length == 0 || extensions[i].length > 16) oneByte = false;
		elementsSize += extensions[i].length;
		++written;
	}
	size_t blockLength = 0;
	if (written > 0) {
		elementsSize += written * (oneByte ? 1 : 2);
		blockLength = (elementsSize + 3) & ~static_cast<size_t>(3); // 32-bit words
	}
	const size_t headerSize = csrcEnd + (written > 0 ? 4 + blockLength : 0);
	const size_t total = headerSize + payloadPrefixLength + in.GetPayloadLength();
	if (total > capacity) return 0;

	// Fixed header and CSRCs; X set only if we write extensions, P never.
	std::memcpy(out, in.GetData(), csrcEnd);
	out[0] = static_cast<uint8_t>((out[0] & 0xcf) | (written > 0 ? 0x10 : 0));
	out[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payloadType & 0x7f));
	Write16(out + 2, header.sequenceNumber);
	Write32(out + 4, header.timestamp);
	Write32(out + 8, header.ssrc);

	if (written > 0) {
		uint8_t* block = out + csrcEnd;
		Write16(block, oneByte ? 0xBEDE : 0x1000);
		Write16(block + 2, static_cast<uint16_t>(blockLength / 4));
		uint8_t* cursor = block + 4;
		for (size_t i = 0; i < extensionCount; ++i) {
			uint8_t id = map.GetId(extensions[i].type);
			if (id == 0 || !extensions[i].value) continue;
			if (oneByte) {
				*cursor++ = static_cast<uint8_t>((id << 4) | (extensions[i].length - 1));
			} else {
				*cursor++ = id;
				*cursor++ = extensions[i].length;
			}
			std::memcpy(cursor, extensions[i].value, extensions[i].length);
			cursor += extensions[i].length;
		}
		// Padding up to the word boundary (zero bytes are padding in both forms).
		std::memset(cursor, 0, block + 4 + blockLength - cursor);
	}

	uint8_t* payload = out + headerSize;
	if (payloadPrefixLength) std::memcpy(payload, payloadPrefix, payloadPrefixLength);
	std::memcpy(payload + payloadPrefixLength, in.GetPayload(), in.GetPayloadLength());
	return total;
}

} // namespace mediaplane
