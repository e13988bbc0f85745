#pragma once
// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): the
// keyed MAC of our state cookies (RFC 9260 §5.1.3 leaves the MAC algorithm to the
// implementation). 128-bit key, 64-bit tag.

#include <array>
#include <cstddef>
#include <cstdint>

namespace mediaplane {
namespace sctp {

using SipHashKey = std::array<uint8_t, 16>;

uint64_t SipHash24(const SipHashKey& key, const uint8_t* data, size_t len);

} // namespace sctp
} // namespace mediaplane
