#pragma once
// The retransmission timeout of RFC 9260 §6.3: SRTT/RTTVAR from RTT measurements
// (§6.3.1), exponential back-off on expiry (§6.3.3 E2), bounded by RTO.Min/RTO.Max.

#include <cstdint>

namespace mediaplane {
namespace sctp {

class RetransmissionTimeout {
public:
	RetransmissionTimeout(uint32_t initialMs, uint32_t minMs, uint32_t maxMs);
	// §6.3.1 C2/C3 (alpha 1/8, beta 1/4); the caller applies Karn's rule (C5: only
	// chunks sent once are measured).
	void OnRttMeasured(uint32_t rttMs);
	// §6.3.3 E2: RTO = min(RTO * 2, RTO.Max).
	void BackOff();
	uint32_t Rto() const { return rto; }
	uint32_t SrttMs() const { return srtt; }
	bool HasMeasurement() const { return measured; }

private:
	uint32_t Clamp(uint64_t value) const;
	uint32_t minMs;
	uint32_t maxMs;
	uint32_t rto;
	uint32_t srtt = 0;
	uint32_t rttvar = 0;
	bool measured = false;
};

} // namespace sctp
} // namespace mediaplane
