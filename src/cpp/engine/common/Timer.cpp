#include "Timer.hpp"

#include "CallbackGuard.hpp"

namespace mediaplane {

Timer::Timer(uv_loop_t* loop, Callback callback) : handle_(new uv_timer_t), callback_(std::move(callback)) {
	uv_timer_init(loop, handle_);
	handle_->data = this;
}

Timer::~Timer() {
	handle_->data = nullptr;
	uv_close(reinterpret_cast<uv_handle_t*>(handle_),
	         [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
}

void Timer::Start(uint64_t timeoutMs) { uv_timer_start(handle_, &Timer::OnTimeout, timeoutMs, 0); }

void Timer::Stop() { uv_timer_stop(handle_); }

bool Timer::IsActive() const { return uv_is_active(reinterpret_cast<uv_handle_t*>(handle_)) != 0; }

void Timer::OnTimeout(uv_timer_t* handle) {
	auto* timer = static_cast<Timer*>(handle->data);
	if (!timer) return;
	GuardCallback([timer]() { timer->callback_(); });
}

} // namespace mediaplane
