#pragma once
// The DTLS identity of a worker: an ECDSA P-256 key, a self-signed X.509 certificate,
// the certificate's fingerprints as signalled in SDP/DtlsParameters, and the DTLS
// SSL_CTX built from them.
//
// WebRTC peers authenticate each other by certificate fingerprint, not by a CA chain
// (RFC 8122 §5, RFC 8827 §6.5): a self-signed certificate is the normal case, and the
// value that matters is the hash signalled out of band (a=fingerprint,
// DtlsParameters.fingerprints).
//
// One certificate (and so one SSL_CTX) serves every DtlsTransport of a worker. An
// SSL_CTX is safe to share between SSL objects on different threads once configured,
// and it is only configured here, before the certificate is handed out.
//
// OpenSSL is Node's bundled copy (headers from Node's include directory, symbols from
// the `node` binary); nothing here throws.

#include <openssl/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mediaplane {

// One a=fingerprint value (RFC 8122 §5): a hash function name as in the IANA "Hash
// Function Textual Names" registry ("sha-256") and the hash as uppercase hex byte pairs
// joined by ':'.
struct DtlsFingerprint {
	std::string algorithm;
	std::string value;
};

// The fingerprint of a certificate's DER encoding with `algorithm` ("sha-1", "sha-224",
// "sha-256", "sha-384", "sha-512"; case-insensitive). Empty for an unknown algorithm or
// a null certificate.
std::string ComputeFingerprint(X509* certificate, const std::string& algorithm);

class DtlsCertificate {
public:
	// A fresh ECDSA P-256 key and a self-signed certificate for it: random serial and
	// common name, valid from one day ago (tolerates peers with a slow clock) to 30 days
	// ahead. Returns nullptr and sets *error (if given) on failure.
	static std::shared_ptr<DtlsCertificate> Generate(std::string* error);

	// A PEM certificate and PEM private key read from files (the worker settings
	// dtlsCertificateFile / dtlsPrivateKeyFile). Fails unless the key belongs to the
	// certificate.
	static std::shared_ptr<DtlsCertificate> LoadFromFiles(
	    const std::string& certFile, const std::string& keyFile, std::string* error);

	~DtlsCertificate();
	DtlsCertificate(const DtlsCertificate&) = delete;
	DtlsCertificate& operator=(const DtlsCertificate&) = delete;

	// "sha-1", "sha-224", "sha-256", "sha-384" and "sha-512", in that order.
	const std::vector<DtlsFingerprint>& GetFingerprints() const { return fingerprints_; }

	// Owned by this object; valid for its lifetime. Callers that keep one longer must
	// take their own reference (X509_up_ref / EVP_PKEY_up_ref).
	X509* GetCertificate() const { return certificate_; }
	EVP_PKEY* GetPrivateKey() const { return privateKey_; }
	// The DTLS 1.2 context every DtlsTransport using this certificate makes its SSL from
	// (settings in the .cpp: DTLS-SRTP profiles, ciphers, peer certificate required).
	SSL_CTX* GetSslContext() const { return sslContext_; }

	// The certificate as PEM text (for dump() and tests).
	std::string GetPem() const;

private:
	// Takes ownership of both references; builds the fingerprints and the SSL_CTX.
	static std::shared_ptr<DtlsCertificate> Create(X509* certificate, EVP_PKEY* privateKey, std::string* error);

	DtlsCertificate(X509* certificate, EVP_PKEY* privateKey) : certificate_(certificate), privateKey_(privateKey) {}

	X509* certificate_ = nullptr;
	EVP_PKEY* privateKey_ = nullptr;
	SSL_CTX* sslContext_ = nullptr;
	std::vector<DtlsFingerprint> fingerprints_;
};

} // namespace mediaplane
