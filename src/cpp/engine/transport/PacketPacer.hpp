#pragma once
// The pacer of a WebRtcTransport's outgoing RTP (issue 12). While the path towards the
// endpoint shows congestion, packets leave at most at a pacing rate (a multiple of the
// send-side estimate, set by the transport); what does not fit the budget waits here,
// first in first out, copied. An SFU forwards a key frame in the burst in which it
// arrived, from a publisher whose own link is wide: behind a 600 kbps bottleneck with
// ~100 ms of bucket and queue, a VP9 SVC key frame lost half its packets at every
// try, and page B decoded nothing for 14 s (test/bwe/constrained-browser.acceptance.js).
// Paced, the same frame takes a few hundred milliseconds and arrives.
//
// With no rate set (0: the path is open) nothing waits: TrySendNow() is true whenever
// the queue is empty, and whatever is queued may all leave at once. The queue is
// bounded in packets (Enqueue() refuses beyond it: the caller sends at once, as without
// a pacer) and in time: it drains at least at the rate that sends everything queued
// before the head has waited params.maxQueueMs, so a low estimate never builds seconds
// of delay.
//
// Sans-I/O: the caller passes the time and runs its own timer on NextDelayMs(). Queue
// buffers are recycled (no allocation per packet once the queue has been used).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "../bwe/PacingBudget.hpp"

namespace mediaplane {

class PacketPacer {
public:
	struct Params {
		int64_t burstMs = 20;      // budget burst at the pacing rate (a packet or two at 600 kbps)
		size_t maxPackets = 2048;  // about 2.5 MB of 1200-byte packets
		int64_t maxQueueMs = 500;  // drain at least this fast (our choice: a key frame of a
		                           // few hundred kB at a low estimate is not held for seconds)
	};
	// A queued packet; `data` holds `capacity` bytes, of which `length` are the packet (the
	// rest is room for the SRTP tag, which the transport appends in place).
	struct Packet {
		std::unique_ptr<uint8_t[]> data;
		size_t length = 0;
		size_t capacity = 0;
		int32_t transportSequence = -1; // the transport-wide number it carries, -1: none
		bool retransmission = false;
		int64_t enqueuedMs = 0;
	};

	PacketPacer() : PacketPacer(Params()) {}
	explicit PacketPacer(const Params& params);

	// The pacing rate in bps; 0: not pacing.
	void SetRate(uint32_t rateBps, int64_t nowMs);
	uint32_t GetRate() const { return this->rateBps; }
	// True when a packet of `length` bytes may leave now: nothing is queued before it and
	// it fits the budget (which it then uses).
	bool TrySendNow(size_t length, int64_t nowMs);
	// Copies the packet to the back of the queue, with room for `capacity` bytes (at most
	// length + kMaxTrailer). False when the queue is full: send it at once.
	bool Enqueue(const uint8_t* data, size_t length, size_t capacity, int32_t transportSequence, bool retransmission,
	             int64_t nowMs);
	// Moves the head of the queue into `out` when it may leave now (using the budget).
	bool PopReady(int64_t nowMs, Packet& out);
	// Gives a popped packet's buffer back for reuse.
	void Recycle(Packet& packet);
	// Milliseconds until the head may leave (0: now), -1 when the queue is empty.
	int64_t NextDelayMs(int64_t nowMs);
	bool IsEmpty() const { return this->queue.empty(); }
	size_t GetQueuedPackets() const { return this->queue.size(); }
	size_t GetQueuedBytes() const { return this->queuedBytes; }
	// Packets that waited, since creation.
	uint64_t GetPacedPackets() const { return this->pacedPackets; }

	static constexpr size_t kMaxTrailer = 256; // SRTP tag and MKI, with room to spare

private:
	// The rate in force: the pacing rate, or what drains the queue by the head's deadline.
	void ApplyDrainRate(int64_t nowMs);
	std::unique_ptr<uint8_t[]> TakeBuffer(size_t capacity);

	static constexpr size_t kPooledCapacity = 1500 + kMaxTrailer;
	static constexpr size_t kMaxPooledBuffers = 256;

	Params params;
	uint32_t rateBps = 0;
	bwe::PacingBudget budget;
	std::deque<Packet> queue;
	size_t queuedBytes = 0;
	uint64_t pacedPackets = 0;
	std::vector<std::unique_ptr<uint8_t[]>> pool; // buffers of kPooledCapacity bytes
};

} // namespace mediaplane
