#pragma once
// The Data Channel Establishment Protocol messages (RFC 8832 §5), carried with PPID 50.
// The association does not interpret them; the engine's data channel layer does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mediaplane {
namespace sctp {

enum DcepMessageType : uint8_t {
	DcepDataChannelAck = 0x02,
	DcepDataChannelOpen = 0x03,
};

// Channel types (RFC 8832 §5.1).
enum DcepChannelType : uint8_t {
	DcepReliable = 0x00,
	DcepPartialReliableRexmit = 0x01,
	DcepPartialReliableTimed = 0x02,
	DcepReliableUnordered = 0x80,
	DcepPartialReliableRexmitUnordered = 0x81,
	DcepPartialReliableTimedUnordered = 0x82,
};

struct DataChannelOpen {
	uint8_t channelType = DcepReliable;
	uint16_t priority = 0;
	uint32_t reliabilityParameter = 0;
	std::string label;
	std::string protocol;

	bool Unordered() const { return channelType & 0x80; }
	// False if truncated, not a DATA_CHANNEL_OPEN, or the lengths do not match.
	bool Parse(const uint8_t* data, size_t len);
	std::vector<uint8_t> Serialize() const;
};

// True for a well-formed DATA_CHANNEL_ACK (one byte, RFC 8832 §5.2).
bool IsDataChannelAck(const uint8_t* data, size_t len);
std::vector<uint8_t> SerializeDataChannelAck();

} // namespace sctp
} // namespace mediaplane
