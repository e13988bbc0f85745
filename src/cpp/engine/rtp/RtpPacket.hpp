#pragma once
// A zero-copy view of one RTP packet (RFC 3550 §5.1) in a caller's mutable buffer, with
// its header extensions (RFC 8285, one-byte and two-byte forms) indexed by meaning.
//
// Parse() validates the whole layout (version, CSRCs, extension block, padding) before
// anything is read, so accessors never need bounds checks. Setters for the fixed
// header fields write in place. A consumer that needs a different header (its own
// SSRC, payload type, sequence number, extension ids and values) writes a new packet
// with RtpPacketWriter instead (RtpPacketWriter.hpp).

#include <cstddef>
#include <cstdint>

#include "RtpHeaderExtensions.hpp"

namespace mediaplane {

class RtpPacket {
public:
	static constexpr size_t kFixedHeaderSize = 12;
	// Extension elements kept per packet; real packets carry fewer than ten.
	static constexpr size_t kMaxExtensions = 24;

	struct Extension {
		uint8_t id;
		uint8_t length;  // value length in bytes
		uint16_t offset; // value offset from the start of the packet
	};

	// True for a buffer that may hold RTP (not RTCP, per RFC 5761 §4).
	static bool LooksLikeRtp(const uint8_t* data, size_t len) {
		return len >= kFixedHeaderSize && (data[0] >> 6) == 2 && !(data[1] >= 192 && data[1] <= 223);
	}

	// Returns false (and the packet must be dropped) when the layout is invalid.
	bool Parse(uint8_t* data, size_t len);

	uint8_t* GetData() const { return data_; }
	size_t GetSize() const { return size_; }

	uint8_t GetPayloadType() const { return data_[1] & 0x7f; }
	void SetPayloadType(uint8_t pt) { data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (pt & 0x7f)); }
	bool HasMarker() const { return (data_[1] & 0x80) != 0; }
	void SetMarker(bool marker) { data_[1] = static_cast<uint8_t>((data_[1] & 0x7f) | (marker ? 0x80 : 0)); }
	uint16_t GetSequenceNumber() const { return Read16(2); }
	void SetSequenceNumber(uint16_t seq) { Write16(2, seq); }
	uint32_t GetTimestamp() const { return Read32(4); }
	void SetTimestamp(uint32_t ts) { Write32(4, ts); }
	uint32_t GetSsrc() const { return Read32(8); }
	void SetSsrc(uint32_t ssrc) { Write32(8, ssrc); }
	uint8_t GetCsrcCount() const { return data_[0] & 0x0f; }

	// The header through the CSRC list (what a writer copies verbatim).
	size_t GetCsrcEnd() const { return kFixedHeaderSize + 4u * GetCsrcCount(); }
	size_t GetHeaderSize() const { return payloadOffset_; }
	uint8_t* GetPayload() const { return data_ + payloadOffset_; }
	size_t GetPayloadLength() const { return payloadLength_; }
	uint8_t GetPaddingLength() const { return paddingLength_; }

	// Extension elements in packet order, with their wire ids.
	size_t GetExtensionCount() const { return extensionCount_; }
	const Extension& GetExtensionAt(size_t i) const { return extensions_[i]; }
	// The value of the element with this id, or nullptr.
	const uint8_t* GetExtensionById(uint8_t id, size_t* len) const;
	// The value of the element of this type under `map`, or nullptr.
	const uint8_t* GetExtension(const RtpExtensionMap& map, RtpExtensionType type, size_t* len) const {
		uint8_t id = map.GetId(type);
		return id ? GetExtensionById(id, len) : nullptr;
	}

private:
	bool ParseExtensionBlock(size_t offset, size_t blockLength, uint16_t profile);
	uint16_t Read16(size_t at) const { return static_cast<uint16_t>((data_[at] << 8) | data_[at + 1]); }
	uint32_t Read32(size_t at) const {
		return (static_cast<uint32_t>(data_[at]) << 24) | (static_cast<uint32_t>(data_[at + 1]) << 16) |
		       (static_cast<uint32_t>(data_[at + 2]) << 8) | data_[at + 3];
	}
	void Write16(size_t at, uint16_t v) {
		data_[at] = static_cast<uint8_t>(v >> 8);
		data_[at + 1] = static_cast<uint8_t>(v);
	}
	void Write32(size_t at, uint32_t v) {
		data_[at] = static_cast<uint8_t>(v >> 24);
		data_[at + 1] = static_cast<uint8_t>(v >> 16);
		data_[at + 2] = static_cast<uint8_t>(v >> 8);
		data_[at + 3] = static_cast<uint8_t>(v);
	}

	uint8_t* data_ = nullptr;
	size_t size_ = 0;
	size_t payloadOffset_ = 0;
	size_t payloadLength_ = 0;
	uint8_t paddingLength_ = 0;
	Extension extensions_[kMaxExtensions];
	size_t extensionCount_ = 0;
};

} // namespace mediaplane
