#include "RequestHandler.hpp"

namespace mediaplane {

void RequestHandlerRegistry::Register(const std::string& id, RequestHandler* handler) {
	if (id.empty()) throw RequestError::Type("empty handler id");
	auto inserted = handlers_.emplace(id, handler);
	if (!inserted.second) {
		throw RequestError(RequestError::Kind::Error, "id \"" + id + "\" already exists");
	}
}

void RequestHandlerRegistry::Unregister(const std::string& id) { handlers_.erase(id); }

RequestHandler* RequestHandlerRegistry::Find(const std::string& id) const {
	auto it = handlers_.find(id);
	return it == handlers_.end() ? nullptr : it->second;
}

std::vector<std::string> RequestHandlerRegistry::Ids() const {
	std::vector<std::string> ids;
	ids.reserve(handlers_.size());
	for (const auto& entry : handlers_) ids.push_back(entry.first);
	return ids;
}

} // namespace mediaplane
