#pragma once
// Process-wide state of libsrtp.
//
// libsrtp keeps one global crypto kernel (the registered cipher and auth types) that
// srtp_init() fills once for the whole process. Several Node environments (the main
// thread and worker_threads) and several engine worker threads may create sessions
// concurrently, so initialization happens exactly once behind std::call_once. The
// kernel is only read after that, which makes concurrent srtp_create() calls safe.
// srtp_shutdown() is never called: the kernel must outlive every environment, and the
// process reclaims it at exit.

namespace mediaplane {

class SrtpLibrary {
public:
	// Initializes libsrtp on first use; later calls return the first call's result.
	// Returns false if srtp_init() failed (no session can then be created).
	static bool Init();

	// libsrtp's version string, e.g. "libsrtp2 2.5.0" (from our config.h).
	static const char* Version();
};

} // namespace mediaplane
