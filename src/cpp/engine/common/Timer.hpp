#pragma once
// A one-shot libuv timer owned by an engine object; drives the sans-I/O protocol cores
// (ICE consent, DTLS retransmission) from their NextTimeoutMs().

#include <uv.h>

#include <cstdint>
#include <functional>

namespace mediaplane {

class Timer {
public:
	using Callback = std::function<void()>;

	Timer(uv_loop_t* loop, Callback callback);
	~Timer(); // closes the handle; the memory is freed in the close callback

	Timer(const Timer&) = delete;
	Timer& operator=(const Timer&) = delete;

	void Start(uint64_t timeoutMs);
	void Stop();
	bool IsActive() const;

	// Milliseconds on the loop's clock, the `now` every protocol core is given.
	static uint64_t NowMs(uv_loop_t* loop) { return uv_now(loop); }

private:
	static void OnTimeout(uv_timer_t* handle);

	uv_timer_t* handle_;
	Callback callback_;
};

} // namespace mediaplane
