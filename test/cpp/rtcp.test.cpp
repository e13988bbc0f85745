// Unit tests for src/cpp/engine/rtcp: every packet class against bytes laid out by hand
// from the RFC figures, round trips, NACK packing, compound parsing and building, and
// malformed input (truncations, bad headers, counts past the length, random bytes).
// Inputs are copied into exactly-sized heap buffers so AddressSanitizer catches any
// read past the end.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "rtcp/FullIntraRequest.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Goodbye.hpp"
#include "rtcp/NtpTimestamp.hpp"
#include "rtcp/PictureLossIndication.hpp"
#include "rtcp/ReceiverEstimatedMaxBitrate.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/ReportBlock.hpp"
#include "rtcp/RtcpCompoundBuilder.hpp"
#include "rtcp/RtcpCompoundParser.hpp"
#include "rtcp/RtcpPacketView.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtcp/SourceDescription.hpp"

using namespace mediaplane;

namespace {

using Bytes = std::vector<uint8_t>;

// "80 c9 00 01 ..." -> bytes. Spaces and '|' separate nothing in particular.
Bytes Hex(const char* text) {
	Bytes out;
	int high = -1;
	for (const char* p = text; *p; ++p) {
		int digit;
		if (*p >= '0' && *p <= '9') digit = *p - '0';
		else if (*p >= 'a' && *p <= 'f') digit = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F') digit = *p - 'A' + 10;
		else continue;
		if (high < 0) {
			high = digit;
		} else {
			out.push_back(static_cast<uint8_t>(high * 16 + digit));
			high = -1;
		}
	}
	return out;
}

Bytes Concat(std::initializer_list<Bytes> parts) {
	Bytes out;
	for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
	return out;
}

template <typename Packet>
Bytes Serialize(const Packet& packet) {
	Bytes out(packet.GetSerializedSize());
	const size_t written = packet.Serialize(out.data(), out.size());
	CHECK_EQ(written, out.size());
	out.resize(written);
	return out;
}

// Parses `bytes` as a compound that must hold exactly one packet and returns its view.
// The parser keeps pointing into `bytes`.
RtcpPacketView SinglePacket(const Bytes& bytes, RtcpCompoundParser& parser) {
	REQUIRE(parser.Parse(bytes.data(), bytes.size()));
	REQUIRE_EQ(parser.GetPacketCount(), 1u);
	return *parser.begin();
}

std::vector<RtcpPacketKind> Kinds(const RtcpCompoundParser& parser) {
	std::vector<RtcpPacketKind> kinds;
	for (const RtcpPacketView& packet : parser) kinds.push_back(packet.GetKind());
	return kinds;
}

ReportBlock SampleBlock(uint32_t ssrc) {
	ReportBlock block;
	block.ssrc = ssrc;
	block.fractionLost = 0x40;
	block.cumulativeLost = -3;
	block.highestSequenceNumber = 0x0001fffe;
	block.jitter = 1234;
	block.lastSenderReport = 0xb7052000;
	block.delaySinceLastSenderReport = 0x00054000;
	return block;
}

// Parses every packet of a valid compound with its typed class; each must succeed, and
// re-serializing it must fit in its own declared size.
void ParseEveryPacket(const RtcpCompoundParser& parser) {
	for (const RtcpPacketView& packet : parser) {
		CHECK_LE(packet.GetBodySize() + rtcp::kHeaderSize, packet.GetSize());
		switch (packet.GetKind()) {
		case RtcpPacketKind::SenderReport: {
			SenderReport sr;
			CHECK(sr.Parse(packet));
			Serialize(sr);
			break;
		}
		case RtcpPacketKind::ReceiverReport: {
			ReceiverReport rr;
			CHECK(rr.Parse(packet));
			Serialize(rr);
			break;
		}
		case RtcpPacketKind::SourceDescription: {
			SourceDescription sdes;
			CHECK(sdes.Parse(packet));
			// A parsed CNAME is at most 255 bytes, so it always serializes again.
			Serialize(sdes);
			break;
		}
		case RtcpPacketKind::Goodbye: {
			Goodbye bye;
			CHECK(bye.Parse(packet));
			Serialize(bye);
			break;
		}
		case RtcpPacketKind::GenericNack: {
			GenericNack nack;
			CHECK(nack.Parse(packet));
			CHECK_LE(nack.GetLostSequenceNumbers().size(), 17 * nack.items.size());
			Serialize(nack);
			break;
		}
		case RtcpPacketKind::PictureLossIndication: {
			PictureLossIndication pli;
			CHECK(pli.Parse(packet));
			Serialize(pli);
			break;
		}
		case RtcpPacketKind::FullIntraRequest: {
			FullIntraRequest fir;
			CHECK(fir.Parse(packet));
			Serialize(fir);
			break;
		}
		case RtcpPacketKind::ReceiverEstimatedMaxBitrate: {
			ReceiverEstimatedMaxBitrate remb;
			CHECK(remb.Parse(packet));
			Serialize(remb);
			break;
		}
		default:
			CHECK(packet.GetData() != nullptr);
			break;
		}
	}
}

// A compound with one packet of every kind the engine reads, built by the classes.
Bytes EveryKindCompound() {
	SenderReport sr;
	sr.ssrc = 0x11111111;
	sr.ntpTimestamp = NtpTimestamp(0xe0000000, 0x80000000);
	sr.rtpTimestamp = 90000;
	sr.packetCount = 10;
	sr.octetCount = 12000;
	sr.reportBlocks = { SampleBlock(0x22222222) };
	SourceDescription sdes;
	sdes.chunks = { { 0x11111111, "user@example" } };
	GenericNack nack = GenericNack::FromLostSequenceNumbers(0x11111111, 0x33333333, { 10, 11, 40 });
	PictureLossIndication pli;
	pli.senderSsrc = 0x11111111;
	pli.mediaSsrc = 0x33333333;
	FullIntraRequest fir;
	fir.senderSsrc = 0x11111111;
	fir.entries = { { 0x33333333, 7 } };
	ReceiverEstimatedMaxBitrate remb;
	remb.senderSsrc = 0x11111111;
	remb.bitrate = 1500000;
	remb.ssrcs = { 0x33333333, 0x44444444 };
	Goodbye bye;
	bye.ssrcs = { 0x11111111 };
	bye.reason = "done";
	return Concat({ Serialize(sr), Serialize(sdes), Serialize(nack), Serialize(pli), Serialize(fir), Serialize(remb),
	                Serialize(bye) });
}

} // namespace

// ---------------------------------------------------------------- NTP time (RFC 3550 §4)

TEST(ntp_from_unix_ms) {
	NtpTimestamp epoch = NtpTimestamp::FromUnixMs(0);
	CHECK_EQ(epoch.GetSeconds(), 2208988800u);
	CHECK_EQ(epoch.GetFraction(), 0u);
	NtpTimestamp half = NtpTimestamp::FromUnixMs(1500);
	CHECK_EQ(half.GetSeconds(), 2208988801u);
	CHECK_EQ(half.GetFraction(), 0x80000000u);
	CHECK_EQ(NtpTimestamp::FromMs(250).GetFraction(), 0x40000000u);
	CHECK_EQ(NtpTimestamp(5, 0xc0000000).ToMs(), 5750u);
}

