// Unit tests for RtpPacket (RFC 3550 §5.1 layout, RFC 8285 header extensions) and
// RtpPacketWriter. Packets are built byte by byte from the RFC layouts. Every parse
// runs on an exact-size heap copy, so AddressSanitizer reports any read past the end;
// every valid sample is also parsed at every truncated length.

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check.hpp"

#include "rtp/RtpHeaderExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketWriter.hpp"

using namespace mediaplane;

namespace {

using Bytes = std::vector<uint8_t>;

void Append16(Bytes& b, uint16_t v) {
	b.push_back(static_cast<uint8_t>(v >> 8));
	b.push_back(static_cast<uint8_t>(v));
}

void Append32(Bytes& b, uint32_t v) {
	Append16(b, static_cast<uint16_t>(v >> 16));
	Append16(b, static_cast<uint16_t>(v));
}

Bytes Header(uint8_t firstByte, uint8_t secondByte, uint16_t seq = 0x1234, uint32_t ts = 0x89abcdef,
             uint32_t ssrc = 0x01020304) {
	Bytes b{ firstByte, secondByte };
	Append16(b, seq);
	Append32(b, ts);
	Append32(b, ssrc);
	return b;
}

void AppendPayload(Bytes& b, size_t n, uint8_t first = 0x40) {
	for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(first + i));
}

// A one-byte-form packet: X set, mid (id 1, "abc"), abs-send-time (id 2, 3 bytes), a
// padding byte, twcc (id 3, 2 bytes), then 1 padding byte: 12 bytes = 3 words.
Bytes OneBytePacket() {
	Bytes b = Header(0x90, 0x80 | 96); // M=1, PT 96
	Append16(b, 0xBEDE);
	Append16(b, 3);
	const uint8_t elements[] = { 0x12, 'a', 'b', 'c', 0x22, 0x11, 0x22, 0x33, 0x00, 0x31, 0xaa, 0xbb };
	b.insert(b.end(), elements, elements + sizeof(elements));
	AppendPayload(b, 20);
	return b;
}

// A two-byte-form packet (profile 0x1000 | appbits): id 1 with an empty value, id 20
// with 5 bytes, id 0 padding: 2 + 7 + 3 = 12 bytes.
Bytes TwoBytePacket() {
	Bytes b = Header(0x90, 96);
	Append16(b, 0x1005);
	Append16(b, 3);
	const uint8_t elements[] = { 1, 0, 20, 5, 1, 2, 3, 4, 5, 0, 0, 0 };
	b.insert(b.end(), elements, elements + sizeof(elements));
	AppendPayload(b, 10);
	return b;
}

// Two CSRCs, no extension, 4 bytes of padding.
Bytes CsrcPaddingPacket() {
	Bytes b = Header(0xa2, 111);
	Append32(b, 0xc5c5c501);
	Append32(b, 0xc5c5c502);
	AppendPayload(b, 7);
	b.push_back(0);
	b.push_back(0);
	b.push_back(0);
	b.push_back(4);
	return b;
}

// Parses an exact-size copy of the first `len` bytes.
struct Parsed {
	Bytes copy;
	RtpPacket packet;
	bool ok = false;
};

void ParsePrefix(const Bytes& bytes, size_t len, Parsed& out) {
	out.copy.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
	out.ok = out.packet.Parse(out.copy.empty() ? nullptr : out.copy.data(), out.copy.size());
}

bool Parses(Bytes bytes) {
	RtpPacket packet;
	return packet.Parse(bytes.data(), bytes.size());
}

RtpExtensionMap MapOf(std::initializer_list<std::pair<uint8_t, RtpExtensionType>> entries) {
	RtpExtensionMap map;
	for (const auto& entry : entries) map.Set(entry.first, entry.second);
	return map;
}

} // namespace

// ---------------------------------------------------------------------------------------
// Parsing

