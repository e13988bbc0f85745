#include "SrtpSession.hpp"

#include <arpa/inet.h>

#include <climits>
#include <cstring>
#include <new>

#include <srtp.h>

#include "../rtcp/RtcpWire.hpp"
#include "SrtpLibrary.hpp"

namespace mediaplane {

static_assert(SrtpSession::MaxTrailerLength == SRTP_MAX_TRAILER_LEN + 4,
	"MaxTrailerLength must cover libsrtp's largest SRTCP trailer");

namespace {

// Packets shorter than these are not RTP/RTCP at all; rejecting them here keeps the
// checks independent of libsrtp's own (RFC 3550 §5.1 and §6.4.1 fixed headers).
constexpr size_t kMinRtpLength = 12;
constexpr size_t kMinRtcpLength = 8;

// Replay window for inbound SRTP (RFC 3711 §3.3.2). libsrtp's default of 128 packets
// is small for video: a keyframe burst reordered on the network, or a late
// retransmission, can fall behind it. 1024 packets is about one second of HD video.
constexpr unsigned long kReplayWindowSize = 1024;

// Overwrites key material on the stack so it does not linger after use; volatile stops
// the compiler from removing a store to memory that is never read again.
void WipeKey(uint8_t* p, size_t n) {
	volatile uint8_t* v = p;
	while (n--) *v++ = 0;
}

// Fills the RTP and RTCP crypto policies for a suite. RTCP uses the 80-bit HMAC tag
// even with AES_CM_128_HMAC_SHA1_32: only SRTP's tag is shortened in that profile
// (RFC 5764 §4.1.2, SRTCP_AUTH_TAG_LENGTH 80; RFC 3711 §5.2 makes the SRTCP tag
// mandatory). The GCM suites use a 16-octet tag (RFC 7714 §14.2).
void SetPolicy(SrtpCryptoSuite suite, srtp_policy_t* policy) {
	switch (suite) {
		case SrtpCryptoSuite::AEAD_AES_256_GCM:
			srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtp);
			srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtcp);
			break;
		case SrtpCryptoSuite::AEAD_AES_128_GCM:
			srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
			srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
			break;
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80:
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
			break;
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32:
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy->rtp);
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
			break;
	}
}

} // namespace

size_t SrtpMasterKeyOnlyLength(SrtpCryptoSuite suite) {
	switch (suite) {
		case SrtpCryptoSuite::AEAD_AES_256_GCM:
			return SRTP_AES_256_KEY_LEN;
		case SrtpCryptoSuite::AEAD_AES_128_GCM:
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80:
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32:
			return SRTP_AES_128_KEY_LEN;
	}
	return 0;
}

size_t SrtpMasterSaltLength(SrtpCryptoSuite suite) {
	switch (suite) {
		case SrtpCryptoSuite::AEAD_AES_256_GCM:
		case SrtpCryptoSuite::AEAD_AES_128_GCM:
			return SRTP_AEAD_SALT_LEN; // 96 bits, RFC 7714 §12
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80:
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32:
			return SRTP_SALT_LEN; // 112 bits, RFC 3711 §8.2
	}
	return 0;
}

size_t SrtpMasterKeyLength(SrtpCryptoSuite suite) {
	return SrtpMasterKeyOnlyLength(suite) + SrtpMasterSaltLength(suite);
}

const char* SrtpCryptoSuiteName(SrtpCryptoSuite suite) {
	switch (suite) {
		case SrtpCryptoSuite::AEAD_AES_256_GCM:
			return "AEAD_AES_256_GCM";
		case SrtpCryptoSuite::AEAD_AES_128_GCM:
			return "AEAD_AES_128_GCM";
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80:
			return "AES_CM_128_HMAC_SHA1_80";
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32:
			return "AES_CM_128_HMAC_SHA1_32";
	}
	return "";
}

