#include "StateCookie.hpp"

#include "ByteIo.hpp"

namespace mediaplane {
namespace sctp {

namespace {
constexpr uint32_t kMagic = 0x6d706331; // "mpc1"
}

std::vector<uint8_t> StateCookie::Serialize(const SipHashKey& key) const {
	std::vector<uint8_t> out;
	out.reserve(kSize);
	ByteWriter w(out);
	w.U32(kMagic);
	w.U32(localTag);
	w.U32(peerTag);
	w.U32(localInitialTsn);
	w.U32(peerInitialTsn);
	w.U32(peerRwnd);
	w.U16(peerOutboundStreams);
	w.U16(peerInboundStreams);
	w.U32((peerForwardTsn ? 1u : 0u) | (peerReconfig ? 2u : 0u));
	w.U32(localTieTag);
	w.U32(peerTieTag);
	w.U32(static_cast<uint32_t>(createdMs >> 32));
	w.U32(static_cast<uint32_t>(createdMs));
	const uint64_t mac = SipHash24(key, out.data(), out.size());
	w.U32(static_cast<uint32_t>(mac >> 32));
	w.U32(static_cast<uint32_t>(mac));
	return out;
}

bool StateCookie::Parse(const uint8_t* data, size_t len, const SipHashKey& key) {
	if (len != kSize) return false;
	ByteReader r(data, len);
	if (r.U32() != kMagic) return false;
	localTag = r.U32();
	peerTag = r.U32();
	localInitialTsn = r.U32();
	peerInitialTsn = r.U32();
	peerRwnd = r.U32();
	peerOutboundStreams = r.U16();
	peerInboundStreams = r.U16();
	const uint32_t flags = r.U32();
	peerForwardTsn = flags & 1;
	peerReconfig = flags & 2;
	localTieTag = r.U32();
	peerTieTag = r.U32();
	createdMs = static_cast<uint64_t>(r.U32()) << 32;
	createdMs |= r.U32();
	uint64_t mac = static_cast<uint64_t>(r.U32()) << 32;
	mac |= r.U32();
	if (!r.Ok()) return false;
	// Constant-time comparison is moot for a 64-bit tag checked once per COOKIE-ECHO,
	// but cheap: compare all bits.
	return (SipHash24(key, data, kSize - 8) ^ mac) == 0;
}

} // namespace sctp
} // namespace mediaplane
