// The SCTP data path pieces on their own: RetransmissionTimeout, DataReceiver and
// DataSender.
#include <vector>

#include "check.hpp"
#include "sctp/DataReceiver.hpp"
#include "sctp/DataSender.hpp"
#include "sctp/RetransmissionTimeout.hpp"
#include "sctp/SctpPacket.hpp"

using namespace mediaplane::sctp;

namespace {

DataChunk Fragment(uint32_t tsn, uint16_t stream, uint16_t ssn, bool b, bool e, bool unordered, std::vector<uint8_t> payload) {
	DataChunk d;
	d.tsn = tsn;
	d.streamId = stream;
	d.ssn = ssn;
	d.ppid = 53;
	d.beginning = b;
	d.ending = e;
	d.unordered = unordered;
	d.payload = std::move(payload);
	return d;
}

// The DATA chunks a sender produces right now (parsed back).
std::vector<DataChunk> Drain(DataSender& sender, uint64_t now) {
	std::vector<DataChunk> chunks;
	std::vector<uint8_t> out;
	bool retransmission = false;
	while (sender.NextChunk(1200, now, out, retransmission)) {
		RawChunk raw{ out[0], out[1], out.data() + 4, static_cast<size_t>(((out[2] << 8) | out[3]) - 4) };
		DataChunk d;
		if (d.Parse(raw)) chunks.push_back(d);
		out.clear();
	}
	return chunks;
}

} // namespace

TEST(rto_rfc9260_formulas) {
	RetransmissionTimeout rto(1000, 1, 60000);
	CHECK_EQ(rto.Rto(), 1000u);
	rto.OnRttMeasured(100); // C2: SRTT 100, RTTVAR 50 -> 300
	CHECK_EQ(rto.Rto(), 300u);
	rto.OnRttMeasured(200); // C3: RTTVAR 62 (62.5), SRTT 112 (112.5) -> 360
	CHECK_EQ(rto.SrttMs(), 112u);
	CHECK_EQ(rto.Rto(), 360u);
	rto.BackOff();
	CHECK_EQ(rto.Rto(), 720u);
	RetransmissionTimeout bounded(1000, 400, 2000);
	bounded.OnRttMeasured(10);
	CHECK_EQ(bounded.Rto(), 400u); // RTO.Min
	for (int i = 0; i < 10; ++i) bounded.BackOff();
	CHECK_EQ(bounded.Rto(), 2000u); // RTO.Max
}

TEST(receiver_reassembles_out_of_order_and_reports_gaps) {
	DataReceiver receiver(100000, 100000);
	receiver.Start(1000);
	std::vector<DataReceiver::Message> delivered;
	// A 3-fragment ordered message (TSN 1000-1002) arriving 1002, 1000, 1001; an
	// unordered single at 1004 while 1003 is missing.
	CHECK(receiver.HandleData(Fragment(1002, 1, 0, false, true, false, { 3 }), delivered) == DataReceiver::Outcome::Accepted);
	CHECK(receiver.HandleData(Fragment(1004, 2, 0, true, true, true, { 9 }), delivered) == DataReceiver::Outcome::Accepted);
	REQUIRE_EQ(delivered.size(), 1u); // the unordered one, at once
	CHECK_EQ(delivered[0].streamId, 2u);
	SackChunk sack = receiver.BuildSack(1200);
	CHECK_EQ(sack.cumulativeTsnAck, 999u);
	REQUIRE_EQ(sack.gapBlocks.size(), 2u);
	CHECK(sack.gapBlocks[0] == (GapAckBlock{ 3, 3 }));
	CHECK(sack.gapBlocks[1] == (GapAckBlock{ 5, 5 }));
	CHECK(receiver.HandleData(Fragment(1000, 1, 0, true, false, false, { 1 }), delivered) == DataReceiver::Outcome::Accepted);
	CHECK(receiver.HandleData(Fragment(1001, 1, 0, false, false, false, { 2 }), delivered) == DataReceiver::Outcome::Accepted);
	REQUIRE_EQ(delivered.size(), 2u);
	CHECK_EQ(delivered[1].data, (std::vector<uint8_t>{ 1, 2, 3 }));
	// A duplicate is reported once.
	CHECK(receiver.HandleData(Fragment(1001, 1, 0, false, false, false, { 2 }), delivered) == DataReceiver::Outcome::Duplicate);
	sack = receiver.BuildSack(1200);
	CHECK_EQ(sack.cumulativeTsnAck, 1002u);
	CHECK_EQ(sack.duplicateTsns, (std::vector<uint32_t>{ 1001 }));
	CHECK(receiver.BuildSack(1200).duplicateTsns.empty());
}