std::optional<SrtpCryptoSuite> SrtpCryptoSuiteFromName(std::string_view name) {
	for (SrtpCryptoSuite suite : {SrtpCryptoSuite::AEAD_AES_256_GCM, SrtpCryptoSuite::AEAD_AES_128_GCM,
	         SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80, SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32}) {
		if (name == SrtpCryptoSuiteName(suite)) return suite;
	}
	return std::nullopt;
}

std::unique_ptr<SrtpSession> SrtpSession::Create(
	Direction direction, SrtpCryptoSuite suite, const uint8_t* key, size_t keyLen, std::string* error) {
	auto fail = [error](const std::string& message) {
		if (error) *error = message;
		return nullptr;
	};

	if (!SrtpLibrary::Init()) return fail("srtp_init() failed");
	if (key == nullptr || keyLen != SrtpMasterKeyLength(suite)) {
		return fail(std::string("wrong master key length for ") + SrtpCryptoSuiteName(suite) + ": expected " +
		    std::to_string(SrtpMasterKeyLength(suite)) + " bytes (key || salt)");
	}

	// libsrtp's policy takes a non-const key pointer; it derives the session keys
	// (RFC 3711 §4.3) inside srtp_create() and keeps no reference to it afterwards.
	uint8_t keyCopy[SRTP_MAX_KEY_LEN];
	std::memcpy(keyCopy, key, keyLen);

	srtp_policy_t policy;
	std::memset(&policy, 0, sizeof(policy));
	SetPolicy(suite, &policy);
	policy.ssrc.type = direction == Direction::Outbound ? ssrc_any_outbound : ssrc_any_inbound;
	policy.key = keyCopy;
	policy.window_size = kReplayWindowSize;
	// An SFU resends a packet the receiver NACKed (RFC 4585 §6.2.1) through the same
	// outbound session with its original sequence number when RTX is not negotiated.
	// libsrtp would refuse that as a replay of its own index. The resent packet is
	// byte-identical, so re-encrypting it under the same index yields the same
	// ciphertext and reveals nothing new. Callers must never reuse an index for
	// different content: with AES-CM that reuses keystream, and with AES-GCM it
	// breaks authentication (RFC 7714 §8.1 requires unique IVs).
	policy.allow_repeat_tx = 1;
	policy.next = nullptr;

	srtp_t session = nullptr;
	const srtp_err_status_t status = srtp_create(&session, &policy);
	WipeKey(keyCopy, sizeof(keyCopy));
	if (status != srtp_err_status_ok) {
		return fail(std::string("srtp_create() failed: ") + ErrorName(status));
	}

	// Not std::make_unique: the constructor is private, and a failed allocation must
	// not throw out of this function.
	std::unique_ptr<SrtpSession> result(new (std::nothrow) SrtpSession(direction, suite, session));
	if (!result) {
		srtp_dealloc(session);
		return fail("out of memory");
	}
	return result;
}

SrtpSession::~SrtpSession() {
	if (session_) srtp_dealloc(session_);
}

bool SrtpSession::ProtectRtp(uint8_t* data, size_t* len, size_t capacity) {
	if (direction_ != Direction::Outbound) return Fail(srtp_err_status_no_such_op);
	if (*len < kMinRtpLength || capacity < *len || capacity - *len < MaxTrailerLength ||
	    *len > static_cast<size_t>(INT_MAX) - MaxTrailerLength) {
		return Fail(srtp_err_status_bad_param);
	}
	int n = static_cast<int>(*len);
	const srtp_err_status_t status = srtp_protect(session_, data, &n);
	if (status != srtp_err_status_ok) return Fail(status);
	*len = static_cast<size_t>(n);
	return true;
}

bool SrtpSession::UnprotectRtp(uint8_t* data, size_t* len) {
	if (direction_ != Direction::Inbound) return Fail(srtp_err_status_no_such_op);
	if (*len < kMinRtpLength || *len > static_cast<size_t>(INT_MAX)) return Fail(srtp_err_status_bad_param);
	const uint32_t ssrc = rtcp::Read32(data + 8); // RFC 3550 §5.1
	if (!HasRoomFor(ssrc)) return Fail(srtp_err_status_no_ctx);
	int n = static_cast<int>(*len);
	const srtp_err_status_t status = srtp_unprotect(session_, data, &n);
	if (status != srtp_err_status_ok) return Fail(status);
	inboundSsrcs_.insert(ssrc);
	*len = static_cast<size_t>(n);
	return true;
}