TEST(parses_fixed_header) {
	Bytes b = Header(0x80, 0x7f, 0xfffe, 0x11223344, 0xdeadbeef);
	AppendPayload(b, 5);
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	CHECK_EQ(packet.GetPayloadType(), 127);
	CHECK(!packet.HasMarker());
	CHECK_EQ(packet.GetSequenceNumber(), 0xfffe);
	CHECK_EQ(packet.GetTimestamp(), 0x11223344u);
	CHECK_EQ(packet.GetSsrc(), 0xdeadbeefu);
	CHECK_EQ(packet.GetCsrcCount(), 0);
	CHECK_EQ(packet.GetHeaderSize(), 12);
	CHECK_EQ(packet.GetPayloadLength(), 5);
	CHECK_EQ(packet.GetPayload(), b.data() + 12);
	CHECK_EQ(packet.GetPaddingLength(), 0);
	CHECK_EQ(packet.GetExtensionCount(), 0);
	CHECK_EQ(packet.GetSize(), b.size());
	// A header with no payload is valid.
	Bytes empty = Header(0x80, 0);
	REQUIRE(packet.Parse(empty.data(), empty.size()));
	CHECK_EQ(packet.GetPayloadLength(), 0);
}

TEST(setters_write_in_place) {
	Bytes b = Header(0x80, 0x80 | 96);
	AppendPayload(b, 3);
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	packet.SetPayloadType(100);
	CHECK(packet.HasMarker()); // kept
	packet.SetMarker(false);
	packet.SetSequenceNumber(0xabcd);
	packet.SetTimestamp(0x01020304);
	packet.SetSsrc(0x0a0b0c0d);
	const uint8_t expected[] = { 0x80, 100, 0xab, 0xcd, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 0x40, 0x41, 0x42 };
	CHECK_BYTES_EQ(b.data(), b.size(), expected, sizeof(expected));
	packet.SetPayloadType(0xff); // only 7 bits
	CHECK_EQ(packet.GetPayloadType(), 0x7f);
	CHECK(!packet.HasMarker());
}

TEST(parses_one_byte_extensions) {
	Bytes b = OneBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	CHECK(packet.HasMarker());
	CHECK_EQ(packet.GetPayloadType(), 96);
	CHECK_EQ(packet.GetHeaderSize(), 12 + 4 + 12);
	CHECK_EQ(packet.GetPayloadLength(), 20);
	CHECK_EQ(packet.GetPayload()[0], 0x40);
	REQUIRE_EQ(packet.GetExtensionCount(), 3);
	CHECK_EQ(packet.GetExtensionAt(0).id, 1);
	CHECK_EQ(packet.GetExtensionAt(0).length, 3);
	CHECK_EQ(packet.GetExtensionAt(0).offset, 17);
	CHECK_EQ(packet.GetExtensionAt(2).id, 3);
	size_t len = 0;
	const uint8_t* mid = packet.GetExtensionById(1, &len);
	REQUIRE(mid != nullptr);
	CHECK_BYTES_EQ(mid, len, reinterpret_cast<const uint8_t*>("abc"), 3);
	const uint8_t* abs = packet.GetExtensionById(2, &len);
	REQUIRE(abs != nullptr);
	CHECK_EQ(len, 3);
	CHECK_EQ(abs[2], 0x33);
	const uint8_t* twcc = packet.GetExtensionById(3, &len);
	REQUIRE(twcc != nullptr);
	CHECK_EQ(len, 2);
	CHECK_EQ(twcc[0], 0xaa);
	CHECK(packet.GetExtensionById(4, &len) == nullptr);
	// By meaning, through a map.
	RtpExtensionMap map = MapOf({ { 1, RtpExtensionType::Mid }, { 3, RtpExtensionType::TransportWideCc } });
	CHECK(packet.GetExtension(map, RtpExtensionType::Mid, &len) == mid);
	CHECK(packet.GetExtension(map, RtpExtensionType::AbsSendTime, &len) == nullptr); // no id in the map
}

