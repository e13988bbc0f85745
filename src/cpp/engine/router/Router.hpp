#pragma once
// A Router: the engine's media routing domain. Transports, producers and consumers
// hang off it in later issues; for now it owns its identity and answers dump().

#include <string>

#include "../worker/RequestHandler.hpp"

namespace mediaplane {

class Router : public RequestHandler {
public:
	Router(std::string id, RequestHandlerRegistry& registry);
	~Router() override;

	Router(const Router&) = delete;
	Router& operator=(const Router&) = delete;

	const std::string& GetId() const { return id_; }
	Value Dump() const;
	Value HandleRequest(const ChannelRequest& request) override;

private:
	std::string id_;
	RequestHandlerRegistry& registry_;
};

} // namespace mediaplane
