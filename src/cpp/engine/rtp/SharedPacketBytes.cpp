#include "SharedPacketBytes.hpp"

#include <cstring>
#include <new>
#include <vector>

namespace mediaplane {

struct SharedPacketBytes::Block {
	uint32_t refCount = 0;
	uint32_t length = 0;
	uint8_t data[kMaxLength];
};

namespace {

// Freed blocks of this thread, reused before allocating. Bounded so that a burst
// (many streams' history at once) does not stay reserved for ever.
constexpr size_t kMaxFreeBlocks = 4096;

struct FreeList {
	std::vector<void*> blocks;
	~FreeList() {
		for (void* block : blocks) ::operator delete(block);
	}
};

FreeList& ThreadFreeList() {
	static thread_local FreeList list;
	return list;
}

} // namespace

SharedPacketBytes SharedPacketBytes::Copy(const uint8_t* data, size_t len) {
	if (len > kMaxLength) len = kMaxLength;
	FreeList& list = ThreadFreeList();
	void* memory;
	if (!list.blocks.empty()) {
		memory = list.blocks.back();
		list.blocks.pop_back();
	} else {
		memory = ::operator new(sizeof(Block));
	}
	Block* block = new (memory) Block;
	block->refCount = 1;
	block->length = static_cast<uint32_t>(len);
	if (len > 0) std::memcpy(block->data, data, len);
	return SharedPacketBytes(block);
}

SharedPacketBytes& SharedPacketBytes::operator=(const SharedPacketBytes& other) {
	if (block_ != other.block_) {
		Release();
		block_ = other.block_;
		AddRef();
	}
	return *this;
}

SharedPacketBytes& SharedPacketBytes::operator=(SharedPacketBytes&& other) noexcept {
	if (this != &other) {
		Release();
		block_ = other.block_;
		other.block_ = nullptr;
	}
	return *this;
}

const uint8_t* SharedPacketBytes::GetData() const { return block_ ? block_->data : nullptr; }
size_t SharedPacketBytes::GetLength() const { return block_ ? block_->length : 0; }
uint32_t SharedPacketBytes::GetRefCount() const { return block_ ? block_->refCount : 0; }

void SharedPacketBytes::AddRef() {
	if (block_) ++block_->refCount;
}

void SharedPacketBytes::Release() {
	if (!block_) return;
	if (--block_->refCount == 0) {
		block_->~Block();
		FreeList& list = ThreadFreeList();
		if (list.blocks.size() < kMaxFreeBlocks) list.blocks.push_back(block_);
		else ::operator delete(block_);
	}
	block_ = nullptr;
}

size_t SharedPacketBytes::GetFreeBlockCount() { return ThreadFreeList().blocks.size(); }

} // namespace mediaplane
