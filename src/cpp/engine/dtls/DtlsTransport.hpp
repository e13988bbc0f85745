#pragma once
// DTLS 1.2 (RFC 6347) for one WebRTC transport, keying SRTP (DTLS-SRTP, RFC 5764) and
// carrying SCTP later (RFC 8261). Sans-I/O: the owner feeds it the DTLS datagrams that
// arrived (ProcessDtlsData), the current time, and timer ticks (OnTimer at
// NextTimeoutMs); the transport hands back datagrams to send (OnDtlsSendData), state
// changes and, once connected, the SRTP keys. It never touches a socket or a loop.
//
// Who is client and who is server is decided by the signalling (RFC 5763 §5, RFC 8842
// §5: a=setup / DtlsParameters.role); the owner resolves `auto` before Run(). The peer
// is authenticated by comparing its certificate with the signalled fingerprint (RFC
// 8122 §5); a mismatch fails the handshake with a fatal alert.
//
// Underneath is OpenSSL's DTLS (Node's bundled OpenSSL 3.0) over two memory BIOs. Each
// datagram given to OnDtlsSendData holds whole DTLS records only (RFC 6347 §4.1.1: a
// record must not span datagrams) and, record sizes permitting, at most GetMtu()
// bytes; OpenSSL already fragments handshake messages to that MTU.
//
// Timers: OpenSSL 3.0 measures its retransmission timer (RFC 6347 §4.2.4) with the
// wall clock and offers no way to give it another clock. NextTimeoutMs() therefore
// reports "now + the wall-clock time OpenSSL has left", and OnTimer() lets OpenSSL
// retransmit if that time has really passed; calling it early is harmless. The
// overall handshake deadline (30 s from Run) uses the caller's clock (nowMs).
//
// Thread model: one worker thread. Listener callbacks run synchronously inside the
// calls that cause them. A callback may call Close() or SendApplicationData(), but must
// not destroy the transport. Nothing here throws; malformed input is dropped and
// counted (GetDroppedRecords), never fatal to the process.

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../srtp/SrtpSession.hpp"
#include "DtlsCertificate.hpp"
#include "DtlsRecordScreen.hpp"

namespace mediaplane {

// RFC 5763 §5 / mediasoup DtlsRole: "auto", "client", "server".
enum class DtlsRole { Auto, Client, Server };

// mediasoup's dtlsState values.
enum class DtlsState { New, Connecting, Connected, Failed, Closed };

// "new", "connecting", "connected", "failed", "closed".
const char* DtlsStateName(DtlsState state);
// "auto", "client", "server".
const char* DtlsRoleName(DtlsRole role);

class DtlsTransport {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// One UDP payload for the peer: whole DTLS records. Valid during the call only.
		virtual void OnDtlsSendData(const uint8_t* data, size_t len) = 0;
		virtual void OnDtlsStateChange(DtlsState state) = 0;
		// Reported once, just before OnDtlsStateChange(Connected): the negotiated SRTP
		// profile and the master key || master salt for each direction, cut from the
		// exported keying material as RFC 5764 §4.2 lays it out. localSendKey protects
		// what this side sends (client_write_* for the client, server_write_* for the
		// server); remoteSendKey unprotects what the peer sends. Each is
		// SrtpMasterKeyLength(suite) bytes, ready for SrtpSession::Create.
		virtual void OnDtlsSrtpKeys(SrtpCryptoSuite suite, const std::vector<uint8_t>& localSendKey,
		    const std::vector<uint8_t>& remoteSendKey) = 0;
		// The peer's certificate (PEM), reported once before the keys.
		virtual void OnDtlsRemoteCertificate(const std::string& pem) {}
		// Decrypted application data (one DTLS record's payload), for SCTP (RFC 8261).
		virtual void OnDtlsApplicationData(const uint8_t* data, size_t len) {}
	};

	// RFC 6347 §4.2.4.1: initial retransmission timeout 1 s, doubled on each
	// retransmission, up to at least the RFC 6298 maximum of 60 s.
	static constexpr uint32_t DefaultInitialRetransmitMs = 1000;
	static constexpr uint32_t MaxRetransmitMs = 60000;
	// How long a handshake may take from Run() before the transport fails.
	static constexpr uint64_t HandshakeTimeoutMs = 30000;
	// Largest datagram the transport builds. OpenSSL fragments handshake messages to
	// fit. 1200 stays under the IPv6 minimum MTU (1280 - 40 IPv6 - 8 UDP = 1232) with
	// room for TURN framing.
	static constexpr size_t DefaultMtu = 1200;

	// The certificate must not be null; it is shared, not copied.
	DtlsTransport(Listener& listener, std::shared_ptr<DtlsCertificate> certificate);
	~DtlsTransport();
	DtlsTransport(const DtlsTransport&) = delete;
	DtlsTransport& operator=(const DtlsTransport&) = delete;

