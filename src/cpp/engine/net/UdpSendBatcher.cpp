#define MP_LOG_SOURCE "UdpSendBatcher"
#include "UdpSendBatcher.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "../common/CallbackGuard.hpp"
#include "../common/Logger.hpp"
#include "IoUringRing.hpp"
#include "UdpSocket.hpp"

namespace mediaplane {

namespace {

// A batch holds at most this many datagrams and bytes; a turn that produces more
// flushes early (a 500-consumer fan-out of one 1,200-byte packet: 3 batches). The
// io_uring submission queue has the same number of entries, so a batch always fits.
constexpr size_t kMaxDatagrams = 256;
constexpr size_t kArenaBytes = 256 * 1024;
// Larger datagrams (rare: UDP payloads above 64 KiB do not exist, but a DTLS flight or
// an SCTP packet can be large) are sent at once rather than crowd out the batch.
constexpr size_t kMaxBatchedDatagram = kArenaBytes / 4;
// How long the oldest queued datagram may wait for the rest of its turn's work. A
// fan-out is produced one copy at a time (with SRTP about 5 µs a copy here), so without
// a bound the first consumer of a 100-consumer fan-out would wait for all 100 copies
// (about 0.5 ms) before any leaves. Past the budget the batch goes out and the next one
// starts: a 100-copy SRTP fan-out leaves in ~5 batches instead of 1, at the cost of
// 4 more io_uring_enter calls (~1% of its CPU time; bench/forwarding.js measures both).
constexpr uint64_t kLatencyBudgetNs = 100 * 1000;
// The clock is read when a batch starts and then every this many datagrams (a read is
// ~40 ns here; a datagram ~3-5 µs of work).
constexpr size_t kClockEvery = 8;

thread_local UdpSendBatcher* currentBatcher = nullptr;

socklen_t AddressLength(const sockaddr* address) {
	return address->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

} // namespace

UdpSendBatcher::UdpSendBatcher(uv_loop_t* loop, bool allowIoUring) : arena_(new uint8_t[kArenaBytes]) {
	queue_.reserve(kMaxDatagrams); // never grows past this: Datagram addresses stay put
	order_.reserve(kMaxDatagrams);
	mmsgs_.reserve(kMaxDatagrams);
	if (allowIoUring) {
		std::string error;
		ring_ = IoUringRing::Create(kMaxDatagrams, &error);
		if (!ring_) MP_DEBUG("io_uring unavailable (%s): batching with sendmmsg", error.c_str());
	}
	uv_check_init(loop, &afterIo_);
	uv_prepare_init(loop, &beforePoll_);
	afterIo_.data = this;
	beforePoll_.data = this;
	uv_check_start(&afterIo_, [](uv_check_t* handle) { OnFlushHandle(reinterpret_cast<uv_handle_t*>(handle)); });
	uv_prepare_start(&beforePoll_, [](uv_prepare_t* handle) { OnFlushHandle(reinterpret_cast<uv_handle_t*>(handle)); });
	uv_unref(reinterpret_cast<uv_handle_t*>(&afterIo_));
	uv_unref(reinterpret_cast<uv_handle_t*>(&beforePoll_));
	currentBatcher = this;
}

UdpSendBatcher::~UdpSendBatcher() {
	if (currentBatcher == this) currentBatcher = nullptr;
}

UdpSendBatcher* UdpSendBatcher::ForThisThread() { return currentBatcher; }

void UdpSendBatcher::Close() {
	if (closed_) return;
	Flush();
	closed_ = true;
	if (currentBatcher == this) currentBatcher = nullptr;
	uv_close(reinterpret_cast<uv_handle_t*>(&afterIo_), nullptr);
	uv_close(reinterpret_cast<uv_handle_t*>(&beforePoll_), nullptr);
}

void UdpSendBatcher::OnFlushHandle(uv_handle_t* handle) {
	auto* batcher = static_cast<UdpSendBatcher*>(handle->data);
	GuardCallback([batcher]() { batcher->Flush(); });
}

bool UdpSendBatcher::Enqueue(UdpSocket& socket, int fd, const uint8_t* data, size_t len, const sockaddr* remote) {
	if (closed_ || flushing_) return false;
	if (len > kMaxBatchedDatagram) {
		Flush(); // what was queued before goes first
		return false;
	}
	if (queue_.size() == kMaxDatagrams || arenaUsed_ + len > kArenaBytes) {
		Flush();
	} else if (!queue_.empty() && queue_.size() % kClockEvery == 0 && uv_hrtime() - batchStartNs_ > kLatencyBudgetNs) {
		Flush();
	}
	if (queue_.empty()) batchStartNs_ = uv_hrtime();
	Datagram& datagram = queue_.emplace_back();
	datagram.socket = &socket;
	datagram.fd = fd;
	datagram.offset = static_cast<uint32_t>(arenaUsed_);
	datagram.length = static_cast<uint32_t>(len);
	datagram.hasRemote = remote != nullptr;
	if (remote) std::memcpy(&datagram.remote, remote, AddressLength(remote));
	std::memcpy(arena_.get() + arenaUsed_, data, len);
	// Keep the next datagram 8-byte aligned (cheaper copies, aligned headers).
	arenaUsed_ += (len + 7) & ~static_cast<size_t>(7);
	++datagramsBatched_;
	return true;
}

void UdpSendBatcher::Flush() {
	if (flushing_ || queue_.empty()) return;
	flushing_ = true;
	PointHeaders();
	if (ring_) FlushWithIoUring();
	else FlushWithSendMmsg();
	queue_.clear();
	arenaUsed_ = 0;
	flushing_ = false;
}

void UdpSendBatcher::PointHeaders() {
	for (Datagram& datagram : queue_) {
		datagram.iov.iov_base = arena_.get() + datagram.offset;
		datagram.iov.iov_len = datagram.length;
		std::memset(&datagram.header, 0, sizeof(datagram.header));
		if (datagram.hasRemote) {
			datagram.header.msg_name = &datagram.remote;
			datagram.header.msg_namelen = AddressLength(reinterpret_cast<const sockaddr*>(&datagram.remote));
		}
		datagram.header.msg_iov = &datagram.iov;
		datagram.header.msg_iovlen = 1;
	}
}

void UdpSendBatcher::FlushWithIoUring() {
	// The submission queue is as large as a batch and empty between flushes, so every
	// datagram gets an entry; user_data is its queue index.
	size_t count = queue_.size();
	for (size_t i = 0; i < count; ++i) {
		Datagram& datagram = queue_[i];
		io_uring_sqe* sqe = ring_->NextSqe();
		sqe->fd = datagram.fd;
		if (datagram.hasRemote) {
			sqe->opcode = IORING_OP_SENDMSG;
			sqe->addr = reinterpret_cast<uintptr_t>(&datagram.header);
			sqe->len = 1;
		} else {
			sqe->opcode = IORING_OP_SEND;
			sqe->addr = reinterpret_cast<uintptr_t>(datagram.iov.iov_base);
			sqe->len = datagram.length;
		}
		// Fail with EAGAIN rather than let the kernel park the send until the socket
		// drains: the arena is reused as soon as this flush returns.
		sqe->msg_flags = MSG_DONTWAIT;
		sqe->user_data = i;
	}
	int submitted = ring_->Submit();
	++sendSyscalls_;
	size_t consumed = submitted > 0 ? static_cast<size_t>(submitted) : 0;
	sqeProcessCount_ += consumed;
	// Every consumed entry completes inline (MSG_DONTWAIT on a UDP socket), so its
	// completion is posted before io_uring_enter returns; wait for any that was not.
	size_t completed = 0;
	auto onCompletion = [this, &completed](uint64_t index, int result) {
		++completed;
		if (result < 0 && index < queue_.size()) OnSendFailed(queue_[index], -result);
	};
	ring_->DrainCompletions(onCompletion);
	while (completed < consumed) {
		if (ring_->WaitCompletions(static_cast<unsigned>(consumed - completed)) < 0) break;
		ring_->DrainCompletions(onCompletion);
	}
	if (consumed == count && completed >= consumed) return;
	// The kernel did not take the whole batch (io_uring_enter failed) or lost track of
	// completions: give up on the ring for this worker (entries it still holds are never
	// submitted once it is closed) and send the rest with sendmmsg.
	MP_WARN("io_uring submitted %zu of %zu datagrams (%s): batching with sendmmsg from now on", consumed, count,
	        submitted < 0 ? std::strerror(-submitted) : "completions missing");
	sqeMissCount_ += count - consumed;
	ring_.reset();
	queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(consumed));
	PointHeaders(); // the erase moved the datagrams their headers point into
	FlushWithSendMmsg();
}

void UdpSendBatcher::FlushWithSendMmsg() {
	// Group the datagrams by socket, keeping each socket's own order.
	order_.clear();
	for (uint32_t i = 0; i < queue_.size(); ++i) order_.push_back(i);
	std::stable_sort(order_.begin(), order_.end(), [this](uint32_t a, uint32_t b) {
		return std::less<const UdpSocket*>()(queue_[a].socket, queue_[b].socket);
	});
	size_t begin = 0;
	while (begin < order_.size()) {
		size_t end = begin + 1;
		while (end < order_.size() && queue_[order_[end]].socket == queue_[order_[begin]].socket) ++end;
		// One socket's run [begin, end): sendmmsg until all are sent or refused.
		size_t next = begin;
		while (next < end) {
			mmsgs_.clear();
			for (size_t i = next; i < end; ++i) mmsgs_.push_back(mmsghdr{ queue_[order_[i]].header, 0 });
			int sent = sendmmsg(queue_[order_[next]].fd, mmsgs_.data(), static_cast<unsigned>(mmsgs_.size()),
			                    MSG_DONTWAIT);
			++sendSyscalls_;
			if (sent < 0) {
				// The first datagram was refused: hand it back, try the others.
				OnSendFailed(queue_[order_[next]], errno);
				++next;
			} else {
				next += static_cast<size_t>(sent);
			}
		}
		begin = end;
	}
}

void UdpSendBatcher::OnSendFailed(const Datagram& datagram, int error) {
	if (!datagram.socket) return;
	datagram.socket->OnBatchedSendFailed(arena_.get() + datagram.offset, datagram.length,
	                                     datagram.hasRemote ? reinterpret_cast<const sockaddr*>(&datagram.remote)
	                                                        : nullptr,
	                                     error);
}

void UdpSendBatcher::ForgetSocket(UdpSocket& socket) {
	// Sending everything now is simplest and keeps the socket's last datagrams (an RTCP
	// BYE, a DTLS close_notify) ahead of its descriptor closing.
	bool queued = false;
	for (const Datagram& datagram : queue_) queued = queued || datagram.socket == &socket;
	if (queued) Flush();
}

Value UdpSendBatcher::DumpLibUring() const {
	if (!ring_) return Value();
	Value dump = Value::MakeObject();
	dump.Set("sqeProcessCount", static_cast<int64_t>(sqeProcessCount_));
	dump.Set("sqeMissCount", static_cast<int64_t>(sqeMissCount_));
	// mediasoup counts sends that found no free user-data slot; every batched datagram
	// here has one (its queue index), so this stays 0.
	dump.Set("userDataMissCount", static_cast<int64_t>(0));
	return dump;
}

} // namespace mediaplane
