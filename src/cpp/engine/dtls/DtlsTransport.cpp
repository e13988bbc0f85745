#define MP_LOG_SOURCE "DtlsTransport"

#include "DtlsTransport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <sys/time.h>

#include "../common/Logger.hpp"

namespace mediaplane {

namespace {

// RFC 5246 §6.2.1: at most 2^14 bytes of plaintext per record.
constexpr size_t kMaxRecordPlaintextLength = 16384;

// RFC 5764 §4.2.
constexpr const char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";

const char* OpenSslProfileName(SrtpCryptoSuite suite) {
	switch (suite) {
		case SrtpCryptoSuite::AEAD_AES_256_GCM: return "SRTP_AEAD_AES_256_GCM";
		case SrtpCryptoSuite::AEAD_AES_128_GCM: return "SRTP_AEAD_AES_128_GCM";
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80: return "SRTP_AES128_CM_SHA1_80";
		case SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32: return "SRTP_AES128_CM_SHA1_32";
	}
	return "";
}

// The SRTPProtectionProfile code points of RFC 5764 §4.1.2 and RFC 7714 §14.2.
std::optional<SrtpCryptoSuite> SuiteFromProfileId(unsigned long id) {
	switch (id) {
		case SRTP_AEAD_AES_256_GCM: return SrtpCryptoSuite::AEAD_AES_256_GCM;
		case SRTP_AEAD_AES_128_GCM: return SrtpCryptoSuite::AEAD_AES_128_GCM;
		case SRTP_AES128_CM_SHA1_80: return SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80;
		case SRTP_AES128_CM_SHA1_32: return SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32;
		default: return std::nullopt;
	}
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
	if (a.size() != b.size()) return false;
	for (size_t i = 0; i < a.size(); ++i) {
		if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
			return false;
		}
	}
	return true;
}

// This thread's oldest OpenSSL error as text; the queue is emptied either way (it is
// shared with Node's crypto when we run on the main thread).
std::string TakeOpenSslError() {
	unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (code == 0) return {};
	char buffer[256];
	ERR_error_string_n(code, buffer, sizeof(buffer));
	return buffer;
}

} // namespace

const char* DtlsStateName(DtlsState state) {
	switch (state) {
		case DtlsState::New: return "new";
		case DtlsState::Connecting: return "connecting";
		case DtlsState::Connected: return "connected";
		case DtlsState::Failed: return "failed";
		case DtlsState::Closed: return "closed";
	}
	return "new";
}

const char* DtlsRoleName(DtlsRole role) {
	switch (role) {
		case DtlsRole::Auto: return "auto";
		case DtlsRole::Client: return "client";
		case DtlsRole::Server: return "server";
	}
	return "auto";
}

DtlsTransport::DtlsTransport(Listener& listener, std::shared_ptr<DtlsCertificate> certificate)
    : listener_(listener), certificate_(std::move(certificate)) {}

DtlsTransport::~DtlsTransport() {
	// SSL_free frees both BIOs (SSL_set_bio gave them to the SSL). No close_notify and no
	// listener call here: the owner calls Close() first if the peer should be told.
	if (ssl_) SSL_free(ssl_);
	ERR_clear_error();
}

bool DtlsTransport::LooksLikeDtls(const uint8_t* data, size_t len) {
	return data != nullptr && len >= DtlsRecordScreen::RecordHeaderLength && data[0] >= 20 && data[0] <= 63;
}

bool DtlsTransport::SetSrtpCryptoSuites(const std::vector<SrtpCryptoSuite>& suites) {
	if (suites.empty()) return false;
	std::string profiles;
	for (SrtpCryptoSuite suite : suites) {
		if (!profiles.empty()) profiles.push_back(':');
		profiles += OpenSslProfileName(suite);
	}
	srtpProfiles_ = std::move(profiles);
	return true;
}

void DtlsTransport::SetInitialRetransmitMs(uint32_t ms) {
	initialRetransmitMs_ = std::clamp<uint32_t>(ms, 10, DefaultInitialRetransmitMs);
}

