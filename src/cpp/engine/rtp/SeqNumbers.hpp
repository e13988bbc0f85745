#pragma once
// Sequence number and timestamp arithmetic for RTP.
//
// RTP sequence numbers (16 bits) and timestamps (32 bits) wrap, so "newer" is decided
// by serial number arithmetic (RFC 1982 §3.2): a is newer than b when the forward
// distance from b to a is less than half the number space. At exactly half the space
// the comparison is undefined by RFC 1982; here neither value is newer than the other.
// (The receive-side validation of RFC 3550 A.1 is RtpSequenceValidator.)

#include <cstdint>

namespace mediaplane {

// a is newer than b (RFC 1982 §3.2, SERIAL_BITS = 16).
inline bool IsSeqNewer(uint16_t a, uint16_t b) {
	return a != b && static_cast<uint16_t>(a - b) < 0x8000;
}

// The signed distance from b to a (positive when a is newer), in -32768..32767.
inline int32_t SeqDiff(uint16_t a, uint16_t b) {
	return static_cast<int16_t>(static_cast<uint16_t>(a - b));
}

// a is newer than b (RFC 1982 §3.2, SERIAL_BITS = 32), for RTP timestamps.
inline bool IsTimestampNewer(uint32_t a, uint32_t b) {
	return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

// The signed distance from b to a (positive when a is newer).
inline int64_t TimestampDiff(uint32_t a, uint32_t b) {
	return static_cast<int32_t>(static_cast<uint32_t>(a - b));
}

} // namespace mediaplane
