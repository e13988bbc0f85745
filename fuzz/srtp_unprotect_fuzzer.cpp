// libFuzzer target: SRTP/SRTCP (src/cpp/engine/srtp/SrtpSession.hpp over libsrtp 2.5.0)
// on what a remote peer sends.
//
// Byte 0 picks the crypto suite. Each input then makes a fresh inbound session (and an
// outbound one with the same fixed master key, standing in for the peer) and runs a
// sequence of operations, one opcode byte each (low 2 bits):
//   0  UnprotectRtp on a length-prefixed chunk (arbitrary bytes off the wire)
//   1  UnprotectRtcp on a chunk
//   2  round trip RTP: ProtectRtp a chunk (arbitrary "plaintext" RTP: an SFU re-protects
//      packets whose headers came from a remote producer), then (opcode bit 2) flip one
//      byte of the result, then UnprotectRtp it
//   3  the same for RTCP
// Every buffer handed to the engine ends exactly where the packet ends (Protect gets
// exactly len + MaxTrailerLength), so ASan flags any access past it. Opcode bit 3 puts
// a received packet 2 bytes into its buffer, as ICE-TCP frames are unprotected in place
// (only with MEDIAPLANE_FUZZ_SRTP_MISALIGNED=1; see ShiftFor).
//
// Invariants (a violation traps):
//  - a failed call leaves *len unchanged; a successful Unprotect only shrinks;
//    a successful Protect grows by at most MaxTrailerLength;
//  - the first packet protected for an SSRC (RTP and RTCP counted apart) unprotects to
//    exactly the plaintext;
//  - a protected packet with one byte changed never unprotects (80-bit and AEAD tags).

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../src/cpp/engine/srtp/SrtpSession.hpp"
#include "FuzzSupport.hpp"

using mediaplane::SrtpCryptoSuite;
using mediaplane::SrtpSession;

