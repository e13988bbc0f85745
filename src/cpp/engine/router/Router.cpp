#define MP_LOG_SOURCE "Router"
#include "Router.hpp"

#include "../common/Logger.hpp"

namespace mediaplane {

Router::Router(std::string id, RequestHandlerRegistry& registry)
    : id_(std::move(id)), registry_(registry) {
	registry_.Register(id_, this);
	MP_DEBUG("router %s created", id_.c_str());
}

Router::~Router() {
	registry_.Unregister(id_);
	MP_DEBUG("router %s closed", id_.c_str());
}

Value Router::Dump() const {
	// Field names and shapes follow mediasoup v3's RouterDump; the maps are arrays of
	// { key, values } / { key, value } entries.
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("transportIds", Value::MakeArray());
	dump.Set("rtpObserverIds", Value::MakeArray());
	dump.Set("mapProducerIdConsumerIds", Value::MakeArray());
	dump.Set("mapConsumerIdProducerId", Value::MakeArray());
	dump.Set("mapProducerIdObserverIds", Value::MakeArray());
	dump.Set("mapDataProducerIdDataConsumerIds", Value::MakeArray());
	dump.Set("mapDataConsumerIdDataProducerId", Value::MakeArray());
	return dump;
}

Value Router::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::RouterDump: return Dump();
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a router: ") +
			                       MethodName(request.method));
	}
}

} // namespace mediaplane
