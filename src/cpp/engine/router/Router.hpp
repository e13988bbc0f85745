#pragma once
// A Router: the engine's media routing domain. It owns its transports (and, with the
// producers/consumers issue, the producer -> consumers routing table).

#include <memory>
#include <string>
#include <unordered_map>

#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class WebRtcTransport;

class Router : public RequestHandler {
public:
	Router(const WorkerContext& context, std::string id);
	~Router() override;

	Router(const Router&) = delete;
	Router& operator=(const Router&) = delete;

	const std::string& GetId() const { return id_; }
	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

private:
	Value CreateWebRtcTransport(const Value& data);
	void CloseTransport(const Value& data);

	const WorkerContext& context_;
	std::string id_;
	std::unordered_map<std::string, std::unique_ptr<WebRtcTransport>> webRtcTransports_;
};

} // namespace mediaplane