TEST(ntp_ms_round_trip) {
	const uint64_t values[] = { 0, 1, 499, 500, 999, 1000, 1234567, 1700000000123ull, 1700000000999ull };
	for (uint64_t ms : values) {
		CHECK_EQ(NtpTimestamp::FromUnixMs(ms).ToUnixMs(), ms);
		CHECK_EQ(NtpTimestamp::FromMs(ms).ToMs(), ms);
	}
	for (uint64_t ms = 0; ms < 3000; ms += 7) CHECK_EQ(NtpTimestamp::FromMs(ms).ToMs(), ms);
	CHECK_EQ(NtpTimestamp::FromUint64(0x0123456789abcdefull).ToUint64(), 0x0123456789abcdefull);
	CHECK_EQ(NtpTimestamp(3, 4).ToUnixMs(), 0u);
}

TEST(ntp_compact_is_middle_32_bits) {
	CHECK_EQ(NtpTimestamp(0x12345678, 0x9abcdef0).ToCompact(), 0x56789abcu);
	CHECK_EQ(NtpTimestamp(0xffff0001, 0x0002ffff).ToCompact(), 0x00010002u);
}

TEST(ntp_compact_duration_conversions) {
	CHECK_EQ(NtpTimestamp::MsToCompact(1000), 65536u);
	CHECK_EQ(NtpTimestamp::MsToCompact(5250), 0x00054000u);
	CHECK_EQ(NtpTimestamp::MsToCompact(1), 66u); // 65.536 rounds up
	CHECK_EQ(NtpTimestamp::MsToCompact(0), 0u);
	CHECK_EQ(NtpTimestamp::MsToCompact(100000000000ull), 0xffffffffu);
	CHECK_EQ(NtpTimestamp::CompactToMs(65536), 1000u);
	CHECK_EQ(NtpTimestamp::CompactToMs(0x00054000), 5250u);
	CHECK_EQ(NtpTimestamp::CompactToMs(0xffffffff), 65536000u);
	for (uint64_t ms = 0; ms < 100000; ms += 37) CHECK_EQ(NtpTimestamp::CompactToMs(NtpTimestamp::MsToCompact(ms)), ms);
}

TEST(ntp_round_trip_time_rfc3550_example) {
	// RFC 3550 §6.4.1, Figure 2: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000
	// (46853.125 s), DLSR = 0x0005:4000 (5.250 s): delay 0x0006:2000 = 6.125 s.
	CHECK_EQ(NtpTimestamp::RoundTripMs(0xb7108000, 0xb7052000, 0x00054000), 6125);
	CHECK_EQ(NtpTimestamp::RoundTripMs(0xb7108000, 0, 0x00054000), -1);
	// Skew making A earlier than LSR + DLSR.
	CHECK_EQ(NtpTimestamp::RoundTripMs(0xb7050000, 0xb7052000, 0x00054000), 0);
	// Across the wrap of the 16-bit seconds.
	CHECK_EQ(NtpTimestamp::RoundTripMs(0x00018000, 0xffff0000, 0x00010000), 1500);
}

// ---------------------------------------------------------------- demultiplexing (RFC 5761 §4)

TEST(is_rtcp_by_second_byte) {
	const uint8_t sr[] = { 0x80, 200, 0x00, 0x06 };
	const uint8_t first[] = { 0x80, 192, 0, 0 };
	const uint8_t last[] = { 0x80, 223, 0, 0 };
	const uint8_t rtp[] = { 0x80, 96, 0, 1 };
	const uint8_t rtpMarker[] = { 0x80, 0x80 | 96, 0, 1 };
	const uint8_t below[] = { 0x80, 191, 0, 0 };
	const uint8_t version1[] = { 0x40, 200, 0, 0 };
	CHECK(RtcpCompoundParser::IsRtcp(sr, sizeof(sr)));
	CHECK(RtcpCompoundParser::IsRtcp(first, sizeof(first)));
	CHECK(RtcpCompoundParser::IsRtcp(last, sizeof(last)));
	CHECK(!RtcpCompoundParser::IsRtcp(rtp, sizeof(rtp)));
	CHECK(!RtcpCompoundParser::IsRtcp(rtpMarker, sizeof(rtpMarker)));
	CHECK(!RtcpCompoundParser::IsRtcp(below, sizeof(below)));
	CHECK(!RtcpCompoundParser::IsRtcp(version1, sizeof(version1)));
	CHECK(!RtcpCompoundParser::IsRtcp(sr, 3));
	CHECK(!RtcpCompoundParser::IsRtcp(sr, 0));
}

// ---------------------------------------------------------------- report blocks, SR, RR

TEST(report_block_cumulative_lost_is_24_bit_signed) {
	Bytes bytes = Hex("01020304 40 ffffff 00000000 00000000 00000000 00000000");
	ReportBlock block;
	block.Parse(bytes.data());
	CHECK_EQ(block.ssrc, 0x01020304u);
	CHECK_EQ(block.fractionLost, 0x40);
	CHECK_EQ(block.cumulativeLost, -1);
	bytes[5] = 0x80;
	bytes[6] = 0x00;
	bytes[7] = 0x00;
	block.Parse(bytes.data());
	CHECK_EQ(block.cumulativeLost, -8388608);
	bytes[5] = 0x7f;
	bytes[6] = 0xff;
	bytes[7] = 0xff;
	block.Parse(bytes.data());
	CHECK_EQ(block.cumulativeLost, 8388607);

	// Values beyond 24 bits are clamped, not wrapped (RFC 3550 Appendix A.3).
	Bytes out(ReportBlock::kSize);
	block.cumulativeLost = 10000000;
	block.Serialize(out.data());
	CHECK_BYTES_EQ(out.data() + 5, 3, Hex("7fffff").data(), 3);
	block.cumulativeLost = -9000000;
	block.Serialize(out.data());
	CHECK_BYTES_EQ(out.data() + 5, 3, Hex("800000").data(), 3);
	block.cumulativeLost = -2;
	block.Serialize(out.data());
	CHECK_BYTES_EQ(out.data() + 5, 3, Hex("fffffe").data(), 3);
}

TEST(sender_report_known_bytes) {
	// RFC 3550 §6.4.1 layout: V=2 P=0 RC=1 PT=200 length=12, sender info, one block.
	const Bytes bytes = Hex(
	    "81 c8 00 0c"
	    "12 34 56 78"              // SSRC of sender
	    "e8 3c 5d 2b 80 00 00 00"  // NTP timestamp
	    "00 01 5f 90"              // RTP timestamp 90000
	    "00 00 00 64"              // packet count 100
	    "00 01 d4 c0"              // octet count 120000
	    "87 65 43 21 19 ff ff fd"  // ssrc, fraction 25, cumulative lost -3
	    "00 02 00 10 00 00 00 2a"  // extended highest seq, jitter 42
	    "b7 05 20 00 00 05 40 00"  // LSR, DLSR
	);
	RtcpCompoundParser parser;
	RtcpPacketView view = SinglePacket(bytes, parser);
	CHECK(view.GetKind() == RtcpPacketKind::SenderReport);
	CHECK_EQ(view.GetSenderSsrc(), 0x12345678u);
	SenderReport sr;
	REQUIRE(sr.Parse(view));
	CHECK_EQ(sr.ssrc, 0x12345678u);
	CHECK_EQ(sr.ntpTimestamp.GetSeconds(), 0xe83c5d2bu);
	CHECK_EQ(sr.ntpTimestamp.GetFraction(), 0x80000000u);
	CHECK_EQ(sr.rtpTimestamp, 90000u);
	CHECK_EQ(sr.packetCount, 100u);
	CHECK_EQ(sr.octetCount, 120000u);
	REQUIRE_EQ(sr.reportBlocks.size(), 1u);
	const ReportBlock& block = sr.reportBlocks[0];
	CHECK_EQ(block.ssrc, 0x87654321u);
	CHECK_EQ(block.fractionLost, 0x19);
	CHECK_EQ(block.cumulativeLost, -3);
	CHECK_EQ(block.highestSequenceNumber, 0x00020010u);
	CHECK_EQ(block.jitter, 42u);
	CHECK_EQ(block.lastSenderReport, 0xb7052000u);
	CHECK_EQ(block.delaySinceLastSenderReport, 0x00054000u);

	const Bytes out = Serialize(sr);
	CHECK_BYTES_EQ(out.data(), out.size(), bytes.data(), bytes.size());
}

