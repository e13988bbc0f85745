#pragma once
// A private test hook into Association (a friend of it), for the fuzzer and unit tests
// only: deterministic random numbers (tags, TSNs, cookie key) and the values a scripted
// peer needs to forge packets. Not for production code.

#include <cstdint>

#include "SctpAssociation.hpp"

namespace mediaplane {
namespace sctp {

class AssociationTestAccess {
public:
	// Reseeds the association's generator and redraws its verification tag, initial TSN
	// and cookie key. Only before Connect() or any packet.
	static void Seed(Association& association, uint32_t seed);
	static uint32_t LocalTag(const Association& association);
	static uint32_t LocalInitialTsn(const Association& association);
	static uint32_t PeerTag(const Association& association);
};

} // namespace sctp
} // namespace mediaplane
