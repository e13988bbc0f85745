// DtlsRecordScreen: which received DTLS records may reach OpenSSL (RFC 6347 §4.1,
// §4.1.2.7, §4.2.2; RFC 5246 §7.1-7.3).
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "dtls/DtlsRecordScreen.hpp"

using namespace mediaplane;
using Verdict = DtlsRecordScreen::Verdict;

namespace {

std::vector<uint8_t> RecordBytes(uint8_t type, uint16_t epoch, uint64_t sequence, const std::vector<uint8_t>& body,
    uint8_t minorVersion = 0xFD) {
	std::vector<uint8_t> out = { type, 0xFE, minorVersion, static_cast<uint8_t>(epoch >> 8), static_cast<uint8_t>(epoch) };
	for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(sequence >> shift));
	out.push_back(static_cast<uint8_t>(body.size() >> 8));
	out.push_back(static_cast<uint8_t>(body.size()));
	out.insert(out.end(), body.begin(), body.end());
	return out;
}

// One handshake fragment: header (RFC 6347 §4.2.2) and `fragmentLength` bytes of body.
std::vector<uint8_t> Fragment(uint8_t type, uint32_t length, uint16_t messageSeq, uint32_t offset, uint32_t fragmentLength) {
	std::vector<uint8_t> out = { type, static_cast<uint8_t>(length >> 16), static_cast<uint8_t>(length >> 8),
		static_cast<uint8_t>(length), static_cast<uint8_t>(messageSeq >> 8), static_cast<uint8_t>(messageSeq),
		static_cast<uint8_t>(offset >> 16), static_cast<uint8_t>(offset >> 8), static_cast<uint8_t>(offset),
		static_cast<uint8_t>(fragmentLength >> 16), static_cast<uint8_t>(fragmentLength >> 8),
		static_cast<uint8_t>(fragmentLength) };
	out.resize(out.size() + fragmentLength, 0x42);
	return out;
}

Verdict ScreenBytes(DtlsRecordScreen& screen, const std::vector<uint8_t>& bytes) {
	DtlsRecordScreen::Record record;
	const size_t length = DtlsRecordScreen::ParseRecord(bytes.data(), bytes.size(), record);
	REQUIRE_EQ(length, bytes.size());
	return screen.Screen(record);
}

std::vector<uint8_t> Concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

} // namespace

TEST(dtls_record_parse_reads_the_header_fields) {
	const std::vector<uint8_t> bytes = RecordBytes(22, 1, 0x0102030405, { 9, 8, 7 });
	DtlsRecordScreen::Record record;
	CHECK_EQ(DtlsRecordScreen::ParseRecord(bytes.data(), bytes.size(), record), 16);
	CHECK_EQ(record.contentType, 22);
	CHECK_EQ(record.epoch, 1);
	CHECK_EQ(record.sequenceNumber, 0x0102030405ull);
	CHECK_EQ(record.fragmentLength, 3);
	CHECK_EQ(record.fragment[0], 9);
}

TEST(dtls_record_parse_rejects_what_is_no_dtls_record) {
	DtlsRecordScreen::Record record;
	const std::vector<uint8_t> good = RecordBytes(23, 1, 0, std::vector<uint8_t>(30, 1));
	CHECK_EQ(DtlsRecordScreen::ParseRecord(good.data(), good.size() - 1, record), 0);         // truncated
	CHECK_EQ(DtlsRecordScreen::ParseRecord(good.data(), 12, record), 0);                      // no whole header
	CHECK_EQ(DtlsRecordScreen::ParseRecord(nullptr, 0, record), 0);
	CHECK_EQ(DtlsRecordScreen::ParseRecord(RecordBytes(24, 1, 0, { 1 }).data(), 14, record), 0); // heartbeat
	CHECK_EQ(DtlsRecordScreen::ParseRecord(RecordBytes(22, 0, 0, { 1 }, 0xFE).data(), 14, record), 0); // 254.254
	std::vector<uint8_t> tls = RecordBytes(22, 0, 0, { 1 });
	tls[1] = 3; // TLS 1.2's {3, 3}
	tls[2] = 3;
	CHECK_EQ(DtlsRecordScreen::ParseRecord(tls.data(), tls.size(), record), 0);
	CHECK_EQ(DtlsRecordScreen::ParseRecord(RecordBytes(22, 0, 0, { 1 }, 0xFF).data(), 14, record), 14); // DTLS 1.0
}

