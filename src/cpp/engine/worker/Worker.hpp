#pragma once
// The engine side of one mediaplane Worker: a libuv loop on its own thread that owns
// every engine object (routers and, later, transports) created through it.
//
// Run() drives the loop until the worker is asked to close or hits a fatal error. All
// requests arrive through the Channel and are answered through it; nothing here knows
// about Node.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <uv.h>

#include "../channel/Channel.hpp"
#include "../common/Logger.hpp"
#include "../net/UdpSendBatcher.hpp"
#include "../router/Router.hpp"
#include "../transport/WebRtcServer.hpp"
#include "RequestHandler.hpp"
#include "WorkerContext.hpp"
#include "WorkerSettings.hpp"

namespace mediaplane {

class Worker : public RequestHandler {
public:
	Worker(Channel& channel, WorkerSettings settings);
	~Worker() override;

	Worker(const Worker&) = delete;
	Worker& operator=(const Worker&) = delete;

	// Runs on the worker thread. Returns an empty string after a normal close, or the
	// reason of the fatal error that stopped the worker.
	std::string Run();

	Value HandleRequest(const ChannelRequest& request) override;

private:
	static void OnWakeup(uv_async_t* handle);
	static void OnHotPoll(uv_idle_t* handle);
	void ProcessRequests();
	void Dispatch(ChannelRequest& request);
	void Close();
	void Fail(const std::string& reason);

	Value Dump() const;
	Value GetResourceUsage() const;
	void CreateRouter(const Value& data);
	void CloseRouter(const Value& data);
	Value CreateWebRtcServer(const Value& data);
	void CloseWebRtcServer(const Value& data);
	// Loads or generates the DTLS certificate; returns an error message on failure.
	std::string SetUpCertificate();

	Channel& channel_;
	WorkerSettings settings_;
	Logger logger_;
	uv_loop_t loop_;
	uv_async_t wakeup_;
	// Keeps the loop polling without sleeping for a short while after a request, so a
	// follow-up request (the common case: an application awaits one, then sends the
	// next) is seen without the cost of waking a sleeping thread. See OnHotPoll.
	uv_idle_t hotPoll_;
	uint64_t lastRequestNs_ = 0;
	bool loopInitialized_ = false;
	bool closed_ = false;
	std::string fatalError_;
	std::vector<ChannelRequest> batch_; // reused between wake-ups
	RequestHandlerRegistry registry_;
	WorkerContext context_;
	// Sends each loop turn's UDP datagrams together (null with udpSendMode "immediate").
	// Declared before the servers and routers, whose sockets use it until destroyed.
	std::unique_ptr<UdpSendBatcher> udpSendBatcher_;
	// Declared before routers_ so that routers (and their transports, which may use a
	// server) are destroyed first.
	std::unordered_map<std::string, std::unique_ptr<WebRtcServer>> webRtcServers_;
	std::unordered_map<std::string, std::unique_ptr<Router>> routers_;
};

} // namespace mediaplane
