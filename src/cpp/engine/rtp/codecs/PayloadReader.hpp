#pragma once
// A bounds-checked forward reader over an RTP payload, shared by the codec payload
// parsers in this folder. Every read checks the remaining length first and reports
// failure instead of reading past the end, so a parser built on it cannot overrun a
// truncated or malformed packet.

#include <cstddef>
#include <cstdint>

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

} // namespace mediaplane
