#pragma once
// The receiving side of transport-wide congestion control for one transport: records
// when each RTP packet carrying the transport-wide sequence number arrived and, on
// each tick, turns everything since the last feedback into TransportCcFeedback packets
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), so that the sending
// endpoint's bandwidth estimator can work.
//
// Each sequence number is reported once: packets that arrive after their number was
// reported as missing are not reported again. A jump larger than kMaxGap restarts the
// reporting at the new number (the sender restarted or the number is bogus). Pure
// logic: the owner supplies arrival times and sends the bytes.

#include <cstddef>
#include <climits>
#include <cstdint>
#include <functional>
#include <vector>

#include "../rtcp/TransportCcFeedback.hpp"

namespace mediaplane {

class TransportCcReceiver {
public:
	// More missing numbers than this in a row are not reported one by one.
	static constexpr int64_t kMaxGap = 1000;
	// Feedback packets stay under this size (one datagram with SRTCP overhead).
	static constexpr size_t kMaxFeedbackSize = 1100;
	// Arrivals waiting for feedback, indexed by sequence number modulo this (64 KiB,
	// allocated with the first packet: recording a packet does not allocate).
	static constexpr size_t kWindow = 8192;

	void OnPacket(uint16_t sequenceNumber, int64_t arrivalUs);
	bool HasPending() const { return nextToReport_ >= 0 && nextToReport_ <= highest_; }
	// Builds feedback for everything pending and hands each packet to `send`.
	void SendFeedback(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t* buffer,
	                  const std::function<void(const uint8_t*, size_t)>& send);

	uint64_t GetFeedbackPacketsSent() const { return feedbackPacketsSent_; }

private:
	static constexpr int64_t kNotReceived = INT64_MIN;

	int64_t Unwrap(uint16_t sequenceNumber);
	int64_t& Slot(int64_t seq) { return arrivals_[static_cast<size_t>(seq) & (kWindow - 1)]; }
	void Forget(int64_t from, int64_t to); // marks [from, to) not received

	bool started_ = false;
	int64_t lastUnwrapped_ = 0;
	int64_t nextToReport_ = -1; // the first number not reported yet; -1 before any packet
	int64_t highest_ = -1;      // the highest number received
	std::vector<int64_t> arrivals_; // arrival time (us) or kNotReceived
	uint8_t feedbackPacketCount_ = 0;
	uint64_t feedbackPacketsSent_ = 0;
};

} // namespace mediaplane
