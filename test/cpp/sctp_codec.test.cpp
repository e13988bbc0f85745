// The SCTP wire format: CRC32c, SipHash, chunk round trips and truncations, the state
// cookie and the DCEP messages.
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "check.hpp"
#include "sctp/ByteIo.hpp"
#include "sctp/Crc32c.hpp"
#include "sctp/DataChannelEstablishment.hpp"
#include "sctp/SctpPacket.hpp"
#include "sctp/SerialNumber.hpp"
#include "sctp/SipHash.hpp"
#include "sctp/StateCookie.hpp"

using namespace mediaplane::sctp;

namespace {

// The RawChunk view of a serialized chunk, with its value cut to valueLength bytes.
RawChunk View(const std::vector<uint8_t>& chunk, size_t valueLength) {
	RawChunk raw;
	raw.type = chunk[0];
	raw.flags = chunk[1];
	raw.value = chunk.data() + 4;
	raw.valueLength = valueLength;
	return raw;
}

RawChunk View(const std::vector<uint8_t>& chunk) {
	return View(chunk, ReadU16(chunk.data() + 2) - 4);
}

// Every truncation of the value below minValueLength must be rejected (each one copied
// into an exact-size buffer so ASan sees any overread).
template <typename T>
size_t CountAcceptedTruncations(const std::vector<uint8_t>& chunk, size_t minValueLength) {
	size_t accepted = 0;
	for (size_t len = 0; len < minValueLength; ++len) {
		std::vector<uint8_t> copy(chunk.begin(), chunk.begin() + 4 + len);
		RawChunk raw = View(chunk, len);
		raw.value = copy.data() + 4;
		T parsed;
		if (parsed.Parse(raw)) ++accepted;
	}
	return accepted;
}

} // namespace

TEST(crc32c_rfc3720_vectors) {
	// RFC 3720 §B.4 (the CRC values as numbers; on the wire least significant byte first).
	std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), up(32), down(32);
	for (int i = 0; i < 32; ++i) {
		up[i] = static_cast<uint8_t>(i);
		down[i] = static_cast<uint8_t>(31 - i);
	}
	CHECK_EQ(Crc32c(zeros.data(), 32), 0x8A9136AAu);
	CHECK_EQ(Crc32c(ones.data(), 32), 0x62A8AB43u);
	CHECK_EQ(Crc32c(up.data(), 32), 0x46DD794Eu);
	CHECK_EQ(Crc32c(down.data(), 32), 0x113FDB5Cu);
	const uint8_t iscsi[48] = { 0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0, 0, 0x04, 0, 0,
		0, 0, 0x14, 0, 0, 0, 0x18, 0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0 };
	CHECK_EQ(Crc32c(iscsi, sizeof(iscsi)), 0xD9963A56u);
	CHECK_EQ(Crc32c(reinterpret_cast<const uint8_t*>("123456789"), 9), 0xE3069283u);
}

TEST(crc32c_instruction_matches_table) {
	// Every length 0..600 at every start offset 0..7 (the 8-byte steps and the byte tail,
	// unaligned), random bytes: the CPU's CRC32C instruction (where it has one) and the
	// table agree, and Crc32c() is one of them.
	std::vector<uint8_t> bytes(608);
	uint32_t state = 0x12345678u;
	for (uint8_t& b : bytes) {
		state = state * 1664525u + 1013904223u;
		b = static_cast<uint8_t>(state >> 24);
	}
	size_t mismatches = 0;
	for (size_t offset = 0; offset < 8; ++offset) {
		for (size_t len = 0; len <= 600; ++len) {
			const uint8_t* data = bytes.data() + offset;
			const uint32_t table = Crc32cWith(Crc32cImplementation::Table, data, len);
			if (Crc32cWith(Crc32cImplementation::Instruction, data, len) != table || Crc32c(data, len) != table) ++mismatches;
		}
	}
	CHECK_EQ(mismatches, 0u);
	std::printf("# crc32c: %s\n", Crc32cHasInstruction() ? "the CPU's instruction" : "the table (no instruction on this CPU)");
}