TEST(dtls_record_screen_accepts_a_server_side_handshake) {
	DtlsRecordScreen screen(/*isServer*/ true);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 0, Fragment(1, 150, 0, 0, 150), 0xFF)) == Verdict::Accept);
	// Flight 5 (RFC 6347 §4.2.4): Certificate, ClientKeyExchange, CertificateVerify in
	// records of their own or packed into one, then ChangeCipherSpec and the protected
	// Finished.
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 1, Fragment(11, 400, 1, 0, 200))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 2, Fragment(11, 400, 1, 200, 200))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 3, { 1 })) == Verdict::EarlyChangeCipherSpec);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 4, Concat(Fragment(16, 66, 2, 0, 66), Fragment(15, 72, 3, 0, 72)))) ==
	      Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 5, { 1 })) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 1, 0, std::vector<uint8_t>(40, 7))) == Verdict::Accept);
}

TEST(dtls_record_screen_accepts_a_client_side_handshake) {
	DtlsRecordScreen screen(/*isServer*/ false);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 0, Fragment(2, 80, 0, 0, 80))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 1, { 1 })) == Verdict::EarlyChangeCipherSpec);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 1, Fragment(11, 500, 1, 0, 500))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 2, Concat(Fragment(12, 100, 2, 0, 100), Fragment(13, 20, 3, 0, 20)))) ==
	      Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 3, Fragment(14, 0, 4, 0, 0))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 4, { 1 })) == Verdict::Accept);
}

TEST(dtls_record_screen_drops_handshake_types_the_peer_never_sends) {
	DtlsRecordScreen server(true);
	CHECK(ScreenBytes(server, RecordBytes(22, 0, 0, Fragment(2, 10, 0, 0, 10))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(server, RecordBytes(22, 0, 0, Fragment(14, 0, 0, 0, 0))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(server, RecordBytes(22, 0, 0, Fragment(20, 12, 0, 0, 12))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(server, RecordBytes(22, 0, 0, Fragment(0, 0, 0, 0, 0))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(server, RecordBytes(22, 0, 0, Fragment(99, 4, 0, 0, 4))) == Verdict::BadHandshakeFragment);
	DtlsRecordScreen client(false);
	CHECK(ScreenBytes(client, RecordBytes(22, 0, 0, Fragment(1, 10, 0, 0, 10))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(client, RecordBytes(22, 0, 0, Fragment(16, 10, 0, 0, 10))) == Verdict::BadHandshakeFragment);
	CHECK(ScreenBytes(client, RecordBytes(22, 0, 0, Fragment(4, 10, 0, 0, 10))) == Verdict::BadHandshakeFragment);
}

TEST(dtls_record_screen_drops_handshake_fragments_that_do_not_add_up) {
	DtlsRecordScreen screen(true);
	auto bad = [&](std::vector<uint8_t> body) { return ScreenBytes(screen, RecordBytes(22, 0, 0, body)); };
	CHECK(bad({}) == Verdict::BadHandshakeFragment);                              // empty
	CHECK(bad({ 1, 0, 0, 4, 0, 0, 0, 0, 0 }) == Verdict::BadHandshakeFragment);   // header cut short
	CHECK(bad(Fragment(1, 10, 0, 8, 4)) == Verdict::BadHandshakeFragment);        // past the message's end
	CHECK(bad(Fragment(1, 10, 0, 11, 0)) == Verdict::BadHandshakeFragment);       // offset past the end
	CHECK(bad(Fragment(1, DtlsRecordScreen::MaxHandshakeMessageLength + 1, 0, 0, 4)) == Verdict::BadHandshakeFragment);
	std::vector<uint8_t> overlong = Fragment(1, 10, 0, 0, 10);
	overlong.pop_back(); // says 10 bytes, carries 9
	CHECK(bad(overlong) == Verdict::BadHandshakeFragment);
	CHECK(bad(Concat(Fragment(1, 10, 0, 0, 10), { 0xAA })) == Verdict::BadHandshakeFragment); // trailing byte
	CHECK(bad(Fragment(1, DtlsRecordScreen::MaxHandshakeMessageLength, 0, 0, 4)) == Verdict::Accept);
}

TEST(dtls_record_screen_drops_malformed_alerts_and_change_cipher_specs) {
	DtlsRecordScreen screen(true);
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 2, 40 })) == Verdict::Accept);   // fatal handshake_failure
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 1, 90 })) == Verdict::Accept);   // warning user_canceled
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 3, 40 })) == Verdict::BadAlert);   // no such level
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 2, 39 })) == Verdict::BadAlert);   // no such description
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 2 })) == Verdict::BadAlert);
	CHECK(ScreenBytes(screen, RecordBytes(21, 0, 0, { 2, 40, 0 })) == Verdict::BadAlert);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 0, { 2 })) == Verdict::BadChangeCipherSpec);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 0, { 1, 1 })) == Verdict::BadChangeCipherSpec);
	CHECK(ScreenBytes(screen, RecordBytes(20, 0, 0, {})) == Verdict::BadChangeCipherSpec);
	CHECK(ScreenBytes(screen, RecordBytes(23, 0, 0, { 1, 2, 3 })) == Verdict::UnprotectedApplicationData);
}