namespace {

constexpr SrtpCryptoSuite kSuites[] = {
    SrtpCryptoSuite::AEAD_AES_256_GCM,
    SrtpCryptoSuite::AEAD_AES_128_GCM,
    SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80,
    SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32,
};

uint32_t ReadSsrc(const std::vector<uint8_t>& packet, size_t offset) {
	if (packet.size() < offset + 4) return 0;
	return (static_cast<uint32_t>(packet[offset]) << 24) | (static_cast<uint32_t>(packet[offset + 1]) << 16) |
	       (static_cast<uint32_t>(packet[offset + 2]) << 8) | packet[offset + 3];
}

// A received packet as the engine holds it: in a buffer that ends exactly where the
// packet ends. With `shift` 2 the packet starts 2 bytes into its buffer, which is where
// an RFC 4571 frame's payload lands in TcpConnection's read buffer (after the 16-bit
// length) and is unprotected in place by WebRtcTransport.
struct Received {
	std::vector<uint8_t> storage;
	size_t shift;
	Received(const std::vector<uint8_t>& packet, size_t shift_) : storage(packet.size() + shift_), shift(shift_) {
		if (!packet.empty()) std::memcpy(storage.data() + shift, packet.data(), packet.size());
	}
	uint8_t* data() { return storage.data() + shift; }
	size_t size() const { return storage.size() - shift; }
};

// Opcode bit 3 asks for the TCP placement. Only honoured with
// MEDIAPLANE_FUZZ_SRTP_MISALIGNED=1: see fuzz/README.md ("Findings") for why.
size_t ShiftFor(uint8_t op) {
	static const bool misaligned = [] {
		const char* v = std::getenv("MEDIAPLANE_FUZZ_SRTP_MISALIGNED");
		return v && v[0] == '1';
	}();
	return misaligned && (op & 8) ? 2 : 0;
}

bool UnprotectInPlace(SrtpSession& session, bool rtcp, Received& packet, size_t* len) {
	*len = packet.size();
	const bool ok = rtcp ? session.UnprotectRtcp(packet.data(), len) : session.UnprotectRtp(packet.data(), len);
	if (ok) {
		FUZZ_CHECK(*len <= packet.size());
	} else {
		FUZZ_CHECK(*len == packet.size());
		FUZZ_CHECK(session.LastError() != 0);
		FUZZ_CHECK(SrtpSession::ErrorName(session.LastError()) != nullptr);
	}
	return ok;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	fuzz::FuzzInput in(data, size);

	const SrtpCryptoSuite suite = kSuites[in.U8() % 4];
	uint8_t key[64];
	for (size_t i = 0; i < sizeof(key); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
	const size_t keyLen = mediaplane::SrtpMasterKeyLength(suite);
	std::string error;
	std::unique_ptr<SrtpSession> inbound =
	    SrtpSession::Create(SrtpSession::Direction::Inbound, suite, key, keyLen, &error);
	std::unique_ptr<SrtpSession> outbound =
	    SrtpSession::Create(SrtpSession::Direction::Outbound, suite, key, keyLen, &error);
	FUZZ_CHECK(inbound && outbound);
	// A wrong key length must be refused, not read past.
	FUZZ_CHECK(!SrtpSession::Create(SrtpSession::Direction::Inbound, suite, key, keyLen - 1, nullptr));

	const bool strongTag = suite != SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32;
	std::set<uint32_t> rtpSsrcsSeen;
	std::set<uint32_t> rtcpSsrcsSeen;

	for (int ops = 0; !in.Empty() && ops < 64; ++ops) {
		const uint8_t op = in.U8();
		switch (op & 3) {
			case 0:
			case 1: {
				Received packet(in.Chunk(), ShiftFor(op));
				size_t len = 0;
				UnprotectInPlace(*inbound, (op & 3) == 1, packet, &len);
				break;
			}
			case 2:
			case 3: {
				const bool rtcp = (op & 3) == 3;
				const std::vector<uint8_t> plain = in.Chunk();
				const uint8_t flipAt = in.U8();
				const uint8_t flipXor = in.U8();
				const bool flip = (op & 4) && flipXor != 0;

				std::vector<uint8_t> buffer(plain.size() + SrtpSession::MaxTrailerLength);
				if (!plain.empty()) std::memcpy(buffer.data(), plain.data(), plain.size());
				size_t len = plain.size();
				const bool ok = rtcp ? outbound->ProtectRtcp(buffer.data(), &len, buffer.size())
				                     : outbound->ProtectRtp(buffer.data(), &len, buffer.size());
				if (!ok) {
					FUZZ_CHECK(len == plain.size());
					break;
				}
				FUZZ_CHECK(len > plain.size() && len <= plain.size() + SrtpSession::MaxTrailerLength);

				std::vector<uint8_t> wire(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(len));
				if (flip) wire[flipAt % wire.size()] ^= flipXor;
				// RTP: SSRC at bytes 8..11; RTCP: the sender SSRC at bytes 4..7.
				const uint32_t ssrc = ReadSsrc(plain, rtcp ? 4 : 8);
				std::set<uint32_t>& seen = rtcp ? rtcpSsrcsSeen : rtpSsrcsSeen;
				const bool fresh = seen.insert(ssrc).second;

				Received received(wire, ShiftFor(op));
				size_t receivedLen = 0;
				const bool unprotected = UnprotectInPlace(*inbound, rtcp, received, &receivedLen);
				if (flip) {
					if (strongTag) FUZZ_CHECK(!unprotected);
					break;
				}
				if (fresh) {
					FUZZ_CHECK(unprotected);
					FUZZ_CHECK(receivedLen == plain.size());
					FUZZ_CHECK(std::memcmp(received.data(), plain.data(), plain.size()) == 0);
				} else if (!unprotected) {
					// Later packets may be replays (same sequence number) or land on a
					// different rollover estimate; a failure must still be a clean one.
					FUZZ_CHECK(inbound->LastError() != 0);
				}
				break;
			}
		}
	}

	logging.Drain();
	return 0;
}