TEST(sender_report_round_trip_block_counts) {
	for (size_t count : { 0u, 1u, 2u, 31u }) {
		SenderReport sr;
		sr.ssrc = 0xdeadbeef;
		sr.ntpTimestamp = NtpTimestamp::FromUnixMs(1700000000123ull);
		sr.rtpTimestamp = 0xfffffff0;
		sr.packetCount = 0xffffffff;
		sr.octetCount = 7;
		for (size_t i = 0; i < count; ++i) sr.reportBlocks.push_back(SampleBlock(static_cast<uint32_t>(1000 + i)));
		const Bytes bytes = Serialize(sr);
		CHECK_EQ(bytes.size(), 28 + 24 * count);
		CHECK_EQ(bytes[0], 0x80 | count);
		RtcpCompoundParser parser;
		SenderReport parsed;
		REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
		CHECK_EQ(parsed.ssrc, sr.ssrc);
		CHECK(parsed.ntpTimestamp == sr.ntpTimestamp);
		CHECK_EQ(parsed.rtpTimestamp, sr.rtpTimestamp);
		CHECK_EQ(parsed.packetCount, sr.packetCount);
		CHECK_EQ(parsed.octetCount, sr.octetCount);
		CHECK(parsed.reportBlocks == sr.reportBlocks);
	}
	SenderReport tooMany;
	tooMany.reportBlocks.resize(32);
	Bytes out(tooMany.GetSerializedSize());
	CHECK_EQ(tooMany.Serialize(out.data(), out.size()), 0u);
}

TEST(sender_report_profile_extension_ignored) {
	// Bytes after the report blocks are profile-specific extensions (RFC 3550 §6.4.1).
	const Bytes bytes = Hex("80 c8 00 07 00000001 00000002 00000003 00000004 00000005 00000006 cafebabe");
	RtcpCompoundParser parser;
	SenderReport sr;
	REQUIRE(sr.Parse(SinglePacket(bytes, parser)));
	CHECK_EQ(sr.ssrc, 1u);
	CHECK_EQ(sr.octetCount, 6u);
	CHECK(sr.reportBlocks.empty());
}

TEST(receiver_report_known_bytes) {
	const Bytes empty = Hex("80 c9 00 01 0a0b0c0d");
	RtcpCompoundParser parser;
	ReceiverReport rr;
	REQUIRE(rr.Parse(SinglePacket(empty, parser)));
	CHECK_EQ(rr.ssrc, 0x0a0b0c0du);
	CHECK(rr.reportBlocks.empty());
	Bytes out = Serialize(rr);
	CHECK_BYTES_EQ(out.data(), out.size(), empty.data(), empty.size());

	const Bytes two = Hex(
	    "82 c9 00 0d 0a0b0c0d"
	    "00000001 00 000005 0000ffff 00000010 00000000 00000000"
	    "00000002 ff 800000 00010000 00000020 11223344 00001000");
	REQUIRE(rr.Parse(SinglePacket(two, parser)));
	REQUIRE_EQ(rr.reportBlocks.size(), 2u);
	CHECK_EQ(rr.reportBlocks[0].cumulativeLost, 5);
	CHECK_EQ(rr.reportBlocks[0].highestSequenceNumber, 0xffffu);
	CHECK_EQ(rr.reportBlocks[1].fractionLost, 255);
	CHECK_EQ(rr.reportBlocks[1].cumulativeLost, -8388608);
	CHECK_EQ(rr.reportBlocks[1].lastSenderReport, 0x11223344u);
	out = Serialize(rr);
	CHECK_BYTES_EQ(out.data(), out.size(), two.data(), two.size());
}

TEST(receiver_report_round_trip_and_limits) {
	ReceiverReport rr;
	rr.ssrc = 77;
	for (uint32_t i = 0; i < 31; ++i) rr.reportBlocks.push_back(SampleBlock(i));
	const Bytes bytes = Serialize(rr);
	RtcpCompoundParser parser;
	ReceiverReport parsed;
	REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
	CHECK(parsed.reportBlocks == rr.reportBlocks);
	rr.reportBlocks.push_back(SampleBlock(31));
	Bytes out(rr.GetSerializedSize());
	CHECK_EQ(rr.Serialize(out.data(), out.size()), 0u);
	// A typed Parse() refuses another packet type.
	SenderReport sr;
	CHECK(!sr.Parse(*parser.begin()));
}

// ---------------------------------------------------------------- SDES (RFC 3550 §6.5)

TEST(sdes_cname_known_bytes) {
	// CNAME "abc": SSRC, type 1, length 3, text, then null octets to a 32-bit boundary.
	const Bytes abc = Hex("81 ca 00 03 11223344 01 03 61 62 63 00 00 00");
	SourceDescription sdes;
	sdes.chunks = { { 0x11223344, "abc" } };
	Bytes out = Serialize(sdes);
	CHECK_BYTES_EQ(out.data(), out.size(), abc.data(), abc.size());

	// CNAME "ab" ends the items on a boundary, so a whole null word follows.
	const Bytes ab = Hex("81 ca 00 03 11223344 01 02 61 62 00 00 00 00");
	sdes.chunks = { { 0x11223344, "ab" } };
	out = Serialize(sdes);
	CHECK_BYTES_EQ(out.data(), out.size(), ab.data(), ab.size());

	// CNAME "a": exactly one null octet ends the list.
	const Bytes a = Hex("81 ca 00 02 11223344 01 01 61 00");
	sdes.chunks = { { 0x11223344, "a" } };
	out = Serialize(sdes);
	CHECK_BYTES_EQ(out.data(), out.size(), a.data(), a.size());

	for (const Bytes* bytes : { &abc, &ab, &a }) {
		RtcpCompoundParser parser;
		SourceDescription parsed;
		REQUIRE(parsed.Parse(SinglePacket(*bytes, parser)));
		REQUIRE_EQ(parsed.chunks.size(), 1u);
		CHECK_EQ(parsed.chunks[0].ssrc, 0x11223344u);
	}
}

TEST(sdes_skips_other_items) {
	// Chunk 1: NAME "Al", CNAME "x@y", NOTE "hi". Chunk 2: only TOOL "t". Chunk 3: empty.
	const Bytes bytes = Hex(
	    "83 ca 00 09"
	    "00000001 02 02 41 6c 01 03 78 40 79 07 02 68 69 00 00 00"
	    "00000002 06 01 74 00"
	    "00000003 00 00 00 00");
	RtcpCompoundParser parser;
	SourceDescription sdes;
	REQUIRE(sdes.Parse(SinglePacket(bytes, parser)));
	REQUIRE_EQ(sdes.chunks.size(), 3u);
	CHECK_EQ(sdes.chunks[0].ssrc, 1u);
	CHECK_EQ(sdes.chunks[0].cname, std::string("x@y"));
	CHECK_EQ(sdes.chunks[1].ssrc, 2u);
	CHECK(sdes.chunks[1].cname.empty());
	CHECK_EQ(sdes.chunks[2].ssrc, 3u);
	CHECK_EQ(sdes.GetFirstCname(), std::string("x@y"));
}

