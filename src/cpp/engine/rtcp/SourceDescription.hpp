#pragma once
// A source description packet, SDES (RFC 3550 §6.5): one chunk per source, each an
// SSRC/CSRC followed by a list of items. Only CNAME (item type 1, the canonical name
// every compound packet must carry, RFC 3550 §6.5.1) is kept; other items are skipped
// when parsing and never written. A plain value that owns its strings.
//
//   header (SC = chunk count, PT = 202)
//   chunk: SSRC/CSRC | items (type, length, text) ... | null octet(s) to a 32-bit boundary

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class SourceDescription {
public:
	static constexpr uint8_t kItemEnd = 0;
	static constexpr uint8_t kItemCname = 1;
	// An item's text is at most 255 bytes (8-bit length, RFC 3550 §6.5).
	static constexpr size_t kMaxItemLength = 255;

	struct Chunk {
		uint32_t ssrc = 0;
		std::string cname; // empty when the chunk has no CNAME item

		bool operator==(const Chunk& other) const { return ssrc == other.ssrc && cname == other.cname; }
	};

	std::vector<Chunk> chunks;

	// True when `packet` is an SDES whose SC chunks each fit in the body with their item
	// lists terminated by a null octet.
	static bool IsWellFormed(const RtcpPacketView& packet);
	// Replaces the chunks from `packet`; false if it is not a well-formed SDES.
	bool Parse(const RtcpPacketView& packet);

	size_t GetSerializedSize() const;
	// Writes the packet and returns its size, or 0 when `capacity` is too small, there
	// are more than 31 chunks or a CNAME is longer than 255 bytes.
	size_t Serialize(uint8_t* out, size_t capacity) const;

	// The first non-empty CNAME, or an empty string.
	const std::string& GetFirstCname() const;

private:
	// Walks the chunks of `packet`, filling `out` when it is not null.
	static bool ReadChunks(const RtcpPacketView& packet, std::vector<Chunk>* out);
};

} // namespace mediaplane