void DtlsTransport::SetMtu(size_t mtu) { mtu_ = std::clamp<size_t>(mtu, 256, 16384); }

bool DtlsTransport::CreateSsl() {
	SSL_CTX* ctx = certificate_ ? certificate_->GetSslContext() : nullptr;
	if (ctx == nullptr) {
		failureReason_ = "no DTLS certificate";
		return false;
	}
	ERR_clear_error();
	ssl_ = SSL_new(ctx);
	if (ssl_ == nullptr) {
		failureReason_ = "SSL_new() failed: " + TakeOpenSslError();
		return false;
	}
	SSL_set_app_data(ssl_, this);

	// Plain memory BIOs, no BIO callback: OpenSSL writes records into outBio_ and we
	// take them out after every call. eof_return -1 makes an empty BIO mean "retry
	// later" rather than end of stream.
	inBio_ = BIO_new(BIO_s_mem());
	outBio_ = BIO_new(BIO_s_mem());
	if (inBio_ == nullptr || outBio_ == nullptr) {
		BIO_free(inBio_);
		BIO_free(outBio_);
		inBio_ = outBio_ = nullptr;
		failureReason_ = "BIO_new() failed";
		return false;
	}
	BIO_set_mem_eof_return(inBio_, -1);
	BIO_set_mem_eof_return(outBio_, -1);
	SSL_set_bio(ssl_, inBio_, outBio_);

	// A memory BIO knows no path MTU: give OpenSSL ours (it fragments handshake
	// messages to it, RFC 6347 §4.2.3).
	SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
	if (SSL_set_mtu(ssl_, static_cast<long>(mtu_)) <= 0) {
		failureReason_ = "SSL_set_mtu() failed";
		return false;
	}
	DTLS_set_timer_cb(ssl_, &DtlsTransport::OnSslTimer);
	SSL_set_verify(ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &DtlsTransport::OnSslVerify);

	// Returns 0 on success, unlike most of OpenSSL.
	if (!srtpProfiles_.empty() && SSL_set_tlsext_use_srtp(ssl_, srtpProfiles_.c_str()) != 0) {
		failureReason_ = "SSL_set_tlsext_use_srtp() failed: " + TakeOpenSslError();
		return false;
	}
	ERR_clear_error();
	return true;
}

void DtlsTransport::Run(DtlsRole role, const DtlsFingerprint& remoteFingerprint, uint64_t nowMs) {
	if (state_ != DtlsState::New) {
		MP_WARN("Run() ignored in state %s", DtlsStateName(state_));
		return;
	}
	role_ = role;
	remoteFingerprint_ = remoteFingerprint;
	handshakeDeadlineMs_ = nowMs + HandshakeTimeoutMs;

	if (role != DtlsRole::Client && role != DtlsRole::Server) {
		Fail("DTLS role must be client or server when the handshake starts");
		return;
	}
	if (ComputeFingerprint(certificate_ ? certificate_->GetCertificate() : nullptr, remoteFingerprint.algorithm)
	        .empty()) {
		Fail("unsupported remote fingerprint algorithm '" + remoteFingerprint.algorithm + "'");
		return;
	}
	if (!CreateSsl()) {
		Fail(failureReason_);
		return;
	}

	screen_.emplace(role == DtlsRole::Server);
	if (role == DtlsRole::Client) SSL_set_connect_state(ssl_);
	else SSL_set_accept_state(ssl_);

	MP_DEBUG_TAG(Dtls, "running as %s", DtlsRoleName(role));
	SetState(DtlsState::Connecting);
	// A client speaks first (flight 1, the ClientHello); a server waits for it.
	if (state_ == DtlsState::Connecting && role == DtlsRole::Client) DriveHandshake();
}