void SrtpSession::ForgetSsrc(uint32_t ssrc) {
	if (direction_ != Direction::Inbound || inboundSsrcs_.erase(ssrc) == 0) return;
	// libsrtp keeps a stream's SSRC as it appears in the header (network order).
	srtp_remove_stream(session_, htonl(ssrc));
}

bool SrtpSession::ProtectRtcp(uint8_t* data, size_t* len, size_t capacity) {
	if (direction_ != Direction::Outbound) return Fail(srtp_err_status_no_such_op);
	if (*len < kMinRtcpLength || capacity < *len || capacity - *len < MaxTrailerLength ||
	    *len > static_cast<size_t>(INT_MAX) - MaxTrailerLength) {
		return Fail(srtp_err_status_bad_param);
	}
	int n = static_cast<int>(*len);
	const srtp_err_status_t status = srtp_protect_rtcp(session_, data, &n);
	if (status != srtp_err_status_ok) return Fail(status);
	*len = static_cast<size_t>(n);
	return true;
}

bool SrtpSession::UnprotectRtcp(uint8_t* data, size_t* len) {
	if (direction_ != Direction::Inbound) return Fail(srtp_err_status_no_such_op);
	if (*len < kMinRtcpLength || *len > static_cast<size_t>(INT_MAX)) return Fail(srtp_err_status_bad_param);
	const uint32_t ssrc = rtcp::Read32(data + 4); // the sender's SSRC, RFC 3550 §6.4.1
	if (!HasRoomFor(ssrc)) return Fail(srtp_err_status_no_ctx);
	int n = static_cast<int>(*len);
	const srtp_err_status_t status = srtp_unprotect_rtcp(session_, data, &n);
	if (status != srtp_err_status_ok) return Fail(status);
	inboundSsrcs_.insert(ssrc);
	*len = static_cast<size_t>(n);
	return true;
}

const char* SrtpSession::ErrorName(int status) {
	// Indexed by srtp_err_status_t value (srtp.h, libsrtp 2.5).
	static const char* const kNames[] = {
	    "srtp_err_status_ok",
	    "srtp_err_status_fail",
	    "srtp_err_status_bad_param",
	    "srtp_err_status_alloc_fail",
	    "srtp_err_status_dealloc_fail",
	    "srtp_err_status_init_fail",
	    "srtp_err_status_terminus",
	    "srtp_err_status_auth_fail",
	    "srtp_err_status_cipher_fail",
	    "srtp_err_status_replay_fail",
	    "srtp_err_status_replay_old",
	    "srtp_err_status_algo_fail",
	    "srtp_err_status_no_such_op",
	    "srtp_err_status_no_ctx",
	    "srtp_err_status_cant_check",
	    "srtp_err_status_key_expired",
	    "srtp_err_status_socket_err",
	    "srtp_err_status_signal_err",
	    "srtp_err_status_nonce_bad",
	    "srtp_err_status_read_fail",
	    "srtp_err_status_write_fail",
	    "srtp_err_status_parse_err",
	    "srtp_err_status_encode_err",
	    "srtp_err_status_semaphore_err",
	    "srtp_err_status_pfkey_err",
	    "srtp_err_status_bad_mki",
	    "srtp_err_status_pkt_idx_old",
	    "srtp_err_status_pkt_idx_adv",
	};
	static_assert(sizeof(kNames) / sizeof(kNames[0]) == srtp_err_status_pkt_idx_adv + 1,
	    "kNames must list every srtp_err_status_t");
	if (status < 0 || status > srtp_err_status_pkt_idx_adv) return "srtp_err_status_unknown";
	return kNames[status];
}

} // namespace mediaplane