TEST(sdes_round_trip_and_limits) {
	SourceDescription sdes;
	sdes.chunks = { { 1, "a" }, { 2, "" }, { 3, std::string(255, 'z') }, { 4, "four" } };
	const Bytes bytes = Serialize(sdes);
	CHECK_EQ(bytes.size() % 4, 0u);
	RtcpCompoundParser parser;
	SourceDescription parsed;
	REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
	CHECK(parsed.chunks == sdes.chunks);

	SourceDescription tooLong;
	tooLong.chunks = { { 1, std::string(256, 'z') } };
	Bytes out(tooLong.GetSerializedSize());
	CHECK_EQ(tooLong.Serialize(out.data(), out.size()), 0u);
	SourceDescription tooMany;
	tooMany.chunks.resize(32);
	out.resize(tooMany.GetSerializedSize());
	CHECK_EQ(tooMany.Serialize(out.data(), out.size()), 0u);
	SourceDescription none;
	CHECK_EQ(none.GetFirstCname(), std::string());
}

TEST(sdes_malformed_chunks) {
	RtcpCompoundParser parser;
	// Item length runs past the packet.
	Bytes bytes = Hex("81 ca 00 02 00000001 01 09 61 00");
	CHECK(!parser.Parse(bytes.data(), bytes.size()));
	// No terminating null octet.
	bytes = Hex("81 ca 00 02 00000001 01 02 61 62");
	CHECK(!parser.Parse(bytes.data(), bytes.size()));
	// SC says two chunks, one present.
	bytes = Hex("82 ca 00 02 00000001 01 01 61 00");
	CHECK(!parser.Parse(bytes.data(), bytes.size()));
	// An item header cut after its type.
	bytes = Hex("81 ca 00 02 00000001 01 01 61 05");
	CHECK(!parser.Parse(bytes.data(), bytes.size()));
	CHECK_EQ(parser.GetPacketCount(), 0u);
	CHECK(parser.begin() == parser.end());
}

// ---------------------------------------------------------------- BYE (RFC 3550 §6.6)

TEST(bye_known_bytes) {
	// Two sources, reason "bye": length octet + 3 bytes fills one word exactly.
	const Bytes withReason = Hex("82 cb 00 03 00000001 00000002 03 62 79 65");
	Goodbye bye;
	bye.ssrcs = { 1, 2 };
	bye.reason = "bye";
	Bytes out = Serialize(bye);
	CHECK_BYTES_EQ(out.data(), out.size(), withReason.data(), withReason.size());

	// Reason "ok" is padded with one null octet.
	const Bytes padded = Hex("81 cb 00 02 00000001 02 6f 6b 00");
	bye.ssrcs = { 1 };
	bye.reason = "ok";
	out = Serialize(bye);
	CHECK_BYTES_EQ(out.data(), out.size(), padded.data(), padded.size());

	const Bytes plain = Hex("81 cb 00 01 00000009");
	bye.ssrcs = { 9 };
	bye.reason.clear();
	out = Serialize(bye);
	CHECK_BYTES_EQ(out.data(), out.size(), plain.data(), plain.size());

	RtcpCompoundParser parser;
	Goodbye parsed;
	REQUIRE(parsed.Parse(SinglePacket(withReason, parser)));
	CHECK(parsed.ssrcs == std::vector<uint32_t>({ 1, 2 }));
	CHECK_EQ(parsed.reason, std::string("bye"));
	REQUIRE(parsed.Parse(SinglePacket(padded, parser)));
	CHECK_EQ(parsed.reason, std::string("ok"));
	REQUIRE(parsed.Parse(SinglePacket(plain, parser)));
	CHECK(parsed.ssrcs == std::vector<uint32_t>({ 9 }));
	CHECK(parsed.reason.empty());
	// SC = 0 is a valid (if odd) BYE.
	const Bytes nobody = Hex("80 cb 00 00");
	REQUIRE(parsed.Parse(SinglePacket(nobody, parser)));
	CHECK(parsed.ssrcs.empty());
}

TEST(bye_limits_and_malformed) {
	Goodbye bye;
	bye.reason = std::string(256, 'r');
	Bytes out(bye.GetSerializedSize());
	CHECK_EQ(bye.Serialize(out.data(), out.size()), 0u);
	bye.reason = std::string(255, 'r');
	bye.ssrcs = { 5 };
	const Bytes bytes = Serialize(bye);
	RtcpCompoundParser parser;
	Goodbye parsed;
	REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
	CHECK_EQ(parsed.reason.size(), 255u);

	// SC = 3 with two sources.
	Bytes bad = Hex("83 cb 00 02 00000001 00000002");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// Reason length past the end.
	bad = Hex("81 cb 00 02 00000001 07 61 62 63");
	CHECK(!parser.Parse(bad.data(), bad.size()));
}

// ---------------------------------------------------------------- Generic NACK (RFC 4585 §6.2.1)

TEST(nack_known_bytes) {
	// PID 1000 (0x03e8), BLP 0x0005: 1000, 1001, 1003 lost. Second item PID 2000.
	const Bytes bytes = Hex("81 cd 00 04 00000001 00000002 03e8 0005 07d0 0000");
	RtcpCompoundParser parser;
	RtcpPacketView view = SinglePacket(bytes, parser);
	CHECK(view.GetKind() == RtcpPacketKind::GenericNack);
	CHECK_EQ(view.GetSenderSsrc(), 1u);
	CHECK_EQ(view.GetMediaSsrc(), 2u);
	GenericNack nack;
	REQUIRE(nack.Parse(view));
	CHECK_EQ(nack.senderSsrc, 1u);
	CHECK_EQ(nack.mediaSsrc, 2u);
	REQUIRE_EQ(nack.items.size(), 2u);
	CHECK_EQ(nack.items[0].packetId, 1000);
	CHECK_EQ(nack.items[0].lostPacketBitmask, 5);
	CHECK(nack.GetLostSequenceNumbers() == std::vector<uint16_t>({ 1000, 1001, 1003, 2000 }));

	const GenericNack built = GenericNack::FromLostSequenceNumbers(1, 2, { 1000, 1001, 1003, 2000 });
	const Bytes out = Serialize(built);
	CHECK_BYTES_EQ(out.data(), out.size(), bytes.data(), bytes.size());
}

TEST(nack_packs_run_of_17_into_one_item_and_18_into_two) {
	std::vector<uint16_t> lost;
	for (uint16_t seq = 100; seq <= 116; ++seq) lost.push_back(seq);
	GenericNack nack = GenericNack::FromLostSequenceNumbers(1, 2, lost);
	REQUIRE_EQ(nack.items.size(), 1u);
	CHECK_EQ(nack.items[0].packetId, 100);
	CHECK_EQ(nack.items[0].lostPacketBitmask, 0xffff);
	CHECK(nack.GetLostSequenceNumbers() == lost);

	lost.push_back(117);
	lost.push_back(120);
	nack = GenericNack::FromLostSequenceNumbers(1, 2, lost);
	REQUIRE_EQ(nack.items.size(), 2u);
	CHECK_EQ(nack.items[1].packetId, 117);
	CHECK_EQ(nack.items[1].lostPacketBitmask, 0x0004); // 120 = 117 + 3 -> bit 3
	CHECK(nack.GetLostSequenceNumbers() == lost);
	const Bytes bytes = Serialize(nack);
	CHECK_EQ(bytes.size(), 20u);
}

