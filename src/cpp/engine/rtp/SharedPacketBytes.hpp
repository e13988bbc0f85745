#pragma once
// Bytes of one forwarded packet shared, by reference count, between the retransmission
// buffers of every consumer that forwarded it.
//
// Why: each consumer must be able to resend what it sent, and what it sent differs
// from the other consumers' copies only in the RTP header (and, for simulcast VP8, in
// the first bytes of the payload descriptor). Keeping a whole copy per consumer cost
// one 1.2 KB memcpy per packet per consumer and ~1.5 MB per video consumer once its
// buffer was warm. Now a packet's payload is copied once, when the first consumer stores
// it, and each consumer keeps only its own header bytes plus a reference.
//
// Single-threaded by design: a worker thread's objects never leave it, so the count is
// a plain integer. Blocks come from a per-thread free list, so a warm worker does not
// allocate per packet.

#include <cstddef>
#include <cstdint>

namespace mediaplane {

class SharedPacketBytes {
public:
	static constexpr size_t kMaxLength = 1500;

	SharedPacketBytes() = default;
	// A new block holding a copy of `len` bytes (len <= kMaxLength; more is truncated).
	static SharedPacketBytes Copy(const uint8_t* data, size_t len);

	SharedPacketBytes(const SharedPacketBytes& other) : block_(other.block_) { AddRef(); }
	SharedPacketBytes(SharedPacketBytes&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
	SharedPacketBytes& operator=(const SharedPacketBytes& other);
	SharedPacketBytes& operator=(SharedPacketBytes&& other) noexcept;
	~SharedPacketBytes() { Release(); }

	bool IsEmpty() const { return block_ == nullptr; }
	const uint8_t* GetData() const;
	size_t GetLength() const;
	// References held (for tests).
	uint32_t GetRefCount() const;
	void Reset() { Release(); }

	// Blocks kept for reuse on this thread (for tests and memory accounting).
	static size_t GetFreeBlockCount();

private:
	struct Block;
	explicit SharedPacketBytes(Block* block) : block_(block) {}
	void AddRef();
	void Release();

	Block* block_ = nullptr;
};

} // namespace mediaplane