TEST(one_byte_id_15_ends_the_block) {
	// RFC 8285 §4.2: parsing stops at ID 15; what follows is ignored, even if malformed.
	Bytes b = Header(0x90, 96);
	Append16(b, 0xBEDE);
	Append16(b, 2);
	const uint8_t elements[] = { 0x10, 0x55, 0xff, 0xff, 0x2f, 0x00, 0x00, 0x00 };
	b.insert(b.end(), elements, elements + sizeof(elements));
	AppendPayload(b, 4);
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	CHECK_EQ(packet.GetExtensionCount(), 1);
	CHECK_EQ(packet.GetPayloadLength(), 4);
}

TEST(parses_two_byte_extensions) {
	Bytes b = TwoBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	REQUIRE_EQ(packet.GetExtensionCount(), 2);
	size_t len = 99;
	const uint8_t* empty = packet.GetExtensionById(1, &len);
	CHECK(empty != nullptr);
	CHECK_EQ(len, 0);
	const uint8_t* value = packet.GetExtensionById(20, &len);
	REQUIRE(value != nullptr);
	CHECK_EQ(len, 5);
	CHECK_EQ(value[4], 5);
	CHECK_EQ(packet.GetPayloadLength(), 10);
}

TEST(parses_csrcs_and_padding) {
	Bytes b = CsrcPaddingPacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	CHECK_EQ(packet.GetCsrcCount(), 2);
	CHECK_EQ(packet.GetCsrcEnd(), 20);
	CHECK_EQ(packet.GetHeaderSize(), 20);
	CHECK_EQ(packet.GetPaddingLength(), 4);
	CHECK_EQ(packet.GetPayloadLength(), 7);
	CHECK_EQ(packet.GetPayload()[6], 0x46);
	// Padding that fills the whole packet after the header (a padding-only packet).
	Bytes only = Header(0xa0, 96);
	for (int i = 0; i < 7; ++i) only.push_back(0);
	only.push_back(8);
	REQUIRE(packet.Parse(only.data(), only.size()));
	CHECK_EQ(packet.GetPayloadLength(), 0);
	CHECK_EQ(packet.GetPaddingLength(), 8);
}

TEST(unknown_extension_profile_is_valid_without_elements) {
	Bytes b = Header(0x90, 96);
	Append16(b, 0x1234);
	Append16(b, 1);
	Append32(b, 0x11111111);
	AppendPayload(b, 2);
	RtpPacket packet;
	REQUIRE(packet.Parse(b.data(), b.size()));
	CHECK_EQ(packet.GetExtensionCount(), 0);
	CHECK_EQ(packet.GetHeaderSize(), 20);
	CHECK_EQ(packet.GetPayloadLength(), 2);
}

TEST(every_truncation_of_the_header_is_rejected) {
	const Bytes samples[] = { OneBytePacket(), TwoBytePacket(), CsrcPaddingPacket() };
	for (const Bytes& sample : samples) {
		Parsed full;
		ParsePrefix(sample, sample.size(), full);
		REQUIRE(full.ok);
		const size_t header = full.packet.GetHeaderSize();
		for (size_t len = 0; len < header; ++len) {
			Parsed cut;
			ParsePrefix(sample, len, cut);
			if (!CHECK(!cut.ok)) std::printf("# accepted at length %zu of %zu\n", len, sample.size());
		}
		// Cutting into the payload of a packet without padding only shortens it.
		if (!full.packet.GetPaddingLength()) {
			for (size_t len = header; len < sample.size(); ++len) {
				Parsed cut;
				ParsePrefix(sample, len, cut);
				CHECK(cut.ok);
				CHECK_EQ(cut.packet.GetPayloadLength(), len - header);
			}
		}
	}
}