TEST(nack_wraps_around_65535) {
	GenericNack nack = GenericNack::FromLostSequenceNumbers(1, 2, { 65534, 65535, 0, 1 });
	REQUIRE_EQ(nack.items.size(), 1u);
	CHECK_EQ(nack.items[0].packetId, 65534);
	CHECK_EQ(nack.items[0].lostPacketBitmask, 0x0007);
	CHECK(nack.GetLostSequenceNumbers() == std::vector<uint16_t>({ 65534, 65535, 0, 1 }));

	// A 30-packet run across the wrap: 65530..65535, 0..23.
	std::vector<uint16_t> lost;
	for (int i = 0; i < 30; ++i) lost.push_back(static_cast<uint16_t>(65530 + i));
	nack = GenericNack::FromLostSequenceNumbers(1, 2, lost);
	REQUIRE_EQ(nack.items.size(), 2u);
	CHECK_EQ(nack.items[0].packetId, 65530);
	CHECK_EQ(nack.items[0].lostPacketBitmask, 0xffff);
	CHECK_EQ(nack.items[1].packetId, 11); // 65530 + 17
	CHECK_EQ(nack.items[1].lostPacketBitmask, 0x0fff);
	CHECK(nack.GetLostSequenceNumbers() == lost);

	// An item whose BLP reaches past 65535 expands with the wrap.
	GenericNack wire;
	wire.items = { { 65535, 0x8001 } };
	CHECK(wire.GetLostSequenceNumbers() == std::vector<uint16_t>({ 65535, 0, 15 }));
}

TEST(nack_sparse_duplicates_and_round_trip) {
	GenericNack nack = GenericNack::FromLostSequenceNumbers(9, 8, { 5, 5, 6, 40, 80, 96 });
	REQUIRE_EQ(nack.items.size(), 3u);
	CHECK(nack.items[0] == (GenericNack::Item{ 5, 0x0001 }));
	CHECK(nack.items[1] == (GenericNack::Item{ 40, 0x0000 }));
	CHECK(nack.items[2] == (GenericNack::Item{ 80, 0x8000 }));
	CHECK(GenericNack::FromLostSequenceNumbers(1, 2, {}).items.empty());

	const Bytes bytes = Serialize(nack);
	RtcpCompoundParser parser;
	GenericNack parsed;
	REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
	CHECK_EQ(parsed.senderSsrc, 9u);
	CHECK_EQ(parsed.mediaSsrc, 8u);
	CHECK(parsed.items == nack.items);
	CHECK(parsed.GetLostSequenceNumbers() == std::vector<uint16_t>({ 5, 6, 40, 80, 96 }));

	// Every single loss and every pair within reach round-trips through the packing.
	for (unsigned distance = 1; distance <= 20; ++distance) {
		std::vector<uint16_t> lost = { 65530, static_cast<uint16_t>(65530 + distance) };
		GenericNack pair = GenericNack::FromLostSequenceNumbers(1, 2, lost);
		CHECK_EQ(pair.items.size(), distance <= 16 ? 1u : 2u);
		CHECK(pair.GetLostSequenceNumbers() == lost);
	}
}

// ---------------------------------------------------------------- PLI, FIR, REMB

TEST(pli_known_bytes) {
	const Bytes bytes = Hex("81 ce 00 02 aabbccdd 11223344");
	PictureLossIndication pli;
	pli.senderSsrc = 0xaabbccdd;
	pli.mediaSsrc = 0x11223344;
	const Bytes out = Serialize(pli);
	CHECK_BYTES_EQ(out.data(), out.size(), bytes.data(), bytes.size());
	RtcpCompoundParser parser;
	RtcpPacketView view = SinglePacket(bytes, parser);
	CHECK(view.GetKind() == RtcpPacketKind::PictureLossIndication);
	PictureLossIndication parsed;
	REQUIRE(parsed.Parse(view));
	CHECK_EQ(parsed.senderSsrc, 0xaabbccddu);
	CHECK_EQ(parsed.mediaSsrc, 0x11223344u);
	GenericNack nack;
	CHECK(!nack.Parse(view));
	Bytes small(11);
	CHECK_EQ(pli.Serialize(small.data(), small.size()), 0u);
	// A PLI without its feedback header is malformed.
	const Bytes shortPli = Hex("81 ce 00 01 aabbccdd");
	CHECK(!parser.Parse(shortPli.data(), shortPli.size()));
}

TEST(fir_known_bytes) {
	// RFC 5104 §4.3.1.1: media source SSRC 0, entries of SSRC + seq nr + 24 reserved bits.
	const Bytes bytes = Hex("84 ce 00 06 00000001 00000000 0000abcd 07 000000 0000abce ff 000000");
	FullIntraRequest fir;
	fir.senderSsrc = 1;
	fir.entries = { { 0xabcd, 7 }, { 0xabce, 255 } };
	const Bytes out = Serialize(fir);
	CHECK_BYTES_EQ(out.data(), out.size(), bytes.data(), bytes.size());
	RtcpCompoundParser parser;
	RtcpPacketView view = SinglePacket(bytes, parser);
	CHECK(view.GetKind() == RtcpPacketKind::FullIntraRequest);
	FullIntraRequest parsed;
	REQUIRE(parsed.Parse(view));
	CHECK_EQ(parsed.senderSsrc, 1u);
	CHECK_EQ(parsed.mediaSsrc, 0u);
	CHECK(parsed.entries == fir.entries);
}

TEST(remb_known_bytes) {
	// 1,000,000 bps = 250000 * 2^2: exponent 2, mantissa 0x3d090; one SSRC.
	const Bytes bytes = Hex("8f ce 00 05 00000001 00000000 52454d42 01 0bd090 12345678");
	ReceiverEstimatedMaxBitrate remb;
	remb.senderSsrc = 1;
	remb.bitrate = 1000000;
	remb.ssrcs = { 0x12345678 };
	const Bytes out = Serialize(remb);
	CHECK_BYTES_EQ(out.data(), out.size(), bytes.data(), bytes.size());
	RtcpCompoundParser parser;
	RtcpPacketView view = SinglePacket(bytes, parser);
	CHECK(view.GetKind() == RtcpPacketKind::ReceiverEstimatedMaxBitrate);
	ReceiverEstimatedMaxBitrate parsed;
	REQUIRE(parsed.Parse(view));
	CHECK_EQ(parsed.senderSsrc, 1u);
	CHECK_EQ(parsed.bitrate, 1000000u);
	CHECK(parsed.ssrcs == remb.ssrcs);
}

TEST(remb_bitrate_encoding) {
	struct Case {
		uint64_t in;
		uint64_t out;
	};
	const Case cases[] = {
		{ 0, 0 },
		{ 1000, 1000 },
		{ 262143, 262143 },        // largest exact mantissa
		{ 262144, 262144 },        // 131072 * 2
		{ 1000001, 1000000 },      // rounds down to what 18 bits hold
		{ 5000000000ull, 4999970816ull },
		{ std::numeric_limits<uint64_t>::max(), 0x3ffffull << 46 },
	};
	for (const Case& c : cases) {
		ReceiverEstimatedMaxBitrate remb;
		remb.bitrate = c.in;
		const Bytes bytes = Serialize(remb);
		RtcpCompoundParser parser;
		ReceiverEstimatedMaxBitrate parsed;
		REQUIRE(parsed.Parse(SinglePacket(bytes, parser)));
		CHECK_EQ(parsed.bitrate, c.out);
		CHECK(parsed.ssrcs.empty());
	}
	// An exponent of 63 with a full mantissa saturates instead of overflowing.
	const Bytes huge = Hex("8f ce 00 04 00000001 00000000 52454d42 00 ffffff");
	RtcpCompoundParser parser;
	ReceiverEstimatedMaxBitrate parsed;
	REQUIRE(parsed.Parse(SinglePacket(huge, parser)));
	CHECK_EQ(parsed.bitrate, std::numeric_limits<uint64_t>::max());
	// Exponent 63, mantissa 0 is just zero.
	const Bytes zero = Hex("8f ce 00 04 00000001 00000000 52454d42 00 fc0000");
	REQUIRE(parsed.Parse(SinglePacket(zero, parser)));
	CHECK_EQ(parsed.bitrate, 0u);
	// Too many SSRCs to encode.
	ReceiverEstimatedMaxBitrate tooMany;
	tooMany.ssrcs.resize(256);
	Bytes out(tooMany.GetSerializedSize());
	CHECK_EQ(tooMany.Serialize(out.data(), out.size()), 0u);
}

