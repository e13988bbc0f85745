#define MP_LOG_SOURCE "DtlsCertificate"

#include "DtlsCertificate.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>

#include "../common/Logger.hpp"

namespace mediaplane {

namespace {

// Validity window of a generated certificate. The start is backdated so that a peer
// whose clock runs behind does not see a "not yet valid" certificate (WebRTC peers do
// not check validity against a CA, but some check the dates).
constexpr long kNotBeforeOffsetSeconds = -24L * 60 * 60;
constexpr long kNotAfterOffsetSeconds = 30L * 24 * 60 * 60;

// Cipher suites offered and accepted over DTLS 1.2: ECDHE with AES-GCM only. RFC 8827
// §6.5 makes TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 mandatory for WebRTC and requires
// forward secrecy, so every WebRTC peer supports it. CBC suites are left out on
// purpose: OpenSSL 3.0's DTLS treats a record with a bad MAC under them as a fatal
// error (observed with 3.0.19) where RFC 6347 §4.1.2.7 wants it discarded, so one
// spoofed datagram could end the association. ChaCha20-Poly1305 is left out so that one
// length bound covers every protected record (see DtlsTransport::ProcessDtlsData). RSA
// authentication stays for a remote server presenting an RSA certificate.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";

// Key exchange groups, in preference order (X25519, then the NIST curves that browsers
// also offer).
constexpr const char* kGroupsList = "X25519:P-256:P-384";

// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2), strongest first.
// A DtlsTransport may narrow this per connection (SSL_set_tlsext_use_srtp).
constexpr const char* kSrtpProfiles =
    "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";

const char* const kFingerprintAlgorithms[] = {"sha-1", "sha-224", "sha-256", "sha-384", "sha-512"};

// The oldest error on this thread's OpenSSL queue, as text, and the queue emptied: the
// queue is shared with Node's own crypto on the same thread and must not be left dirty.
std::string TakeOpenSslError() {
	unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (code == 0) return "unknown OpenSSL error";
	char buffer[256];
	ERR_error_string_n(code, buffer, sizeof(buffer));
	return buffer;
}

const EVP_MD* DigestForAlgorithm(const std::string& algorithm) {
	std::string lower(algorithm);
	for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	if (lower == "sha-1") return EVP_sha1();
	if (lower == "sha-224") return EVP_sha224();
	if (lower == "sha-256") return EVP_sha256();
	if (lower == "sha-384") return EVP_sha384();
	if (lower == "sha-512") return EVP_sha512();
	return nullptr;
}

// The SSL_CTX-wide verify callback. WebRTC certificates are self-signed, so OpenSSL's
// chain verification always reports an untrusted issuer; the real check is the
// fingerprint comparison (RFC 8122 §5), which DtlsTransport installs per connection
// with SSL_set_verify. This default only keeps the context usable on its own.
int AcceptAnyCertificate(int /*preverifyOk*/, X509_STORE_CTX* /*storeContext*/) { return 1; }

struct BioDeleter {
	void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct X509Deleter {
	void operator()(X509* x509) const { X509_free(x509); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct PkeyDeleter {
	void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::shared_ptr<DtlsCertificate> Fail(std::string* error, const std::string& message) {
	if (error) *error = message;
	MP_WARN("%s", message.c_str());
	return nullptr;
}

} // namespace

std::string ComputeFingerprint(X509* certificate, const std::string& algorithm) {
	const EVP_MD* md = DigestForAlgorithm(algorithm);
	if (certificate == nullptr || md == nullptr) return {};

	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digestLen = 0;
	if (X509_digest(certificate, md, digest, &digestLen) != 1) {
		ERR_clear_error();
		return {};
	}

	// RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX), uppercase hex.
	static const char kHex[] = "0123456789ABCDEF";
	std::string value;
	value.reserve(digestLen * 3);
	for (unsigned int i = 0; i < digestLen; ++i) {
		if (i > 0) value.push_back(':');
		value.push_back(kHex[digest[i] >> 4]);
		value.push_back(kHex[digest[i] & 0x0F]);
	}
	return value;
}

std::shared_ptr<DtlsCertificate> DtlsCertificate::Generate(std::string* error) {
	ERR_clear_error();

	// EVP_PKEY_Q_keygen is what the EVP_EC_gen() macro expands to (OpenSSL 3.0).
	PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
	if (!key) return Fail(error, "EC P-256 key generation failed: " + TakeOpenSslError());

	X509Ptr cert(X509_new());
	if (!cert) return Fail(error, "X509_new() failed: " + TakeOpenSslError());

	// Version 3 (value 2), so that verifiers treat it as a modern certificate.
	bool ok = X509_set_version(cert.get(), 2) == 1;

	// A random positive serial (RFC 5280 §4.1.2.2: positive, at most 20 octets); 63
	// random bits keep it positive and non-zero with overwhelming probability.
	uint64_t serial = 0;
	if (ok) ok = RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) == 1;
	serial &= 0x7FFFFFFFFFFFFFFFULL;
	if (serial == 0) serial = 1;
	if (ok) ok = ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) == 1;

	if (ok) ok = X509_gmtime_adj(X509_getm_notBefore(cert.get()), kNotBeforeOffsetSeconds) != nullptr;
	if (ok) ok = X509_gmtime_adj(X509_getm_notAfter(cert.get()), kNotAfterOffsetSeconds) != nullptr;

	// A random common name: nothing identifies the host or the process (RFC 8826 §4.3.2
	// privacy considerations for long-lived identifiers).
	unsigned char nameBytes[8];
	if (ok) ok = RAND_bytes(nameBytes, sizeof(nameBytes)) == 1;
	std::string commonName;
	static const char kHex[] = "0123456789abcdef";
	for (unsigned char b : nameBytes) {
		commonName.push_back(kHex[b >> 4]);
		commonName.push_back(kHex[b & 0x0F]);
	}
	X509_NAME* name = ok ? X509_get_subject_name(cert.get()) : nullptr;
	if (ok) {
		ok = name != nullptr &&
		     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		         reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0) == 1;
	}
	// Self-signed: issuer = subject.
	if (ok) ok = X509_set_issuer_name(cert.get(), name) == 1;
	if (ok) ok = X509_set_pubkey(cert.get(), key.get()) == 1;
	if (ok) ok = X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
	if (!ok) return Fail(error, "self-signed certificate creation failed: " + TakeOpenSslError());