void DtlsTransport::ProcessDtlsData(const uint8_t* data, size_t len, uint64_t nowMs) {
	if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) {
		++droppedRecords_;
		MP_DEBUG_TAG(Dtls, "datagram dropped in state %s", DtlsStateName(state_));
		return;
	}
	if (data == nullptr) {
		++droppedRecords_;
		return;
	}
	if (state_ == DtlsState::Connecting && nowMs >= handshakeDeadlineMs_) {
		Fail("DTLS handshake timed out");
		return;
	}

	// RFC 6347 §4.1.2.7: invalid records are silently discarded. Records are checked here
	// before OpenSSL sees them (DtlsRecordScreen says which and why), and only whole
	// records go in: OpenSSL takes one BIO read as one datagram. The cipher list
	// (DtlsCertificate.cpp) keeps to AES-GCM so that one length bound covers every
	// protected record, and leaves out the CBC suites, whose bad MACs OpenSSL 3.0 treats
	// as fatal.
	size_t offset = 0;
	size_t written = 0;
	while (offset < len) {
		DtlsRecordScreen::Record record;
		const size_t recordLength = DtlsRecordScreen::ParseRecord(data + offset, len - offset, record);
		if (recordLength == 0) break;
		const uint8_t* recordStart = data + offset;
		offset += recordLength;

		const DtlsRecordScreen::Verdict verdict = screen_->Screen(record);
		if (verdict != DtlsRecordScreen::Verdict::Accept) {
			++droppedRecords_;
			MP_DEBUG_TAG(Dtls, "dropped a record (type %u, epoch %u, %zu bytes): %s", record.contentType, record.epoch,
			    record.fragmentLength, DtlsRecordScreen::VerdictName(verdict));
			continue;
		}
		if (BIO_write(inBio_, recordStart, static_cast<int>(recordLength)) != static_cast<int>(recordLength)) {
			ERR_clear_error();
			++droppedRecords_;
			continue;
		}
		++written;
	}
	if (offset < len) {
		++droppedRecords_;
		MP_DEBUG_TAG(Dtls, "dropped %zu malformed bytes of a %zu-byte datagram", len - offset, len);
	}
	if (written == 0) return;

	if (state_ == DtlsState::Connecting) DriveHandshake();
	// Also right after the handshake completed: application data may follow the
	// Finished message in the same datagram, and a server that already finished must
	// answer a retransmitted client flight by retransmitting its last flight (RFC 6347
	// §4.2.4), which OpenSSL does while reading.
	if (state_ == DtlsState::Connected) ReadApplicationData();

	// Nothing stale may be glued to the next datagram.
	if (inBio_ && BIO_ctrl_pending(inBio_) > 0) (void)BIO_reset(inBio_);
	ERR_clear_error();
}

void DtlsTransport::DriveHandshake() {
	ERR_clear_error();
	const int ret = SSL_do_handshake(ssl_);
	const int error = SSL_get_error(ssl_, ret);
	// Always flush: a flight, a retransmission or a fatal alert may be waiting.
	SendPendingOutput();

	if (ret == 1) {
		ERR_clear_error();
		OnHandshakeDone();
		return;
	}
	if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return;
	}

	std::string reason;
	if (fingerprintMismatch_) {
		reason = "remote certificate does not match the signalled " + remoteFingerprint_.algorithm + " fingerprint";
	} else if (error == SSL_ERROR_ZERO_RETURN) {
		reason = "peer closed the connection during the handshake";
	} else {
		std::string detail = TakeOpenSslError();
		reason = "DTLS handshake failed" + (detail.empty() ? std::string() : ": " + detail);
	}
	ERR_clear_error();
	Fail(reason);
}

