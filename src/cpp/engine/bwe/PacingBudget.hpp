#pragma once
// A leaky bucket for pacing what the engine sends on its own initiative
// (retransmissions, probes, padding): bytes are allowed at `rate` bps, with a burst of
// at most params.burstMs of that rate (40 ms by default: one or two video frames'
// worth, the order of what browsers' pacers allow; our choice). Nothing is queued here:
// the caller asks CanSend() and, if it sends, reports OnSent(). Sans-I/O: the caller
// passes the time; no timers, no allocation.
//
// A packet larger than the whole burst is allowed when the bucket is full, so that a
// very low rate never blocks a large packet forever (the debt is paid afterwards: the
// level goes negative and refills at the rate).

#include <cstdint>

namespace mediaplane {
namespace bwe {

class PacingBudget {
public:
	struct Params {
		int64_t burstMs = 40;
	};

	explicit PacingBudget(uint32_t rateBps) : PacingBudget(rateBps, Params()) {}
	PacingBudget(uint32_t rateBps, const Params& params);

	void SetRate(uint32_t rateBps, int64_t nowMs);
	uint32_t GetRate() const { return this->rateBps; }
	bool CanSend(uint32_t sizeBytes, int64_t nowMs);
	void OnSent(uint32_t sizeBytes, int64_t nowMs);
	// Milliseconds until `sizeBytes` may be sent (0: now), for the caller's timer.
	int64_t TimeUntilMs(uint32_t sizeBytes, int64_t nowMs);
	// Bytes that may be sent now (0 when in debt).
	int64_t GetAvailableBytes(int64_t nowMs);

private:
	void Refill(int64_t nowMs);
	double Capacity() const;

	Params params;
	uint32_t rateBps;
	double levelBytes; // may go negative (debt)
	int64_t lastMs = -1;
};

} // namespace bwe
} // namespace mediaplane
