#pragma once
// An engine object that answers channel requests addressed to its id, and the per-worker
// registry that finds it. Objects register in their constructor and unregister in their
// destructor, so a request can never reach a destroyed object.

#include <string>
#include <unordered_map>
#include <vector>

#include "../channel/ChannelMessages.hpp"

namespace mediaplane {

class RequestHandler {
public:
	virtual ~RequestHandler() = default;
	// Returns the response data, or throws RequestError to reject the request.
	virtual Value HandleRequest(const ChannelRequest& request) = 0;
};

class RequestHandlerRegistry {
public:
	// Throws RequestError when the id is already taken.
	void Register(const std::string& id, RequestHandler* handler);
	void Unregister(const std::string& id);
	RequestHandler* Find(const std::string& id) const;
	std::vector<std::string> Ids() const;

private:
	std::unordered_map<std::string, RequestHandler*> handlers_;
};

} // namespace mediaplane
