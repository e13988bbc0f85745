#pragma once
// Every libuv callback in the engine runs its body through GuardCallback: an exception
// that reaches the top of a callback must not unwind through libuv's C frames (or
// across the thread). It is treated as a fatal engine error: the worker this thread
// runs closes and reports `died`; the Node process lives on.

#include <exception>
#include <string>

namespace mediaplane {

using FatalErrorHandler = void (*)(void* context, const char* reason);

// Set by the Worker for its thread.
void SetFatalErrorHandler(FatalErrorHandler handler, void* context);
void ReportFatalError(const char* reason);

template <typename Function>
void GuardCallback(Function&& function) noexcept {
	try {
		function();
	} catch (const std::exception& error) {
		ReportFatalError(error.what());
	} catch (...) {
		ReportFatalError("unknown exception");
	}
}

} // namespace mediaplane