TEST(truncated_padding_is_rejected_or_consistent) {
	// With P set, the last byte is the padding count; cut the packet anywhere and the
	// parse either fails or yields a layout inside the cut buffer.
	const Bytes sample = CsrcPaddingPacket();
	for (size_t len = 0; len <= sample.size(); ++len) {
		Parsed cut;
		ParsePrefix(sample, len, cut);
		if (!cut.ok) continue;
		CHECK_LE(cut.packet.GetHeaderSize() + cut.packet.GetPayloadLength() + cut.packet.GetPaddingLength(), len);
		CHECK_GE(cut.packet.GetPaddingLength(), 1);
	}
}

TEST(bad_layouts_are_rejected) {
	// Version 0, 1 and 3.
	for (uint8_t version : { 0x00, 0x40, 0xc0 }) {
		Bytes b = Header(version, 96);
		AppendPayload(b, 10);
		CHECK(!Parses(b));
	}
	// 15 CSRCs announced, room for 2.
	{
		Bytes b = Header(0x8f, 96);
		AppendPayload(b, 8);
		CHECK(!Parses(b));
	}
	// Extension block longer than the packet.
	{
		Bytes b = Header(0x90, 96);
		Append16(b, 0xBEDE);
		Append16(b, 10);
		AppendPayload(b, 8);
		CHECK(!Parses(b));
	}
	// One-byte element longer than its block (id 1, L=15: 16 bytes in a 4-byte block).
	{
		Bytes b = Header(0x90, 96);
		Append16(b, 0xBEDE);
		Append16(b, 1);
		Append32(b, 0x1f000000);
		AppendPayload(b, 40);
		CHECK(!Parses(b));
	}
	// Two-byte element header cut by the end of the block.
	{
		Bytes b = Header(0x90, 96);
		Append16(b, 0x1000);
		Append16(b, 1);
		const uint8_t elements[] = { 0, 0, 0, 7 }; // id 7, no room for its length byte
		b.insert(b.end(), elements, elements + 4);
		AppendPayload(b, 40);
		CHECK(!Parses(b));
	}
	// Two-byte element value longer than the block.
	{
		Bytes b = Header(0x90, 96);
		Append16(b, 0x1000);
		Append16(b, 1);
		const uint8_t elements[] = { 7, 3, 1, 2 };
		b.insert(b.end(), elements, elements + 4);
		AppendPayload(b, 40);
		CHECK(!Parses(b));
	}
	// Padding count 0 (it includes itself, RFC 3550 §5.1).
	{
		Bytes b = Header(0xa0, 96);
		AppendPayload(b, 4);
		b.push_back(0);
		CHECK(!Parses(b));
	}
	// Padding count larger than what follows the header.
	{
		Bytes b = Header(0xa0, 96);
		AppendPayload(b, 4);
		b.push_back(6);
		CHECK(!Parses(b));
	}
	// P set but nothing after the header.
	{
		Bytes b = Header(0xa0, 96);
		CHECK(!Parses(b));
	}
	// Padding that would eat into the extension block.
	{
		Bytes b = OneBytePacket();
		b[0] |= 0x20;
		b.back() = 21; // payload is 20 bytes
		CHECK(!Parses(b));
		b.back() = 20;
		CHECK(Parses(b));
	}
}

TEST(random_bytes_never_crash) {
	std::mt19937 random(20240601);
	size_t accepted = 0;
	for (int round = 0; round < 20000; ++round) {
		const size_t len = random() % 80;
		Bytes bytes(len);
		for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
		if (len > 0) bytes[0] = static_cast<uint8_t>(0x80 | (bytes[0] & 0x3f)); // version 2 mostly
		RtpPacket packet;
		if (!packet.Parse(bytes.empty() ? nullptr : bytes.data(), bytes.size())) continue;
		++accepted;
		CHECK_LE(packet.GetHeaderSize() + packet.GetPayloadLength() + packet.GetPaddingLength(), len);
		for (size_t i = 0; i < packet.GetExtensionCount(); ++i) {
			const RtpPacket::Extension& extension = packet.GetExtensionAt(i);
			CHECK_LE(extension.offset + extension.length, packet.GetHeaderSize());
		}
	}
	CHECK_GT(accepted, 0);
}

