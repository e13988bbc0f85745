#include "RetransmissionTimeout.hpp"

namespace mediaplane {
namespace sctp {

RetransmissionTimeout::RetransmissionTimeout(uint32_t initialMs, uint32_t minMs, uint32_t maxMs)
	: minMs(minMs ? minMs : 1), maxMs(maxMs < minMs ? minMs : maxMs), rto(0) {
	rto = Clamp(initialMs); // §6.3.1 C1: RTO.Initial until the first measurement
}

uint32_t RetransmissionTimeout::Clamp(uint64_t value) const {
	// §6.3.1 C6/C7: RTO.Min <= RTO <= RTO.Max.
	if (value < minMs) return minMs;
	if (value > maxMs) return maxMs;
	return static_cast<uint32_t>(value);
}

void RetransmissionTimeout::OnRttMeasured(uint32_t rttMs) {
	if (!measured) {
		// §6.3.1 C2: SRTT = R, RTTVAR = R/2.
		srtt = rttMs;
		rttvar = rttMs / 2;
		measured = true;
	} else {
		// §6.3.1 C3: RTTVAR = (1 - 1/4) RTTVAR + 1/4 |SRTT - R'|, then SRTT = (1 - 1/8) SRTT + 1/8 R'.
		const uint32_t delta = srtt > rttMs ? srtt - rttMs : rttMs - srtt;
		rttvar = static_cast<uint32_t>((3ull * rttvar + delta) / 4);
		srtt = static_cast<uint32_t>((7ull * srtt + rttMs) / 8);
	}
	// §6.3.1 C4: RTTVAR no smaller than the clock granularity G (1 ms here).
	if (rttvar == 0) rttvar = 1;
	rto = Clamp(static_cast<uint64_t>(srtt) + 4ull * rttvar);
}

void RetransmissionTimeout::BackOff() {
	rto = Clamp(static_cast<uint64_t>(rto) * 2);
}

} // namespace sctp
} // namespace mediaplane