TEST(remb_malformed_and_application_feedback) {
	RtcpCompoundParser parser;
	// Num SSRC 3 with room for one.
	Bytes bad = Hex("8f ce 00 05 00000001 00000000 52454d42 03 0bd090 12345678");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// "REMB" without the count/exponent/mantissa word.
	bad = Hex("8f ce 00 03 00000001 00000000 52454d42");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// Other application layer feedback is opaque and fine.
	const Bytes other = Hex("8f ce 00 03 00000001 00000000 41424344");
	RtcpPacketView view = SinglePacket(other, parser);
	CHECK(view.GetKind() == RtcpPacketKind::OtherPayloadFeedback);
	ReceiverEstimatedMaxBitrate remb;
	CHECK(!remb.Parse(view));
}

// ---------------------------------------------------------------- opaque packets

TEST(transport_cc_and_unknown_packets_are_opaque) {
	const Bytes rr = Hex("80 c9 00 01 00000001");
	// transport-cc: PT 205 FMT 15 with an arbitrary FCI the engine forwards untouched.
	const Bytes tcc = Hex("8f cd 00 05 00000001 00000002 0001 0003 000102 05 2000 0000");
	const Bytes rtpfbOther = Hex("83 cd 00 02 00000001 00000002");     // TMMBR-like, FMT 3
	const Bytes psfbOther = Hex("87 ce 00 03 00000001 00000002 01020304"); // FMT 7
	const Bytes app = Hex("81 cc 00 03 00000001 6e616d65 deadbeef");   // APP "name"
	const Bytes xr = Hex("80 cf 00 02 00000001 00000000");
	const Bytes unknown = Hex("80 d2 00 01 01020304");                  // PT 210
	const Bytes emptyUnknown = Hex("9f d5 00 00");                      // PT 213, header only
	const Bytes compound = Concat({ rr, tcc, rtpfbOther, psfbOther, app, xr, unknown, emptyUnknown });
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(compound.data(), compound.size()));
	CHECK_EQ(parser.GetPacketCount(), 8u);
	const std::vector<RtcpPacketKind> expected = {
		RtcpPacketKind::ReceiverReport,       RtcpPacketKind::TransportCc,    RtcpPacketKind::OtherTransportFeedback,
		RtcpPacketKind::OtherPayloadFeedback, RtcpPacketKind::Application,    RtcpPacketKind::ExtendedReport,
		RtcpPacketKind::Unknown,              RtcpPacketKind::Unknown,
	};
	CHECK(Kinds(parser) == expected);

	auto it = parser.begin();
	++it;
	CHECK(it->GetData() == compound.data() + rr.size()); // zero-copy: points into the input
	CHECK_EQ(it->GetSize(), tcc.size());
	CHECK_EQ(it->GetMediaSsrc(), 2u);
	CHECK_BYTES_EQ(it->GetData(), it->GetSize(), tcc.data(), tcc.size());

	// Forwarding it opaque: AddRaw copies the bytes verbatim.
	uint8_t buffer[64];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	REQUIRE(builder.AddRaw(it->GetData(), it->GetSize()));
	CHECK_BYTES_EQ(buffer, builder.GetSize(), tcc.data(), tcc.size());
	CHECK_EQ(builder.Finish(), tcc.size()); // feedback only: a valid reduced-size compound

	// Feedback without both SSRCs is malformed even for an unknown FMT.
	const Bytes shortFeedback = Hex("83 cd 00 01 00000001");
	CHECK(!parser.Parse(shortFeedback.data(), shortFeedback.size()));
	const Bytes shortApp = Hex("81 cc 00 01 00000001");
	CHECK(!parser.Parse(shortApp.data(), shortApp.size()));
}

// ---------------------------------------------------------------- compound shapes

TEST(compound_sender_report_and_sdes) {
	SenderReport sr;
	sr.ssrc = 0x01010101;
	sr.ntpTimestamp = NtpTimestamp::FromUnixMs(1700000000000ull);
	sr.rtpTimestamp = 123;
	sr.reportBlocks = { SampleBlock(0x02020202) };
	SourceDescription sdes;
	sdes.chunks = { { 0x01010101, "mediaplane" } };
	uint8_t buffer[1200];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	REQUIRE(builder.Add(sr));
	REQUIRE(builder.Add(sdes));
	const size_t size = builder.Finish();
	CHECK_EQ(size, sr.GetSerializedSize() + sdes.GetSerializedSize());

	const Bytes bytes(buffer, buffer + size);
	CHECK(RtcpCompoundParser::IsRtcp(bytes.data(), bytes.size()));
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(bytes.data(), bytes.size()));
	CHECK(Kinds(parser) == std::vector<RtcpPacketKind>({ RtcpPacketKind::SenderReport, RtcpPacketKind::SourceDescription }));
	auto it = parser.begin();
	SenderReport parsedSr;
	REQUIRE(parsedSr.Parse(*it));
	CHECK(parsedSr.reportBlocks == sr.reportBlocks);
	SourceDescription parsedSdes;
	REQUIRE(parsedSdes.Parse(*++it));
	CHECK_EQ(parsedSdes.GetFirstCname(), std::string("mediaplane"));
	CHECK(++it == parser.end());
}

TEST(compound_receiver_report_sdes_and_pli) {
	// As a browser sends it: RR, SDES CNAME, PLI, built here byte by byte.
	const Bytes bytes = Hex(
	    "80 c9 00 01 00000005"
	    "81 ca 00 03 00000005 01 04 77 65 62 31 00 00"
	    "81 ce 00 02 00000005 0000abcd");
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(bytes.data(), bytes.size()));
	CHECK(Kinds(parser) == std::vector<RtcpPacketKind>({ RtcpPacketKind::ReceiverReport,
	                                                     RtcpPacketKind::SourceDescription,
	                                                     RtcpPacketKind::PictureLossIndication }));
	ParseEveryPacket(parser);

	ReceiverReport rr;
	rr.ssrc = 5;
	SourceDescription sdes;
	sdes.chunks = { { 5, "web1" } };
	PictureLossIndication pli;
	pli.senderSsrc = 5;
	pli.mediaSsrc = 0xabcd;
	uint8_t buffer[100];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	REQUIRE(builder.Add(rr));
	REQUIRE(builder.Add(sdes));
	REQUIRE(builder.Add(pli));
	REQUIRE_EQ(builder.Finish(), bytes.size());
	CHECK_BYTES_EQ(buffer, builder.GetSize(), bytes.data(), bytes.size());
}

