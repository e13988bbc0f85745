// PacingBudget: leaky bucket of retransmissions/probes at a rate with a 40 ms burst.
#include "bwe/PacingBudget.hpp"
#include "check.hpp"

using namespace mediaplane::bwe;

TEST(pacing_budget_allows_the_rate_with_a_bounded_burst) {
	PacingBudget budget(1000000); // 1 Mbps: 5000 bytes per 40 ms burst
	int64_t now = 0;
	// The initial burst: 4 packets of 1200 bytes fit in 5000 bytes, the fifth not.
	int sent = 0;
	while (budget.CanSend(1200, now)) {
		budget.OnSent(1200, now);
		++sent;
	}
	CHECK_EQ(sent, 4);
	CHECK_GT(budget.TimeUntilMs(1200, now), 0);
	// Over 10 s, sending whenever allowed: ~1 Mbps.
	int64_t bytes = 0;
	for (now = 1; now <= 10000; ++now) {
		while (budget.CanSend(1200, now)) {
			budget.OnSent(1200, now);
			bytes += 1200;
		}
	}
	const double bps = bytes * 8.0 / 10.0;
	CHECK_GT(bps, 0.97e6);
	CHECK_LT(bps, 1.03e6);
	// Idle for a long time: still only one burst.
	now += 5000;
	sent = 0;
	while (budget.CanSend(1200, now)) {
		budget.OnSent(1200, now);
		++sent;
	}
	CHECK_EQ(sent, 4);
}

TEST(pacing_budget_rate_changes_oversized_packets_and_zero_rate) {
	PacingBudget budget(100000); // 500 bytes of burst
	int64_t now = 0;
	CHECK(budget.CanSend(1200, now)); // larger than the burst: allowed when full
	budget.OnSent(1200, now);
	CHECK(!budget.CanSend(100, now));
	CHECK_GT(budget.TimeUntilMs(1200, now), 40); // the debt is paid first
	budget.SetRate(0, now);
	CHECK(!budget.CanSend(1, now + 1000));
	CHECK_EQ(budget.GetAvailableBytes(now + 1000), 0);
	budget.SetRate(8000000, now + 1000); // 40000 bytes of burst, refills from here
	CHECK(budget.CanSend(1200, now + 1100));
	CHECK_EQ(budget.GetRate(), 8000000u);
	// A clock that goes back does not refill.
	PacingBudget back(1000000);
	back.OnSent(5000, 1000);
	CHECK(!back.CanSend(1200, 500));
}