	return Create(cert.release(), key.release(), error);
}

std::shared_ptr<DtlsCertificate> DtlsCertificate::LoadFromFiles(
    const std::string& certFile, const std::string& keyFile, std::string* error) {
	ERR_clear_error();

	BioPtr certBio(BIO_new_file(certFile.c_str(), "r"));
	if (!certBio) return Fail(error, "cannot open DTLS certificate file '" + certFile + "': " + TakeOpenSslError());
	X509Ptr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
	if (!cert) return Fail(error, "cannot read a PEM certificate from '" + certFile + "': " + TakeOpenSslError());

	BioPtr keyBio(BIO_new_file(keyFile.c_str(), "r"));
	if (!keyBio) return Fail(error, "cannot open DTLS private key file '" + keyFile + "': " + TakeOpenSslError());
	// No password callback: an encrypted key fails here instead of prompting on a tty.
	PkeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, const_cast<char*>("")));
	if (!key) return Fail(error, "cannot read a PEM private key from '" + keyFile + "': " + TakeOpenSslError());

	if (X509_check_private_key(cert.get(), key.get()) != 1) {
		ERR_clear_error();
		return Fail(error, "the private key in '" + keyFile + "' does not match the certificate in '" + certFile + "'");
	}

	return Create(cert.release(), key.release(), error);
}

std::shared_ptr<DtlsCertificate> DtlsCertificate::Create(X509* certificate, EVP_PKEY* privateKey, std::string* error) {
	// The new object owns both references from here on: its destructor frees them.
	std::shared_ptr<DtlsCertificate> self(new DtlsCertificate(certificate, privateKey));

	for (const char* algorithm : kFingerprintAlgorithms) {
		std::string value = ComputeFingerprint(certificate, algorithm);
		if (value.empty()) return Fail(error, std::string("cannot compute the ") + algorithm + " fingerprint");
		self->fingerprints_.push_back({algorithm, std::move(value)});
	}

	SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
	if (ctx == nullptr) return Fail(error, "SSL_CTX_new(DTLS_method()) failed: " + TakeOpenSslError());
	self->sslContext_ = ctx;

	bool ok = SSL_CTX_use_certificate(ctx, certificate) == 1 && SSL_CTX_use_PrivateKey(ctx, privateKey) == 1 &&
	          SSL_CTX_check_private_key(ctx) == 1;
	if (!ok) return Fail(error, "cannot install the DTLS certificate: " + TakeOpenSslError());

	// DTLS 1.2 at least (RFC 8827 §6.5; DTLS 1.0 is obsolete). A peer offering DTLS 1.3
	// (Chromium does) gets 1.2 from OpenSSL 3.0.
	ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1;
	if (ok) ok = SSL_CTX_set_cipher_list(ctx, kCipherList) == 1;
	if (ok) ok = SSL_CTX_set1_groups_list(ctx, kGroupsList) == 1;
	// Unlike almost every OpenSSL call, this one returns 0 on success.
	if (ok) ok = SSL_CTX_set_tlsext_use_srtp(ctx, kSrtpProfiles) == 0;
	if (!ok) return Fail(error, "cannot configure the DTLS context: " + TakeOpenSslError());

	// RFC 5763 §5 and RFC 8122 §5: both endpoints present certificates, and a peer
	// without one is rejected; the certificate is checked against the signalled
	// fingerprint, not a CA (see AcceptAnyCertificate).
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptAnyCertificate);
	SSL_CTX_set_verify_depth(ctx, 4);

	// No session resumption: every WebRTC association runs a full handshake with fresh
	// keys, and a session cache would keep state across unrelated peers. No
	// renegotiation: the SRTP keys are exported once, when the handshake completes, and
	// must not silently change afterwards. SSL_OP_NO_QUERY_MTU: the MTU is set per
	// connection, memory BIOs cannot report a path MTU.
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU |
	                             SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_read_ahead(ctx, 1);

	ERR_clear_error();
	return self;
}

DtlsCertificate::~DtlsCertificate() {
	if (sslContext_) SSL_CTX_free(sslContext_);
	X509_free(certificate_);
	EVP_PKEY_free(privateKey_);
}

std::string DtlsCertificate::GetPem() const {
	BioPtr bio(BIO_new(BIO_s_mem()));
	if (!bio || PEM_write_bio_X509(bio.get(), certificate_) != 1) {
		ERR_clear_error();
		return {};
	}
	char* data = nullptr;
	long len = BIO_get_mem_data(bio.get(), &data);
	return len > 0 && data ? std::string(data, static_cast<size_t>(len)) : std::string();
}

} // namespace mediaplane
