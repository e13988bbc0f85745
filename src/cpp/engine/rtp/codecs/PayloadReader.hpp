#pragma once
// A bounds-checked forward reader over an RTP payload, shared by the codec payload
// parsers in this folder. Every read checks the remaining length first and reports
// failure instead of reading past the end, so a parser built on it cannot overrun a
// truncated or malformed packet. Also the pieces every parser shares: the picture id
// field of VP8 and VP9, and the entry-point wrapper (RunPayloadParser).

#include <cstddef>
#include <cstdint>

#include "PayloadInfo.hpp"

namespace mediaplane {

class PayloadReader {
public:
	PayloadReader(const uint8_t* data, size_t len) : data_(data), len_(len) {}

	size_t Offset() const { return offset_; }
	size_t Remaining() const { return len_ - offset_; }
	const uint8_t* Current() const { return data_ + offset_; }

	bool ReadU8(uint8_t* out) {
		if (Remaining() < 1) return false;
		*out = data_[offset_++];
		return true;
	}

	// Network byte order.
	bool ReadU16(uint16_t* out) {
		if (Remaining() < 2) return false;
		*out = static_cast<uint16_t>((data_[offset_] << 8) | data_[offset_ + 1]);
		offset_ += 2;
		return true;
	}

	bool Skip(size_t n) {
		if (Remaining() < n) return false;
		offset_ += n;
		return true;
	}

private:
	const uint8_t* data_;
	size_t len_;
	size_t offset_ = 0;
};

// The picture id as VP8 and VP9 both carry it (RFC 7741 §4.2, RFC 9628 §4.2): |M| 7 bits|
// and, when M is set, 8 more bits (15 in all). Records the value, its width and its
// offset (for an in-place rewrite).
inline bool ReadPictureId(PayloadReader& reader, PayloadInfo* out) {
	out->pictureIdOffset = reader.Offset();
	uint8_t high;
	if (!reader.ReadU8(&high)) return false;
	if (high & 0x80) {
		uint8_t low;
		if (!reader.ReadU8(&low)) return false;
		out->pictureId = static_cast<uint16_t>(((high & 0x7f) << 8) | low);
		out->pictureIdBits = 15;
	} else {
		out->pictureId = high & 0x7f;
		out->pictureIdBits = 7;
	}
	out->hasPictureId = true;
	return true;
}

// The public entry of each codec parser: `parse` fills a PayloadInfo that starts from
// its defaults; on failure *info is reset to them, on success it is marked valid.
// Written straight into the caller's struct (no copy per packet).
inline bool RunPayloadParser(bool (*parse)(const uint8_t*, size_t, PayloadInfo*), const uint8_t* payload, size_t len,
                             PayloadInfo* info) {
	*info = PayloadInfo{};
	if (!payload || !parse(payload, len, info)) {
		*info = PayloadInfo{};
		return false;
	}
	info->valid = true;
	return true;
}

} // namespace mediaplane
