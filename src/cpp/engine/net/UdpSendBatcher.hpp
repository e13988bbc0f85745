#pragma once
// Sends every UDP datagram of one loop turn with as few syscalls as the kernel allows.
//
// Why: on the machines we measure, the syscall is the cost of forwarding. One
// sendmsg(2) per forwarded packet costs 2–3× a datagram sent inside a batch, and a
// fan-out to N consumers makes N of them per received packet (bench/forwarding.js and
// docs/ARCHITECTURE.md, "Batched UDP sends", have the numbers).
//
// How: UdpSocket::SendPacket copies the datagram here instead of sending it. Before the
// loop can sleep, the batcher sends all of them: a uv_check handle runs right after
// the I/O callbacks of a turn (where forwarding happens) and a uv_prepare handle right
// before the next poll (for what timers sent), so no datagram waits for a later turn
// and none adds latency beyond the rest of its own turn's work; a turn whose work takes
// longer than a latency budget (100 µs: a large fan-out, several input packets read in
// one turn) sends what it has so far and starts a new batch.
//
// Two ways to send a batch, chosen once per worker:
//   - io_uring (Linux 5.6+; the default where the kernel allows it): one SQE per
//     datagram, for any number of sockets, one io_uring_enter(2) per batch. This is the
//     only way to batch a fan-out over many sockets (one PlainTransport per consumer).
//   - sendmmsg(2) per socket (where io_uring is unavailable, or with the worker setting
//     disableLiburing): the datagrams of each socket in one call; a fan-out through one
//     shared socket (WebRtcServer) is one syscall, one over N sockets is N.
// A datagram the kernel refuses with EAGAIN/ENOBUFS goes back to its socket, which
// queues a copy on libuv (bounded per socket; beyond the bound it is dropped and
// counted), as an unbatched send would.
//
// One batcher per worker thread (Worker owns it); sockets find it with
// ForThisThread(). Where none exists (a bare loop in a fuzz target or a unit test),
// sockets send at once.

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "../common/Value.hpp"

namespace mediaplane {

class IoUringRing;
class UdpSocket;

class UdpSendBatcher {
public:
	enum class Mode { IoUring, SendMmsg };

	// Starts the flush handles on `loop` (unreferenced: they never keep it alive) and
	// becomes this thread's batcher. allowIoUring false, or no io_uring: sendmmsg.
	UdpSendBatcher(uv_loop_t* loop, bool allowIoUring);
	// Close() must have been called and the loop run until the handles closed.
	~UdpSendBatcher();

	UdpSendBatcher(const UdpSendBatcher&) = delete;
	UdpSendBatcher& operator=(const UdpSendBatcher&) = delete;

	// This thread's batcher, or nullptr.
	static UdpSendBatcher* ForThisThread();

	// Sends what is queued, stops and closes the handles, and stops being this
	// thread's batcher (later sends go out at once).
	void Close();

	// Copies a datagram of `socket` (descriptor fd; remote null for a connected socket)
	// for the end of this turn. Returns false when it was not queued (closed, or larger
	// than the batch can hold): the caller sends it itself, after everything queued
	// before has gone (Enqueue flushed it).
	bool Enqueue(UdpSocket& socket, int fd, const uint8_t* data, size_t len, const sockaddr* remote);
	// Sends everything queued now.
	void Flush();
	// A socket is being destroyed: its queued datagrams are sent now, and nothing
	// refers to it afterwards.
	void ForgetSocket(UdpSocket& socket);

	Mode GetMode() const { return ring_ ? Mode::IoUring : Mode::SendMmsg; }
	// mediasoup's WorkerDump.liburing ({ sqeProcessCount, sqeMissCount,
	// userDataMissCount }) in io_uring mode; null otherwise.
	Value DumpLibUring() const;

	// Counters (also for tests and benchmarks).
	uint64_t GetDatagramsBatched() const { return datagramsBatched_; }
	uint64_t GetSendSyscalls() const { return sendSyscalls_; }

private:
	// One queued datagram: its bytes in arena_, its destination, and the msghdr that
	// sendmmsg or IORING_OP_SENDMSG reads.
	struct Datagram {
		UdpSocket* socket;
		int fd;
		uint32_t offset;
		uint32_t length;
		bool hasRemote;
		sockaddr_storage remote;
		iovec iov;
		msghdr header;
	};

	static void OnFlushHandle(uv_handle_t* handle);
	// Points each queued datagram's msghdr/iovec at its bytes and address (after the
	// queue is final, or moved).
	void PointHeaders();
	void FlushWithIoUring();
	void FlushWithSendMmsg();
	// The kernel refused datagram `index` with -error.
	void OnSendFailed(const Datagram& datagram, int error);

	uv_check_t afterIo_;
	uv_prepare_t beforePoll_;
	bool closed_ = false;
	bool flushing_ = false;
	std::unique_ptr<IoUringRing> ring_;
	std::unique_ptr<uint8_t[]> arena_;
	size_t arenaUsed_ = 0;
	std::vector<Datagram> queue_;
	std::vector<uint32_t> order_;     // sendmmsg: queue indexes grouped by socket
	std::vector<mmsghdr> mmsgs_;      // sendmmsg: one call's headers
	uint64_t datagramsBatched_ = 0;
	uint64_t sendSyscalls_ = 0;
	uint64_t batchStartNs_ = 0; // uv_hrtime() when the first datagram of the batch was queued
	uint64_t sqeProcessCount_ = 0;
	uint64_t sqeMissCount_ = 0;
};

} // namespace mediaplane
