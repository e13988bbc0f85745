// Transport-wide congestion control feedback: TransportCcFeedback (the RTCP packet)
// and TransportCcReceiver (what a transport reports). The packets are checked with a
// decoder written here from draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.
#include "check.hpp"

#include <cstdint>
#include <vector>

#include "rtcp/TransportCcFeedback.hpp"
#include "transport/TransportCcReceiver.hpp"

using namespace mediaplane;

namespace {

struct Decoded {
	bool ok = false;
	uint32_t senderSsrc = 0;
	uint32_t mediaSsrc = 0;
	uint16_t base = 0;
	uint8_t fbCount = 0;
	int64_t referenceUs = 0;
	std::vector<bool> received;
	std::vector<int64_t> arrivalUs; // per received packet, rebuilt from the deltas
};

uint32_t Be(const uint8_t* p, int n) {
	uint32_t v = 0;
	for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
	return v;
}

Decoded Decode(const uint8_t* p, size_t len) {
	Decoded d;
	if (len < 20 || (p[0] >> 6) != 2 || (p[0] & 0x1f) != 15 || p[1] != 205) return d;
	if ((Be(p + 2, 2) + 1) * 4 != len) return d;
	size_t end = len;
	if (p[0] & 0x20) end -= p[len - 1]; // RTCP padding
	d.senderSsrc = Be(p + 4, 4);
	d.mediaSsrc = Be(p + 8, 4);
	d.base = static_cast<uint16_t>(Be(p + 12, 2));
	const size_t count = Be(p + 14, 2);
	int32_t ref = static_cast<int32_t>(Be(p + 16, 3));
	if (ref & 0x800000) ref -= 0x1000000;
	d.referenceUs = static_cast<int64_t>(ref) * 64000;
	d.fbCount = p[19];
	std::vector<int> symbols;
	size_t pos = 20;
	while (symbols.size() < count) {
		if (pos + 2 > end) return d;
		uint16_t chunk = static_cast<uint16_t>(Be(p + pos, 2));
		pos += 2;
		if (!(chunk & 0x8000)) {
			int symbol = (chunk >> 13) & 3;
			for (int i = 0; i < (chunk & 0x1fff); ++i) symbols.push_back(symbol);
		} else if (!(chunk & 0x4000)) {
			for (int i = 0; i < 14; ++i) symbols.push_back((chunk >> (13 - i)) & 1);
		} else {
			for (int i = 0; i < 7; ++i) symbols.push_back((chunk >> (12 - 2 * i)) & 3);
		}
	}
	symbols.resize(count);
	int64_t t = d.referenceUs;
	for (int symbol : symbols) {
		d.received.push_back(symbol != 0);
		if (symbol == 1) {
			if (pos + 1 > end) return d;
			t += 250 * p[pos++];
		} else if (symbol == 2) {
			if (pos + 2 > end) return d;
			t += 250 * static_cast<int16_t>(Be(p + pos, 2));
			pos += 2;
		} else if (symbol == 3) {
			return d;
		}
		if (symbol != 0) d.arrivalUs.push_back(t);
	}
	d.ok = pos <= end;
	return d;
}

bool Near(int64_t a, int64_t b) { return a - b <= 250 && b - a <= 250; }

} // namespace