TEST(looks_like_rtp_demultiplexes_rtcp) {
	Bytes rtp = Header(0x80, 96);
	CHECK(RtpPacket::LooksLikeRtp(rtp.data(), rtp.size()));
	Bytes marked = Header(0x80, 0x80 | 96); // 224: RTP
	CHECK(RtpPacket::LooksLikeRtp(marked.data(), marked.size()));
	for (uint8_t type : { 192, 200, 201, 205, 206, 223 }) {
		Bytes rtcp = Header(0x80, type);
		CHECK(!RtpPacket::LooksLikeRtp(rtcp.data(), rtcp.size()));
	}
	Bytes dtls = Header(0x16, 0xfe);
	CHECK(!RtpPacket::LooksLikeRtp(dtls.data(), dtls.size()));
	CHECK(!RtpPacket::LooksLikeRtp(rtp.data(), 11));
}

// ---------------------------------------------------------------------------------------
// Writing

TEST(writer_rewrites_header_and_extension_ids) {
	Bytes in = OneBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	// The consumer's ids: mid 5, twcc 9; no abs-send-time.
	RtpExtensionMap consumer = MapOf({ { 5, RtpExtensionType::Mid }, { 9, RtpExtensionType::TransportWideCc } });
	const uint8_t mid[] = { 'x', 'y' };
	const uint8_t twcc[] = { 0x00, 0x07 };
	const uint8_t abs[] = { 1, 2, 3 };
	const RtpExtensionValue extensions[] = {
		{ RtpExtensionType::Mid, mid, 2 },
		{ RtpExtensionType::AbsSendTime, abs, 3 },
		{ RtpExtensionType::TransportWideCc, twcc, 2 },
	};
	RtpHeaderFields header;
	header.payloadType = 101;
	header.marker = false;
	header.sequenceNumber = 7;
	header.timestamp = 0x00010203;
	header.ssrc = 0xfeedbeef;
	uint8_t out[1500];
	const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, extensions, 3, consumer);
	REQUIRE(len > 0);
	// 12 + 4 + (1+2 + 1+2 -> 6, padded to 8) + 20 payload.
	CHECK_EQ(len, 12 + 4 + 8 + 20);
	const uint8_t expected[] = {
		0x90, 101, 0x00, 0x07, 0x00, 0x01, 0x02, 0x03, 0xfe, 0xed, 0xbe, 0xef, // header
		0xBE, 0xDE, 0x00, 0x02, 0x51, 'x', 'y', 0x91, 0x00, 0x07, 0x00, 0x00, // extensions
	};
	CHECK_BYTES_EQ(out, sizeof(expected), expected, sizeof(expected));
	RtpPacket written;
	REQUIRE(written.Parse(out, len));
	CHECK_EQ(written.GetSsrc(), 0xfeedbeefu);
	CHECK_BYTES_EQ(written.GetPayload(), written.GetPayloadLength(), packet.GetPayload(), packet.GetPayloadLength());
	size_t valueLength = 0;
	CHECK(written.GetExtension(consumer, RtpExtensionType::Mid, &valueLength) != nullptr);
	CHECK(written.GetExtensionById(1, &valueLength) == nullptr); // the producer's id is gone
}

TEST(writer_round_trip_keeps_csrcs_and_drops_padding) {
	Bytes in = CsrcPaddingPacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	RtpHeaderFields header;
	header.payloadType = 111;
	header.marker = true;
	header.sequenceNumber = 0xffff;
	header.timestamp = 1;
	header.ssrc = 2;
	uint8_t out[100];
	const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, nullptr, 0, RtpExtensionMap());
	CHECK_EQ(len, 20 + 7);
	RtpPacket written;
	REQUIRE(written.Parse(out, len));
	CHECK_EQ(written.GetCsrcCount(), 2);
	CHECK_BYTES_EQ(out + 12, 8, in.data() + 12, 8);
	CHECK_EQ(written.GetPaddingLength(), 0);
	CHECK_EQ(out[0] & 0x30, 0); // neither P nor X
	CHECK(written.HasMarker());
	CHECK_EQ(written.GetSequenceNumber(), 0xffff);
	CHECK_BYTES_EQ(written.GetPayload(), written.GetPayloadLength(), packet.GetPayload(), 7);
}