void DtlsTransport::OnHandshakeDone() {
	// The verify callback already compared the fingerprint during the handshake; check
	// again on the certificate the session ended up with, so that no path can skip it.
	X509* peer = SSL_get1_peer_certificate(ssl_);
	if (peer == nullptr) {
		ERR_clear_error();
		(void)SSL_shutdown(ssl_);
		SendPendingOutput();
		Fail("peer presented no certificate");
		return;
	}
	const std::string fingerprint = ComputeFingerprint(peer, remoteFingerprint_.algorithm);
	if (fingerprint.empty() || !EqualsIgnoreCase(fingerprint, remoteFingerprint_.value)) {
		X509_free(peer);
		ERR_clear_error();
		(void)SSL_shutdown(ssl_);
		SendPendingOutput();
		Fail("remote certificate does not match the signalled " + remoteFingerprint_.algorithm + " fingerprint");
		return;
	}

	std::string pem;
	if (BIO* bio = BIO_new(BIO_s_mem())) {
		if (PEM_write_bio_X509(bio, peer) == 1) {
			char* text = nullptr;
			const long textLen = BIO_get_mem_data(bio, &text);
			if (textLen > 0 && text) pem.assign(text, static_cast<size_t>(textLen));
		}
		BIO_free(bio);
	}
	X509_free(peer);

	// RFC 5764 §4.1.1: without an agreed use_srtp profile there is no DTLS-SRTP.
	SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_);
	std::optional<SrtpCryptoSuite> suite = profile ? SuiteFromProfileId(profile->id) : std::nullopt;
	if (!suite) {
		ERR_clear_error();
		(void)SSL_shutdown(ssl_);
		SendPendingOutput();
		Fail("no common SRTP protection profile (use_srtp, RFC 5764 §4.1.2)");
		return;
	}

	// RFC 5764 §4.2: the exporter output is client_write_SRTP_master_key,
	// server_write_SRTP_master_key, client_write_SRTP_master_salt,
	// server_write_SRTP_master_salt, in that order.
	const size_t keyLen = SrtpMasterKeyOnlyLength(*suite);
	const size_t saltLen = SrtpMasterSaltLength(*suite);
	std::vector<uint8_t> material(2 * (keyLen + saltLen));
	if (SSL_export_keying_material(ssl_, material.data(), material.size(), kSrtpExporterLabel,
	        sizeof(kSrtpExporterLabel) - 1, nullptr, 0, 0) != 1) {
		const std::string detail = TakeOpenSslError();
		Fail("SSL_export_keying_material() failed: " + detail);
		return;
	}
	const uint8_t* clientKey = material.data();
	const uint8_t* serverKey = clientKey + keyLen;
	const uint8_t* clientSalt = serverKey + keyLen;
	const uint8_t* serverSalt = clientSalt + saltLen;

	std::vector<uint8_t> clientWrite(clientKey, clientKey + keyLen);
	clientWrite.insert(clientWrite.end(), clientSalt, clientSalt + saltLen);
	std::vector<uint8_t> serverWrite(serverKey, serverKey + keyLen);
	serverWrite.insert(serverWrite.end(), serverSalt, serverSalt + saltLen);
	OPENSSL_cleanse(material.data(), material.size());

	srtpSuite_ = suite;
	remoteCertificatePem_ = pem;
	handshakeDeadlineMs_ = UINT64_MAX;
	state_ = DtlsState::Connected;
	MP_DEBUG_TAG(Dtls, "connected as %s, %s, SRTP profile %s", DtlsRoleName(role_), SSL_get_version(ssl_),
	    SrtpCryptoSuiteName(*suite));

	const bool isClient = role_ == DtlsRole::Client;
	listener_.OnDtlsRemoteCertificate(remoteCertificatePem_);
	if (state_ == DtlsState::Connected) {
		listener_.OnDtlsSrtpKeys(*suite, isClient ? clientWrite : serverWrite, isClient ? serverWrite : clientWrite);
	}
	OPENSSL_cleanse(clientWrite.data(), clientWrite.size());
	OPENSSL_cleanse(serverWrite.data(), serverWrite.size());
	// state_ was set silently above so that a Close() from the callbacks wins; report
	// Connected only if nothing changed it.
	if (state_ == DtlsState::Connected) listener_.OnDtlsStateChange(DtlsState::Connected);
}