TEST(transport_cc_feedback_round_trips_small_large_and_missing) {
	TransportCcFeedback fb;
	fb.senderSsrc = 0x11111111;
	fb.mediaSsrc = 0x22222222;
	fb.baseSequenceNumber = 65530; // wraps inside the packet
	fb.feedbackPacketCount = 7;
	const int64_t t0 = 10'000'123;
	std::vector<TransportCcFeedback::PacketStatus> packets = {
		{ true, t0 }, { true, t0 + 1000 }, { false, 0 }, { true, t0 + 900 },          // reordered: negative delta
		{ true, t0 + 200'000 },                                                       // large delta
	};
	for (int i = 0; i < 30; ++i) packets.push_back({ false, 0 });                   // a run of losses
	for (int i = 0; i < 20; ++i) packets.push_back({ true, t0 + 200'000 + i * 500 }); // a run of small deltas
	fb.packets = packets;
	uint8_t buffer[1500];
	const size_t count = fb.CountSerializable(sizeof(buffer));
	REQUIRE_EQ(count, packets.size());
	const size_t len = fb.Serialize(buffer, sizeof(buffer), count);
	REQUIRE(len > 0);
	CHECK_EQ(len % 4, 0u);
	Decoded d = Decode(buffer, len);
	REQUIRE(d.ok);
	CHECK_EQ(d.senderSsrc, 0x11111111u);
	CHECK_EQ(d.mediaSsrc, 0x22222222u);
	CHECK_EQ(d.base, 65530);
	CHECK_EQ(d.fbCount, 7);
	REQUIRE_EQ(d.received.size(), packets.size());
	size_t r = 0;
	for (size_t i = 0; i < packets.size(); ++i) {
		CHECK_EQ(d.received[i], packets[i].received);
		if (packets[i].received) {
			REQUIRE(r < d.arrivalUs.size());
			// Quantized to 250 us without drift (the reference time is 64 ms aligned).
			if (!Near(d.arrivalUs[r] - d.referenceUs, packets[i].arrivalUs - (t0 / 64000) * 64000)) {
				CHECK(!"arrival time off by more than one tick");
			}
			++r;
		}
	}
}

TEST(transport_cc_feedback_splits_what_does_not_fit) {
	TransportCcFeedback fb;
	for (int i = 0; i < 2000; ++i) fb.packets.push_back({ true, 1'000'000 + i * 3000 + (i % 2) * 70'000 });
	uint8_t buffer[1100];
	const size_t count = fb.CountSerializable(sizeof(buffer));
	CHECK(count > 100 && count < 2000);
	const size_t len = fb.Serialize(buffer, sizeof(buffer), count);
	CHECK(len > 0 && len <= sizeof(buffer));
	CHECK(Decode(buffer, len).ok);
	CHECK_EQ(fb.Serialize(buffer, sizeof(buffer), count + 200), 0u); // too big: nothing written
	// A delta beyond 16 bits (8.2 s) ends the packet before it.
	TransportCcFeedback gap;
	gap.packets = { { true, 0 }, { true, 1000 }, { true, 10'000'000 } };
	CHECK_EQ(gap.CountSerializable(1500), 2u);
}

TEST(transport_cc_receiver_reports_each_number_once_with_losses) {
	TransportCcReceiver receiver;
	std::vector<Decoded> sent;
	uint8_t buffer[1500];
	auto send = [&](const uint8_t* data, size_t len) { sent.push_back(Decode(data, len)); };
	int64_t now = 5'000'000;
	for (uint16_t seq = 100; seq < 110; ++seq) {
		if (seq == 104) continue; // lost
		receiver.OnPacket(seq, now += 1000);
	}
	receiver.SendFeedback(1, 2, buffer, send);
	REQUIRE_EQ(sent.size(), 1u);
	REQUIRE(sent[0].ok);
	CHECK_EQ(sent[0].base, 100);
	CHECK_EQ(sent[0].received.size(), 10u);
	CHECK(!sent[0].received[4]);
	CHECK_EQ(sent[0].fbCount, 0);
	CHECK(!receiver.HasPending());
	// 104 arrives late: already reported missing, not again. 110 and 111 are lost, 112 comes.
	receiver.OnPacket(104, now += 1000);
	receiver.OnPacket(112, now += 1000);
	receiver.SendFeedback(1, 2, buffer, send);
	REQUIRE_EQ(sent.size(), 2u);
	CHECK_EQ(sent[1].base, 110); // starts at the first unreported number
	REQUIRE_EQ(sent[1].received.size(), 3u);
	CHECK(!sent[1].received[0] && !sent[1].received[1] && sent[1].received[2]);
	CHECK_EQ(sent[1].fbCount, 1);
	CHECK_EQ(receiver.GetFeedbackPacketsSent(), 2u);
}

TEST(transport_cc_receiver_unwraps_and_bounds_jumps) {
	TransportCcReceiver receiver;
	std::vector<Decoded> sent;
	uint8_t buffer[1500];
	auto send = [&](const uint8_t* data, size_t len) { sent.push_back(Decode(data, len)); };
	receiver.OnPacket(65534, 1000);
	receiver.OnPacket(65535, 2000);
	receiver.OnPacket(0, 3000);
	receiver.OnPacket(1, 4000);
	receiver.SendFeedback(9, 9, buffer, send);
	REQUIRE_EQ(sent.size(), 1u);
	CHECK_EQ(sent[0].base, 65534);
	CHECK_EQ(sent[0].received.size(), 4u);
	// A jump far beyond kMaxGap is not reported number by number.
	receiver.OnPacket(30000, 5000);
	receiver.SendFeedback(9, 9, buffer, send);
	REQUIRE_EQ(sent.size(), 2u);
	CHECK_EQ(sent[1].base, 30000);
	CHECK_EQ(sent[1].received.size(), 1u);
}

TEST(transport_cc_receiver_skips_a_long_gap_and_reports_every_number_at_most_once) {
	TransportCcReceiver receiver;
	std::vector<Decoded> sent;
	uint8_t buffer[1500];
	auto send = [&](const uint8_t* data, size_t len) { sent.push_back(Decode(data, len)); };
	receiver.OnPacket(10, 1000);
	receiver.SendFeedback(1, 1, buffer, send);
	receiver.OnPacket(10 + 1500, 2000); // 1,499 missing: more than kMaxGap
	receiver.SendFeedback(1, 1, buffer, send);
	REQUIRE_EQ(sent.size(), 2u);
	CHECK_EQ(sent[1].base, 1510);
	CHECK_EQ(sent[1].received.size(), 1u);

	// Pseudo-random order, duplicates and losses over many flushes: every feedback
	// decodes, no number is reported twice, and every received number once.
	TransportCcReceiver r2;
	std::vector<Decoded> out;
	auto send2 = [&](const uint8_t* data, size_t len) { out.push_back(Decode(data, len)); };
	uint32_t state = 12345;
	auto next = [&]() { return state = state * 1103515245u + 12345u; };
	std::vector<int> timesReported(6000, 0);
	int64_t now = 1'000'000;
	uint16_t seq = 60000; // wraps
	std::vector<uint16_t> held;
	for (int i = 0; i < 5000; ++i) {
		now += 200 + next() % 800;
		if (next() % 20 == 0) { ++seq; continue; } // lost
		if (next() % 10 == 0) { held.push_back(seq++); continue; } // delayed
		r2.OnPacket(seq, now);
		if (next() % 30 == 0) r2.OnPacket(seq, now + 5); // duplicate
		++seq;
		if (!held.empty() && next() % 3 == 0) {
			r2.OnPacket(held.back(), now + 1);
			held.pop_back();
		}
		if (i % 40 == 0) r2.SendFeedback(1, 1, buffer, send2);
	}
	r2.SendFeedback(1, 1, buffer, send2);
	bool allOk = true;
	for (const Decoded& d : out) {
		allOk = allOk && d.ok;
		for (size_t k = 0; k < d.received.size(); ++k) {
			const size_t index = static_cast<uint16_t>(d.base + k - 60000);
			if (index < timesReported.size()) ++timesReported[index];
		}
	}
	CHECK(allOk);
	int twice = 0;
	for (int n : timesReported) twice += n > 1;
	CHECK_EQ(twice, 0);
	CHECK(!r2.HasPending());
}

TEST(transport_cc_feedback_parse_reads_what_serialize_wrote) {
	TransportCcFeedback fb;
	fb.senderSsrc = 0x01020304;
	fb.mediaSsrc = 0x05060708;
	fb.baseSequenceNumber = 65500;
	fb.feedbackPacketCount = 200;
	const int64_t t0 = 64'000 * 1000 + 7'000;
	std::vector<TransportCcFeedback::PacketStatus> packets = { { true, t0 }, { false, 0 }, { true, t0 + 250 * 300 }, { true, t0 + 250 * 299 } };
	for (int i = 0; i < 40; ++i) packets.push_back({ false, 0 });
	for (int i = 0; i < 30; ++i) packets.push_back({ true, t0 + 100'000 + i * 1'000 });
	fb.packets = packets;
	uint8_t buffer[1500];
	const size_t len = fb.Serialize(buffer, sizeof(buffer), packets.size());
	REQUIRE(len > 0);
	TransportCcFeedback parsed;
	REQUIRE(parsed.Parse(buffer + 4, len - 4 - buffer[len - 1])); // body without the padding
	CHECK_EQ(parsed.senderSsrc, 0x01020304u);
	CHECK_EQ(parsed.mediaSsrc, 0x05060708u);
	CHECK_EQ(parsed.baseSequenceNumber, 65500);
	CHECK_EQ(parsed.feedbackPacketCount, 200);
	REQUIRE_EQ(parsed.packets.size(), packets.size());
	const int64_t offset = parsed.packets[0].arrivalUs - packets[0].arrivalUs;
	for (size_t i = 0; i < packets.size(); ++i) {
		CHECK_EQ(parsed.packets[i].received, packets[i].received);
		if (packets[i].received) {
			const int64_t error = parsed.packets[i].arrivalUs - offset - packets[i].arrivalUs;
			CHECK(error <= 250 && error >= -250);
		}
	}
	// Padding bytes after the deltas are ignored.
	REQUIRE(parsed.Parse(buffer + 4, len - 4));
	CHECK_EQ(parsed.packets.size(), packets.size());
	// Every truncation before the last delta fails; none crashes.
	const size_t deltasEnd = len - 4 - buffer[len - 1];
	for (size_t cut = 0; cut < deltasEnd; ++cut) CHECK(!parsed.Parse(buffer + 4, cut));
}

TEST(transport_cc_feedback_parse_rejects_reserved_symbols_and_empty_counts) {
	uint8_t body[20] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 10, 0, 0, 0, 0, 0x60, 0x0a, 0, 0 };
	TransportCcFeedback fb;
	CHECK(!fb.Parse(body, sizeof(body))); // run-length chunk with symbol 3
	body[16] = 0x20;                      // symbol 1, run 10: needs 10 delta bytes
	CHECK(!fb.Parse(body, sizeof(body)));
	body[16] = 0x00;                      // symbol 0 (not received), run 10
	REQUIRE(fb.Parse(body, sizeof(body)));
	CHECK_EQ(fb.packets.size(), 10u);
	body[11] = 0;                         // status count 0
	CHECK(!fb.Parse(body, sizeof(body)));
}
