#include "CallbackGuard.hpp"

namespace mediaplane {

namespace {

thread_local FatalErrorHandler currentHandler = nullptr;
thread_local void* currentContext = nullptr;

} // namespace

void SetFatalErrorHandler(FatalErrorHandler handler, void* context) {
	currentHandler = handler;
	currentContext = context;
}

void ReportFatalError(const char* reason) {
	if (currentHandler) currentHandler(currentContext, reason);
}

} // namespace mediaplane
