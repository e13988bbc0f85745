// RtpSequenceValidator: RFC 3550 Appendix A.1 sequence validation and the A.3 counts.
#include <cstdint>

#include "check.hpp"
#include "rtp/RtpSequenceValidator.hpp"

using namespace mediaplane;
using Result = RtpSequenceValidator::Result;

namespace {

// Feeds `count` packets from `first` in sequence (wrapping); returns how many were not Newer.
int FeedInOrder(RtpSequenceValidator& validator, uint16_t first, int count) {
	int notNewer = 0;
	for (int i = 0; i < count; ++i) {
		if (validator.Update(static_cast<uint16_t>(first + i)) != Result::Newer) ++notNewer;
	}
	return notNewer;
}

} // namespace

TEST(a1_constants) {
	CHECK_EQ(RtpSequenceValidator::kMaxDropout, 3000);
	CHECK_EQ(RtpSequenceValidator::kMaxMisorder, 100);
	CHECK_EQ(RtpSequenceValidator::kMinSequential, 2);
}

TEST(probation_needs_min_sequential_packets) {
	RtpSequenceValidator validator; // MIN_SEQUENTIAL = 2
	CHECK_EQ(validator.Update(1000), Result::Probation);
	CHECK(!validator.IsValid());
	CHECK_EQ(validator.GetExpected(), 0);
	CHECK_EQ(validator.GetReceived(), 0);
	CHECK_EQ(validator.Update(1001), Result::Newer);
	CHECK(validator.IsValid());
	// A.1 init_seq() at validation: the count starts with the validating packet.
	CHECK_EQ(validator.GetReceived(), 1);
	CHECK_EQ(validator.GetExpected(), 1);
	CHECK_EQ(validator.Update(1002), Result::Newer);
	CHECK_EQ(validator.GetExpected(), 2);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 1002);
}

TEST(probation_starts_over_on_a_packet_out_of_sequence) {
	RtpSequenceValidator validator(3);
	CHECK_EQ(validator.Update(10), Result::Probation);
	CHECK_EQ(validator.Update(12), Result::Probation); // not 11: two more needed after 12
	CHECK_EQ(validator.Update(13), Result::Probation);
	CHECK(!validator.IsValid());
	CHECK_EQ(validator.Update(14), Result::Newer);
	CHECK(validator.IsValid());
	CHECK_EQ(validator.GetExtendedHighest(), 14);
	CHECK_EQ(validator.GetExpected(), 1);

	// MIN_SEQUENTIAL = 2: two sources' worth of noise never validates.
	RtpSequenceValidator noisy;
	CHECK_EQ(noisy.Update(500), Result::Probation);
	CHECK_EQ(noisy.Update(9000), Result::Probation);
	CHECK_EQ(noisy.Update(30), Result::Probation);
	CHECK(!noisy.IsValid());
	CHECK_EQ(noisy.Update(31), Result::Newer);
	CHECK(noisy.IsValid());
}

TEST(probation_of_one_accepts_the_first_packet) {
	RtpSequenceValidator validator(1);
	CHECK_EQ(validator.Update(777), Result::Newer);
	CHECK(validator.IsValid());
	CHECK_EQ(validator.GetReceived(), 1);
	CHECK_EQ(validator.GetExpected(), 1);
	RtpSequenceValidator zero(0); // treated as 1
	CHECK_EQ(zero.Update(0), Result::Newer);
}

TEST(probation_across_the_wrap) {
	RtpSequenceValidator validator;
	CHECK_EQ(validator.Update(65535), Result::Probation);
	CHECK_EQ(validator.Update(0), Result::Newer);
	CHECK_EQ(validator.GetExtendedHighest(), 0); // the space starts at 0 (init_seq)
	CHECK_EQ(validator.Update(1), Result::Newer);
	CHECK_EQ(validator.GetExpected(), 2);
}

TEST(wraps_at_65535_and_counts_cycles) {
	RtpSequenceValidator validator(1);
	CHECK_EQ(FeedInOrder(validator, 65530, 6), 0); // 65530..65535
	CHECK_EQ(validator.GetCycles(), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 65535);
	CHECK_EQ(validator.Update(0), Result::Newer);
	CHECK_EQ(validator.GetCycles(), 1);
	CHECK_EQ(validator.GetHighest(), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 0x10000);
	CHECK_EQ(FeedInOrder(validator, 1, 13), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 0x10000 + 13);
	CHECK_EQ(validator.GetExpected(), 20);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
	// Three more whole cycles.
	CHECK_EQ(FeedInOrder(validator, 14, 3 * 65536), 0);
	CHECK_EQ(validator.GetCycles(), 4);
	CHECK_EQ(validator.GetExtendedHighest(), 4u * 0x10000u + 13);
	CHECK_EQ(validator.GetReceived(), 20u + 3 * 65536u);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
}

