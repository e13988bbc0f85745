// RetransmissionLedger: which retransmission a transport-wide sequence number carried.
#include "check.hpp"
#include "transport/RetransmissionLedger.hpp"

using namespace mediaplane;

TEST(ledger_gives_back_a_recorded_retransmission_once) {
	RetransmissionLedger ledger;
	ledger.Record(500, { 0x1111, 42 });
	RetransmissionLedger::Origin origin;
	REQUIRE(ledger.Take(500, &origin));
	CHECK_EQ(origin.ssrc, 0x1111u);
	CHECK_EQ(origin.seq, 42);
	// Feedback that repeats the loss does not resend it twice.
	CHECK(!ledger.Take(500, &origin));
	// A number never recorded (an original packet, a probe): unknown.
	CHECK(!ledger.Take(501, &origin));
}

TEST(ledger_forgets_what_was_overwritten_capacity_numbers_later) {
	RetransmissionLedger ledger;
	ledger.Record(7, { 1, 1 });
	ledger.Record(static_cast<uint16_t>(7 + RetransmissionLedger::kCapacity), { 2, 2 });
	RetransmissionLedger::Origin origin;
	CHECK(!ledger.Take(7, &origin));
	REQUIRE(ledger.Take(static_cast<uint16_t>(7 + RetransmissionLedger::kCapacity), &origin));
	CHECK_EQ(origin.ssrc, 2u);
}

TEST(ledger_across_the_sequence_number_wrap) {
	RetransmissionLedger ledger;
	ledger.Record(65535, { 3, 9 });
	ledger.Record(0, { 3, 10 });
	RetransmissionLedger::Origin origin;
	REQUIRE(ledger.Take(0, &origin));
	CHECK_EQ(origin.seq, 10);
	REQUIRE(ledger.Take(65535, &origin));
	CHECK_EQ(origin.seq, 9);
	ledger.Record(1, { 3, 11 });
	ledger.Clear();
	CHECK(!ledger.Take(1, &origin));
}
