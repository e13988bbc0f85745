#pragma once
// A Generic NACK (RFC 4585 §6.2.1): transport-layer feedback (PT 205, FMT 1) through
// which a receiver asks for lost RTP packets. A plain value that owns its items.
//
//   header (FMT = 1, PT = 205) | SSRC of packet sender | SSRC of media source
//   FCI items, each: PID (16 bits) | BLP (16 bits)
//
// PID names one lost sequence number; bit i of BLP (bit 1 the least significant) marks
// PID + i (modulo 2^16) as lost too, so one item covers up to 17 losses.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class GenericNack {
public:
	static constexpr size_t kItemSize = 4;

	struct Item {
		uint16_t packetId = 0;          // PID: a lost sequence number
		uint16_t lostPacketBitmask = 0; // BLP: bit i-1 set when PID + i is lost, i = 1..16

		bool operator==(const Item& other) const {
			return packetId == other.packetId && lostPacketBitmask == other.lostPacketBitmask;
		}
	};

	uint32_t senderSsrc = 0;
	uint32_t mediaSsrc = 0; // the stream whose packets are lost
	std::vector<Item> items;

	// Packs lost sequence numbers, given in RTP order (ascending modulo 2^16, so 65535
	// may precede 0), into as few items as that order allows. Duplicates are harmless.
	static GenericNack FromLostSequenceNumbers(uint32_t senderSsrc, uint32_t mediaSsrc, const std::vector<uint16_t>& lost);

	// True when `packet` is a Generic NACK with the feedback header. Trailing bytes
	// shorter than an item are ignored.
	static bool IsWellFormed(const RtcpPacketView& packet);
	// Replaces every field from `packet`; false if it is not a well-formed Generic NACK.
	bool Parse(const RtcpPacketView& packet);

	// Every sequence number the items mark as lost, in item order.
	std::vector<uint16_t> GetLostSequenceNumbers() const;

	size_t GetSerializedSize() const { return rtcp::kHeaderSize + rtcp::kFeedbackHeaderSize + kItemSize * items.size(); }
	// Writes the packet and returns its size, or 0 when `capacity` is too small (a
	// caller bounded by an MTU splits `items` over several packets).
	size_t Serialize(uint8_t* out, size_t capacity) const;
};

} // namespace mediaplane
