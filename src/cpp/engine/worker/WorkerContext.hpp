#pragma once
// What every engine object of one worker may need from the worker: its loop, the
// channel to emit events on, the request registry, the DTLS certificate, the default
// port range, and the WebRtcServers. Passed by reference from Worker down to
// routers and transports; it lives as long as the Worker.

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "../channel/Channel.hpp"
#include "RequestHandler.hpp"

namespace mediaplane {

class DtlsCertificate;
class WebRtcServer;

struct WorkerContext {
	uv_loop_t* loop = nullptr;
	Channel* channel = nullptr;
	RequestHandlerRegistry* registry = nullptr;
	// The worker's DTLS certificate. Loaded at start when the settings name files (so a
	// bad file fails createWorker()); otherwise generated on first use, which keeps
	// createWorker() fast for workers that never open a WebRtcTransport.
	mutable std::shared_ptr<DtlsCertificate> certificate;
	// Returns the certificate, generating it if needed; throws RequestError on failure.
	const std::shared_ptr<DtlsCertificate>& GetCertificate() const;
	uint16_t rtcMinPort = 10000;
	uint16_t rtcMaxPort = 59999;
	std::function<WebRtcServer*(const std::string& id)> findWebRtcServer;
	// Wall-clock (Unix epoch) ms minus the loop's ms, measured once per worker so that
	// every stream's RTCP sender reports share one NTP mapping (RFC 3550 §6.4.1).
	int64_t wallClockOffsetMs = 0;
	// The next id of mediasoup's packet-id header extension (urn:mediasoup:params:
	// rtp-hdrext:packet-id), stamped by producers created with
	// enableMediasoupPacketIdHeaderExtension: one sequence per worker, from a random
	// start below 2^31 (as mediasoup), so ids from different workers rarely meet.
	mutable uint32_t nextMediasoupPacketId = 0;

	// Emits an event for the JS object `targetId`.
	void Emit(const std::string& targetId, const char* event, Value data = Value()) const {
		channel->PushOutgoing(ChannelOutMessage::Notify(targetId, event, std::move(data)));
	}
	uint64_t NowMs() const { return uv_now(loop); }
};

} // namespace mediaplane