TEST(a_gap_across_the_wrap_is_loss) {
	RtpSequenceValidator validator(1);
	validator.Update(65500);
	CHECK_EQ(validator.Update(20), Result::Newer); // 56 ahead: 65501..19 lost
	CHECK_EQ(validator.GetCycles(), 1);
	CHECK_EQ(validator.GetExtendedHighest(), 0x10000 + 20);
	CHECK_EQ(validator.GetCumulativeLost(), 55);
	// A late packet from before the wrap: reordered, not a cycle back.
	CHECK_EQ(validator.Update(65510), Result::Older);
	CHECK_EQ(validator.GetCycles(), 1);
	CHECK_EQ(validator.GetCumulativeLost(), 54);
}

TEST(gap_up_to_max_dropout_is_loss_beyond_is_a_jump) {
	RtpSequenceValidator validator(1);
	validator.Update(1000);
	CHECK_EQ(validator.Update(1000 + 2999), Result::Newer);
	CHECK_EQ(validator.GetCumulativeLost(), 2998);
	CHECK_EQ(validator.Update(1000 + 2999 + 3000), Result::Jump); // MAX_DROPOUT ahead
	CHECK_EQ(validator.GetHighest(), 3999);
	CHECK_EQ(validator.GetReceived(), 2); // a jump is not counted
}

TEST(reordering_within_max_misorder) {
	RtpSequenceValidator validator(1);
	validator.Update(100);
	CHECK_EQ(validator.Update(105), Result::Newer); // 101..104 missing
	CHECK_EQ(validator.GetCumulativeLost(), 4);
	CHECK_EQ(validator.Update(102), Result::Older); // late
	CHECK_EQ(validator.Update(101), Result::Older);
	CHECK_EQ(validator.GetExtendedHighest(), 105);
	CHECK_EQ(validator.GetCumulativeLost(), 2);
	CHECK_EQ(validator.Update(106), Result::Newer);
	// 99 behind is misorder; 100 behind is a jump (udelta <= RTP_SEQ_MOD - MAX_MISORDER).
	CHECK_EQ(FeedInOrder(validator, 107, 200), 0); // highest 306
	CHECK_EQ(validator.Update(207), Result::Older);
	CHECK_EQ(validator.Update(206), Result::Jump);
	CHECK_EQ(validator.GetHighest(), 306);
}

TEST(duplicates_are_counted_as_received) {
	RtpSequenceValidator validator(1);
	FeedInOrder(validator, 10, 5); // 10..14
	CHECK_EQ(validator.Update(14), Result::Duplicate);
	CHECK_EQ(validator.Update(12), Result::Older);
	CHECK_EQ(validator.GetHighest(), 14);
	CHECK_EQ(validator.GetReceived(), 7);
	// RFC 3550 §6.4.1: duplicates can make the cumulative loss negative.
	CHECK_EQ(validator.GetCumulativeLost(), -2);
}

TEST(misorder_window_is_configurable) {
	RtpSequenceValidator narrow(1, 100);
	RtpSequenceValidator wide(1, 10000);
	RtpSequenceValidator clamped(1, 65000); // at most 0x10000 - MAX_DROPOUT
	for (uint16_t s = 0; s < 1000; ++s) {
		narrow.Update(s);
		wide.Update(s);
		clamped.Update(s);
	}
	// 500 behind: a retransmission a round trip late at a high packet rate.
	CHECK_EQ(narrow.Update(499), Result::Jump);
	CHECK_EQ(wide.Update(499), Result::Older);
	CHECK_EQ(wide.Update(static_cast<uint16_t>(999 + 2999 + 3000)), Result::Jump);
	// With the widest window a packet 3000 ahead is still a jump, not misorder.
	CHECK_EQ(clamped.Update(999 + 3000), Result::Jump);
}

TEST(a_stray_jump_changes_nothing) {
	RtpSequenceValidator validator(1);
	FeedInOrder(validator, 1000, 10); // 1000..1009
	CHECK_EQ(validator.Update(40000), Result::Jump);
	CHECK_EQ(validator.GetExtendedHighest(), 1009);
	CHECK_EQ(validator.GetReceived(), 10);
	CHECK_EQ(validator.Update(1010), Result::Newer);
	// Another stray, not following the first: a new pending jump, no resync.
	CHECK_EQ(validator.Update(50000), Result::Jump);
	CHECK_EQ(validator.Update(1011), Result::Newer);
	CHECK_EQ(validator.GetResyncCount(), 0);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 1011);
	// A.1 keeps bad_seq across in-order packets: the packet after the last stray
	// confirms it even with an in-order packet between them.
	CHECK_EQ(validator.Update(50001), Result::Resync);
	CHECK_EQ(validator.GetResyncCount(), 1);
}

