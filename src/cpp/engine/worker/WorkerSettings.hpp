#pragma once
// The settings a worker is created with (mediasoup v3 WorkerSettings). The TypeScript
// layer validates them first; FromValue checks again because the engine must never
// trust what crosses the channel.

#include <cstdint>
#include <string>

#include "../common/Logger.hpp"
#include "../common/Value.hpp"

namespace mediaplane {

struct WorkerSettings {
	LogLevel logLevel = LogLevel::Error;
	uint32_t logTagMask = 0;
	uint16_t rtcMinPort = 10000;
	uint16_t rtcMaxPort = 59999;
	std::string dtlsCertificateFile;
	std::string dtlsPrivateKeyFile;
	// Accepted for API compatibility; mediaplane has no libwebrtc inside, so the
	// trials are stored and shown in dumps but change nothing.
	std::string libwebrtcFieldTrials;
	// How UDP datagrams leave (UdpSendBatcher): "uring" (io_uring where the kernel
	// allows it, else sendmmsg), "sendmmsg", or "immediate" (one syscall per datagram,
	// unbatched: kept for benchmarks that compare). mediasoup's disableLiburing turns
	// "uring" into "sendmmsg".
	std::string udpSendMode = "uring";
	// Enables the test-only request that simulates a fatal engine error.
	bool enableTestHooks = false;

	// Throws RequestError(TypeError) naming the offending field.
	static WorkerSettings FromValue(const Value& value);
	// Applies the log fields of worker.updateSettings.
	void UpdateLogging(const Value& value);
};

} // namespace mediaplane
