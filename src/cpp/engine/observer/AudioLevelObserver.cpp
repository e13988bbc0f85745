#include "AudioLevelObserver.hpp"

#include <algorithm>
#include <cmath>

#include "../common/RequestError.hpp"
#include "../rtc/Producer.hpp"

namespace mediaplane {

AudioLevelObserver::AudioLevelObserver(const WorkerContext& context, std::string id, Listener& listener,
                                       const Value& data)
    : RtpObserver(context, std::move(id), listener) {
	const double maxEntries = data.OptionalNumber("maxEntries", 1);
	if (!(maxEntries >= 1 && maxEntries <= 4294967295.0) || maxEntries != std::floor(maxEntries)) {
		throw RequestError::Type("invalid maxEntries");
	}
	const double threshold = data.OptionalNumber("threshold", -80);
	if (threshold < -127 || threshold > 0) throw RequestError::Type("invalid threshold");
	// As mediasoup: the interval is clamped to 250..5000 ms.
	const double interval = std::clamp(data.OptionalNumber("interval", 1000), 250.0, 5000.0);
	maxEntries_ = static_cast<size_t>(maxEntries);
	threshold_ = static_cast<int>(threshold);
	intervalMs_ = static_cast<uint32_t>(interval);
	timer_ = std::make_unique<Timer>(context_.loop, [this]() { OnInterval(); });
	timer_->Start(intervalMs_);
}

void AudioLevelObserver::OnProducerAdded(const Producer& producer) { entries_.push_back({ &producer, 0, 0 }); }

void AudioLevelObserver::OnProducerRemoved(const Producer& producer) {
	entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.producer == &producer; }),
	               entries_.end());
}

void AudioLevelObserver::OnRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info) {
	const int level = AudioLevel(packet, info);
	if (level < 0) return;
	for (Entry& entry : entries_) {
		if (entry.producer != &producer) continue;
		entry.levelSum += static_cast<uint64_t>(level);
		++entry.packetCount;
		return;
	}
}

void AudioLevelObserver::ResetLevels() {
	for (Entry& entry : entries_) {
		entry.levelSum = 0;
		entry.packetCount = 0;
	}
}

void AudioLevelObserver::OnInterval() {
	timer_->Start(intervalMs_);
	if (IsPaused()) return;
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

} // namespace mediaplane