TEST(checksum_placement_little_endian) {
	std::vector<uint8_t> packet(16 + 32, 0);
	WriteU16(packet.data(), 5000);
	WriteU16(packet.data() + 2, 5000);
	packet[12] = ChunkCookieAck;
	WriteU16(packet.data() + 14, 4);
	WriteSctpChecksum(packet.data(), packet.size());
	std::vector<uint8_t> zeroed = packet;
	std::memset(zeroed.data() + 8, 0, 4);
	const uint32_t crc = Crc32c(zeroed.data(), zeroed.size());
	CHECK_EQ(packet[8], crc & 0xFF);
	CHECK_EQ(packet[11], crc >> 24);
	CHECK(VerifySctpChecksum(packet.data(), packet.size()));
	packet[20] ^= 1;
	CHECK(!VerifySctpChecksum(packet.data(), packet.size()));
	CHECK(!VerifySctpChecksum(packet.data(), 11));
}

TEST(siphash_paper_vector) {
	// SipHash paper, Appendix A: key 00..0f, message 00..0e.
	SipHashKey key;
	for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(i);
	uint8_t message[15];
	for (int i = 0; i < 15; ++i) message[i] = static_cast<uint8_t>(i);
	CHECK_EQ(SipHash24(key, message, 15), 0xa129ca6149be45e5ull);
	// The reference implementation's vector for the empty message.
	CHECK_EQ(SipHash24(key, message, 0), 0x726fdb47dd0e0e31ull);
}

TEST(serial_number_arithmetic) {
	CHECK(TsnLess(1, 2));
	CHECK(TsnLess(0xFFFFFFFFu, 0));
	CHECK(!TsnLess(0, 0xFFFFFFFFu));
	CHECK(!TsnLess(5, 5));
	CHECK(SsnLess(0xFFFF, 0));
	CHECK(SsnLessOrEqual(3, 3));
	TsnUnwrapper u;
	u.Reset(0xFFFFFFF0u);
	CHECK_EQ(u.Unwrap(0x10) - u.Unwrap(0xFFFFFFF0u), 0x20u);
	CHECK_LT(u.Unwrap(0xFFFFFF00u), u.Unwrap(0xFFFFFFF0u));
}

TEST(data_chunk_round_trip_and_truncations) {
	DataChunk data;
	data.tsn = 0xFFFFFFFEu;
	data.streamId = 7;
	data.ssn = 65535;
	data.ppid = 53;
	data.unordered = true;
	data.beginning = true;
	data.ending = false;
	data.immediate = true;
	data.payload = { 1, 2, 3, 4, 5 };
	std::vector<uint8_t> out;
	data.Serialize(out);
	CHECK_EQ(out.size(), 24u); // 16 + 5, padded
	CHECK_EQ(ReadU16(out.data() + 2), 21u); // the length excludes the padding
	DataChunk parsed;
	REQUIRE(parsed.Parse(View(out)));
	CHECK_EQ(parsed.tsn, data.tsn);
	CHECK_EQ(parsed.streamId, 7u);
	CHECK_EQ(parsed.ssn, 65535u);
	CHECK_EQ(parsed.ppid, 53u);
	CHECK(parsed.unordered);
	CHECK(parsed.beginning);
	CHECK(!parsed.ending);
	CHECK(parsed.immediate);
	CHECK_EQ(parsed.payload, data.payload);
	CHECK_EQ(CountAcceptedTruncations<DataChunk>(out, 12), 0u);
}

TEST(init_chunk_round_trip_and_truncations) {
	InitChunk init;
	init.initiateTag = 0x12345678;
	init.aRwnd = 131072;
	init.outboundStreams = 1024;
	init.inboundStreams = 2048;
	init.initialTsn = 99;
	init.forwardTsnSupported = true;
	init.supportedExtensions = { ChunkReConfig, ChunkForwardTsn };
	init.hasStateCookie = true;
	init.stateCookie = { 9, 8, 7 };
	std::vector<uint8_t> out;
	init.Serialize(ChunkInitAck, out);
	CHECK_EQ(out.size() % 4, 0u);
	CHECK_EQ(ReadU16(out.data() + 2), out.size() - 2); // the supported extensions' padding excluded
	InitChunk parsed;
	REQUIRE(parsed.Parse(View(out)));
	CHECK_EQ(parsed.initiateTag, init.initiateTag);
	CHECK_EQ(parsed.aRwnd, init.aRwnd);
	CHECK_EQ(parsed.outboundStreams, 1024u);
	CHECK_EQ(parsed.inboundStreams, 2048u);
	CHECK_EQ(parsed.initialTsn, 99u);
	CHECK(parsed.forwardTsnSupported);
	CHECK(parsed.SupportsExtension(ChunkReConfig));
	CHECK(parsed.hasStateCookie);
	CHECK_EQ(parsed.stateCookie, init.stateCookie);
	CHECK_EQ(CountAcceptedTruncations<InitChunk>(out, 16), 0u);
	// Truncated inside the parameters (not at a parameter boundary): rejected.
	const size_t value = ReadU16(out.data() + 2) - 4;
	size_t accepted = 0;
	for (size_t len = 17; len < value; ++len) {
		InitChunk p;
		// Parameter boundaries (24, 28) and cuts of only a last parameter's padding (23,
		// 34, 35: §3.2, the last parameter's padding is not in the chunk length) are legal.
		if (len == 23 || len == 24 || len == 28 || len == 34 || len == 35) continue;
		if (p.Parse(View(out, len))) ++accepted;
	}
	CHECK_EQ(accepted, 0u);
}

