#pragma once
// An ActiveSpeakerObserver (mediasoup's RTP observer of that name): follows which of the
// audio producers it watches is the dominant speaker, from the RFC 6464 audio levels
// their packets carry, with the method of Volfin and Cohen (DominantSpeakerDetector:
// immediate, medium and long time-scale speech activity, so that a transient does not
// take over and short interjections do not interrupt). Every `interval` ms it runs the
// detector's decision and emits 'dominantspeaker' { producerId } when the dominant
// speaker changed. A paused observer ignores packets and forgets what it had heard.

#include <memory>
#include <string>
#include <vector>

#include "../common/Timer.hpp"
#include "DominantSpeakerDetector.hpp"
#include "RtpObserver.hpp"

namespace mediaplane {

class ActiveSpeakerObserver final : public RtpObserver {
public:
	// Throws RequestError on invalid options.
	ActiveSpeakerObserver(const WorkerContext& context, std::string id, Listener& listener, const Value& data);

private:
	struct Speaker {
		const Producer* producer = nullptr;
		DominantSpeakerDetector::SpeakerId speakerId = 0;
	};

	void OnRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info) override;
	void OnProducerAdded(const Producer& producer) override;
	void OnProducerRemoved(const Producer& producer) override;
	void OnPaused() override { detector_.Reset(); }
	void OnResumed() override { detector_.Reset(); }
	const char* TypeName() const override { return "ActiveSpeakerObserver"; }

	void OnInterval();
	const Speaker* FindSpeaker(const Producer& producer) const;

	uint32_t intervalMs_ = 300;
	DominantSpeakerDetector detector_;
	DominantSpeakerDetector::SpeakerId nextSpeakerId_ = 1;
	std::vector<Speaker> speakers_;
	std::unique_ptr<Timer> timer_;
};

} // namespace mediaplane
