#define MP_LOG_SOURCE "Router"
#include "Router.hpp"

#include "../common/Logger.hpp"
#include "../transport/WebRtcTransport.hpp"

namespace mediaplane {

Router::Router(const WorkerContext& context, std::string id) : context_(context), id_(std::move(id)) {
	context_.registry->Register(id_, this);
	MP_DEBUG("router %s created", id_.c_str());
}

Router::~Router() {
	webRtcTransports_.clear();
	context_.registry->Unregister(id_);
	MP_DEBUG("router %s closed", id_.c_str());
}

Value Router::Dump() const {
	// Field names and shapes follow mediasoup v3's RouterDump; the maps are arrays of
	// { key, values } / { key, value } entries.
	Value transportIds = Value::MakeArray();
	for (const auto& entry : webRtcTransports_) transportIds.Push(entry.first);
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("transportIds", std::move(transportIds));
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
		case Method::RouterCreateWebRtcTransport: return CreateWebRtcTransport(request.data);
		case Method::RouterCloseTransport: CloseTransport(request.data); return Value();
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a router: ") + MethodName(request.method));
	}
}

Value Router::CreateWebRtcTransport(const Value& data) {
	const std::string& transportId = data.RequireString("transportId");
	if (context_.registry->Find(transportId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + transportId + "\" already exists");
	}
	auto transport = std::make_unique<WebRtcTransport>(context_, transportId, data);
	Value dump = transport->Dump();
	webRtcTransports_.emplace(transportId, std::move(transport));
	return dump;
}

void Router::CloseTransport(const Value& data) {
	const std::string& transportId = data.RequireString("transportId");
	auto it = webRtcTransports_.find(transportId);
	if (it == webRtcTransports_.end()) {
		throw RequestError::InvalidState("transport \"" + transportId + "\" not found");
	}
	webRtcTransports_.erase(it);
}

} // namespace mediaplane
