#include "RtpObserver.hpp"

#include <algorithm>

#include "../common/RequestError.hpp"
#include "../rtc/Producer.hpp"

namespace mediaplane {

RtpObserver::RtpObserver(const WorkerContext& context, std::string id, Listener& listener)
    : context_(context), id_(std::move(id)), listener_(listener) {
	context_.registry->Register(id_, this);
}

RtpObserver::~RtpObserver() { context_.registry->Unregister(id_); }

bool RtpObserver::Watches(const Producer& producer) const {
	return std::find(producers_.begin(), producers_.end(), &producer) != producers_.end();
}

int RtpObserver::AudioLevel(const RtpPacket& packet, const ProducerPacketInfo& info) {
	if (!info.extensionMap) return -1;
	size_t length = 0;
	const uint8_t* value = packet.GetExtension(*info.extensionMap, RtpExtensionType::SsrcAudioLevel, &length);
	if (!value || length < 1) return -1;
	// RFC 6464 §3: | V | level |, the level in -dBov.
	return value[0] & 0x7f;
}

void RtpObserver::ReceiveRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info) {
	if (paused_) return;
	OnRtpPacket(producer, packet, info);
}

void RtpObserver::RemoveProducer(const Producer& producer) {
	auto it = std::find(producers_.begin(), producers_.end(), &producer);
	if (it == producers_.end()) return;
	producers_.erase(it);
	OnProducerRemoved(producer);
}

void RtpObserver::ProducerClosed(const Producer& producer) { RemoveProducer(producer); }

Value RtpObserver::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::RtpObserverPause:
			if (!paused_) {
				paused_ = true;
				OnPaused();
			}
			return Value();
		case Method::RtpObserverResume:
			if (paused_) {
				paused_ = false;
				OnResumed();
			}
			return Value();
		case Method::RtpObserverAddProducer: {
			Producer* producer = listener_.FindProducer(request.data.RequireString("producerId"));
			if (!producer) throw RequestError::NotFound("Producer not found");
			if (producer->IsVideo()) throw RequestError::Type("not an audio Producer");
			if (Watches(*producer)) return Value(); // as mediasoup: adding twice is harmless
			producers_.push_back(producer);
			OnProducerAdded(*producer);
			listener_.OnObserverAddProducer(*this, *producer);
			return Value();
		}
		case Method::RtpObserverRemoveProducer: {
			Producer* producer = listener_.FindProducer(request.data.RequireString("producerId"));
			if (!producer) throw RequestError::NotFound("Producer not found");
			if (!Watches(*producer)) return Value();
			RemoveProducer(*producer);
			listener_.OnObserverRemoveProducer(*this, *producer);
			return Value();
		}
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for an ") + TypeName() + ": " + MethodName(request.method));
	}
}

} // namespace mediaplane
