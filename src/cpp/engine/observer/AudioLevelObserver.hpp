#pragma once
// An AudioLevelObserver (mediasoup's RTP observer of that name): every `interval` ms it
// reports the loudest of the audio producers it watches, from the audio level each
// packet carries in the ssrc-audio-level header extension (RFC 6464 §3: 0 to 127, the
// level in -dBov). Per producer the levels of the interval are averaged; the producers
// whose average volume (in dBov, -127..0) is at least `threshold` are emitted as
// 'volumes', loudest first, at most `maxEntries` of them; when none is, 'silence' is
// emitted once (until some producer is loud again). Paused producers send it nothing
// (the producer drops their packets before the router); a paused observer ignores
// packets and emits nothing.

#include <memory>
#include <string>
#include <vector>

#include "../common/Timer.hpp"
#include "RtpObserver.hpp"

namespace mediaplane {

class AudioLevelObserver final : public RtpObserver {
public:
	// Throws RequestError on invalid options.
	AudioLevelObserver(const WorkerContext& context, std::string id, Listener& listener, const Value& data);

private:
	struct Entry {
		const Producer* producer = nullptr;
		uint64_t levelSum = 0; // sum of the levels (-dBov) of the interval's packets
		uint32_t packetCount = 0;
	};

	void OnRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info) override;
	void OnProducerAdded(const Producer& producer) override;
	void OnProducerRemoved(const Producer& producer) override;
	void OnPaused() override { ResetLevels(); }
	void OnResumed() override { ResetLevels(); }
	const char* TypeName() const override { return "AudioLevelObserver"; }

	void OnInterval();
	void ResetLevels();

	size_t maxEntries_ = 1;
	int threshold_ = -80;
	uint32_t intervalMs_ = 1000;
	bool silent_ = false; // 'silence' was the last event
	std::vector<Entry> entries_;
	std::unique_ptr<Timer> timer_;
};

} // namespace mediaplane
