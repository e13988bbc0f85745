#pragma once
// Wire-level facts shared by the RTCP packet classes: packet type numbers (RFC 3550
// §12.1, RFC 4585 §6.1), feedback message types (FMT), the 4-byte common header
// (RFC 3550 §6.4.1) and big-endian field access. Header-only; no state.
//
// Every RTCP packet starts with:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P| count/FMT |      PT       |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// where length is the packet size in 32-bit words minus one, header and padding
// included.

#include <cstddef>
#include <cstdint>

namespace mediaplane {
namespace rtcp {

constexpr size_t kHeaderSize = 4;
// The 5-bit count field (report blocks, SDES chunks, BYE sources) tops out at 31.
constexpr size_t kMaxCount = 31;
// The largest packet the 16-bit length field can describe, in bytes.
constexpr size_t kMaxPacketSize = (0xffffu + 1u) * 4u;
// Feedback messages start their body with the SSRC of the packet sender and the SSRC of
// the media source (RFC 4585 §6.1).
constexpr size_t kFeedbackHeaderSize = 8;

// Packet types.
constexpr uint8_t kTypeSenderReport = 200;      // RFC 3550 §6.4.1
constexpr uint8_t kTypeReceiverReport = 201;    // RFC 3550 §6.4.2
constexpr uint8_t kTypeSourceDescription = 202; // RFC 3550 §6.5
constexpr uint8_t kTypeGoodbye = 203;           // RFC 3550 §6.6
constexpr uint8_t kTypeApplication = 204;       // RFC 3550 §6.7
constexpr uint8_t kTypeTransportFeedback = 205; // RTPFB, RFC 4585 §6.1
constexpr uint8_t kTypePayloadFeedback = 206;   // PSFB, RFC 4585 §6.1
constexpr uint8_t kTypeExtendedReport = 207;    // XR, RFC 3611

// Feedback message types (the FMT field, in place of the count).
constexpr uint8_t kFormatGenericNack = 1;             // RTPFB, RFC 4585 §6.2.1
constexpr uint8_t kFormatTransportCc = 15;            // RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
constexpr uint8_t kFormatPictureLossIndication = 1;   // PSFB, RFC 4585 §6.3.1
constexpr uint8_t kFormatFullIntraRequest = 4;        // PSFB, RFC 5104 §4.3.1
constexpr uint8_t kFormatApplicationFeedback = 15;    // PSFB, RFC 4585 §6.4 (REMB lives here)

inline uint16_t Read16(const uint8_t* p) {
	return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t Read24(const uint8_t* p) {
	return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}
inline uint32_t Read32(const uint8_t* p) {
	return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
	       (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline void Write16(uint8_t* p, uint16_t v) {
	p[0] = static_cast<uint8_t>(v >> 8);
	p[1] = static_cast<uint8_t>(v);
}
inline void Write24(uint8_t* p, uint32_t v) {
	p[0] = static_cast<uint8_t>(v >> 16);
	p[1] = static_cast<uint8_t>(v >> 8);
	p[2] = static_cast<uint8_t>(v);
}
inline void Write32(uint8_t* p, uint32_t v) {
	p[0] = static_cast<uint8_t>(v >> 24);
	p[1] = static_cast<uint8_t>(v >> 16);
	p[2] = static_cast<uint8_t>(v >> 8);
	p[3] = static_cast<uint8_t>(v);
}

// Writes the common header of a packet of `packetSize` bytes (a multiple of 4, at
// least 4, at most kMaxPacketSize) with no padding. `count` is the 5-bit count or FMT.
inline void WriteHeader(uint8_t* out, uint8_t count, uint8_t packetType, size_t packetSize) {
	out[0] = static_cast<uint8_t>(0x80 | (count & 0x1f));
	out[1] = packetType;
	Write16(out + 2, static_cast<uint16_t>(packetSize / 4 - 1));
}

// Rounds a byte count up to the next 32-bit boundary.
constexpr size_t PadTo4(size_t n) {
	return (n + 3) & ~static_cast<size_t>(3);
}

} // namespace rtcp
} // namespace mediaplane