TEST(receiver_does_not_merge_adjacent_unordered_messages) {
	DataReceiver receiver(100000, 100000);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	// Message X: 1 (B) 2 3 (E), with 1 missing; message Y: 4 (middle) 5 (E), 4's B (3) is X's E.
	receiver.HandleData(Fragment(2, 0, 0, false, false, true, { 2 }), delivered);
	receiver.HandleData(Fragment(3, 0, 0, false, true, true, { 3 }), delivered);
	receiver.HandleData(Fragment(4, 0, 0, true, false, true, { 4 }), delivered);
	receiver.HandleData(Fragment(5, 0, 0, false, true, true, { 5 }), delivered);
	REQUIRE_EQ(delivered.size(), 1u);
	CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 4, 5 }));
	receiver.HandleData(Fragment(1, 0, 0, true, false, true, { 1 }), delivered);
	REQUIRE_EQ(delivered.size(), 2u);
	CHECK_EQ(delivered[1].data, (std::vector<uint8_t>{ 1, 2, 3 }));
	CHECK_EQ(receiver.BufferedBytes(), 0u);
}

TEST(receiver_ordered_ssn_and_stream_reset) {
	DataReceiver receiver(100000, 100000);
	receiver.Start(0xFFFFFFFEu); // TSNs wrap
	std::vector<DataReceiver::Message> delivered;
	receiver.HandleData(Fragment(0xFFFFFFFFu, 3, 1, true, true, false, { 1 }), delivered);
	CHECK_EQ(delivered.size(), 0u); // SSN 0 missing
	receiver.HandleData(Fragment(0, 3, 2, true, true, false, { 2 }), delivered);
	receiver.HandleData(Fragment(0xFFFFFFFEu, 3, 0, true, true, false, { 0 }), delivered);
	REQUIRE_EQ(delivered.size(), 3u);
	CHECK_EQ(delivered[2].data, (std::vector<uint8_t>{ 2 }));
	CHECK_EQ(receiver.CumulativeTsn(), 0u);
	receiver.ResetIncomingStreams({ 3 });
	receiver.HandleData(Fragment(1, 3, 0, true, true, false, { 7 }), delivered);
	REQUIRE_EQ(delivered.size(), 4u);
	CHECK_EQ(delivered[3].data, (std::vector<uint8_t>{ 7 }));
}

TEST(receiver_forward_tsn_skips_partial_and_ssn) {
	DataReceiver receiver(100000, 100000);
	receiver.Start(10);
	std::vector<DataReceiver::Message> delivered;
	receiver.HandleData(Fragment(10, 1, 0, true, false, false, { 1 }), delivered); // partial, abandoned
	receiver.HandleData(Fragment(13, 1, 1, true, true, false, { 5 }), delivered);  // waits for SSN 0
	CHECK_EQ(delivered.size(), 0u);
	ForwardTsnChunk forward;
	forward.newCumulativeTsn = 12;
	forward.streams = { { 1, 0 } };
	receiver.HandleForwardTsn(forward, delivered);
	REQUIRE_EQ(delivered.size(), 1u);
	CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 5 }));
	CHECK_EQ(receiver.CumulativeTsn(), 13u);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
}

TEST(receiver_forward_tsn_delivers_stranded_messages_across_ssn_wrap) {
	// Stream 1 expects SSN 65533 (TSN 3), which is lost, as is SSN 1 (TSN 7); 65534,
	// 65535, 0, 2 and 3 wait. The sender abandons TSNs 3 and 7 (FORWARD-TSN, stream 1 SSN
	// 1): RFC 3758 §3.6 makes the stranded ones up to SSN 1 available in SSN order across
	// the wrap, then the ones after it. The same stream listed again, with the same or an
	// older SSN, changes nothing; a stream outside the 4 negotiated ones is ignored.
	DataReceiver receiver(100000, 100000, 4);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	// SSNs move forward by less than 2^15 at a time: two FORWARD-TSNs to reach 65533.
	ForwardTsnChunk forward;
	forward.newCumulativeTsn = 1;
	forward.streams = { { 1, 32767 } };
	receiver.HandleForwardTsn(forward, delivered);
	forward.newCumulativeTsn = 2;
	forward.streams = { { 1, 65532 } };
	receiver.HandleForwardTsn(forward, delivered);
	CHECK(delivered.empty());
	receiver.HandleData(Fragment(4, 1, 65534, true, true, false, { 34 }), delivered);
	receiver.HandleData(Fragment(5, 1, 65535, true, true, false, { 35 }), delivered);
	receiver.HandleData(Fragment(6, 1, 0, true, true, false, { 0 }), delivered);
	receiver.HandleData(Fragment(8, 1, 2, true, true, false, { 2 }), delivered);
	receiver.HandleData(Fragment(9, 1, 3, true, true, false, { 3 }), delivered);
	receiver.HandleData(Fragment(10, 1, 5, true, true, false, { 5 }), delivered); // waits for SSN 4
	CHECK(delivered.empty());
	forward.newCumulativeTsn = 7;
	forward.streams = { { 1, 1 }, { 1, 1 }, { 1, 65000 }, { 1, 0 }, { 3, 0 }, { 9, 0 } };
	receiver.HandleForwardTsn(forward, delivered);
	std::vector<uint8_t> order;
	for (const auto& message : delivered) order.push_back(message.data.at(0));
	CHECK_EQ(order, (std::vector<uint8_t>{ 34, 35, 0, 2, 3 }));
	CHECK_EQ(receiver.CumulativeTsn(), 10u);
	// SSN 5 still waits for SSN 4; stream 3 skipped its SSN 0; stream 9 was left alone.
	delivered.clear();
	receiver.HandleData(Fragment(11, 3, 0, true, true, false, { 30 }), delivered);
	receiver.HandleData(Fragment(12, 9, 0, true, true, false, { 90 }), delivered);
	receiver.HandleData(Fragment(13, 3, 1, true, true, false, { 31 }), delivered);
	order.clear();
	for (const auto& message : delivered) order.push_back(message.data.at(0));
	CHECK_EQ(order, (std::vector<uint8_t>{ 90, 31 }));
	delivered.clear();
	receiver.HandleData(Fragment(14, 1, 4, true, true, false, { 4 }), delivered);
	REQUIRE_EQ(delivered.size(), 2u);
	CHECK_EQ(delivered[1].data, (std::vector<uint8_t>{ 5 }));
	CHECK_EQ(receiver.BufferedBytes(), 0u);
}

