#pragma once
// Big-endian (network order, RFC 9260 §3) reads and writes for the SCTP codec. Reads
// are bounds-checked by a cursor that turns false on the first short read, so a parser
// checks Ok() once at the end instead of before every field.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mediaplane {
namespace sctp {

inline uint16_t ReadU16(const uint8_t* p) {
	return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t ReadU32(const uint8_t* p) {
	return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
		(static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline void WriteU16(uint8_t* p, uint16_t v) {
	p[0] = static_cast<uint8_t>(v >> 8);
	p[1] = static_cast<uint8_t>(v);
}
inline void WriteU32(uint8_t* p, uint32_t v) {
	p[0] = static_cast<uint8_t>(v >> 24);
	p[1] = static_cast<uint8_t>(v >> 16);
	p[2] = static_cast<uint8_t>(v >> 8);
	p[3] = static_cast<uint8_t>(v);
}

// Reads fields front to back; a read past the end yields 0 and makes Ok() false.
class ByteReader {
public:
	ByteReader(const uint8_t* data, size_t len) : data(data), len(len) {}
	bool Ok() const { return ok; }
	size_t Remaining() const { return ok ? len - offset : 0; }
	const uint8_t* Here() const { return data + offset; }
	uint8_t U8() {
		if (!Need(1)) return 0;
		return data[offset++];
	}
	uint16_t U16() {
		if (!Need(2)) return 0;
		const uint16_t v = ReadU16(data + offset);
		offset += 2;
		return v;
	}
	uint32_t U32() {
		if (!Need(4)) return 0;
		const uint32_t v = ReadU32(data + offset);
		offset += 4;
		return v;
	}
	// Copies n bytes into out (cleared on a short read).
	void Bytes(size_t n, std::vector<uint8_t>& out) {
		out.clear();
		if (!Need(n)) return;
		out.assign(data + offset, data + offset + n);
		offset += n;
	}
	void Skip(size_t n) {
		if (Need(n)) offset += n;
	}

private:
	bool Need(size_t n) {
		if (!ok || len - offset < n) {
			ok = false;
			return false;
		}
		return true;
	}
	const uint8_t* data;
	size_t len;
	size_t offset = 0;
	bool ok = true;
};

// Appends big-endian fields to a byte vector.
class ByteWriter {
public:
	explicit ByteWriter(std::vector<uint8_t>& out) : out(out) {}
	void U8(uint8_t v) { out.push_back(v); }
	void U16(uint16_t v) {
		out.push_back(static_cast<uint8_t>(v >> 8));
		out.push_back(static_cast<uint8_t>(v));
	}
	void U32(uint32_t v) {
		U16(static_cast<uint16_t>(v >> 16));
		U16(static_cast<uint16_t>(v));
	}
	void Bytes(const uint8_t* p, size_t n) {
		if (n) out.insert(out.end(), p, p + n);
	}
	void Bytes(const std::vector<uint8_t>& v) { out.insert(out.end(), v.begin(), v.end()); }
	// Zero bytes up to a multiple of 4 (RFC 9260 §3.2: chunk and parameter padding).
	void Pad4() {
		while (out.size() % 4) out.push_back(0);
	}
	size_t Size() const { return out.size(); }

private:
	std::vector<uint8_t>& out;
};

} // namespace sctp
} // namespace mediaplane