TEST(compound_reduced_size_nack_alone) {
	const GenericNack nack = GenericNack::FromLostSequenceNumbers(5, 6, { 300, 301 });
	uint8_t buffer[100];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	REQUIRE(builder.Add(nack));
	CHECK_EQ(builder.Finish(), 16u);
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(buffer, builder.GetSize()));
	CHECK(Kinds(parser) == std::vector<RtcpPacketKind>({ RtcpPacketKind::GenericNack }));
	GenericNack parsed;
	REQUIRE(parsed.Parse(*parser.begin()));
	CHECK(parsed.GetLostSequenceNumbers() == std::vector<uint16_t>({ 300, 301 }));
}

TEST(compound_every_kind) {
	const Bytes bytes = EveryKindCompound();
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(bytes.data(), bytes.size()));
	CHECK(Kinds(parser) == std::vector<RtcpPacketKind>({ RtcpPacketKind::SenderReport,
	                                                     RtcpPacketKind::SourceDescription,
	                                                     RtcpPacketKind::GenericNack,
	                                                     RtcpPacketKind::PictureLossIndication,
	                                                     RtcpPacketKind::FullIntraRequest,
	                                                     RtcpPacketKind::ReceiverEstimatedMaxBitrate,
	                                                     RtcpPacketKind::Goodbye }));
	ParseEveryPacket(parser);
	uint8_t buffer[400];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	REQUIRE(builder.AddRaw(bytes.data(), 0) == false);
	for (const RtcpPacketView& packet : parser) REQUIRE(builder.AddRaw(packet.GetData(), packet.GetSize()));
	CHECK_EQ(builder.Finish(), bytes.size());
	CHECK_BYTES_EQ(buffer, builder.GetSize(), bytes.data(), bytes.size());
}

TEST(builder_enforces_composition_rules) {
	ReceiverReport rr;
	rr.ssrc = 1;
	SourceDescription sdes;
	sdes.chunks = { { 1, "c" } };
	SourceDescription noCname;
	noCname.chunks = { { 1, "" } };
	PictureLossIndication pli;
	Goodbye bye;
	bye.ssrcs = { 1 };
	uint8_t buffer[200];

	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	CHECK_EQ(builder.Finish(), 0u); // empty
	REQUIRE(builder.Add(rr));
	CHECK_EQ(builder.Finish(), 0u); // RR without SDES CNAME (RFC 3550 §6.1)
	REQUIRE(builder.Add(noCname));
	CHECK_EQ(builder.Finish(), 0u); // SDES without a CNAME item
	REQUIRE(builder.Add(sdes));
	CHECK_NE(builder.Finish(), 0u);
	REQUIRE(builder.Add(bye));
	CHECK_EQ(builder.Finish(), builder.GetSize());

	builder.Reset();
	CHECK_EQ(builder.GetSize(), 0u);
	REQUIRE(builder.Add(pli));
	REQUIRE(builder.Add(sdes));
	CHECK_EQ(builder.Finish(), 0u); // neither full (no leading report) nor feedback-only
	builder.Reset();
	REQUIRE(builder.Add(sdes));
	REQUIRE(builder.Add(rr));
	CHECK_EQ(builder.Finish(), 0u); // a report that is not first does not count
	builder.Reset();
	REQUIRE(builder.Add(bye));
	CHECK_EQ(builder.Finish(), 0u);
}

TEST(builder_respects_capacity) {
	ReceiverReport rr;
	rr.ssrc = 1;
	SourceDescription sdes;
	sdes.chunks = { { 1, "cname" } };
	// Exactly room for the RR (8 bytes) and 4 more: the SDES (16 bytes) does not fit.
	Bytes buffer(12);
	RtcpCompoundBuilder builder(buffer.data(), buffer.size());
	REQUIRE(builder.Add(rr));
	CHECK_EQ(builder.GetRemainingCapacity(), 4u);
	CHECK(!builder.Add(sdes));
	CHECK_EQ(builder.GetSize(), 8u); // the earlier packet is intact
	PictureLossIndication pli;
	CHECK(!builder.Add(pli));
	const Bytes rrBytes = Serialize(rr);
	CHECK_BYTES_EQ(buffer.data(), builder.GetSize(), rrBytes.data(), rrBytes.size());

	// Every Serialize() refuses one byte too little, writing nothing past it.
	SenderReport sr;
	sr.reportBlocks = { SampleBlock(1) };
	GenericNack nack = GenericNack::FromLostSequenceNumbers(1, 2, { 1, 100 });
	FullIntraRequest fir;
	fir.entries = { { 1, 1 } };
	ReceiverEstimatedMaxBitrate remb;
	remb.ssrcs = { 1 };
	Goodbye bye;
	bye.ssrcs = { 1 };
	bye.reason = "x";
	Bytes small(sr.GetSerializedSize() - 1);
	CHECK_EQ(sr.Serialize(small.data(), small.size()), 0u);
	small.assign(rr.GetSerializedSize() - 1, 0);
	CHECK_EQ(rr.Serialize(small.data(), small.size()), 0u);
	small.assign(sdes.GetSerializedSize() - 1, 0);
	CHECK_EQ(sdes.Serialize(small.data(), small.size()), 0u);
	small.assign(nack.GetSerializedSize() - 1, 0);
	CHECK_EQ(nack.Serialize(small.data(), small.size()), 0u);
	small.assign(fir.GetSerializedSize() - 1, 0);
	CHECK_EQ(fir.Serialize(small.data(), small.size()), 0u);
	small.assign(remb.GetSerializedSize() - 1, 0);
	CHECK_EQ(remb.Serialize(small.data(), small.size()), 0u);
	small.assign(bye.GetSerializedSize() - 1, 0);
	CHECK_EQ(bye.Serialize(small.data(), small.size()), 0u);
}

TEST(builder_add_raw_checks_the_packet) {
	uint8_t buffer[64];
	RtcpCompoundBuilder builder(buffer, sizeof(buffer));
	const Bytes good = Hex("81 ce 00 02 00000001 00000002");
	const Bytes lengthMismatch = Hex("81 ce 00 03 00000001 00000002");
	const Bytes padded = Hex("a1 ce 00 02 00000001 00000002");
	const Bytes version1 = Hex("41 ce 00 02 00000001 00000002");
	CHECK(!builder.AddRaw(lengthMismatch.data(), lengthMismatch.size()));
	CHECK(!builder.AddRaw(padded.data(), padded.size()));
	CHECK(!builder.AddRaw(version1.data(), version1.size()));
	CHECK(!builder.AddRaw(good.data(), 3));
	CHECK_EQ(builder.GetSize(), 0u);
	CHECK(builder.AddRaw(good.data(), good.size()));
	CHECK_EQ(builder.GetSize(), good.size());
}

// ---------------------------------------------------------------- padding (RFC 3550 §6.4.1)

TEST(padding_on_last_packet_accepted) {
	// RR, then SDES with P set, 4 padding octets (count 4 in the last one) in its length.
	const Bytes bytes = Hex(
	    "80 c9 00 01 00000005"
	    "a1 ca 00 04 00000005 01 04 77 65 62 31 00 00 00 00 00 04");
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(bytes.data(), bytes.size()));
	auto it = parser.begin();
	++it;
	CHECK(it->HasPadding());
	CHECK_EQ(it->GetSize(), 20u);
	CHECK_EQ(it->GetBodySize(), 12u);
	SourceDescription sdes;
	REQUIRE(sdes.Parse(*it));
	CHECK_EQ(sdes.GetFirstCname(), std::string("web1"));

	// Padding that eats into the required body makes that packet malformed: an RR with
	// RC=1 whose padding leaves no room for its block.
	const Bytes eaten = Hex("a1 c9 00 07 00000001 000000000000000000000000000000000000000000000008");
	CHECK(!parser.Parse(eaten.data(), eaten.size()));
	// Padding that covers the whole body is allowed where the body may be empty.
	const Bytes allPadding = Hex("a0 d2 00 01 00000004");
	REQUIRE(parser.Parse(allPadding.data(), allPadding.size()));
	CHECK_EQ(parser.begin()->GetBodySize(), 0u);
}