	// RFC 7983 §7 demultiplexing: the first byte of a DTLS record is 20..63. Also
	// requires room for one record header (13 bytes, RFC 6347 §4.1).
	static bool LooksLikeDtls(const uint8_t* data, size_t len);

	// Options; effective only before Run().
	// The SRTP profiles offered (client) or accepted in this order of preference
	// (server). Default: all four, GCM first. Returns false for an empty list.
	bool SetSrtpCryptoSuites(const std::vector<SrtpCryptoSuite>& suites);
	// The first retransmission timeout. WebRTC stacks commonly shorten it to about
	// twice the ICE round-trip time; clamped to [10, 1000] ms.
	void SetInitialRetransmitMs(uint32_t ms);
	// Clamped to [256, 16384] (OpenSSL's DTLS minimum is below 256).
	void SetMtu(size_t mtu);
	size_t GetMtu() const { return mtu_; }

	// Starts the handshake: New -> Connecting. role must be Client or Server (Auto fails
	// the transport). remoteFingerprint is the peer's signalled fingerprint; its
	// algorithm must be one ComputeFingerprint knows. A client sends its ClientHello from
	// inside this call. Datagrams that arrive before Run() are dropped and counted: the
	// peer retransmits them.
	void Run(DtlsRole role, const DtlsFingerprint& remoteFingerprint, uint64_t nowMs);

	// One received UDP payload that LooksLikeDtls. Records that cannot be valid (bad
	// type, version or length, a truncated tail, a protected record too short for its
	// cipher) or that the peer could not have sent at this point of the handshake
	// (DtlsRecordScreen) are dropped and counted before OpenSSL sees them.
	void ProcessDtlsData(const uint8_t* data, size_t len, uint64_t nowMs);

	// Encrypts one application data record (Connected only; at most 16384 bytes).
	// Returns false when it was not sent.
	bool SendApplicationData(const uint8_t* data, size_t len);

	// Handshake retransmission and deadline. NextTimeoutMs returns the absolute time
	// (in the caller's clock) at which OnTimer should run, nowMs if it is due, and
	// UINT64_MAX when no timer runs (before Run, once connected, failed or closed).
	void OnTimer(uint64_t nowMs);
	uint64_t NextTimeoutMs(uint64_t nowMs) const;

	// Sends close_notify if connected (RFC 5246 §7.2.1, RFC 6347 §4.1) and moves to
	// Closed, reporting it to the listener. Idempotent.
	void Close();

	DtlsState GetState() const { return state_; }
	DtlsRole GetRole() const { return role_; }
	// The SRTP profile once connected.
	std::optional<SrtpCryptoSuite> GetSrtpCryptoSuite() const { return srtpSuite_; }
	uint64_t GetDroppedRecords() const { return droppedRecords_; }
	// Datagrams handed to OnDtlsSendData so far (for stats and tests).
	uint64_t GetSentDatagrams() const { return sentDatagrams_; }
	const std::string& GetRemoteCertificatePem() const { return remoteCertificatePem_; }
	// Why the transport failed (empty unless Failed).
	const std::string& GetFailureReason() const { return failureReason_; }

private:
	static int OnSslVerify(int preverifyOk, X509_STORE_CTX* storeContext);
	static unsigned int OnSslTimer(SSL* ssl, unsigned int previousUs);

	bool CreateSsl();
	void DriveHandshake();
	void OnHandshakeDone();
	void ReadApplicationData();
	void SendPendingOutput();
	void SetState(DtlsState state);
	void Fail(const std::string& reason);

	Listener& listener_;
	std::shared_ptr<DtlsCertificate> certificate_;
	SSL* ssl_ = nullptr;
	BIO* inBio_ = nullptr;  // owned by ssl_
	BIO* outBio_ = nullptr; // owned by ssl_

	DtlsState state_ = DtlsState::New;
	DtlsRole role_ = DtlsRole::Auto;
	DtlsFingerprint remoteFingerprint_;
	std::string srtpProfiles_; // OpenSSL profile names; empty: the SSL_CTX's list
	uint32_t initialRetransmitMs_ = DefaultInitialRetransmitMs;
	size_t mtu_ = DefaultMtu;
	uint64_t handshakeDeadlineMs_ = UINT64_MAX;

	std::optional<DtlsRecordScreen> screen_; // from Run(), when the role is known
	bool fingerprintMismatch_ = false;
	std::optional<SrtpCryptoSuite> srtpSuite_;
	std::string remoteCertificatePem_;
	std::string failureReason_;
	uint64_t droppedRecords_ = 0;
	uint64_t sentDatagrams_ = 0;
};

} // namespace mediaplane
