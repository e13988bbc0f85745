#include "AudioLevelObserver.hpp"

#include <algorithm>
#include <cmath>

#include "../common/RequestError.hpp"
#include "../rtc/Producer.hpp"

namespace mediaplane {

AudioLevelObserver::AudioLevelObserver(const WorkerContext& context, std::string id, Listener& listener,
                                       const Value& data)
    : context_(context), id_(std::move(id)), listener_(listener) {
	const double maxEntries = data.OptionalNumber("maxEntries", 1);
	if (maxEntries < 1 || maxEntries != std::floor(maxEntries)) throw RequestError::Type("invalid maxEntries");
	const double threshold = data.OptionalNumber("threshold", -80);
	if (threshold < -127 || threshold > 0) throw RequestError::Type("invalid threshold");
	// As mediasoup: the interval is clamped to 250..5000 ms.
	const double interval = std::clamp(data.OptionalNumber("interval", 1000), 250.0, 5000.0);
	maxEntries_ = static_cast<size_t>(maxEntries);
	threshold_ = static_cast<int>(threshold);
	intervalMs_ = static_cast<uint32_t>(interval);
	timer_ = std::make_unique<Timer>(context_.loop, [this]() { OnInterval(); });
	timer_->Start(intervalMs_);
	context_.registry->Register(id_, this);
}

AudioLevelObserver::~AudioLevelObserver() { context_.registry->Unregister(id_); }

bool AudioLevelObserver::Watches(const Producer& producer) const {
	return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.producer == &producer; });
}

std::vector<const Producer*> AudioLevelObserver::GetProducers() const {
	std::vector<const Producer*> producers;
	for (const Entry& entry : entries_) producers.push_back(entry.producer);
	return producers;
}

void AudioLevelObserver::ReceiveRtpPacket(const Producer& producer, const RtpPacket& packet,
                                          const ProducerPacketInfo& info) {
	if (paused_ || !info.extensionMap) return;
	size_t length = 0;
	const uint8_t* value = packet.GetExtension(*info.extensionMap, RtpExtensionType::SsrcAudioLevel, &length);
	if (!value || length < 1) return;
	for (Entry& entry : entries_) {
		if (entry.producer != &producer) continue;
		// RFC 6464 §3: |V| level |, the level in -dBov (0 loudest, 127 silence).
		entry.levelSum += value[0] & 0x7f;
		++entry.packetCount;
		return;
	}
}

void AudioLevelObserver::ProducerClosed(const Producer& producer) {
	entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.producer == &producer; }),
	               entries_.end());
}

void AudioLevelObserver::ResetLevels() {
	for (Entry& entry : entries_) {
		entry.levelSum = 0;
		entry.packetCount = 0;
	}
}

void AudioLevelObserver::OnInterval() {
	timer_->Start(intervalMs_);
	if (paused_) return;
	struct Loud {
		const Producer* producer;
		double volume;
	};
	std::vector<Loud> loud;
	for (const Entry& entry : entries_) {
		if (entry.packetCount == 0) continue;
		const double volume = -static_cast<double>(entry.levelSum) / entry.packetCount;
		if (volume >= threshold_) loud.push_back({ entry.producer, volume });
	}
	ResetLevels();
	if (loud.empty()) {
		if (!silent_) context_.Emit(id_, "silence");
		silent_ = true;
		return;
	}
	silent_ = false;
	std::stable_sort(loud.begin(), loud.end(), [](const Loud& a, const Loud& b) { return a.volume > b.volume; });
	if (loud.size() > maxEntries_) loud.resize(maxEntries_);
	Value volumes = Value::MakeArray();
	for (const Loud& l : loud) {
		// Rounded like the levels themselves (whole dB).
		volumes.Push(Value::MakeObject().Set("producerId", l.producer->GetId()).Set("volume", std::round(l.volume)));
	}
	context_.Emit(id_, "volumes", std::move(volumes));
}

Value AudioLevelObserver::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::RtpObserverPause:
			if (!paused_) {
				paused_ = true;
				ResetLevels();
			}
			return Value();
		case Method::RtpObserverResume:
			if (paused_) {
				paused_ = false;
				ResetLevels();
			}
			return Value();
		case Method::RtpObserverAddProducer: {
			Producer* producer = listener_.FindProducer(request.data.RequireString("producerId"));
			if (!producer) throw RequestError::NotFound("Producer not found");
			if (producer->IsVideo()) throw RequestError::Type("not an audio Producer");
			if (Watches(*producer)) return Value(); // as mediasoup: adding twice is harmless
			entries_.push_back({ producer, 0, 0 });
			listener_.OnObserverAddProducer(*this, *producer);
			return Value();
		}
		case Method::RtpObserverRemoveProducer: {
			Producer* producer = listener_.FindProducer(request.data.RequireString("producerId"));
			if (!producer) throw RequestError::NotFound("Producer not found");
			if (!Watches(*producer)) return Value();
			ProducerClosed(*producer);
			listener_.OnObserverRemoveProducer(*this, *producer);
			return Value();
		}
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for an AudioLevelObserver: ") + MethodName(request.method));
	}
}

} // namespace mediaplane