void DtlsTransport::ReadApplicationData() {
	uint8_t buffer[kMaxRecordPlaintextLength];
	while (state_ == DtlsState::Connected) {
		ERR_clear_error();
		const int ret = SSL_read(ssl_, buffer, sizeof(buffer));
		if (ret > 0) {
			listener_.OnDtlsApplicationData(buffer, static_cast<size_t>(ret));
			continue;
		}
		const int error = SSL_get_error(ssl_, ret);
		SendPendingOutput();
		if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) break;
		if (error == SSL_ERROR_ZERO_RETURN) {
			// RFC 5246 §7.2.1: answer close_notify with close_notify.
			ERR_clear_error();
			MP_DEBUG_TAG(Dtls, "close_notify received");
			(void)SSL_shutdown(ssl_);
			SendPendingOutput();
			SetState(DtlsState::Closed);
			break;
		}
		// A fatal alert from the peer, or a fatal protocol error.
		const std::string detail = TakeOpenSslError();
		Fail("DTLS connection failed (SSL error " + std::to_string(error) + ")" +
		    (detail.empty() ? std::string() : ": " + detail));
		break;
	}
	// A retransmitted final flight may have been produced while reading.
	SendPendingOutput();
	ERR_clear_error();
}

bool DtlsTransport::SendApplicationData(const uint8_t* data, size_t len) {
	if (state_ != DtlsState::Connected) {
		MP_WARN("application data not sent: DTLS state is %s", DtlsStateName(state_));
		return false;
	}
	if (data == nullptr || len == 0 || len > kMaxRecordPlaintextLength) {
		MP_WARN("application data not sent: bad length %zu", len);
		return false;
	}
	ERR_clear_error();
	const int ret = SSL_write(ssl_, data, static_cast<int>(len));
	const int error = ret > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, ret);
	SendPendingOutput();
	if (ret != static_cast<int>(len)) {
		const std::string detail = TakeOpenSslError();
		MP_WARN("SSL_write() failed (error %d) %s", error, detail.c_str());
		return false;
	}
	return true;
}

uint64_t DtlsTransport::NextTimeoutMs(uint64_t nowMs) const {
	if (state_ != DtlsState::Connecting || ssl_ == nullptr) return UINT64_MAX;
	uint64_t next = handshakeDeadlineMs_;
	struct timeval left = {0, 0};
	if (DTLSv1_get_timeout(ssl_, &left) == 1) {
		// Rounded up so that OnTimer does not come before OpenSSL's deadline.
		const uint64_t leftMs = static_cast<uint64_t>(left.tv_sec) * 1000 + (static_cast<uint64_t>(left.tv_usec) + 999) / 1000;
		next = std::min(next, nowMs + leftMs);
	}
	return std::max(next, nowMs);
}

void DtlsTransport::OnTimer(uint64_t nowMs) {
	if (state_ != DtlsState::Connecting || ssl_ == nullptr) return;
	if (nowMs >= handshakeDeadlineMs_) {
		Fail("DTLS handshake timed out");
		return;
	}
	ERR_clear_error();
	// Retransmits the last flight if OpenSSL's timer has run out; no-op otherwise.
	const int ret = DTLSv1_handle_timeout(ssl_);
	SendPendingOutput();
	if (ret < 0) {
		const std::string detail = TakeOpenSslError();
		Fail("DTLS handshake gave up after too many retransmissions" + (detail.empty() ? std::string() : ": " + detail));
		return;
	}
	if (ret > 0) MP_DEBUG_TAG(Dtls, "flight retransmitted");
	ERR_clear_error();
}

void DtlsTransport::Close() {
	if (state_ == DtlsState::Closed) return;
	if (state_ == DtlsState::Connected && ssl_) {
		ERR_clear_error();
		// One call queues close_notify; we do not wait for the peer's reply (RFC 5246
		// §7.2.1 allows closing without it).
		(void)SSL_shutdown(ssl_);
		SendPendingOutput();
		ERR_clear_error();
	}
	handshakeDeadlineMs_ = UINT64_MAX;
	SetState(DtlsState::Closed);
}

