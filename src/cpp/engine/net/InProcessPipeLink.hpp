#pragma once
// An in-process pipe: the two PipeTransports of a router.pipeToRouter() pair, on two
// worker threads of this process (or one), hand each other their datagrams (RTP, RTCP,
// SCTP; SRTP-protected if the pair uses SRTP) through a SpscDatagramRing per direction
// instead of a pair of UDP sockets: no syscall per packet, and a wake-up (uv_async_send)
// only when the receiving side's ring goes from empty to non-empty while its loop may be
// asleep. A receiving loop that is awake takes what arrives before it polls again (its
// uv_prepare handle), so a busy receiver costs its peer no syscall at all.
//
// The rule that keeps a wake-up from being lost: before its loop polls, a side stores
// "may block" and then looks at its ring; a sender stores its datagram and then reads
// "may block" (both sequentially consistent). Either the side sees the datagram before
// it polls, or the sender sees "may block" and wakes it.
//
// The link is found by id in a process-wide registry: the TypeScript layer makes a
// random id and asks each transport to attach to it, one as side 0 and the other as
// side 1. Each side is an End, owned by its transport and used only on its worker
// thread; the End sends into the peer's ring and receives from its own. The UDP sockets
// of the pair stay bound and connected: a datagram too large for a ring slot goes
// through them, and so would a peer that never attached.

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../common/SpscDatagramRing.hpp"
#include "TransportTuple.hpp"

namespace mediaplane {

class InProcessPipeLink {
public:
	class End : public PacketSender {
	public:
		// Called on this End's loop for every received datagram (in place: the receiver may
		// modify it, must not keep it).
		using Receiver = std::function<void(uint8_t* data, size_t len)>;

		// Attaches to side `side` (0 or 1) of link `linkId`, creating the link if this is
		// its first side. `oversize` sends what does not fit a ring slot. Returns nullptr
		// and sets *error if the side is taken or the arguments are bad.
		static std::unique_ptr<End> Attach(uv_loop_t* loop, const std::string& linkId, int side, PacketSender& oversize,
		                                   Receiver receiver, std::string* error);
		~End() override;

		End(const End&) = delete;
		End& operator=(const End&) = delete;

		// To the peer (`remote` is ignored: the peer is the other side of the link).
		void SendPacket(const uint8_t* data, size_t len, const sockaddr* remote) override;
		// Starts delivering to the receiver: what arrived before waits in the ring until
		// then (a pipe transport accepts packets only once connected).
		void StartReceiving();


	private:
		End(std::shared_ptr<InProcessPipeLink> link, int side, PacketSender& oversize, Receiver receiver)
		    : link_(std::move(link)), side_(side), oversize_(oversize), receiver_(std::move(receiver)) {}
		static void OnWake(uv_async_t* handle);
		static void OnBeforePoll(uv_prepare_t* handle);
		// Delivers up to one batch; returns how many datagrams it delivered.
		size_t Deliver();
		// Before the loop polls: takes what arrived while it was awake.
		void DeliverBeforePoll();

		std::shared_ptr<InProcessPipeLink> link_;
		int side_;
		PacketSender& oversize_;
		Receiver receiver_;
		uv_async_t* wake_ = nullptr;
		uv_prepare_t* beforePoll_ = nullptr;
		bool receiving_ = false;
	};

	// What each side of a link has done, readable from any thread (each counter has one
	// writer, its side's thread: relaxed loads and stores, no read-modify-write).
	struct SideCounters {
		std::atomic<uint64_t> sent{ 0 };
		std::atomic<uint64_t> received{ 0 };
		std::atomic<uint64_t> dropped{ 0 };   // the peer's ring was full (its thread is behind)
		std::atomic<uint64_t> oversize{ 0 };  // too large for a slot: sent over UDP
		std::atomic<uint64_t> wakeups{ 0 };   // uv_async_send to the peer (its loop may have been asleep)
	};
	struct Snapshot {
		std::string id;
		bool attached[2];
		uint64_t sent[2], received[2], dropped[2], oversize[2], wakeups[2];
	};
	// The links alive in this process (a test hook: nothing may be left after close).
	static std::vector<Snapshot> List();

	explicit InProcessPipeLink(std::string id) : id_(std::move(id)) {}
	~InProcessPipeLink();

private:
	// Datagrams a direction holds while its receiver is behind: ~1 MiB per direction.
	static constexpr size_t kRingSlots = 512;

	std::string id_;
	std::mutex mutex_; // guards wake_ and attached_ (attach, detach, waking the peer)
	uv_async_t* wake_[2] = { nullptr, nullptr };
	bool attached_[2] = { false, false };
	SpscDatagramRing rings_[2] = { SpscDatagramRing(kRingSlots), SpscDatagramRing(kRingSlots) }; // [s]: to side s
	SideCounters counters_[2];
	// [s]: side s's loop may be asleep (or about to poll), so a sender to it must wake it.
	// True until side s's loop has run; false while it is awake and will look at its ring
	// before it polls again.
	std::atomic<bool> mayBlock_[2] = { true, true };
};

} // namespace mediaplane
