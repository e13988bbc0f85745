#pragma once
// Which received DTLS records may reach OpenSSL.
//
// RFC 6347 §4.1.2.7: "invalid records SHOULD be silently discarded, thus preserving the
// association". OpenSSL 3.0 does not always do so during a handshake. An unprotected
// (epoch 0) record that is well framed but makes no sense at that point fails the
// handshake with a fatal alert: application data, a ChangeCipherSpec that is early or
// not the single byte 1, an alert that is not two bytes of a known level and
// description, a handshake fragment whose header does not add up. And one with a
// sequence number far ahead moves OpenSSL's replay window (§4.1.2.6) past the peer's
// real records, which are then discarded until the handshake times out. (All measured
// with OpenSSL 3.0 through dtlsLoopbackHandshake's forgeRecords option.)
//
// Unprotected records carry no MAC: a garbled datagram or anyone sending from the
// peer's address can produce them. So this screen drops them first. What passes is
// either protected (epoch 1, which OpenSSL authenticates and silently discards when
// forged) or an unprotected record that the peer could really have sent. A record that
// passes may still fail the handshake if its content is wrong (a ClientHello that does
// not parse); that is a genuine handshake failure, as is a well-formed fatal alert.
//
// Sans-I/O: records in, verdicts out. One screen per handshake; it keeps the little
// state the checks need (the peer's highest unprotected sequence number, whether its
// ChangeCipherSpec may come yet).

#include <cstddef>
#include <cstdint>
#include <optional>

namespace mediaplane {

class DtlsRecordScreen {
public:
	// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
	static constexpr size_t RecordHeaderLength = 13;
	// RFC 6347 §4.1 / RFC 5246 §6.2.3: a DTLSCiphertext fragment is at most 2^14 + 2048.
	static constexpr size_t MaxFragmentLength = 16384 + 2048;
	// The shortest protected record fragment with the AES-GCM suites we offer: 8-byte
	// explicit nonce and 16-byte tag around an empty plaintext (RFC 5288 §3).
	static constexpr size_t MinProtectedFragmentLength = 8 + 16;
	// How far ahead of the highest unprotected sequence number seen so far a record may
	// be. OpenSSL's replay window is 64 records wide: a record at most this far ahead
	// leaves the peer's next real record inside it.
	static constexpr uint64_t MaxUnprotectedSequenceJump = 32;
	// OpenSSL's default max_cert_list (100 KiB), above which it fails the handshake on a
	// message's length alone. WebRTC's self-signed certificates are about 1 KiB.
	static constexpr uint32_t MaxHandshakeMessageLength = 100 * 1024;

	enum class Verdict {
		Accept,
		UnexpectedEpoch,          // above 1: WebRTC's DTLS never renegotiates
		ProtectedTooShort,        // epoch 1, shorter than nonce + tag
		SequenceTooFarAhead,      // epoch 0, would move the replay window past the peer
		UnprotectedApplicationData,
		BadChangeCipherSpec,      // not the single byte 1 (RFC 5246 §7.1)
		EarlyChangeCipherSpec,    // before the peer's key exchange (RFC 5246 §7.3)
		BadAlert,                 // not two bytes of a known level and description
		BadHandshakeFragment,     // header inconsistent, or a type the peer never sends us
	};
	static const char* VerdictName(Verdict verdict);

	// One DTLSPlaintext/DTLSCiphertext record (RFC 6347 §4.1).
	struct Record {
		uint8_t contentType = 0;
		uint16_t epoch = 0;
		uint64_t sequenceNumber = 0; // 48 bits
		const uint8_t* fragment = nullptr;
		size_t fragmentLength = 0;
	};

	// Reads the record at the start of `data`: a known content type (change_cipher_spec,
	// alert, handshake, application_data), version DTLS 1.0 (254.255) or 1.2 (254.253),
	// a fragment length within MaxFragmentLength and within `len`. Returns the record's
	// whole length (header and fragment), or 0 when no valid record starts here: then
	// nothing after it in the datagram can be trusted either.
	static size_t ParseRecord(const uint8_t* data, size_t len, Record& record);

	// isServer: this side's DTLS role, which decides which handshake messages the peer
	// may send (RFC 5246 §7.3).
	explicit DtlsRecordScreen(bool isServer) : isServer_(isServer) {}

	// The verdict on one parsed record. Accepted records update the screen's state.
	Verdict Screen(const Record& record);

private:
	Verdict ScreenUnprotected(const Record& record);
	Verdict ScreenHandshakeFragments(const Record& record);
	bool PeerMaySend(uint8_t handshakeType) const;

	bool isServer_;
	// Set once the peer's handshake message that comes right before its
	// ChangeCipherSpec in a full handshake has been seen.
	bool changeCipherSpecAllowed_ = false;
	std::optional<uint64_t> highestUnprotectedSequence_;
};

} // namespace mediaplane
