#pragma once
// The packets a sending stream may be asked to retransmit (RFC 4585 §6.2.1 Generic
// NACK, answered as in RFC 4588): the RTP packets as they left the stream (header
// already rewritten for the consumer, not yet SRTP-protected), indexed by sequence
// number. A packet is kept as its own leading bytes (the consumer's header and, when
// given a shared tail, the start of the payload) plus an optional reference to the rest,
// shared with every other consumer of the same producer packet (SharedPacketBytes).
//
// Bounded by count and by age. Slots form a ring indexed by the low bits of the
// sequence number, which is O(1) for both Store and Get and never needs eviction: a
// consumer's outgoing sequence numbers are contiguous, so a slot is overwritten by the
// packet `capacity` numbers later. The ring starts small and doubles (up to the
// maximum) when a Store would overwrite a packet still younger than the maximum age, so
// it holds about what the stream sends in that time: a 150-packets/s video stream
// settles at 512 slots, a 50-packets/s audio one at 128. Memory is taken on the first
// Store (a stream with NACK disabled, or one that never sends, costs a few bytes) and
// each slot keeps its storage for the next packet, so once warmed up Store does not
// allocate.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "SharedPacketBytes.hpp"

namespace mediaplane {

class RetransmissionBuffer {
public:
	// Larger packets are not stored: beyond an Ethernet MTU the packet was already
	// fragmented on the way out, and no WebRTC sender produces one.
	static constexpr size_t kMaxPacketLength = 1500;
	static constexpr uint64_t kDefaultMaxAgeMs = 2000;

	struct Stored {
		std::vector<uint8_t> head; // the packet's own leading bytes (all of it without a tail)
		SharedPacketBytes tail;    // the rest, shared; empty when the head is the whole packet
		uint64_t storedAtMs = 0;
		uint64_t lastResentMs = 0;
		uint32_t resendCount = 0;
		uint16_t seq = 0;
		bool used = false;

		const uint8_t* GetHeadData() const { return head.data(); }
		size_t GetLength() const { return head.size() + tail.GetLength(); }
		// Writes the whole packet to `out` (GetLength() bytes).
		void CopyTo(uint8_t* out) const;
	};

	// maxPackets is rounded up to a power of two (1000 -> 1024), at most 32768.
	explicit RetransmissionBuffer(size_t maxPackets = 1000, uint64_t maxAgeMs = kDefaultMaxAgeMs);
	// The ring's first size (it grows from there, see above).
	static constexpr size_t kInitialCapacity = 64;

	// Copies the packet in, replacing whatever its slot held. With `tail`, the packet's
	// last tail->GetLength() bytes must equal the tail's bytes: only the bytes before
	// them are copied, and the tail is referenced. Returns false (nothing stored) for an
	// empty or oversized packet.
	bool Store(const uint8_t* packet, size_t len, uint16_t seq, uint64_t nowMs,
	           const SharedPacketBytes* tail = nullptr);
	// The stored packet with this sequence number, or nullptr when it was never stored,
	// was overwritten, or is older than the maximum age at nowMs.
	const Stored* Get(uint16_t seq, uint64_t nowMs) const;
	// Records a retransmission of a stored packet (no effect if it is not stored).
	void MarkResent(uint16_t seq, uint64_t nowMs);
	// Forgets every packet (and its tail references); the head storage is kept for reuse.
	void Clear();

	// Slots now (0 before the first Store) and at most.
	size_t GetCapacity() const { return slots_ ? mask_ + 1 : 0; }
	size_t GetMaxCapacity() const { return maxCapacity_; }
	uint64_t GetMaxAgeMs() const { return maxAgeMs_; }
	// Bytes held by this buffer (slots and head storage, in use or not; shared tails not
	// counted); 0 before the first Store.
	size_t GetMemoryBytes() const;

private:
	Stored* Slot(uint16_t seq) const { return slots_ ? &slots_[seq & mask_] : nullptr; }
	void Grow();

	size_t maxCapacity_;
	size_t mask_ = 0;
	uint64_t maxAgeMs_;
	std::unique_ptr<Stored[]> slots_;
};

} // namespace mediaplane
