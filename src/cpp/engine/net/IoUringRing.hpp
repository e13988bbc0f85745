#pragma once
// A Linux io_uring submission/completion ring, driven by raw syscalls (no liburing: the
// kernel ABI in <linux/io_uring.h> is all it needs, and one less dependency to build
// for every prebuild target). Used by UdpSendBatcher to hand a whole loop turn's
// datagrams, across any number of sockets, to the kernel in one io_uring_enter(2).
//
// One ring per worker thread, used only from that thread. Create() returns nullptr where
// io_uring is missing or forbidden (kernels before 5.6, Docker's default seccomp
// profile, kernel.io_uring_disabled): callers then send another way.

#include <linux/io_uring.h>

#include <cstdint>
#include <memory>
#include <string>

namespace mediaplane {

class IoUringRing {
public:
	// entries: submission queue size (a power of two; the kernel rounds up). On failure
	// returns nullptr and sets *error (errno text).
	static std::unique_ptr<IoUringRing> Create(unsigned entries, std::string* error);
	~IoUringRing();

	IoUringRing(const IoUringRing&) = delete;
	IoUringRing& operator=(const IoUringRing&) = delete;

	// The next free submission entry, zeroed, or nullptr when the queue is full (submit
	// first). It is handed to the kernel by the next Submit().
	io_uring_sqe* NextSqe();
	// Entries queued since the last Submit().
	unsigned Queued() const { return queued_; }
	// Submits the queued entries (io_uring_enter, no waiting). Returns how many the
	// kernel took, or a negative errno.
	int Submit();
	// Waits until at least `count` completions are available (io_uring_enter with
	// IORING_ENTER_GETEVENTS). Returns 0 or a negative errno.
	int WaitCompletions(unsigned count);
	// Calls onCompletion(userData, result) for every completion posted so far and
	// frees their slots. Returns how many there were.
	template <typename F>
	unsigned DrainCompletions(F&& onCompletion) {
		unsigned head = *cqHead_;
		unsigned tail = __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE);
		unsigned count = 0;
		for (; head != tail; ++head, ++count) {
			const io_uring_cqe& cqe = cqes_[head & cqMask_];
			onCompletion(cqe.user_data, cqe.res);
		}
		__atomic_store_n(cqHead_, head, __ATOMIC_RELEASE);
		return count;
	}

	unsigned SubmissionEntries() const { return sqEntries_; }

private:
	IoUringRing() = default;

	int fd_ = -1;
	void* ringMemory_ = nullptr;
	size_t ringBytes_ = 0;
	io_uring_sqe* sqes_ = nullptr;
	size_t sqesBytes_ = 0;
	unsigned sqEntries_ = 0;
	unsigned* sqHead_ = nullptr;
	unsigned* sqTail_ = nullptr;
	unsigned sqMask_ = 0;
	unsigned* sqArray_ = nullptr;
	unsigned* cqHead_ = nullptr;
	unsigned* cqTail_ = nullptr;
	unsigned cqMask_ = 0;
	io_uring_cqe* cqes_ = nullptr;
	unsigned queued_ = 0;
};

} // namespace mediaplane