TEST(writer_without_extensions_clears_x) {
	Bytes in = OneBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	RtpHeaderFields header;
	uint8_t out[100];
	// Extensions whose type has no id in the map are left out.
	const uint8_t mid[] = { 'a' };
	const RtpExtensionValue extensions[] = { { RtpExtensionType::Mid, mid, 1 } };
	const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, extensions, 1, RtpExtensionMap());
	CHECK_EQ(len, 12 + 20);
	CHECK_EQ(out[0] & 0x10, 0);
	RtpPacket written;
	REQUIRE(written.Parse(out, len));
	CHECK_EQ(written.GetExtensionCount(), 0);
}

TEST(writer_uses_two_byte_form_when_needed) {
	Bytes in = Header(0x80, 96);
	AppendPayload(in, 4);
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	RtpHeaderFields header;
	uint8_t out[200];
	const uint8_t small[] = { 0x77 };
	uint8_t large[17];
	std::memset(large, 0x5a, sizeof(large));

	// An id above 14.
	{
		RtpExtensionMap map = MapOf({ { 15, RtpExtensionType::Mid } });
		const RtpExtensionValue extensions[] = { { RtpExtensionType::Mid, small, 1 } };
		const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, extensions, 1, map);
		REQUIRE(len > 0);
		CHECK_EQ(out[12], 0x10);
		CHECK_EQ(out[13], 0x00);
		RtpPacket written;
		REQUIRE(written.Parse(out, len));
		size_t valueLength = 0;
		const uint8_t* value = written.GetExtensionById(15, &valueLength);
		REQUIRE(value != nullptr);
		CHECK_EQ(valueLength, 1);
		CHECK_EQ(value[0], 0x77);
	}
	// A value longer than 16 bytes, and an empty one.
	{
		RtpExtensionMap map = MapOf({ { 2, RtpExtensionType::Mid }, { 3, RtpExtensionType::Rid } });
		const RtpExtensionValue extensions[] = { { RtpExtensionType::Mid, large, 17 }, { RtpExtensionType::Rid, small, 0 } };
		const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, extensions, 2, map);
		REQUIRE(len > 0);
		CHECK_EQ(out[12], 0x10);
		RtpPacket written;
		REQUIRE(written.Parse(out, len));
		REQUIRE_EQ(written.GetExtensionCount(), 2);
		size_t valueLength = 0;
		CHECK(written.GetExtensionById(2, &valueLength) != nullptr);
		CHECK_EQ(valueLength, 17);
		CHECK(written.GetExtensionById(3, &valueLength) != nullptr);
		CHECK_EQ(valueLength, 0);
		CHECK_EQ(written.GetPayloadLength(), 4);
	}
}

TEST(writer_rtx_prefix) {
	Bytes in = OneBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	RtpHeaderFields header;
	header.payloadType = 97;
	header.sequenceNumber = 1;
	header.ssrc = 0x5555;
	const uint8_t osn[] = { 0x12, 0x34 };
	uint8_t out[200];
	const size_t len = RtpPacketWriter::Write(packet, out, sizeof(out), header, nullptr, 0, RtpExtensionMap(), osn, 2);
	CHECK_EQ(len, 12 + 2 + 20);
	RtpPacket written;
	REQUIRE(written.Parse(out, len));
	CHECK_EQ(written.GetPayloadLength(), 22);
	CHECK_EQ(written.GetPayload()[0], 0x12);
	CHECK_EQ(written.GetPayload()[1], 0x34);
	CHECK_BYTES_EQ(written.GetPayload() + 2, 20, packet.GetPayload(), 20);
}

