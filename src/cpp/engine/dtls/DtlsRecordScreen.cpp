#include "DtlsRecordScreen.hpp"

namespace mediaplane {

namespace {

// RFC 5246 §6.2.1 ContentType.
constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kAlert = 21;
constexpr uint8_t kHandshake = 22;
constexpr uint8_t kApplicationData = 23;

// RFC 5246 §7.4 / RFC 6347 §4.3.2 HandshakeType values of a DTLS 1.2 full handshake
// without session tickets (SSL_OP_NO_TICKET) or renegotiation (SSL_OP_NO_RENEGOTIATION).
constexpr uint8_t kClientHello = 1;
constexpr uint8_t kServerHello = 2;
constexpr uint8_t kHelloVerifyRequest = 3;
constexpr uint8_t kCertificate = 11;
constexpr uint8_t kServerKeyExchange = 12;
constexpr uint8_t kCertificateRequest = 13;
constexpr uint8_t kServerHelloDone = 14;
constexpr uint8_t kCertificateVerify = 15;
constexpr uint8_t kClientKeyExchange = 16;

// RFC 6347 §4.2.2: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3).
constexpr size_t kHandshakeHeaderLength = 12;

uint32_t ReadUint24(const uint8_t* p) {
	return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}

// RFC 5246 §7.2 AlertLevel.
bool IsAlertLevel(uint8_t level) { return level == 1 || level == 2; }

// The TLS Alerts registry (RFC 5246 §7.2, RFC 7507, RFC 8446 §6, RFC 9147 §12).
bool IsAlertDescription(uint8_t description) {
	switch (description) {
		case 0: case 10: case 20: case 21: case 22: case 30: case 40: case 41: case 42: case 43: case 44: case 45:
		case 46: case 47: case 48: case 49: case 50: case 51: case 52: case 60: case 70: case 71: case 80: case 86:
		case 90: case 100: case 109: case 110: case 111: case 112: case 113: case 114: case 115: case 116: case 120:
		case 121: return true;
		default: return false;
	}
}

} // namespace

const char* DtlsRecordScreen::VerdictName(Verdict verdict) {
	switch (verdict) {
		case Verdict::Accept: return "accept";
		case Verdict::UnexpectedEpoch: return "unexpected epoch";
		case Verdict::ProtectedTooShort: return "protected record too short";
		case Verdict::SequenceTooFarAhead: return "sequence number too far ahead";
		case Verdict::UnprotectedApplicationData: return "unprotected application data";
		case Verdict::BadChangeCipherSpec: return "malformed ChangeCipherSpec";
		case Verdict::EarlyChangeCipherSpec: return "ChangeCipherSpec before the key exchange";
		case Verdict::BadAlert: return "malformed alert";
		case Verdict::BadHandshakeFragment: return "malformed or unexpected handshake fragment";
	}
	return "?";
}

size_t DtlsRecordScreen::ParseRecord(const uint8_t* data, size_t len, Record& record) {
	if (data == nullptr || len < RecordHeaderLength) return 0;
	const uint8_t type = data[0];
	if (type < kChangeCipherSpec || type > kApplicationData) return 0;
	// RFC 6347 §4.1: {254, 255} is DTLS 1.0, which a ClientHello's record may carry
	// (RFC 6347 §4.2.1); {254, 253} is DTLS 1.2.
	if (data[1] != 0xFE || (data[2] != 0xFF && data[2] != 0xFD)) return 0;
	const size_t fragmentLength = (static_cast<size_t>(data[11]) << 8) | data[12];
	if (fragmentLength > MaxFragmentLength || len - RecordHeaderLength < fragmentLength) return 0;
	record.contentType = type;
	record.epoch = static_cast<uint16_t>((data[3] << 8) | data[4]);
	record.sequenceNumber = 0;
	for (size_t i = 5; i < 11; ++i) record.sequenceNumber = (record.sequenceNumber << 8) | data[i];
	record.fragment = data + RecordHeaderLength;
	record.fragmentLength = fragmentLength;
	return RecordHeaderLength + fragmentLength;
}

DtlsRecordScreen::Verdict DtlsRecordScreen::Screen(const Record& record) {
	if (record.epoch > 1) return Verdict::UnexpectedEpoch;
	if (record.epoch == 1) {
		// Protected: OpenSSL authenticates it. Only what its AEAD would choke on is
		// dropped here: OpenSSL 3.0 turns a fragment shorter than nonce + tag into a
		// fatal error instead of discarding it.
		return record.fragmentLength < MinProtectedFragmentLength ? Verdict::ProtectedTooShort : Verdict::Accept;
	}
	const Verdict verdict = ScreenUnprotected(record);
	if (verdict == Verdict::Accept) {
		if (!highestUnprotectedSequence_ || record.sequenceNumber > *highestUnprotectedSequence_) {
			highestUnprotectedSequence_ = record.sequenceNumber;
		}
	}
	return verdict;
}

DtlsRecordScreen::Verdict DtlsRecordScreen::ScreenUnprotected(const Record& record) {
	// RFC 6347 §4.1: sequence numbers start at 0 in each epoch and go up by one per
	// record; a peer's retransmissions move them on by a few at a time.
	const uint64_t base = highestUnprotectedSequence_ ? *highestUnprotectedSequence_ : 0;
	if (record.sequenceNumber > base + MaxUnprotectedSequenceJump) return Verdict::SequenceTooFarAhead;

	switch (record.contentType) {
		case kApplicationData:
			// Application data is only ever sent under the negotiated keys.
			return Verdict::UnprotectedApplicationData;
		case kChangeCipherSpec:
			if (record.fragmentLength != 1 || record.fragment[0] != 1) return Verdict::BadChangeCipherSpec;
			return changeCipherSpecAllowed_ ? Verdict::Accept : Verdict::EarlyChangeCipherSpec;
		case kAlert:
			if (record.fragmentLength != 2 || !IsAlertLevel(record.fragment[0]) ||
			    !IsAlertDescription(record.fragment[1])) {
				return Verdict::BadAlert;
			}
			return Verdict::Accept;
		case kHandshake: return ScreenHandshakeFragments(record);
		default: return Verdict::BadHandshakeFragment; // ParseRecord admits no other type
	}
}

DtlsRecordScreen::Verdict DtlsRecordScreen::ScreenHandshakeFragments(const Record& record) {
	// RFC 6347 §4.2.3: a record may carry several handshake fragments back to back, each
	// with its own header; together they fill the record exactly.
	if (record.fragmentLength == 0) return Verdict::BadHandshakeFragment;
	bool sawKeyExchange = false;
	size_t offset = 0;
	while (offset < record.fragmentLength) {
		if (record.fragmentLength - offset < kHandshakeHeaderLength) return Verdict::BadHandshakeFragment;
		const uint8_t* header = record.fragment + offset;
		const uint32_t messageLength = ReadUint24(header + 1);
		const uint32_t fragmentOffset = ReadUint24(header + 6);
		const uint32_t fragmentLength = ReadUint24(header + 9);
		if (!PeerMaySend(header[0]) || messageLength > MaxHandshakeMessageLength ||
		    fragmentOffset > messageLength || fragmentLength > messageLength - fragmentOffset ||
		    fragmentLength > record.fragmentLength - offset - kHandshakeHeaderLength) {
			return Verdict::BadHandshakeFragment;
		}
		// RFC 5246 §7.3: a client's ChangeCipherSpec follows its ClientKeyExchange (and
		// CertificateVerify); a server's follows the client's Finished, which the client
		// sends after the server's ServerHelloDone.
		if (header[0] == (isServer_ ? kClientKeyExchange : kServerHelloDone)) sawKeyExchange = true;
		offset += kHandshakeHeaderLength + fragmentLength;
	}
	if (sawKeyExchange) changeCipherSpecAllowed_ = true;
	return Verdict::Accept;
}

bool DtlsRecordScreen::PeerMaySend(uint8_t type) const {
	if (isServer_) {
		return type == kClientHello || type == kCertificate || type == kClientKeyExchange || type == kCertificateVerify;
	}
	return type == kServerHello || type == kHelloVerifyRequest || type == kCertificate || type == kServerKeyExchange ||
	       type == kCertificateRequest || type == kServerHelloDone;
}

} // namespace mediaplane