TEST(padding_rejections) {
	RtcpCompoundParser parser;
	// P set on the first of two packets.
	Bytes bad = Hex("a0 c9 00 01 00000004 81 ce 00 02 00000001 00000002");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// Padding count 0.
	bad = Hex("80 c9 00 01 00000005 a0 d2 00 01 00000000");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// Padding count larger than the body.
	bad = Hex("80 c9 00 01 00000005 a0 d2 00 01 00000005");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// P set on a header-only packet: no room for a count.
	bad = Hex("a0 d2 00 00");
	CHECK(!parser.Parse(bad.data(), bad.size()));
}

// ---------------------------------------------------------------- malformed input

TEST(rejects_empty_and_short_input) {
	RtcpCompoundParser parser;
	CHECK(!parser.Parse(nullptr, 0));
	const uint8_t header[] = { 0x80, 0xc9, 0x00, 0x01 };
	CHECK(!parser.Parse(header, 0));
	for (size_t len = 1; len <= 4; ++len) {
		Bytes copy(header, header + len);
		CHECK(!parser.Parse(copy.data(), copy.size())); // 4 bytes claim 8
	}
	CHECK(!parser.IsValid());
	CHECK(parser.begin() == parser.end());
}

TEST(rejects_every_truncation) {
	const Bytes full = EveryKindCompound();
	// Packet boundaries: a prefix ending on one is a shorter valid compound.
	std::vector<size_t> boundaries;
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(full.data(), full.size()));
	size_t offset = 0;
	for (const RtcpPacketView& packet : parser) boundaries.push_back(offset += packet.GetSize());
	size_t accepted = 0;
	for (size_t len = 0; len < full.size(); ++len) {
		const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
		const bool isBoundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
		const bool ok = parser.Parse(prefix.data(), prefix.size());
		if (!CHECK_EQ(ok, isBoundary)) std::printf("#   at length %zu\n", len);
		if (ok) {
			++accepted;
			ParseEveryPacket(parser);
		}
	}
	CHECK_EQ(accepted, boundaries.size() - 1);
	// Also every suffix: it starts mid-packet unless it starts on a boundary.
	for (size_t start = 1; start < full.size(); ++start) {
		const Bytes suffix(full.begin() + static_cast<std::ptrdiff_t>(start), full.end());
		if (parser.Parse(suffix.data(), suffix.size())) ParseEveryPacket(parser);
	}
}

TEST(rejects_wrong_version) {
	const Bytes good = Hex("80 c9 00 01 00000005 81 ce 00 02 00000005 0000abcd");
	RtcpCompoundParser parser;
	REQUIRE(parser.Parse(good.data(), good.size()));
	for (uint8_t version : { 0, 1, 3 }) {
		Bytes first = good;
		first[0] = static_cast<uint8_t>((version << 6) | (first[0] & 0x3f));
		CHECK(!parser.Parse(first.data(), first.size()));
		Bytes second = good;
		second[8] = static_cast<uint8_t>((version << 6) | (second[8] & 0x3f));
		CHECK(!parser.Parse(second.data(), second.size()));
	}
}

TEST(rejects_bad_length_fields) {
	const Bytes good = Hex("80 c9 00 01 00000005 81 ce 00 02 00000005 0000abcd");
	RtcpCompoundParser parser;
	Bytes bad = good;
	bad[3] = 2; // RR claims 12 bytes: the PLI header becomes its body, then 8 stray bytes
	CHECK(!parser.Parse(bad.data(), bad.size()));
	bad = good;
	bad[11] = 3; // the last packet claims a word more than there is
	CHECK(!parser.Parse(bad.data(), bad.size()));
	bad = good;
	bad[10] = 0xff; // far past the end
	CHECK(!parser.Parse(bad.data(), bad.size()));
	bad = good;
	bad[11] = 1; // PLI too short for both SSRCs; leaves a stray word
	CHECK(!parser.Parse(bad.data(), bad.size()));
	bad = good;
	bad[3] = 0; // RR with no room for its SSRC, then its SSRC read as a header
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// Trailing bytes that are not a whole packet.
	bad = Concat({ good, Hex("80 c9") });
	CHECK(!parser.Parse(bad.data(), bad.size()));
}

TEST(rejects_counts_past_the_length) {
	RtcpCompoundParser parser;
	// RR with RC=2 and one block.
	Bytes bad = Hex("82 c9 00 07 00000001 00000002 00 000000 00000000 00000000 00000000 00000000");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// SR with RC=1 and only the sender info.
	bad = Hex("81 c8 00 06 00000001 00000000 00000000 00000000 00000000 00000000");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// SR too short for its sender info.
	bad = Hex("80 c8 00 05 00000001 00000000 00000000 00000000 00000000");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// RR with RC=31 and no blocks.
	bad = Hex("9f c9 00 01 00000001");
	CHECK(!parser.Parse(bad.data(), bad.size()));
	// BYE, SDES and REMB counts are covered in their own tests; a valid count passes.
	const Bytes good = Hex("81 c9 00 07 00000001 00000002 00 000000 00000000 00000000 00000000 00000000");
	CHECK(parser.Parse(good.data(), good.size()));
}

TEST(random_bytes_never_crash) {
	std::mt19937 random(20240601u);
	size_t accepted = 0;
	for (int round = 0; round < 20000; ++round) {
		const size_t len = random() % 97;
		Bytes bytes(len);
		for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random());
		// Half the inputs get plausible headers so parsing goes past the first check.
		if (len >= 4 && (round & 1)) {
			bytes[0] = static_cast<uint8_t>(0x80 | (bytes[0] & 0x3f));
			bytes[1] = static_cast<uint8_t>(200 + random() % 8);
			bytes[2] = 0;
			bytes[3] = static_cast<uint8_t>((len / 4) - 1 - (random() % 2));
		}
		RtcpCompoundParser parser;
		if (parser.Parse(bytes.data(), bytes.size())) {
			++accepted;
			ParseEveryPacket(parser);
		}
	}
	CHECK_GT(accepted, 0u); // the biased half does reach the typed parsers
}

TEST(mutated_compounds_never_crash) {
	const Bytes base = EveryKindCompound();
	std::mt19937 random(7u);
	size_t accepted = 0;
	for (int round = 0; round < 20000; ++round) {
		Bytes bytes = base;
		const int flips = 1 + static_cast<int>(random() % 4);
		for (int i = 0; i < flips; ++i) bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
		if (round % 3 == 0) bytes.resize(random() % (bytes.size() + 1));
		RtcpCompoundParser parser;
		if (parser.Parse(bytes.data(), bytes.size())) {
			++accepted;
			ParseEveryPacket(parser);
			// Whatever parsed can be forwarded packet by packet.
			Bytes out(bytes.size());
			RtcpCompoundBuilder builder(out.data(), out.size());
			for (const RtcpPacketView& packet : parser) {
				if (!packet.HasPadding()) CHECK(builder.AddRaw(packet.GetData(), packet.GetSize()));
			}
		}
	}
	CHECK_GT(accepted, 0u);
}
