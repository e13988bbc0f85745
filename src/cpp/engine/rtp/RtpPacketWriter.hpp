#pragma once
// Writes an outgoing RTP packet from a received one with another header: a consumer's
// SSRC, payload type, sequence number and timestamp, its own extension ids and values
// (mid, transport-wide sequence numbers...), and optionally a payload prefix (the RTX
// original sequence number, RFC 4588 §4). One copy of the payload, into the caller's
// send buffer, which the SRTP protect then encrypts in place.

#include <cstddef>
#include <cstdint>

#include "RtpHeaderExtensions.hpp"
#include "RtpPacket.hpp"

namespace mediaplane {

struct RtpHeaderFields {
	uint8_t payloadType = 0;
	bool marker = false;
	uint16_t sequenceNumber = 0;
	uint32_t timestamp = 0;
	uint32_t ssrc = 0;
};

struct RtpExtensionValue {
	RtpExtensionType type = RtpExtensionType::Unknown;
	const uint8_t* value = nullptr;
	uint8_t length = 0;
};

class RtpPacketWriter {
public:
	// Returns the packet size, or 0 when it does not fit in `capacity`. Extensions whose
	// type has no id in `map` are left out; the one-byte form (RFC 8285 §4.2) is used
	// when every id is 1..14 and every value 1..16 bytes, else the two-byte form.
	// Padding of the input is not copied (it was for the input's sender).
	static size_t Write(const RtpPacket& in, uint8_t* out, size_t capacity, const RtpHeaderFields& header,
	                    const RtpExtensionValue* extensions, size_t extensionCount, const RtpExtensionMap& map,
	                    const uint8_t* payloadPrefix = nullptr, size_t payloadPrefixLength = 0);
};

} // namespace mediaplane
