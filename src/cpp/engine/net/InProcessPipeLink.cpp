#define MP_LOG_SOURCE "InProcessPipeLink"
#include "InProcessPipeLink.hpp"

#include <unordered_map>

#include "../common/CallbackGuard.hpp"
#include "../common/Logger.hpp"
#include "UdpSendBatcher.hpp"

namespace mediaplane {

namespace {

// At most this many datagrams per wake-up, so a busy pipe cannot hold its thread's loop;
// the rest is delivered on the next turn.
constexpr size_t kMaxDeliveriesPerWake = 256;
// Batches a loop takes before it polls, at most; then it lets its other handles run
// (timers, sockets) and comes back through a wake-up of its own.
constexpr int kMaxBatchesBeforePoll = 4;

struct Registry {
	std::mutex mutex;
	std::unordered_map<std::string, std::weak_ptr<InProcessPipeLink>> links;
};

// Never destroyed: links may outlive static destruction order at process exit.
Registry& GetRegistry() {
	static Registry* registry = new Registry();
	return *registry;
}

void Increment(std::atomic<uint64_t>& counter) {
	counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

} // namespace

std::vector<InProcessPipeLink::Snapshot> InProcessPipeLink::List() {
	std::vector<std::shared_ptr<InProcessPipeLink>> links;
	{
		Registry& registry = GetRegistry();
		std::lock_guard<std::mutex> lock(registry.mutex);
		for (const auto& entry : registry.links) {
			if (auto link = entry.second.lock()) links.push_back(std::move(link));
		}
	}
	std::vector<Snapshot> list;
	for (const auto& link : links) {
		Snapshot s{};
		s.id = link->id_;
		std::lock_guard<std::mutex> lock(link->mutex_);
		for (int side = 0; side < 2; ++side) {
			const SideCounters& c = link->counters_[side];
			s.attached[side] = link->attached_[side];
			s.sent[side] = c.sent.load(std::memory_order_relaxed);
			s.received[side] = c.received.load(std::memory_order_relaxed);
			s.dropped[side] = c.dropped.load(std::memory_order_relaxed);
			s.oversize[side] = c.oversize.load(std::memory_order_relaxed);
			s.wakeups[side] = c.wakeups.load(std::memory_order_relaxed);
		}
		list.push_back(std::move(s));
	}
	return list;
}

InProcessPipeLink::~InProcessPipeLink() {
	Registry& registry = GetRegistry();
	std::lock_guard<std::mutex> lock(registry.mutex);
	auto it = registry.links.find(id_);
	// A new link may already have taken the id (its entry is alive): leave that one.
	if (it != registry.links.end() && it->second.expired()) registry.links.erase(it);
}

std::unique_ptr<InProcessPipeLink::End> InProcessPipeLink::End::Attach(uv_loop_t* loop, const std::string& linkId,
                                                                         int side, PacketSender& oversize,
                                                                         Receiver receiver, std::string* error) {
	if (side != 0 && side != 1) {
		*error = "invalid side";
		return nullptr;
	}
	if (linkId.empty() || linkId.size() > 128) {
		*error = "invalid linkId";
		return nullptr;
	}
	std::shared_ptr<InProcessPipeLink> link;
	{
		Registry& registry = GetRegistry();
		std::lock_guard<std::mutex> lock(registry.mutex);
		std::weak_ptr<InProcessPipeLink>& slot = registry.links[linkId];
		link = slot.lock();
		if (!link) {
			link = std::make_shared<InProcessPipeLink>(linkId);
			slot = link;
		}
	}
	std::unique_ptr<End> end(new End(link, side, oversize, std::move(receiver)));
	end->wake_ = new uv_async_t;
	if (uv_async_init(loop, end->wake_, &End::OnWake) != 0) {
		delete end->wake_;
		end->wake_ = nullptr;
		*error = "cannot create the pipe's wake-up handle";
		return nullptr;
	}
	end->wake_->data = end.get();
	// The handles must not keep the loop alive on their own (the transport owns the End).
	uv_unref(reinterpret_cast<uv_handle_t*>(end->wake_));
	end->beforePoll_ = new uv_prepare_t;
	uv_prepare_init(loop, end->beforePoll_);
	end->beforePoll_->data = end.get();
	uv_prepare_start(end->beforePoll_, &End::OnBeforePoll);
	uv_unref(reinterpret_cast<uv_handle_t*>(end->beforePoll_));
	std::lock_guard<std::mutex> lock(link->mutex_);
	if (link->attached_[side]) {
		*error = "side " + std::to_string(side) + " of link " + linkId + " is already attached";
		return nullptr; // the destructor closes the handle (not registered in the link)
	}
	link->attached_[side] = true;
	link->wake_[side] = end->wake_;
	return end;
}

InProcessPipeLink::End::~End() {
	if (beforePoll_) {
		beforePoll_->data = nullptr;
		uv_close(reinterpret_cast<uv_handle_t*>(beforePoll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_prepare_t*>(handle); });
	}
	if (!wake_) return;
	{
		std::lock_guard<std::mutex> lock(link_->mutex_);
		if (link_->wake_[side_] == wake_) {
			// After this, the peer no longer wakes this handle (it checks under the mutex).
			link_->wake_[side_] = nullptr;
			link_->attached_[side_] = false;
		}
	}
	wake_->data = nullptr;
	uv_close(reinterpret_cast<uv_handle_t*>(wake_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
}

void InProcessPipeLink::End::SendPacket(const uint8_t* data, size_t len, const sockaddr* /*remote*/) {
	const int peer = 1 - side_;
	switch (link_->rings_[peer].Push(data, len)) {
		case SpscDatagramRing::PushResult::Queued:
			Increment(link_->counters_[side_].sent);
			return;
		case SpscDatagramRing::PushResult::QueuedWakeConsumer: {
			Increment(link_->counters_[side_].sent);
			// seq_cst: pairs with DeliverBeforePoll's store then ring check (see the header).
			if (!link_->mayBlock_[peer].load(std::memory_order_seq_cst)) return; // awake: it will look
			Increment(link_->counters_[side_].wakeups);
			std::lock_guard<std::mutex> lock(link_->mutex_);
			if (link_->wake_[peer]) uv_async_send(link_->wake_[peer]);
			return;
		}
		case SpscDatagramRing::PushResult::Full:
			Increment(link_->counters_[side_].dropped);
			return;
		case SpscDatagramRing::PushResult::TooLarge:
			// Rare (ring slots hold 2,040 bytes): the pair's UDP path carries it.
			Increment(link_->counters_[side_].oversize);
			oversize_.SendPacket(data, len, nullptr);
			return;
	}
}

void InProcessPipeLink::End::StartReceiving() {
	if (receiving_) return;
	receiving_ = true;
	// What arrived before: delivered on this loop's next turn.
	if (link_->rings_[side_].Size() > 0) uv_async_send(wake_);
}

void InProcessPipeLink::End::OnWake(uv_async_t* handle) {
	auto* end = static_cast<End*>(handle->data);
	if (!end) return;
	// Awake now, and this loop passes DeliverBeforePoll before it polls again: senders
	// need not wake it meanwhile.
	end->link_->mayBlock_[end->side_].store(false, std::memory_order_relaxed);
	GuardCallback([end]() {
		// More waiting: continue on the next turn rather than hold the loop.
		if (end->Deliver() == kMaxDeliveriesPerWake) uv_async_send(end->wake_);
	});
}

void InProcessPipeLink::End::OnBeforePoll(uv_prepare_t* handle) {
	auto* end = static_cast<End*>(handle->data);
	if (!end) return;
	GuardCallback([end]() { end->DeliverBeforePoll(); });
}

void InProcessPipeLink::End::DeliverBeforePoll() {
	std::atomic<bool>& mayBlock = link_->mayBlock_[side_];
	SpscDatagramRing& ring = link_->rings_[side_];
	for (int batch = 0; batch < kMaxBatchesBeforePoll; ++batch) {
		// seq_cst store, then the ring's seq_cst read: pairs with SendPacket (header).
		mayBlock.store(true, std::memory_order_seq_cst);
		if (!receiving_ || ring.IsEmpty()) return; // safe to sleep: a sender will wake us
		mayBlock.store(false, std::memory_order_relaxed);
		Deliver();
		// What those datagrams made the loop send leaves now, not after the poll. (libuv
		// runs the prepare handle started last first, so this runs before the batcher's
		// own before-poll flush today; flushing here keeps it right in either order.)
		if (UdpSendBatcher* batcher = UdpSendBatcher::ForThisThread()) batcher->Flush();
	}
	// Still busy after that many batches: let the loop run its other handles, and come
	// back without sleeping.
	uv_async_send(wake_);
}

size_t InProcessPipeLink::End::Deliver() {
	if (!receiving_) return 0;
	return link_->rings_[side_].Drain(
	    [this](uint8_t* data, size_t len) {
		    Increment(link_->counters_[side_].received);
		    receiver_(data, len);
	    },
	    kMaxDeliveriesPerWake);
}

} // namespace mediaplane