TEST(writer_capacity_too_small_writes_nothing) {
	Bytes in = OneBytePacket();
	RtpPacket packet;
	REQUIRE(packet.Parse(in.data(), in.size()));
	RtpExtensionMap map = MapOf({ { 1, RtpExtensionType::Mid } });
	const uint8_t mid[] = { 'a', 'b', 'c' };
	const RtpExtensionValue extensions[] = { { RtpExtensionType::Mid, mid, 3 } };
	const uint8_t osn[] = { 0, 1 };
	RtpHeaderFields header;
	uint8_t out[200];
	const size_t needed = RtpPacketWriter::Write(packet, out, sizeof(out), header, extensions, 1, map, osn, 2);
	CHECK_EQ(needed, 12 + 4 + 4 + 2 + 20);
	for (size_t capacity = 0; capacity < needed; ++capacity) {
		// An exact-size heap buffer: ASan catches a write past `capacity`.
		std::vector<uint8_t> small(capacity);
		CHECK_EQ(RtpPacketWriter::Write(packet, small.data(), capacity, header, extensions, 1, map, osn, 2), 0);
	}
	std::vector<uint8_t> exact(needed);
	CHECK_EQ(RtpPacketWriter::Write(packet, exact.data(), needed, header, extensions, 1, map, osn, 2), needed);
	CHECK_BYTES_EQ(exact.data(), needed, out, needed);
}

TEST(extension_offsets_beyond_64k_are_not_truncated) {
	// A header extension block of 70 000 bytes (two-byte form, padding then one element
	// near the end): no UDP or RFC 4571 TCP frame carries such a packet, but a caller's
	// buffer can. It used to parse with the element's offset wrapped to 16 bits (found
	// at byte 4478 instead of 70014); it is now rejected.
	Bytes b = Header(0x90, 96);
	Append16(b, 0x1000);
	const size_t blockLength = 70000;
	Append16(b, static_cast<uint16_t>(blockLength / 4));
	const size_t blockStart = b.size();
	b.resize(blockStart + blockLength, 0);
	b[blockStart + blockLength - 4] = 9; // id 9, 2 bytes
	b[blockStart + blockLength - 3] = 2;
	b[blockStart + blockLength - 2] = 0xab;
	b[blockStart + blockLength - 1] = 0xcd;
	AppendPayload(b, 4);
	RtpPacket packet;
	CHECK(!packet.Parse(b.data(), b.size()));
	// The largest header that fits in 16 bits still parses, with exact offsets.
	Bytes fits = Header(0x90, 96);
	Append16(fits, 0x1000);
	const size_t fitsLength = 0xffff - 16 - 3; // a multiple of 4 ending at 65532
	Append16(fits, static_cast<uint16_t>(fitsLength / 4));
	const size_t fitsStart = fits.size();
	fits.resize(fitsStart + fitsLength, 0);
	fits[fitsStart + fitsLength - 4] = 9;
	fits[fitsStart + fitsLength - 3] = 2;
	fits[fitsStart + fitsLength - 2] = 0xab;
	AppendPayload(fits, 4);
	REQUIRE(packet.Parse(fits.data(), fits.size()));
	size_t len = 0;
	const uint8_t* value = packet.GetExtensionById(9, &len);
	REQUIRE(value != nullptr);
	CHECK_EQ(value - fits.data(), static_cast<std::ptrdiff_t>(fitsStart + fitsLength - 2));
	CHECK_EQ(value[0], 0xab);
	// A large payload behind a small header is fine.
	Bytes big = Header(0x80, 96);
	AppendPayload(big, 100000);
	REQUIRE(packet.Parse(big.data(), big.size()));
	CHECK_EQ(packet.GetPayloadLength(), 100000);
}
