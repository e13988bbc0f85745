#include "RtpPacket.hpp"

namespace mediaplane {

bool RtpPacket::Parse(uint8_t* data, size_t len) {
	data_ = data;
	size_ = len;
	extensionCount_ = 0;
	if (len < kFixedHeaderSize || (data[0] >> 6) != 2) return false;

	size_t offset = GetCsrcEnd();
	if (offset > len) return false;

	// X bit: a header extension block follows the CSRCs (RFC 3550 §5.3.1).
	if (data[0] & 0x10) {
		if (offset + 4 > len) return false;
		uint16_t profile = Read16(offset);
		size_t blockLength = 4u * Read16(offset + 2);
		if (offset + 4 + blockLength > len) return false;
		// Element offsets are kept in 16 bits. No transport carries a header this long
		// (UDP and RFC 4571 framing both have 16-bit lengths): reject rather than
		// record a wrapped offset.
		if (offset + 4 + blockLength > 0xffff) return false;
		if (!ParseExtensionBlock(offset + 4, blockLength, profile)) return false;
		offset += 4 + blockLength;
	}

	// P bit: the last byte counts the padding bytes, itself included (RFC 3550 §5.1).
	paddingLength_ = 0;
	if (data[0] & 0x20) {
		if (len == offset) return false;
		paddingLength_ = data[len - 1];
		if (paddingLength_ == 0 || offset + paddingLength_ > len) return false;
	}
	payloadOffset_ = offset;
	payloadLength_ = len - offset - paddingLength_;
	return true;
}

bool RtpPacket::ParseExtensionBlock(size_t offset, size_t blockLength, uint16_t profile) {
	const size_t end = offset + blockLength;
	if (profile == 0xBEDE) {
		// One-byte form (RFC 8285 §4.2): ID (4 bits) and L (4 bits, length - 1). ID 0 is
		// padding; ID 15 ends parsing of the block.
		size_t i = offset;
		while (i < end) {
			uint8_t id = data_[i] >> 4;
			if (id == 0) {
				++i;
				continue;
			}
			if (id == 15) break;
			size_t length = (data_[i] & 0x0f) + 1u;
			if (i + 1 + length > end) return false;
			if (extensionCount_ < kMaxExtensions) {
				extensions_[extensionCount_++] = { id, static_cast<uint8_t>(length), static_cast<uint16_t>(i + 1) };
			}
			i += 1 + length;
		}
		return true;
	}
	if ((profile & 0xfff0) == 0x1000) {
		// Two-byte form (RFC 8285 §4.3): ID byte then length byte (0 allowed). ID 0 is
		// padding.
		size_t i = offset;
		while (i < end) {
			uint8_t id = data_[i];
			if (id == 0) {
				++i;
				continue;
			}
			if (i + 2 > end) return false;
			size_t length = data_[i + 1];
			if (i + 2 + length > end) return false;
			if (extensionCount_ < kMaxExtensions) {
				extensions_[extensionCount_++] = { id, static_cast<uint8_t>(length), static_cast<uint16_t>(i + 2) };
			}
			i += 2 + length;
		}
		return true;
	}
	// Another profile's extension: valid RTP, no elements we understand.
	return true;
}

const uint8_t* RtpPacket::GetExtensionById(uint8_t id, size_t* len) const {
	for (size_t i = 0; i < extensionCount_; ++i) {
		if (extensions_[i].id == id) {
			*len = extensions_[i].length;
			return data_ + extensions_[i].offset;
		}
	}
	return nullptr;
}

} // namespace mediaplane