TEST(receiver_forward_tsn_repeating_a_stream_skips_once) {
	// A FORWARD-TSN listing one stream thousands of times (up to 4096 entries fit a
	// chunk) against thousands of waiting messages: the first entry skips, the rest
	// change nothing, and what waits beyond the skipped SSN stays in order.
	DataReceiver receiver(10000000, 100000);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	// SSN 0 (TSN 1) lost; SSNs 1-3000 wait, SSN 3001 (TSN 3002) lost too, 3002-6000 wait.
	for (uint32_t ssn = 1; ssn <= 6000; ++ssn) {
		if (ssn == 3001) continue;
		CHECK(receiver.HandleData(Fragment(ssn + 1, 2, static_cast<uint16_t>(ssn), true, true, false, { 1 }), delivered) ==
			DataReceiver::Outcome::Accepted);
	}
	CHECK(delivered.empty());
	ForwardTsnChunk forward;
	forward.newCumulativeTsn = 1;
	for (int i = 0; i < 4000; ++i) forward.streams.push_back({ 2, 0 });
	receiver.HandleForwardTsn(forward, delivered);
	CHECK_EQ(delivered.size(), 3000u);
	forward.newCumulativeTsn = 3002;
	forward.streams.assign(4000, { 2, 3001 });
	receiver.HandleForwardTsn(forward, delivered);
	CHECK_EQ(delivered.size(), 5999u);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	CHECK_EQ(receiver.CumulativeTsn(), 6001u);
}