void DtlsTransport::SendPendingOutput() {
	if (outBio_ == nullptr) return;
	char* bytes = nullptr;
	const long available = BIO_get_mem_data(outBio_, &bytes);
	if (available <= 0 || bytes == nullptr) return;
	// Copy out and empty the BIO first: a listener may call back into us (and so into
	// this function) from OnDtlsSendData.
	const std::vector<uint8_t> output(
	    reinterpret_cast<const uint8_t*>(bytes), reinterpret_cast<const uint8_t*>(bytes) + available);
	(void)BIO_reset(outBio_);

	// Pack whole records into datagrams of at most mtu_ bytes (RFC 6347 §4.1.1). OpenSSL
	// sizes each handshake record to fit the MTU on its own, so a record longer than
	// mtu_ (large application data) travels alone.
	const uint8_t* data = output.data();
	const size_t len = output.size();
	size_t datagramStart = 0;
	size_t offset = 0;
	while (offset < len) {
		size_t recordLen = len - offset;
		if (recordLen >= DtlsRecordScreen::RecordHeaderLength) {
			const size_t fragmentLength = (static_cast<size_t>(data[offset + 11]) << 8) | data[offset + 12];
			recordLen = std::min(recordLen, DtlsRecordScreen::RecordHeaderLength + fragmentLength);
		}
		if (offset > datagramStart && offset + recordLen - datagramStart > mtu_) {
			listener_.OnDtlsSendData(data + datagramStart, offset - datagramStart);
			++sentDatagrams_;
			datagramStart = offset;
		}
		offset += recordLen;
	}
	if (offset > datagramStart) {
		listener_.OnDtlsSendData(data + datagramStart, offset - datagramStart);
		++sentDatagrams_;
	}
}

void DtlsTransport::SetState(DtlsState state) {
	if (state_ == state) return;
	state_ = state;
	MP_DEBUG_TAG(Dtls, "state %s", DtlsStateName(state));
	listener_.OnDtlsStateChange(state);
}

void DtlsTransport::Fail(const std::string& reason) {
	failureReason_ = reason;
	handshakeDeadlineMs_ = UINT64_MAX;
	if (inBio_) (void)BIO_reset(inBio_);
	ERR_clear_error();
	MP_WARN("%s", reason.c_str());
	SetState(DtlsState::Failed);
}

int DtlsTransport::OnSslVerify(int /*preverifyOk*/, X509_STORE_CTX* storeContext) {
	SSL* ssl =
	    static_cast<SSL*>(X509_STORE_CTX_get_ex_data(storeContext, SSL_get_ex_data_X509_STORE_CTX_idx()));
	DtlsTransport* self = ssl ? static_cast<DtlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
	if (self == nullptr) return 0;

	// OpenSSL reports self-signed and untrusted-issuer errors here: expected for WebRTC
	// and ignored. What decides is the end-entity certificate's fingerprint, compared
	// with the signalled one (RFC 8122 §5, RFC 5763 §5); a chain's other certificates
	// (depth > 0) do not matter.
	if (X509_STORE_CTX_get_error_depth(storeContext) != 0) return 1;
	X509* certificate = X509_STORE_CTX_get_current_cert(storeContext);
	const std::string fingerprint = ComputeFingerprint(certificate, self->remoteFingerprint_.algorithm);
	if (fingerprint.empty() || !EqualsIgnoreCase(fingerprint, self->remoteFingerprint_.value)) {
		self->fingerprintMismatch_ = true;
		X509_STORE_CTX_set_error(storeContext, X509_V_ERR_CERT_REJECTED);
		return 0; // OpenSSL sends a fatal bad_certificate alert and fails the handshake
	}
	return 1;
}

unsigned int DtlsTransport::OnSslTimer(SSL* ssl, unsigned int previousUs) {
	const DtlsTransport* self = static_cast<const DtlsTransport*>(SSL_get_app_data(ssl));
	const uint64_t initialUs = static_cast<uint64_t>(self ? self->initialRetransmitMs_ : DefaultInitialRetransmitMs) * 1000;
	// previousUs is 0 when a flight is sent and a fresh timer starts; otherwise the
	// timer just expired and we back off exponentially (RFC 6347 §4.2.4.1).
	if (previousUs == 0) return static_cast<unsigned int>(initialUs);
	return static_cast<unsigned int>(std::min<uint64_t>(static_cast<uint64_t>(previousUs) * 2, MaxRetransmitMs * 1000ULL));
}

} // namespace mediaplane