TEST(dtls_record_screen_drops_epochs_beyond_one_and_short_protected_records) {
	DtlsRecordScreen screen(true);
	CHECK(ScreenBytes(screen, RecordBytes(23, 2, 0, std::vector<uint8_t>(40, 1))) == Verdict::UnexpectedEpoch);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0xFFFF, 0, std::vector<uint8_t>(40, 1))) == Verdict::UnexpectedEpoch);
	CHECK(ScreenBytes(screen, RecordBytes(23, 1, 0, std::vector<uint8_t>(23, 1))) == Verdict::ProtectedTooShort);
	CHECK(ScreenBytes(screen, RecordBytes(23, 1, 0, std::vector<uint8_t>(24, 1))) == Verdict::Accept);
	// Protected records are OpenSSL's to authenticate, whatever their sequence number.
	CHECK(ScreenBytes(screen, RecordBytes(23, 1, 0xFFFFFFFFFFFF, std::vector<uint8_t>(24, 1))) == Verdict::Accept);
}

TEST(dtls_record_screen_keeps_unprotected_sequence_numbers_within_the_replay_window) {
	DtlsRecordScreen screen(true);
	const uint64_t jump = DtlsRecordScreen::MaxUnprotectedSequenceJump;
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, jump + 1, Fragment(1, 4, 0, 0, 4))) == Verdict::SequenceTooFarAhead);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 1 << 30, Fragment(1, 4, 0, 0, 4))) == Verdict::SequenceTooFarAhead);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 2, Fragment(1, 4, 0, 0, 4))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 2 + jump, Fragment(11, 4, 1, 0, 4))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 3, Fragment(11, 4, 1, 0, 4))) == Verdict::Accept); // reordered
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 2 + 2 * jump, Fragment(11, 4, 1, 0, 4))) == Verdict::Accept);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 3 + 3 * jump, Fragment(11, 4, 1, 0, 4))) == Verdict::SequenceTooFarAhead);
	// A dropped record does not move the window.
	CHECK(ScreenBytes(screen, RecordBytes(23, 0, 2 + 3 * jump, { 1 })) == Verdict::UnprotectedApplicationData);
	CHECK(ScreenBytes(screen, RecordBytes(22, 0, 3 + 3 * jump, Fragment(11, 4, 1, 0, 4))) == Verdict::SequenceTooFarAhead);
}
