// RtpStreamRewriter: continuity of sequence numbers and timestamps across restarts.
#include "check.hpp"

#include "../../src/cpp/engine/rtc/RtpStreamRewriter.hpp"

using mediaplane::RtpStreamRewriter;

namespace {

struct Out {
	uint16_t seq;
	uint32_t ts;
};

Out Map(RtpStreamRewriter& r, uint16_t seq, uint32_t ts, uint64_t now) {
	Out out{ 0, 0 };
	CHECK(r.Rewrite(seq, ts, now, &out.seq, &out.ts));
	return out;
}

} // namespace

TEST(first_segment_keeps_source_numbering) {
	RtpStreamRewriter r(90000);
	Out a = Map(r, 1000, 5000, 0);
	CHECK_EQ(a.seq, 1000);
	CHECK_EQ(a.ts, 5000u);
	Out b = Map(r, 1001, 8000, 33);
	CHECK_EQ(b.seq, 1001);
	CHECK_EQ(b.ts, 8000u);
}

TEST(restart_continues_after_last_sent) {
	RtpStreamRewriter r(90000);
	Map(r, 100, 1000, 0);
	Map(r, 101, 4000, 33);
	// Paused for one second while the source moved on by 500 packets.
	r.RequestSync();
	Out resumed = Map(r, 601, 94000, 1033);
	CHECK_EQ(resumed.seq, 102);
	// 1000 ms at 90 kHz after the last sent timestamp.
	CHECK_EQ(resumed.ts, 4000u + 90000u);
	Out next = Map(r, 602, 97000, 1066);
	CHECK_EQ(next.seq, 103);
	CHECK_EQ(next.ts, 4000u + 90000u + 3000u);
}

TEST(switch_to_another_source_with_unrelated_numbers) {
	RtpStreamRewriter r(48000);
	Map(r, 65534, 4294967000u, 0);
	Out wrap = Map(r, 65535, 4294967000u + 960, 20);
	CHECK_EQ(wrap.seq, 65535);
	r.RequestSync();
	// A new source with its own random sequence and timestamp bases.
	Out switched = Map(r, 12345, 777, 40);
	CHECK_EQ(switched.seq, 0); // 65535 + 1 wraps
	CHECK_EQ(switched.ts, static_cast<uint32_t>(4294967000u + 960 + 960));
}

TEST(packets_older_than_the_restart_are_dropped) {
	RtpStreamRewriter r(90000);
	Map(r, 10, 100, 0);
	r.RequestSync();
	Map(r, 50, 9000, 100);
	uint16_t seq;
	uint32_t ts;
	CHECK(!r.Rewrite(49, 8000, 101, &seq, &ts));
	// Reordered packets after the restart point still map through.
	CHECK(r.Rewrite(52, 9000, 102, &seq, &ts));
	CHECK(r.Rewrite(51, 9000, 103, &seq, &ts));
	CHECK_EQ(seq, 12);
	CHECK_EQ(r.GetLastSeq(), 13); // the newest sent, not the last mapped
}

TEST(timestamp_advances_at_least_one_tick) {
	RtpStreamRewriter r(90000);
	Map(r, 1, 1000, 500);
	r.RequestSync();
	Out same = Map(r, 900, 1, 500); // restart within the same millisecond
	CHECK_EQ(same.seq, 2);
	CHECK_EQ(same.ts, 1001u);
}

TEST(skipped_packets_leave_no_gap) {
	RtpStreamRewriter r(48000);
	Map(r, 200, 0, 0);
	r.SkipPacket(); // 201 was an opus DTX packet the receiver does not want
	Out next = Map(r, 202, 1920, 40);
	CHECK_EQ(next.seq, 201);
}

// Regression: the segment start used to stay where the segment began, and modular
// sequence comparison (RFC 3550 §A.1) then called every packet from 32,768 on "older
// than the start": a consumer went silent for 32,768 packets out of every 65,536.
TEST(a_long_segment_keeps_flowing_through_sequence_wraps) {
	RtpStreamRewriter r(90000);
	uint64_t refused = 0;
	uint16_t expected = 0;
	bool ordered = true;
	for (uint32_t i = 0; i < 200000; ++i) {
		uint16_t seq;
		uint32_t ts;
		if (!r.Rewrite(static_cast<uint16_t>(40000 + i), 1000 + i * 30, i, &seq, &ts)) {
			++refused;
			continue;
		}
		if (i > 0 && seq != expected) ordered = false;
		expected = static_cast<uint16_t>(seq + 1);
	}
	CHECK_EQ(refused, 0u);
	CHECK(ordered);
	// Late packets: within the window they still map; far behind the stream they drop.
	uint16_t seq;
	uint32_t ts;
	const uint16_t newest = static_cast<uint16_t>(40000 + 199999);
	CHECK(r.Rewrite(static_cast<uint16_t>(newest - 100), 0, 200000, &seq, &ts));
	CHECK(!r.Rewrite(static_cast<uint16_t>(newest - 20000), 0, 200001, &seq, &ts));
}
