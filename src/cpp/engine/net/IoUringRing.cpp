#include "IoUringRing.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

// Flags newer than the kernel headers of an old build sysroot: the values are kernel
// ABI, and a kernel that does not know one rejects it with EINVAL (handled below).
#ifndef IORING_SETUP_SUBMIT_ALL
#define IORING_SETUP_SUBMIT_ALL (1U << 7)
#endif
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN (1U << 8)
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif

namespace mediaplane {

namespace {

int SetUp(unsigned entries, io_uring_params* params) {
	return static_cast<int>(syscall(__NR_io_uring_setup, entries, params));
}

int Enter(int fd, unsigned toSubmit, unsigned minComplete, unsigned flags) {
	long result = syscall(__NR_io_uring_enter, fd, toSubmit, minComplete, flags, nullptr, 0);
	return result < 0 ? -errno : static_cast<int>(result);
}

} // namespace

std::unique_ptr<IoUringRing> IoUringRing::Create(unsigned entries, std::string* error) {
	// Only this thread submits (SINGLE_ISSUER, 6.0+), completions need no interrupt of
	// the thread (COOP_TASKRUN, 5.19+), and one bad entry does not stop the batch behind
	// it (SUBMIT_ALL, 5.18+). Older kernels reject unknown flags with EINVAL: then try
	// with fewer.
	const unsigned flagSets[] = {
		IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
		0,
	};
	io_uring_params params;
	int fd = -1;
	for (unsigned flags : flagSets) {
		std::memset(&params, 0, sizeof(params));
		params.flags = flags;
		fd = SetUp(entries, &params);
		if (fd >= 0 || errno != EINVAL) break;
	}
	if (fd < 0) {
		*error = std::string("io_uring_setup: ") + std::strerror(errno);
		return nullptr;
	}
	// One mapping for both rings (IORING_FEAT_SINGLE_MMAP, 5.4+; Create() needs 5.6 for
	// IORING_OP_SEND anyway).
	if (!(params.features & IORING_FEAT_SINGLE_MMAP)) {
		close(fd);
		*error = "io_uring without IORING_FEAT_SINGLE_MMAP (kernel older than 5.4)";
		return nullptr;
	}
	std::unique_ptr<IoUringRing> ring(new IoUringRing());
	ring->fd_ = fd;
	size_t sqBytes = params.sq_off.array + params.sq_entries * sizeof(unsigned);
	size_t cqBytes = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
	ring->ringBytes_ = sqBytes > cqBytes ? sqBytes : cqBytes;
	void* memory = mmap(nullptr, ring->ringBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
	                    IORING_OFF_SQ_RING);
	if (memory == MAP_FAILED) {
		*error = std::string("io_uring ring mmap: ") + std::strerror(errno);
		return nullptr; // the destructor closes the fd
	}
	ring->ringMemory_ = memory;
	ring->sqesBytes_ = params.sq_entries * sizeof(io_uring_sqe);
	void* sqes = mmap(nullptr, ring->sqesBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
	                  IORING_OFF_SQES);
	if (sqes == MAP_FAILED) {
		*error = std::string("io_uring sqe mmap: ") + std::strerror(errno);
		return nullptr;
	}
	ring->sqes_ = static_cast<io_uring_sqe*>(sqes);
	auto* base = static_cast<uint8_t*>(memory);
	ring->sqEntries_ = params.sq_entries;
	ring->sqHead_ = reinterpret_cast<unsigned*>(base + params.sq_off.head);
	ring->sqTail_ = reinterpret_cast<unsigned*>(base + params.sq_off.tail);
	ring->sqMask_ = *reinterpret_cast<unsigned*>(base + params.sq_off.ring_mask);
	ring->sqArray_ = reinterpret_cast<unsigned*>(base + params.sq_off.array);
	ring->cqHead_ = reinterpret_cast<unsigned*>(base + params.cq_off.head);
	ring->cqTail_ = reinterpret_cast<unsigned*>(base + params.cq_off.tail);
	ring->cqMask_ = *reinterpret_cast<unsigned*>(base + params.cq_off.ring_mask);
	ring->cqes_ = reinterpret_cast<io_uring_cqe*>(base + params.cq_off.cqes);
	return ring;
}

IoUringRing::~IoUringRing() {
	if (sqes_) munmap(sqes_, sqesBytes_);
	if (ringMemory_) munmap(ringMemory_, ringBytes_);
	if (fd_ >= 0) close(fd_);
}

io_uring_sqe* IoUringRing::NextSqe() {
	unsigned head = __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
	unsigned tail = *sqTail_ + queued_;
	if (tail - head >= sqEntries_) return nullptr;
	unsigned index = tail & sqMask_;
	io_uring_sqe* sqe = &sqes_[index];
	std::memset(sqe, 0, sizeof(*sqe));
	sqArray_[index] = index;
	++queued_;
	return sqe;
}

int IoUringRing::Submit() {
	// Publish the new tail (entries written since become visible to the kernel).
	unsigned tail = *sqTail_ + queued_;
	__atomic_store_n(sqTail_, tail, __ATOMIC_RELEASE);
	queued_ = 0;
	// Everything the kernel has not consumed yet, including entries an earlier call left
	// (a kernel without SUBMIT_ALL stops at an entry it cannot prepare).
	unsigned pending = tail - __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
	if (pending == 0) return 0;
	int result;
	do {
		result = Enter(fd_, pending, 0, 0);
	} while (result == -EINTR);
	return result;
}

int IoUringRing::WaitCompletions(unsigned count) {
	int result;
	do {
		result = Enter(fd_, 0, count, IORING_ENTER_GETEVENTS);
	} while (result == -EINTR);
	return result < 0 ? result : 0;
}

} // namespace mediaplane
