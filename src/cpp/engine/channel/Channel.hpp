#pragma once
// The channel between the Node main thread and one worker thread: two mutex-protected
// queues and two wake-ups.
//
// Batching: a side is woken only when its queue goes from empty to non-empty. While the
// other side has not yet taken the batch, further messages are appended without any
// system call, so a burst of N requests costs one wake-up, and the reader takes the
// whole batch with one lock and a vector swap.
//
// The worker side wakes with a uv_async_t on the worker's loop. The main side wakes
// through an abstract callback (the addon uses a napi_threadsafe_function) so that this
// class stays free of Node headers.

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include <uv.h>

#include "ChannelMessages.hpp"

namespace mediaplane {

class Channel {
public:
	using MainWakeup = std::function<void()>;

	explicit Channel(MainWakeup mainWakeup) : mainWakeup_(std::move(mainWakeup)) {}

	Channel(const Channel&) = delete;
	Channel& operator=(const Channel&) = delete;

	// ---- Main thread side ----

	// Queues a request. Returns false when the worker no longer takes requests (it has
	// been asked to close, or its thread has ended).
	bool PushRequest(ChannelRequest&& request);
	// Asks the worker to close. Idempotent; safe before the worker's loop runs.
	void RequestClose();
	// Takes every pending outgoing message, in the order the worker produced them.
	// Returns how many notifications were dropped so far (kMaxPendingNotifications).
	uint64_t TakeOutgoing(std::vector<ChannelOutMessage>& into);

	// ---- Worker thread side ----

	// Called once the worker's loop and async handle exist; wakes it at once if
	// requests (or a close) arrived earlier.
	void AttachWorkerWakeup(uv_async_t* wakeup);
	// Called before the worker closes its async handle: later requests are refused.
	void DetachWorkerWakeup();
	void TakeRequests(std::vector<ChannelRequest>& into);
	bool IsCloseRequested() const { return closeRequested_.load(std::memory_order_acquire); }
	void PushOutgoing(ChannelOutMessage&& message);

	// Notifications waiting for the main thread beyond which further ones of the kinds a
	// remote peer can make as frequent as its packets (traces, DirectTransport RTP/RTCP,
	// data messages, video orientation changes, log lines, ...: see IsDroppable) are
	// dropped and counted. One Node main thread drains every worker: while it is blocked
	// or slower than the engine, the queue would otherwise grow without bound. Responses
	// and every other notification (state changes, close, pause/resume, "@exit") are never
	// dropped.
	static constexpr size_t kMaxPendingNotifications = 65536;

private:
	void WakeWorkerLocked();

	std::mutex requestsMutex_;
	std::vector<ChannelRequest> requests_;
	uv_async_t* workerWakeup_ = nullptr; // guarded by requestsMutex_
	bool acceptingRequests_ = true;      // guarded by requestsMutex_
	std::atomic<bool> closeRequested_{ false };

	std::mutex outgoingMutex_;
	std::vector<ChannelOutMessage> outgoing_;
	size_t pendingNotifications_ = 0;   // guarded by outgoingMutex_
	uint64_t droppedNotifications_ = 0; // guarded by outgoingMutex_
	MainWakeup mainWakeup_;
};

} // namespace mediaplane