TEST(init_unrecognized_parameters_follow_type_bits) {
	std::vector<uint8_t> out;
	ByteWriter w(out);
	w.U8(ChunkInit);
	w.U8(0);
	w.U16(0);
	w.U32(1);
	w.U32(1000);
	w.U16(1);
	w.U16(1);
	w.U32(5);
	// 0xC123: skip and report; 0x8123: skip; 0x0123: stop; then Forward-TSN-Supported.
	w.U16(0xC123);
	w.U16(5);
	w.U8(0xAA);
	w.Pad4();
	w.U16(0x8123);
	w.U16(4);
	w.U16(0x0123);
	w.U16(4);
	w.U16(ParamForwardTsnSupported);
	w.U16(4);
	WriteU16(out.data() + 2, static_cast<uint16_t>(out.size()));
	InitChunk parsed;
	REQUIRE(parsed.Parse(View(out)));
	CHECK(!parsed.forwardTsnSupported); // processing stopped at 0x0123
	CHECK_EQ(parsed.unrecognizedParameters.size(), 8u);
	CHECK_EQ(ReadU16(parsed.unrecognizedParameters.data()), 0xC123u);
}

TEST(sack_round_trip_and_truncations) {
	SackChunk sack;
	sack.cumulativeTsnAck = 1000;
	sack.aRwnd = 5000;
	sack.gapBlocks = { { 2, 3 }, { 5, 9 } };
	sack.duplicateTsns = { 999, 998 };
	std::vector<uint8_t> out;
	sack.Serialize(out);
	SackChunk parsed;
	REQUIRE(parsed.Parse(View(out)));
	CHECK_EQ(parsed.cumulativeTsnAck, 1000u);
	CHECK_EQ(parsed.aRwnd, 5000u);
	REQUIRE_EQ(parsed.gapBlocks.size(), 2u);
	CHECK(parsed.gapBlocks[1] == (GapAckBlock{ 5, 9 }));
	CHECK_EQ(parsed.duplicateTsns, sack.duplicateTsns);
	CHECK_EQ(CountAcceptedTruncations<SackChunk>(out, out.size() - 4), 0u);
}

