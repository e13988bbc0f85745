#pragma once
// Our State Cookie (RFC 9260 §5.1.3): everything needed to build the association from a
// COOKIE-ECHO, a creation time for Valid.Cookie.Life, and a SipHash-2-4 MAC keyed with a
// per-association secret so the peer cannot forge or alter it.
//
// Layout (big-endian): magic "mpc1", localTag, peerTag, localInitialTsn, peerInitialTsn,
// peerRwnd, peerOutboundStreams(16), peerInboundStreams(16), flags (bit 0: peer supports
// FORWARD-TSN, bit 1: peer supports RE-CONFIG), localTieTag, peerTieTag, created (ms, 64),
// MAC (64) over all preceding bytes.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "SipHash.hpp"

namespace mediaplane {
namespace sctp {

struct StateCookie {
	uint32_t localTag = 0;
	uint32_t peerTag = 0;
	uint32_t localInitialTsn = 0;
	uint32_t peerInitialTsn = 0;
	uint32_t peerRwnd = 0;
	uint16_t peerOutboundStreams = 0;
	uint16_t peerInboundStreams = 0;
	bool peerForwardTsn = false;
	bool peerReconfig = false;
	// RFC 9260 §5.2.2: the tags of the existing association, when the INIT that this
	// cookie answers arrived while one existed (0 otherwise).
	uint32_t localTieTag = 0;
	uint32_t peerTieTag = 0;
	uint64_t createdMs = 0;

	static constexpr size_t kSize = 4 + 4 * 5 + 2 * 2 + 4 + 4 * 2 + 8 + 8;

	std::vector<uint8_t> Serialize(const SipHashKey& key) const;
	// Parses and authenticates; false if the size, magic or MAC is wrong.
	bool Parse(const uint8_t* data, size_t len, const SipHashKey& key);
};

} // namespace sctp
} // namespace mediaplane
