#pragma once
// The packets a sending stream may be asked to retransmit (RFC 4585 §6.2.1 Generic
// NACK, answered as in RFC 4588): copies of the RTP packets as they left the stream
// (header already rewritten for the consumer, not yet SRTP-protected), indexed by
// sequence number.
//
// Bounded by count and by age. Slots form a ring indexed by the low bits of the
// sequence number, which is O(1) for both Store and Get and never needs eviction: a
// consumer's outgoing sequence numbers are contiguous, so a slot is overwritten by the
// packet `capacity` numbers later. Memory is taken on the first Store (a stream with
// NACK disabled, or one that never sends, costs a few bytes) and each slot keeps its
// storage for the next packet, so once warmed up Store does not allocate.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mediaplane {

class RetransmissionBuffer {
public:
	// Larger packets are not stored: beyond an Ethernet MTU the packet was already
	// fragmented on the way out, and no WebRTC sender produces one.
	static constexpr size_t kMaxPacketLength = 1500;
	static constexpr uint64_t kDefaultMaxAgeMs = 2000;

	struct Stored {
		std::vector<uint8_t> data; // the packet; size() is its length
		uint64_t storedAtMs = 0;
		uint64_t lastResentMs = 0;
		uint32_t resendCount = 0;
		uint16_t seq = 0;
		bool used = false;

		const uint8_t* GetData() const { return data.data(); }
		size_t GetLength() const { return data.size(); }
	};

	// maxPackets is rounded up to a power of two (1000 -> 1024), at most 32768.
	explicit RetransmissionBuffer(size_t maxPackets = 1000, uint64_t maxAgeMs = kDefaultMaxAgeMs);

	// Copies the packet in, replacing whatever its slot held. Returns false (nothing
	// stored) for an empty or oversized packet.
	bool Store(const uint8_t* packet, size_t len, uint16_t seq, uint64_t nowMs);
	// The stored packet with this sequence number, or nullptr when it was never stored,
	// was overwritten, or is older than the maximum age at nowMs.
	const Stored* Get(uint16_t seq, uint64_t nowMs) const;
	// Records a retransmission of a stored packet (no effect if it is not stored).
	void MarkResent(uint16_t seq, uint64_t nowMs);
	// Forgets every packet; the storage is kept for reuse.
	void Clear();

	size_t GetCapacity() const { return mask_ + 1; }
	uint64_t GetMaxAgeMs() const { return maxAgeMs_; }
	// Bytes held (slot storage, whether in use or not); 0 before the first Store.
	size_t GetMemoryBytes() const;

private:
	Stored* Slot(uint16_t seq) const { return slots_ ? &slots_[seq & mask_] : nullptr; }

	size_t mask_;
	uint64_t maxAgeMs_;
	std::unique_ptr<Stored[]> slots_;
};

} // namespace mediaplane