TEST(control_chunks_round_trip_and_truncations) {
	{
		HeartbeatChunk hb;
		hb.info = { 1, 2, 3, 4, 5, 6 };
		std::vector<uint8_t> out;
		hb.Serialize(ChunkHeartbeatAck, out);
		HeartbeatChunk parsed;
		REQUIRE(parsed.Parse(View(out)));
		CHECK_EQ(parsed.info, hb.info);
		CHECK_EQ(CountAcceptedTruncations<HeartbeatChunk>(out, 10), 0u);
	}
	{
		ErrorCauseChunk abort;
		abort.tagReflected = true;
		abort.AddCause(CauseProtocolViolation, reinterpret_cast<const uint8_t*>("abc"), 3);
		std::vector<uint8_t> out;
		abort.Serialize(ChunkAbort, out);
		CHECK_EQ(out[1], 1u);
		ErrorCauseChunk parsed;
		REQUIRE(parsed.Parse(View(out)));
		CHECK(parsed.tagReflected);
		CHECK_EQ(parsed.FirstCauseCode(), CauseProtocolViolation);
		// Cut inside the cause: rejected (a cut at 0 is an ABORT without causes).
		for (size_t len = 1; len < 7; ++len) {
			ErrorCauseChunk p;
			CHECK(!p.Parse(View(out, len)));
		}
	}
	{
		ShutdownChunk shutdown;
		shutdown.cumulativeTsnAck = 77;
		std::vector<uint8_t> out;
		shutdown.Serialize(out);
		ShutdownChunk parsed;
		REQUIRE(parsed.Parse(View(out)));
		CHECK_EQ(parsed.cumulativeTsnAck, 77u);
		CHECK_EQ(CountAcceptedTruncations<ShutdownChunk>(out, 4), 0u);
	}
	{
		CookieEchoChunk echo;
		echo.cookie = { 1, 2, 3, 4, 5 };
		std::vector<uint8_t> out;
		echo.Serialize(out);
		CookieEchoChunk parsed;
		REQUIRE(parsed.Parse(View(out)));
		CHECK_EQ(parsed.cookie, echo.cookie);
	}
	{
		ForwardTsnChunk forward;
		forward.newCumulativeTsn = 0xFFFFFFFFu;
		forward.streams = { { 1, 2 }, { 3, 65535 } };
		std::vector<uint8_t> out;
		forward.Serialize(out);
		ForwardTsnChunk parsed;
		REQUIRE(parsed.Parse(View(out)));
		CHECK_EQ(parsed.newCumulativeTsn, 0xFFFFFFFFu);
		REQUIRE_EQ(parsed.streams.size(), 2u);
		CHECK_EQ(parsed.streams[1].ssn, 65535u);
		size_t accepted = 0;
		for (size_t len = 0; len < 12; ++len) {
			if (len == 4 || len == 8) continue; // whole entries
			ForwardTsnChunk p;
			if (p.Parse(View(out, len))) ++accepted;
		}
		CHECK_EQ(accepted, 0u);
	}
	{
		std::vector<uint8_t> out;
		SerializeEmptyChunk(ChunkShutdownComplete, 1, out);
		CHECK_EQ(out.size(), 4u);
		CHECK_EQ(out[1], 1u);
	}
}

TEST(reconfig_round_trip_and_truncations) {
	ReConfigChunk reconfig;
	OutgoingResetRequest req;
	req.requestSeq = 10;
	req.responseSeq = 20;
	req.senderLastTsn = 30;
	req.streams = { 1, 3, 5 };
	reconfig.outgoingResets.push_back(req);
	ReconfigResponse resp;
	resp.responseSeq = 40;
	resp.result = ReconfigInProgress;
	reconfig.responses.push_back(resp);
	std::vector<uint8_t> out;
	reconfig.Serialize(out);
	ReConfigChunk parsed;
	REQUIRE(parsed.Parse(View(out)));
	REQUIRE_EQ(parsed.outgoingResets.size(), 1u);
	CHECK_EQ(parsed.outgoingResets[0].requestSeq, 10u);
	CHECK_EQ(parsed.outgoingResets[0].senderLastTsn, 30u);
	CHECK_EQ(parsed.outgoingResets[0].streams, req.streams);
	REQUIRE_EQ(parsed.responses.size(), 1u);
	CHECK_EQ(parsed.responses[0].result, ReconfigInProgress);
	// Any cut other than between the two parameters is rejected.
	const size_t value = ReadU16(out.data() + 2) - 4;
	size_t accepted = 0;
	for (size_t len = 0; len < value; ++len) {
		if (len >= 22 && len <= 24) continue; // the request parameter alone, with or without (some) padding
		ReConfigChunk p;
		if (p.Parse(View(out, len))) ++accepted;
	}
	CHECK_EQ(accepted, 0u);
}

