#include "ActiveSpeakerObserver.hpp"

#include <algorithm>
#include <cmath>

#include "../common/RequestError.hpp"
#include "../rtc/Producer.hpp"

namespace mediaplane {

ActiveSpeakerObserver::ActiveSpeakerObserver(const WorkerContext& context, std::string id, Listener& listener,
                                             const Value& data)
    : RtpObserver(context, std::move(id), listener) {
	const double interval = data.OptionalNumber("interval", 300);
	if (!std::isfinite(interval)) throw RequestError::Type("invalid interval");
	// As mediasoup: the decision interval is clamped to 100..5000 ms.
	intervalMs_ = static_cast<uint32_t>(std::clamp(interval, 100.0, 5000.0));
	timer_ = std::make_unique<Timer>(context_.loop, [this]() { OnInterval(); });
	timer_->Start(intervalMs_);
}

const ActiveSpeakerObserver::Speaker* ActiveSpeakerObserver::FindSpeaker(const Producer& producer) const {
	for (const Speaker& speaker : speakers_) {
		if (speaker.producer == &producer) return &speaker;
	}
	return nullptr;
}

void ActiveSpeakerObserver::OnProducerAdded(const Producer& producer) {
	const DominantSpeakerDetector::SpeakerId speakerId = nextSpeakerId_++;
	speakers_.push_back({ &producer, speakerId });
	detector_.AddSpeaker(speakerId);
}

void ActiveSpeakerObserver::OnProducerRemoved(const Producer& producer) {
	auto it = std::find_if(speakers_.begin(), speakers_.end(), [&](const Speaker& s) { return s.producer == &producer; });
	if (it == speakers_.end()) return;
	detector_.RemoveSpeaker(it->speakerId);
	speakers_.erase(it);
}

void ActiveSpeakerObserver::OnRtpPacket(const Producer& producer, const RtpPacket& packet,
                                        const ProducerPacketInfo& info) {
	const int level = AudioLevel(packet, info);
	if (level < 0) return;
	const Speaker* speaker = FindSpeaker(producer);
	if (speaker) detector_.OnAudioLevel(speaker->speakerId, static_cast<uint8_t>(level), context_.NowMs());
}

void ActiveSpeakerObserver::OnInterval() {
	timer_->Start(intervalMs_);
	if (IsPaused()) return;
	const DominantSpeakerDetector::SpeakerId dominant = detector_.Evaluate(context_.NowMs());
	if (dominant == 0) return;
	for (const Speaker& speaker : speakers_) {
		if (speaker.speakerId != dominant) continue;
		context_.Emit(id_, "dominantspeaker", Value::MakeObject().Set("producerId", speaker.producer->GetId()));
		return;
	}
}

} // namespace mediaplane