TEST(jump_forwards_then_resync_after_two_sequential_packets) {
	RtpSequenceValidator validator(1);
	CHECK_EQ(FeedInOrder(validator, 1000, 100), 0); // 1000..1099
	CHECK_EQ(validator.Update(1090), Result::Older);
	// The sender restarted at 40000 (A.1: "two sequential packets -- assume that the
	// other side restarted without telling us").
	CHECK_EQ(validator.Update(40000), Result::Jump);
	CHECK_EQ(validator.Update(40001), Result::Resync);
	CHECK_EQ(validator.GetResyncCount(), 1);
	// The new space starts at the held packet: both counted.
	CHECK_EQ(validator.GetHighest(), 40001);
	CHECK_EQ(validator.GetExtendedHighest(), 40001);
	CHECK_EQ(validator.GetExpected(), 2);
	CHECK_EQ(validator.GetReceived(), 2);
	CHECK_EQ(validator.GetCumulativeLost(), -1); // the duplicate 1090, from before
	CHECK_EQ(FeedInOrder(validator, 40002, 198), 0);
	CHECK_EQ(validator.GetExtendedHighest(), 40199);
	CHECK_EQ(validator.GetExpected(), 200);
	CHECK_EQ(validator.GetCumulativeLost(), -1);
	// Late packets of the old sequence are jumps now, and do not restart anything alone.
	CHECK_EQ(validator.Update(1099), Result::Jump);
	CHECK_EQ(validator.Update(40200), Result::Newer);
	CHECK_EQ(validator.GetResyncCount(), 1);
}

TEST(jump_backwards_then_resync) {
	RtpSequenceValidator validator(1);
	FeedInOrder(validator, 30000, 50);          // 30000..30049
	CHECK_EQ(validator.Update(29900), Result::Jump); // 149 behind: beyond MAX_MISORDER
	CHECK_EQ(validator.Update(29901), Result::Resync);
	CHECK_EQ(validator.GetExtendedHighest(), 29901);
	CHECK_EQ(validator.GetExpected(), 2);
	CHECK_EQ(validator.Update(29902), Result::Newer);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
	// 30049 is now 147 ahead: an ordinary gap of the new sequence.
	CHECK_EQ(validator.Update(30049), Result::Newer);
	CHECK_EQ(validator.GetCumulativeLost(), 146);
}

TEST(resync_across_the_wrap) {
	RtpSequenceValidator validator(1);
	FeedInOrder(validator, 20000, 10);
	// The new sequence starts at 65535 and wraps on its second packet.
	CHECK_EQ(validator.Update(65535), Result::Jump);
	CHECK_EQ(validator.Update(0), Result::Resync);
	CHECK_EQ(validator.GetExpected(), 2);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
	CHECK_EQ(validator.Update(1), Result::Newer);
	CHECK_EQ(validator.GetExpected(), 3);
	CHECK_EQ(validator.GetCycles(), 1);
	CHECK_EQ(validator.GetCumulativeLost(), 0);
}

TEST(resync_keeps_earlier_loss_and_counts_later_loss) {
	RtpSequenceValidator validator(1);
	validator.Update(100);
	validator.Update(103); // 101, 102 lost
	CHECK_EQ(validator.GetCumulativeLost(), 2);
	CHECK_EQ(validator.Update(9000), Result::Jump);
	CHECK_EQ(validator.Update(9001), Result::Resync);
	CHECK_EQ(validator.GetCumulativeLost(), 2); // the jump is no loss
	CHECK_EQ(validator.Update(9005), Result::Newer);
	CHECK_EQ(validator.GetCumulativeLost(), 5);
	CHECK_EQ(validator.GetExpected(), 6); // 9000..9005
	CHECK_EQ(validator.GetReceived(), 3);
}

TEST(no_jump_rules_before_validation_and_late_packets_counted) {
	RtpSequenceValidator validator;
	validator.CountLatePacket(); // not valid yet: nothing to count against
	CHECK_EQ(validator.GetReceived(), 0);
	validator.Update(5);
	validator.Update(6);
	validator.Update(20);
	validator.CountLatePacket(); // e.g. a NACKed packet 7 arriving by RTX
	CHECK_EQ(validator.GetReceived(), 3);
	CHECK_EQ(validator.GetCumulativeLost(), 12);
}

TEST(owner_restart_starts_a_new_space_at_the_packet) {
	RtpSequenceValidator validator(1);
	validator.Update(100);
	validator.Update(103); // 101, 102 lost
	validator.Restart(700);
	CHECK_EQ(validator.GetResyncCount(), 1);
	CHECK_EQ(validator.GetExtendedHighest(), 700);
	CHECK_EQ(validator.GetExpected(), 1);
	CHECK_EQ(validator.GetReceived(), 1);
	CHECK_EQ(validator.GetCumulativeLost(), 2); // kept, and the 596 skipped are no loss
	CHECK_EQ(validator.Update(701), Result::Newer);
	CHECK_EQ(validator.Update(103), Result::Jump); // the old sequence is far now
	CHECK_EQ(validator.GetCumulativeLost(), 2);
	// Before any packet: a valid source at once.
	RtpSequenceValidator fresh;
	fresh.Restart(9);
	CHECK(fresh.IsValid());
	CHECK_EQ(fresh.Update(10), Result::Newer);
	CHECK_EQ(fresh.GetCumulativeLost(), 0);
}