TEST(packet_parse_and_truncations) {
	PacketBuilder builder(5000, 5001, 0xAABBCCDD);
	std::vector<uint8_t> chunk;
	SerializeEmptyChunk(ChunkCookieAck, 0, chunk);
	builder.Add(chunk);
	DataChunk data;
	data.payload = { 1, 2, 3 };
	chunk.clear();
	data.Serialize(chunk);
	builder.Add(chunk);
	std::vector<uint8_t> packet = builder.Finish();
	CHECK(VerifySctpChecksum(packet.data(), packet.size()));
	CommonHeader header;
	std::vector<RawChunk> chunks;
	REQUIRE(ParsePacket(packet.data(), packet.size(), header, chunks));
	CHECK_EQ(header.sourcePort, 5000u);
	CHECK_EQ(header.destinationPort, 5001u);
	CHECK_EQ(header.verificationTag, 0xAABBCCDDu);
	REQUIRE_EQ(chunks.size(), 2u);
	CHECK_EQ(chunks[1].type, ChunkData);
	CHECK_EQ(chunks[1].valueLength, 15u);
	// Every truncation that cuts a chunk header or a chunk is rejected; a cut that only
	// removes the final padding is tolerated.
	size_t accepted = 0;
	for (size_t len = 0; len < packet.size(); ++len) {
		std::vector<uint8_t> copy(packet.begin(), packet.begin() + len);
		if (ParsePacket(copy.data(), copy.size(), header, chunks)) ++accepted;
	}
	CHECK_EQ(accepted, 2u); // after the COOKIE-ACK (16) and without the DATA padding (35)
	// A chunk length below 4 is malformed.
	std::vector<uint8_t> bad = packet;
	WriteU16(bad.data() + 14, 2);
	CHECK(!ParsePacket(bad.data(), bad.size(), header, chunks));
}

TEST(state_cookie_authenticated) {
	SipHashKey key{};
	key[0] = 1;
	StateCookie cookie;
	cookie.localTag = 1;
	cookie.peerTag = 2;
	cookie.localInitialTsn = 3;
	cookie.peerInitialTsn = 4;
	cookie.peerRwnd = 5;
	cookie.peerOutboundStreams = 6;
	cookie.peerInboundStreams = 7;
	cookie.peerForwardTsn = true;
	cookie.localTieTag = 8;
	cookie.peerTieTag = 9;
	cookie.createdMs = 0x123456789ull;
	const std::vector<uint8_t> bytes = cookie.Serialize(key);
	CHECK_EQ(bytes.size(), StateCookie::kSize);
	StateCookie parsed;
	REQUIRE(parsed.Parse(bytes.data(), bytes.size(), key));
	CHECK_EQ(parsed.peerTag, 2u);
	CHECK_EQ(parsed.createdMs, 0x123456789ull);
	CHECK(parsed.peerForwardTsn);
	CHECK(!parsed.peerReconfig);
	CHECK_EQ(parsed.peerTieTag, 9u);
	size_t accepted = 0;
	for (size_t i = 0; i < bytes.size(); ++i) {
		std::vector<uint8_t> tampered = bytes;
		tampered[i] ^= 0x10;
		if (parsed.Parse(tampered.data(), tampered.size(), key)) ++accepted;
	}
	CHECK_EQ(accepted, 0u);
	SipHashKey other = key;
	other[1] = 1;
	CHECK(!parsed.Parse(bytes.data(), bytes.size(), other));
	CHECK(!parsed.Parse(bytes.data(), bytes.size() - 1, key));
}

TEST(dcep_open_and_ack) {
	DataChannelOpen open;
	open.channelType = DcepPartialReliableRexmitUnordered;
	open.priority = 256;
	open.reliabilityParameter = 3;
	open.label = "chat";
	open.protocol = "json";
	const std::vector<uint8_t> bytes = open.Serialize();
	CHECK_EQ(bytes.size(), 12u + 8u);
	DataChannelOpen parsed;
	REQUIRE(parsed.Parse(bytes.data(), bytes.size()));
	CHECK_EQ(parsed.channelType, DcepPartialReliableRexmitUnordered);
	CHECK(parsed.Unordered());
	CHECK_EQ(parsed.priority, 256u);
	CHECK_EQ(parsed.reliabilityParameter, 3u);
	CHECK_EQ(parsed.label, std::string("chat"));
	CHECK_EQ(parsed.protocol, std::string("json"));
	size_t accepted = 0;
	for (size_t len = 0; len < bytes.size(); ++len) {
		std::vector<uint8_t> copy(bytes.begin(), bytes.begin() + len);
		if (parsed.Parse(copy.data(), copy.size())) ++accepted;
	}
	CHECK_EQ(accepted, 0u);
	const std::vector<uint8_t> ack = SerializeDataChannelAck();
	CHECK(IsDataChannelAck(ack.data(), ack.size()));
	CHECK(!IsDataChannelAck(bytes.data(), bytes.size()));
}
