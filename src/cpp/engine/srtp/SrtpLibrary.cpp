#include "SrtpLibrary.hpp"

#include <mutex>

#include <srtp.h>

namespace mediaplane {

namespace {

std::once_flag initOnce;
// Written once inside call_once; call_once's synchronization makes it visible to
// every thread that returns from call_once afterwards.
srtp_err_status_t initStatus = srtp_err_status_init_fail;

} // namespace

bool SrtpLibrary::Init() {
	std::call_once(initOnce, [] { initStatus = srtp_init(); });
	return initStatus == srtp_err_status_ok;
}

const char* SrtpLibrary::Version() {
	// A constant string compiled into libsrtp; valid before and without srtp_init().
	return srtp_get_version_string();
}

} // namespace mediaplane