TEST(receiver_window_bounds_and_discards_too_large) {
	DataReceiver receiver(1000, 1500);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	const std::vector<uint8_t> k600(600, 1);
	// Out of order: 600 bytes fit, 600 more do not.
	CHECK(receiver.HandleData(Fragment(3, 0, 0, true, false, true, k600), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(receiver.ARwnd(), 1000u - 600u - 128u); // the payload and the per-entry overhead
	CHECK(receiver.HandleData(Fragment(5, 0, 1, true, false, true, k600), delivered) == DataReceiver::Outcome::NoRoom);
	// In sequence is still taken (it may complete a message).
	CHECK(receiver.HandleData(Fragment(1, 1, 0, true, false, false, k600), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(receiver.ARwnd(), 0u);
	// Message 1-2-... on stream 1 grows past 1500: discarded, counted once, and the rest
	// of it dropped as it comes.
	CHECK(receiver.HandleData(Fragment(2, 1, 0, false, false, false, k600), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(receiver.DiscardedMessages(), 0u);
	DataReceiver big(100000, 1500);
	big.Start(1);
	big.HandleData(Fragment(1, 1, 0, true, false, false, k600), delivered);
	big.HandleData(Fragment(2, 1, 0, false, false, false, k600), delivered);
	big.HandleData(Fragment(3, 1, 0, false, false, false, k600), delivered);
	CHECK_EQ(big.DiscardedMessages(), 1u);
	CHECK_EQ(big.BufferedBytes(), 0u);
	big.HandleData(Fragment(4, 1, 0, false, true, false, k600), delivered);
	big.HandleData(Fragment(5, 1, 1, true, true, false, { 42 }), delivered);
	REQUIRE_EQ(delivered.size(), 1u);
	CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 42 }));
	CHECK_EQ(big.CumulativeTsn(), 5u);
	CHECK_EQ(big.DiscardedMessages(), 1u);
}

TEST(receiver_discards_message_cut_into_too_many_fragments) {
	// RFC 9260 §6.9 sets no smallest fragment, so a peer may cut a message into 1-byte
	// fragments; each one costs a stored chunk, so a message of maxMessageSize (64000)
	// may have at most 64000 / 64 = 1000 fragments. The 1001st drops it (counted once)
	// and the rest of it is dropped as it comes, long before its bytes reach the limit.
	DataReceiver receiver(1000000, 64000);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	uint32_t tsn = 1;
	CHECK(receiver.HandleData(Fragment(tsn++, 1, 0, true, false, false, { 0 }), delivered) == DataReceiver::Outcome::Accepted);
	for (int i = 1; i < 1000; ++i) receiver.HandleData(Fragment(tsn++, 1, 0, false, false, false, { 1 }), delivered);
	CHECK_EQ(receiver.DiscardedMessages(), 0u);
	CHECK_GT(receiver.BufferedBytes(), 0u);
	CHECK(receiver.HandleData(Fragment(tsn++, 1, 0, false, false, false, { 1 }), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(receiver.DiscardedMessages(), 1u);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	for (int i = 0; i < 5000; ++i) {
		CHECK(receiver.HandleData(Fragment(tsn++, 1, 0, false, false, false, { 1 }), delivered) == DataReceiver::Outcome::Accepted);
	}
	CHECK(receiver.HandleData(Fragment(tsn++, 1, 0, false, true, false, { 1 }), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	CHECK_EQ(receiver.DiscardedMessages(), 1u);
	// The stream goes on with SSN 1 (SSN 0 was skipped, not delivered).
	receiver.HandleData(Fragment(tsn, 1, 1, true, true, false, { 42 }), delivered);
	REQUIRE_EQ(delivered.size(), 1u);
	CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 42 }));
	CHECK_EQ(receiver.CumulativeTsn(), tsn);
	// A message of exactly 1000 fragments is delivered.
	std::vector<uint8_t> expected;
	for (int i = 0; i < 1000; ++i) {
		expected.push_back(static_cast<uint8_t>(i));
		receiver.HandleData(Fragment(++tsn, 1, 2, i == 0, i == 999, false, { static_cast<uint8_t>(i) }), delivered);
	}
	REQUIRE_EQ(delivered.size(), 2u);
	CHECK_EQ(delivered[1].data, expected);
	CHECK_EQ(receiver.DiscardedMessages(), 1u);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
}

TEST(receiver_reassembles_fragments_arriving_in_any_order) {
	// Fragments join the pieces of their message before and after them, whatever order
	// they come in: backwards, from both ends, every other one first.
	const std::vector<std::vector<uint32_t>> orders = {
		{ 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
		{ 0, 9, 1, 8, 2, 7, 3, 6, 4, 5 },
		{ 1, 3, 5, 7, 9, 0, 2, 4, 6, 8 },
		{ 4, 5, 3, 6, 2, 7, 1, 8, 0, 9 },
	};
	for (const auto& order : orders) {
		DataReceiver receiver(100000, 100000);
		receiver.Start(100);
		std::vector<DataReceiver::Message> delivered;
		for (uint32_t index : order) {
			CHECK(receiver.HandleData(Fragment(100 + index, 4, 0, index == 0, index == 9, true,
				{ static_cast<uint8_t>(index), static_cast<uint8_t>(index) }), delivered) == DataReceiver::Outcome::Accepted);
		}
		REQUIRE_EQ(delivered.size(), 1u);
		CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9 }));
		CHECK_EQ(receiver.BufferedBytes(), 0u);
	}
}

TEST(receiver_drops_too_large_message_whose_end_came_early) {
	// The end of a too large message stored ahead of a gap is dropped when the gap is
	// filled by its discarded part; a FORWARD-TSN through the middle of a message keeps
	// only its later fragments.
	DataReceiver receiver(100000, 1500);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	const std::vector<uint8_t> k600(600, 1);
	receiver.HandleData(Fragment(5, 1, 0, false, false, false, k600), delivered);
	receiver.HandleData(Fragment(6, 1, 0, false, true, false, k600), delivered);
	receiver.HandleData(Fragment(7, 1, 1, true, true, false, { 7 }), delivered);
	receiver.HandleData(Fragment(1, 1, 0, true, false, false, k600), delivered);
	receiver.HandleData(Fragment(2, 1, 0, false, false, false, k600), delivered);
	receiver.HandleData(Fragment(3, 1, 0, false, false, false, k600), delivered); // 1800 > 1500
	CHECK_EQ(receiver.DiscardedMessages(), 1u);
	CHECK(delivered.empty());
	receiver.HandleData(Fragment(4, 1, 0, false, false, false, k600), delivered); // drops 5-6 too
	REQUIRE_EQ(delivered.size(), 1u);
	CHECK_EQ(delivered[0].data, (std::vector<uint8_t>{ 7 }));
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	CHECK_EQ(receiver.CumulativeTsn(), 7u);

	// Unordered fragments 10-13 with 11 missing; FORWARD-TSN to 12 leaves 13 alone.
	receiver.HandleData(Fragment(10, 2, 0, true, false, true, { 1 }), delivered);
	receiver.HandleData(Fragment(12, 2, 0, false, false, true, { 3 }), delivered);
	receiver.HandleData(Fragment(13, 2, 0, false, false, true, { 4 }), delivered);
	const size_t oneFragment = receiver.BufferedBytes() / 3;
	ForwardTsnChunk forward;
	forward.newCumulativeTsn = 12;
	receiver.HandleForwardTsn(forward, delivered);
	CHECK_EQ(receiver.BufferedBytes(), oneFragment);
	forward.newCumulativeTsn = 14;
	receiver.HandleForwardTsn(forward, delivered);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	CHECK_EQ(delivered.size(), 1u);
	receiver.HandleData(Fragment(15, 2, 0, true, true, true, { 6 }), delivered);
	REQUIRE_EQ(delivered.size(), 2u);
	CHECK_EQ(delivered[1].data, (std::vector<uint8_t>{ 6 }));
}

namespace {

DataChunk EmptyMessage(uint32_t tsn, uint16_t stream, uint16_t ssn) {
	// RFC 8831 §6.6: an empty message is one zero byte with PPID 57.
	DataChunk d = Fragment(tsn, stream, ssn, true, true, false, { 0 });
	d.ppid = 57;
	return d;
}

} // namespace

TEST(receiver_window_counts_waiting_empty_messages) {
	// Ordered empty messages waiting for a lost SSN 0 (TSN 1): each one is a stored entry
	// and uses the window although its payload is empty, so they are refused once the
	// window is used up (§6.2; the sender retransmits them), and the window opens fully
	// again when SSN 0 comes and everything is delivered.
	const size_t window = 4096;
	DataReceiver receiver(window, 4096);
	receiver.Start(1);
	std::vector<DataReceiver::Message> delivered;
	CHECK_EQ(receiver.ARwnd(), window);
	uint32_t tsn = 2;
	for (; tsn < 2000; ++tsn) {
		if (receiver.HandleData(EmptyMessage(tsn, 1, static_cast<uint16_t>(tsn - 1)), delivered) != DataReceiver::Outcome::Accepted) break;
	}
	CHECK_LT(tsn, 2000u);
	const uint32_t accepted = tsn - 2;
	CHECK_GT(accepted, 0u);
	CHECK_LE(accepted * 100u, window);
	CHECK_GE(receiver.BufferedBytes(), accepted * 100u); // each one counts, with no payload
	CHECK_LT(receiver.ARwnd(), 200u);                    // less than one more entry left
	CHECK(delivered.empty());
	CHECK(receiver.HandleData(EmptyMessage(1, 1, 0), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(delivered.size(), accepted + 1);
	for (const auto& message : delivered) CHECK(message.data.empty());
	CHECK_EQ(receiver.BufferedBytes(), 0u);
	CHECK_EQ(receiver.ARwnd(), window);
	// The refused ones, retransmitted, are taken now.
	CHECK(receiver.HandleData(EmptyMessage(tsn, 1, static_cast<uint16_t>(tsn - 1)), delivered) == DataReceiver::Outcome::Accepted);
	CHECK_EQ(delivered.size(), accepted + 2);
	CHECK_EQ(receiver.BufferedBytes(), 0u);
}

TEST(receiver_in_sequence_tsns_cannot_park_unbounded_entries) {
	// In-sequence TSNs are taken beyond the window (they may complete a message), but a
	// peer that sends them as ordered messages whose SSN is ahead of the expected one
	// (never filling the gap), or as beginnings of messages that never end, parks
	// entries only up to a hard bound, every entry counted: then NoRoom.
	const size_t window = 4096;
	{
		DataReceiver receiver(window, 4096);
		receiver.Start(1);
		std::vector<DataReceiver::Message> delivered;
		uint32_t tsn = 1;
		for (; tsn < 5000; ++tsn) {
			const uint16_t stream = static_cast<uint16_t>(tsn % 100);
			const uint16_t ssn = static_cast<uint16_t>(1 + tsn / 100); // SSN 0 never comes
			if (receiver.HandleData(EmptyMessage(tsn, stream, ssn), delivered) != DataReceiver::Outcome::Accepted) break;
		}
		CHECK_LT(tsn, 5000u);
		CHECK_EQ(receiver.ARwnd(), 0u);
		CHECK(delivered.empty());
		// A stream reset (RFC 6525) drops what waits on those streams, charge included.
		std::vector<uint16_t> all;
		for (uint16_t stream = 0; stream < 100; ++stream) all.push_back(stream);
		receiver.ResetIncomingStreams(all);
		CHECK_EQ(receiver.BufferedBytes(), 0u);
		CHECK_EQ(receiver.ARwnd(), window);
	}
	{
		DataReceiver receiver(window, 4096);
		receiver.Start(1);
		std::vector<DataReceiver::Message> delivered;
		uint32_t tsn = 1;
		for (; tsn < 5000; ++tsn) {
			if (receiver.HandleData(Fragment(tsn, 1, static_cast<uint16_t>(tsn), true, false, false, { 1 }), delivered) !=
				DataReceiver::Outcome::Accepted)
				break;
		}
		CHECK_LT(tsn, 5000u);
		CHECK_EQ(receiver.ARwnd(), 0u);
		// A FORWARD-TSN past them (the refused TSN abandoned) drops them all (RFC 3758 §3.6).
		ForwardTsnChunk forward;
		forward.newCumulativeTsn = tsn;
		receiver.HandleForwardTsn(forward, delivered);
		CHECK_EQ(receiver.BufferedBytes(), 0u);
		CHECK_EQ(receiver.ARwnd(), window);
	}
}

TEST(sender_fragments_assigns_tsn_ssn_and_respects_cwnd) {
	Options options;
	DataSender sender(options);
	sender.Start(100, 100000, 10, true);
	CHECK_EQ(sender.Cwnd(), 4380u); // §7.2.1: min(4 MTU, max(2 MTU, 4380))
	std::vector<uint8_t> message(3000, 7);
	REQUIRE(sender.Enqueue(1, 53, message.data(), message.size(), SendOptions(), 0) == SendResult::Ok);
	REQUIRE(sender.Enqueue(1, 53, message.data(), message.size(), SendOptions(), 0) == SendResult::Ok);
	std::vector<DataChunk> chunks = Drain(sender, 0);
	// 1172-byte fragments (1200 - 12 - 16): 3000 = 1172 + 1172 + 656; cwnd 4380 stops
	// after the 4th chunk (flight 4172 < 4380 lets one more go).
	REQUIRE_EQ(chunks.size(), 5u);
	CHECK_EQ(chunks[0].payload.size(), 1172u);
	CHECK(chunks[0].beginning);
	CHECK(!chunks[0].ending);
	CHECK(chunks[2].ending);
	CHECK_EQ(chunks[2].payload.size(), 656u);
	CHECK_EQ(chunks[3].tsn, 103u);
	CHECK_EQ(chunks[3].ssn, 1u);
	CHECK(chunks[3].beginning);
	CHECK_EQ(sender.FlightSize(), 3000u + 2u * 1172u);
	CHECK_EQ(sender.BufferedAmount(1), 6000u);
	// A SACK for all five: slow start grows cwnd by at most one MTU.
	SackChunk sack;
	sack.cumulativeTsnAck = 104;
	sack.aRwnd = 100000;
	DataSender::SackOutcome outcome = sender.HandleSack(sack, 50);
	CHECK(outcome.newlyAcked);
	CHECK(outcome.hasRtt);
	CHECK_EQ(outcome.rttMs, 50u);
	CHECK_EQ(sender.Cwnd(), 4380u + 1200u);
	CHECK_EQ(sender.BufferedAmount(1), 3000u - 2u * 1172u);
	chunks = Drain(sender, 60);
	REQUIRE_EQ(chunks.size(), 1u);
	CHECK(chunks[0].ending);
	sack.cumulativeTsnAck = 105;
	sender.HandleSack(sack, 100);
	CHECK(sender.AllAcknowledged());
	CHECK_EQ(sender.TotalBufferedAmount(), 0u);
	// A SACK for a TSN never sent.
	sack.cumulativeTsnAck = 200;
	CHECK(sender.HandleSack(sack, 100).protocolViolation);
}

TEST(sender_fast_retransmit_after_three_miss_indications) {
	Options options;
	DataSender sender(options);
	sender.Start(1, 100000, 10, true);
	std::vector<uint8_t> small(100, 1);
	for (int i = 0; i < 6; ++i) sender.Enqueue(0, 53, small.data(), small.size(), SendOptions(), 0);
	REQUIRE_EQ(Drain(sender, 0).size(), 6u);
	// TSN 1 lost: SACKs with cumulative ack 0 and growing gap blocks.
	for (uint16_t end = 2; end <= 4; ++end) {
		SackChunk sack;
		sack.cumulativeTsnAck = 0;
		sack.aRwnd = 100000;
		sack.gapBlocks = { { 2, end } };
		const DataSender::SackOutcome outcome = sender.HandleSack(sack, 10);
		CHECK_EQ(outcome.fastRetransmit, end == 4);
	}
	std::vector<DataChunk> chunks = Drain(sender, 20);
	REQUIRE(!chunks.empty());
	CHECK_EQ(chunks[0].tsn, 1u);
	CHECK_EQ(sender.Ssthresh(), 4u * 1200u); // max(cwnd/2, 4 MTU)
}

TEST(sender_t3_marks_everything_and_partial_reliability) {
	Options options;
	DataSender sender(options);
	sender.Start(1, 100000, 10, true);
	std::vector<uint8_t> small(100, 1);
	SendOptions once;
	once.maxRetransmits = 0;
	sender.Enqueue(2, 53, small.data(), small.size(), once, 0);             // TSN 1, SSN 0
	sender.Enqueue(2, 53, small.data(), small.size(), SendOptions(), 0);    // TSN 2, SSN 1
	REQUIRE_EQ(Drain(sender, 0).size(), 2u);
	sender.OnT3Expired(1000);
	CHECK_EQ(sender.Cwnd(), 1200u);
	CHECK_EQ(sender.AbandonedMessages(), 1u);
	std::vector<DataChunk> chunks = Drain(sender, 1000);
	REQUIRE_EQ(chunks.size(), 1u);
	CHECK_EQ(chunks[0].tsn, 2u);
	ForwardTsnChunk forward;
	REQUIRE(sender.NeedsForwardTsn(forward));
	CHECK_EQ(forward.newCumulativeTsn, 1u);
	REQUIRE_EQ(forward.streams.size(), 1u);
	CHECK_EQ(forward.streams[0].streamId, 2u);
	CHECK_EQ(forward.streams[0].ssn, 0u);
	CHECK_EQ(sender.BufferedAmount(2), 100u); // the abandoned one no longer counts
}

TEST(sender_abandoned_message_with_gap_acked_fragment_leaves_buffer) {
	Options options;
	DataSender sender(options);
	sender.Start(1, 100000, 10, true);
	std::vector<uint8_t> message(3000, 1);
	SendOptions once;
	once.maxRetransmits = 0;
	REQUIRE(sender.Enqueue(0, 53, message.data(), message.size(), once, 0) == SendResult::Ok);
	REQUIRE_EQ(Drain(sender, 0).size(), 3u);
	// Only the last fragment (TSN 3) arrives.
	SackChunk sack;
	sack.cumulativeTsnAck = 0;
	sack.aRwnd = 100000;
	sack.gapBlocks = { { 3, 3 } };
	sender.HandleSack(sack, 10);
	CHECK_EQ(sender.BufferedAmount(0), 3000u);
	sender.OnT3Expired(1000);
	CHECK_EQ(sender.AbandonedMessages(), 1u);
	CHECK_EQ(sender.BufferedAmount(0), 0u);
	ForwardTsnChunk forward;
	REQUIRE(sender.NeedsForwardTsn(forward));
	CHECK_EQ(forward.newCumulativeTsn, 3u);
	sack.cumulativeTsnAck = 3;
	sack.gapBlocks.clear();
	sender.HandleSack(sack, 1100);
	CHECK(sender.AllAcknowledged());
	CHECK_EQ(sender.TotalBufferedAmount(), 0u);
	CHECK(!sender.NeedsForwardTsn(forward));
}

TEST(sender_message_expired_before_it_was_sent_leaves_buffered_amount) {
	// A message past its maxPacketLifeTime before it was ever sent is dropped (RFC 3758);
	// its bytes must leave bufferedAmount (unsent) too, and bufferedamountlow fire. They
	// stayed there for good (found by the sctp_association fuzzer).
	Options options;
	DataSender sender(options);
	sender.Start(1, 100000, 10, true);
	std::vector<uint8_t> big(6000, 1);
	std::vector<uint8_t> small(50, 2);
	SendOptions shortLived;
	shortLived.maxPacketLifeTimeMs = 100;
	REQUIRE(sender.Enqueue(1, 53, big.data(), big.size(), SendOptions(), 0) == SendResult::Ok);
	REQUIRE(sender.Enqueue(3, 53, small.data(), small.size(), shortLived, 0) == SendResult::Ok);
	CHECK_EQ(sender.UnsentAmount(3), 50u);
	// cwnd stops the big message's fragments before the small message's turn.
	std::vector<DataChunk> chunks = Drain(sender, 0);
	for (const DataChunk& chunk : chunks) CHECK_EQ(chunk.streamId, 1u);
	std::vector<DataSender::BufferedAmountLow> events;
	sender.TakeBufferedAmountLowEvents(events);
	// After its lifetime, with room again: the big one goes on, the small one is dropped.
	SackChunk sack;
	sack.cumulativeTsnAck = chunks.back().tsn;
	sack.aRwnd = 100000;
	sender.HandleSack(sack, 200);
	chunks = Drain(sender, 200);
	for (const DataChunk& chunk : chunks) CHECK_EQ(chunk.streamId, 1u);
	CHECK_EQ(sender.AbandonedMessages(), 1u);
	CHECK_EQ(sender.UnsentAmount(3), 0u);
	CHECK_EQ(sender.BufferedAmount(3), 0u);
	sender.TakeBufferedAmountLowEvents(events);
	bool lowOnStream3 = false;
	for (const auto& event : events) lowOnStream3 = lowOnStream3 || (event.streamId == 3 && event.amount == 0);
	CHECK(lowOnStream3);
}

TEST(sender_send_buffer_bounds_the_number_of_tiny_messages) {
	// Empty messages (RFC 8831 §6.6) count no bytes, 1-byte ones one: the send buffer
	// also holds at most sendBufferSize / 128 entries (messages queued, chunks not yet
	// acknowledged), so they cannot pile up without bound, queued or sent and never
	// acknowledged (a peer that gap-acks all but the first TSN keeps every chunk here).
	Options options;
	options.sendBufferSize = 12800; // 100 entries
	DataSender sender(options);
	sender.Start(1, 10000000, 10, true);
	size_t accepted = 0;
	for (int i = 0; i < 1000; ++i) {
		if (sender.Enqueue(0, 57, nullptr, 0, SendOptions(), 0) != SendResult::Ok) break;
		++accepted;
	}
	CHECK_EQ(accepted, 100u);
	CHECK_EQ(sender.TotalBufferedAmount(), 0u); // bufferedAmount stays in message bytes
	// Sent and gap-acked (all but TSN 1) they still count: nothing more is taken.
	const std::vector<DataChunk> chunks = Drain(sender, 0);
	REQUIRE(!chunks.empty());
	SackChunk sack;
	sack.cumulativeTsnAck = 0;
	sack.aRwnd = 10000000;
	sack.gapBlocks = { { 2, static_cast<uint16_t>(chunks.size()) } };
	sender.HandleSack(sack, 10);
	const uint8_t one = 1;
	CHECK(sender.Enqueue(1, 53, &one, 1, SendOptions(), 10) == SendResult::BufferFull);
	// Once acknowledged, there is room again; a large message is limited by bytes only.
	sack.cumulativeTsnAck = chunks.back().tsn;
	sack.gapBlocks.clear();
	sender.HandleSack(sack, 20);
	Drain(sender, 20);
	sack.cumulativeTsnAck = sender.NextTsn() - 1;
	sender.HandleSack(sack, 30);
	REQUIRE(sender.AllAcknowledged());
	const std::vector<uint8_t> large(12800, 1);
	CHECK(sender.Enqueue(1, 53, large.data(), large.size(), SendOptions(), 30) == SendResult::Ok);
}

TEST(sender_ignores_gap_blocks_out_of_order_or_overlapping) {
	// §3.3.4: gap ack blocks ascend; a block that does not start after the previous one
	// ends the list (so no SACK walks the same chunks twice). Each case: 8 chunks of 100
	// bytes in flight, one SACK with cumulative ack 0, the flight size after it.
	auto flightAfter = [](std::vector<GapAckBlock> blocks) {
		Options options;
		DataSender sender(options);
		sender.Start(1, 100000, 10, true);
		std::vector<uint8_t> small(100, 1);
		for (int i = 0; i < 8; ++i) sender.Enqueue(0, 53, small.data(), small.size(), SendOptions(), 0);
		if (Drain(sender, 0).size() != 8u) return size_t(0);
		SackChunk sack;
		sack.cumulativeTsnAck = 0;
		sack.aRwnd = 100000;
		sack.gapBlocks = std::move(blocks);
		sender.HandleSack(sack, 10);
		return sender.FlightSize();
	};
	CHECK_EQ(flightAfter({ { 2, 3 }, { 5, 5 } }), 500u);
	CHECK_EQ(flightAfter({ { 5, 5 }, { 2, 2 } }), 700u);            // descending: 2 ignored
	CHECK_EQ(flightAfter({ { 3, 4 }, { 4, 6 }, { 8, 8 } }), 600u);  // overlapping: 4-6 and 8 ignored
	CHECK_EQ(flightAfter({ { 3, 4 }, { 3, 4 }, { 8, 8 } }), 600u);  // repeated
	CHECK_EQ(flightAfter({ { 2, 2 }, { 0, 3 }, { 8, 8 } }), 700u);  // offset 0 is no TSN above the ack
	CHECK_EQ(flightAfter({ { 4, 2 }, { 8, 8 } }), 800u);            // start after end
	CHECK_EQ(flightAfter({ { 3, 6 }, { 8, 65535 } }), 300u);        // past the outstanding chunks: clamped
	CHECK_EQ(flightAfter({ { 20, 30 } }), 800u);
}
