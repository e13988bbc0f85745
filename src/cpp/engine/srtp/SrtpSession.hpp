#pragma once
// One direction of SRTP/SRTCP protection (RFC 3711) for a transport, wrapping a libsrtp
// session. A transport owns two: an Outbound session that protects everything it sends
// and an Inbound session that unprotects everything it receives, each keyed with the
// matching half of the DTLS-SRTP keying material (RFC 5764 §4.2) or a negotiated
// SrtpParameters key (PlainTransport/PipeTransport).
//
// Both sessions match any SSRC (libsrtp's ssrc_any_outbound / ssrc_any_inbound
// templates): an SFU learns its SSRCs as producers and consumers come and go, and a
// per-SSRC stream is cloned from the template on first use.
//
// Thread model: a session lives on one worker thread and is used only there. Nothing
// here throws; failures are reported by return value plus LastError().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

// libsrtp's session type, forward-declared so that <srtp.h> stays out of every file
// that includes this header (its generic macros and names would leak otherwise).
struct srtp_ctx_t_;

namespace mediaplane {

// The SRTP protection profiles a WebRTC SFU uses. Names (see SrtpCryptoSuiteName) are
// those of the mediasoup v3 API's SrtpCryptoSuite type, which are the SDES crypto
// suite names of RFC 4568 §6.2 and RFC 7714 §14.1.
enum class SrtpCryptoSuite {
	AEAD_AES_256_GCM,
	AEAD_AES_128_GCM,
	AES_CM_128_HMAC_SHA1_80,
	AES_CM_128_HMAC_SHA1_32,
};

// Length of the master key material libsrtp expects for a suite: master key followed
// by master salt. AES-CM: 16 + 14 = 30 (RFC 3711 §8.2); AES-GCM: 16 + 12 = 28 and
// 32 + 12 = 44 (RFC 7714 §12).
size_t SrtpMasterKeyLength(SrtpCryptoSuite suite);
// The two parts of that material, as DTLS-SRTP exports them separately
// (client_write_SRTP_master_key, ..., client_write_SRTP_master_salt; RFC 5764 §4.2).
size_t SrtpMasterKeyOnlyLength(SrtpCryptoSuite suite);
size_t SrtpMasterSaltLength(SrtpCryptoSuite suite);
const char* SrtpCryptoSuiteName(SrtpCryptoSuite suite);
std::optional<SrtpCryptoSuite> SrtpCryptoSuiteFromName(std::string_view name);

class SrtpSession {
public:
	enum class Direction { Inbound, Outbound };

	// Spare room a caller must leave after a packet it asks to protect, in place: the
	// largest SRTP trailer (auth tag or AEAD tag, plus an MKI we never use) and, for
	// SRTCP, the 4-byte E-flag/index word (RFC 3711 §3.4). Equal to libsrtp's
	// SRTP_MAX_TRAILER_LEN + 4 (checked in the .cpp).
	static constexpr size_t MaxTrailerLength = 148;

	// Creates a session. keyLen must equal SrtpMasterKeyLength(suite). Returns nullptr
	// and sets *error (if given) on failure; never throws.
	static std::unique_ptr<SrtpSession> Create(
	    Direction direction, SrtpCryptoSuite suite, const uint8_t* key, size_t keyLen, std::string* error);

	~SrtpSession();
	SrtpSession(const SrtpSession&) = delete;
	SrtpSession& operator=(const SrtpSession&) = delete;

	// In-place operations. On success *len is the new length and true is returned. On
	// failure false is returned, the packet must be dropped (its bytes may have been
	// changed), and LastError() says why. Protect needs capacity >= *len +
	// MaxTrailerLength; Unprotect only shrinks the packet.
	bool ProtectRtp(uint8_t* data, size_t* len, size_t capacity);
	bool UnprotectRtp(uint8_t* data, size_t* len);
	bool ProtectRtcp(uint8_t* data, size_t* len, size_t capacity);
	bool UnprotectRtcp(uint8_t* data, size_t* len);

	// Inbound: drops the libsrtp stream of `ssrc` (its replay window goes with it), e.g.
	// for an SSRC that turned out to belong to no producer. A later packet of the SSRC
	// starts a new stream from the template, as its first packet did.
	void ForgetSsrc(uint32_t ssrc);
	// Inbound: how many SSRCs libsrtp holds a stream for.
	size_t GetStreamCount() const { return inboundSsrcs_.size(); }
	// libsrtp clones a stream for every SSRC whose first packet authenticates, and walks
	// its streams as a list for every packet: past this many, packets of a new SSRC are
	// dropped (LastError() srtp_err_status_no_ctx). Sized for a pipe transport carrying
	// a few hundred simulcast producers; a peer's own streams are far fewer.
	static constexpr size_t kMaxInboundStreams = 1024;

	Direction GetDirection() const { return direction_; }
	SrtpCryptoSuite GetCryptoSuite() const { return suite_; }

	// The libsrtp srtp_err_status_t of the last failed call (0 when none has failed).
	int LastError() const { return lastError_; }
	// "srtp_err_status_auth_fail" etc. for a libsrtp status code.
	static const char* ErrorName(int status);

private:
	SrtpSession(Direction direction, SrtpCryptoSuite suite, srtp_ctx_t_* session)
	    : direction_(direction), suite_(suite), session_(session) {}

	bool Fail(int status) {
		lastError_ = status;
		return false;
	}
	// Inbound: false when `ssrc` has no stream yet and there is no room for one.
	bool HasRoomFor(uint32_t ssrc) const {
		return inboundSsrcs_.size() < kMaxInboundStreams || inboundSsrcs_.count(ssrc) != 0;
	}

	const Direction direction_;
	const SrtpCryptoSuite suite_;
	srtp_ctx_t_* session_;
	int lastError_ = 0;
	std::unordered_set<uint32_t> inboundSsrcs_;
};

} // namespace mediaplane
