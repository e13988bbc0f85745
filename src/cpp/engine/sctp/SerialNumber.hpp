#pragma once
// Serial number arithmetic (RFC 1982) for TSNs (32 bits, RFC 9260 §1.6) and stream
// sequence numbers (16 bits), and a 32-bit TSN unwrapped into 64 bits so that ordered
// containers can key on it.

#include <cstdint>

namespace mediaplane {
namespace sctp {

// a < b in serial arithmetic (RFC 1982 §3.2; the undefined half-way case is "not less").
inline bool TsnLess(uint32_t a, uint32_t b) {
	return a != b && static_cast<uint32_t>(b - a) < 0x80000000u;
}
inline bool TsnLessOrEqual(uint32_t a, uint32_t b) {
	return a == b || TsnLess(a, b);
}
inline bool SsnLess(uint16_t a, uint16_t b) {
	return a != b && static_cast<uint16_t>(b - a) < 0x8000u;
}
inline bool SsnLessOrEqual(uint16_t a, uint16_t b) {
	return a == b || SsnLess(a, b);
}

// Unwraps 32-bit TSNs into a 64-bit sequence, relative to a reference that moves
// forward (the cumulative TSN): a TSN within 2^31 of the reference maps next to it.
class TsnUnwrapper {
public:
	void Reset(uint32_t reference) {
		lastWrapped = reference;
		lastUnwrapped = (uint64_t(1) << 32) + reference;
	}
	uint64_t Unwrap(uint32_t tsn) const {
		const int32_t delta = static_cast<int32_t>(tsn - lastWrapped);
		return static_cast<uint64_t>(static_cast<int64_t>(lastUnwrapped) + delta);
	}
	// Moves the reference forward (to the new cumulative TSN).
	void Advance(uint32_t reference) {
		lastUnwrapped = Unwrap(reference);
		lastWrapped = reference;
	}
	static uint32_t Wrap(uint64_t unwrapped) { return static_cast<uint32_t>(unwrapped); }

private:
	uint32_t lastWrapped = 0;
	uint64_t lastUnwrapped = uint64_t(1) << 32;
};

} // namespace sctp
} // namespace mediaplane
