#include "Channel.hpp"

namespace mediaplane {

bool Channel::PushRequest(ChannelRequest&& request) {
	std::lock_guard<std::mutex> lock(requestsMutex_);
	if (!acceptingRequests_ || closeRequested_.load(std::memory_order_relaxed)) return false;
	bool wasEmpty = requests_.empty();
	requests_.push_back(std::move(request));
	if (wasEmpty) WakeWorkerLocked();
	return true;
}

void Channel::RequestClose() {
	std::lock_guard<std::mutex> lock(requestsMutex_);
	closeRequested_.store(true, std::memory_order_release);
	WakeWorkerLocked();
}

uint64_t Channel::TakeOutgoing(std::vector<ChannelOutMessage>& into) {
	into.clear();
	std::lock_guard<std::mutex> lock(outgoingMutex_);
	into.swap(outgoing_);
	pendingNotifications_ = 0;
	return droppedNotifications_;
}

void Channel::AttachWorkerWakeup(uv_async_t* wakeup) {
	std::lock_guard<std::mutex> lock(requestsMutex_);
	workerWakeup_ = wakeup;
	if (!requests_.empty() || closeRequested_.load(std::memory_order_relaxed)) {
		WakeWorkerLocked();
	}
}

void Channel::DetachWorkerWakeup() {
	std::lock_guard<std::mutex> lock(requestsMutex_);
	workerWakeup_ = nullptr;
	acceptingRequests_ = false;
}

void Channel::TakeRequests(std::vector<ChannelRequest>& into) {
	into.clear();
	std::lock_guard<std::mutex> lock(requestsMutex_);
	into.swap(requests_);
}

namespace {

// The notifications a remote peer can make as frequent as its packets. The others
// (state changes, close, pause and resume, scores, layers) are what the TypeScript objects
// learn their state from and come at most a few per packet's worth of time: never dropped.
bool IsDroppable(const ChannelOutMessage& message) {
	if (message.kind != ChannelOutMessage::Kind::Notification) return false;
	const std::string& event = message.event;
	return event == "trace" || event == "rtp" || event == "rtcp" || event == "message" || event == "log" ||
	       event == "videoorientationchange" || event == "sctpsendbufferfull" || event == "datachannelopen" ||
	       event == "sctpincomingstreamsreset";
}

} // namespace

void Channel::PushOutgoing(ChannelOutMessage&& message) {
	const bool droppable = IsDroppable(message); // outside the lock the main thread shares
	bool wasEmpty;
	{
		std::lock_guard<std::mutex> lock(outgoingMutex_);
		if (droppable && pendingNotifications_ >= kMaxPendingNotifications) {
			++droppedNotifications_;
			return;
		}
		if (droppable) ++pendingNotifications_;
		wasEmpty = outgoing_.empty();
		outgoing_.push_back(std::move(message));
	}
	if (wasEmpty) mainWakeup_();
}

void Channel::WakeWorkerLocked() {
	// uv_async_send is thread-safe; the handle stays valid while attached because the
	// worker detaches under this same mutex before closing it.
	if (workerWakeup_) uv_async_send(workerWakeup_);
}

} // namespace mediaplane
