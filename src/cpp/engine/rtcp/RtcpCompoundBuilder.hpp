#pragma once
// Builds a compound RTCP packet (RFC 3550 §6.1) into a caller's buffer. The builder
// owns nothing: it writes into `out`, which must outlive it, and never past `capacity`
// (leave room there for what SRTCP appends, RFC 3711 §3.4).
//
// Add() takes any packet class of this folder (anything with
// `size_t Serialize(uint8_t* out, size_t capacity) const`); AddRaw() appends an
// already-serialized packet, e.g. an opaque transport-cc packet being forwarded.
// Finish() checks the composition rules and returns the compound's size:
//   - a full compound starts with an SR or RR and carries an SDES with a CNAME item
//     (RFC 3550 §6.1);
//   - a reduced-size compound holds only feedback messages, PT 205/206 (RFC 5506 §4.1,
//     for sessions that negotiated a=rtcp-rsize).
//
//   uint8_t buffer[1200];
//   RtcpCompoundBuilder builder(buffer, sizeof(buffer));
//   builder.Add(receiverReport);
//   builder.Add(sdes);
//   builder.Add(pli);
//   size_t len = builder.Finish(); // 0: not a valid compound
//
// A failed Add() leaves the earlier packets in place, so a caller can send what fits and
// start another compound for the rest.

#include <cstddef>
#include <cstdint>

namespace mediaplane {

class RtcpCompoundBuilder {
public:
	RtcpCompoundBuilder(uint8_t* out, size_t capacity) : out_(out), capacity_(capacity) {}

	// Appends `packet`; false (nothing written) when it does not fit or cannot be encoded.
	template <typename Packet>
	bool Add(const Packet& packet) {
		const size_t written = packet.Serialize(out_ + size_, capacity_ - size_);
		if (written == 0) return false;
		size_ += written;
		return true;
	}
	// Appends one serialized packet verbatim; false when it does not fit or is not one
	// whole RTCP packet without padding (its length field must match `len`).
	bool AddRaw(const uint8_t* packet, size_t len);

	// The bytes written so far.
	size_t GetSize() const { return size_; }
	size_t GetRemainingCapacity() const { return capacity_ - size_; }
	// Starts over on the same buffer.
	void Reset() { size_ = 0; }

	// The compound's size when it is a valid full or reduced-size compound, else 0.
	size_t Finish() const;

private:
	uint8_t* out_;
	size_t capacity_;
	size_t size_ = 0;
};

} // namespace mediaplane
