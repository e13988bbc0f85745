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
#include "../rtc/ProducerPacketInfo.hpp"
#include "../rtp/RtpPacket.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class Producer;

class AudioLevelObserver : public RequestHandler {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		virtual Producer* FindProducer(const std::string& producerId) = 0;
		// The observer watches `producer` now (or no longer): the router routes its
		// packets here accordingly.
		virtual void OnObserverAddProducer(AudioLevelObserver& observer, Producer& producer) = 0;
		virtual void OnObserverRemoveProducer(AudioLevelObserver& observer, Producer& producer) = 0;
	};

	// Throws RequestError on invalid options.
	AudioLevelObserver(const WorkerContext& context, std::string id, Listener& listener, const Value& data);
	~AudioLevelObserver() override;

	AudioLevelObserver(const AudioLevelObserver&) = delete;
	AudioLevelObserver& operator=(const AudioLevelObserver&) = delete;

	const std::string& GetId() const { return id_; }
	// From the router: a packet of a watched producer.
	void ReceiveRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info);
	// From the router: a watched producer is closing.
	void ProducerClosed(const Producer& producer);
	bool Watches(const Producer& producer) const;
	std::vector<const Producer*> GetProducers() const;

	Value HandleRequest(const ChannelRequest& request) override;

private:
	struct Entry {
		const Producer* producer = nullptr;
		uint64_t levelSum = 0; // sum of the levels (-dBov) of the interval's packets
		uint32_t packetCount = 0;
	};

	void OnInterval();
	void ResetLevels();

	const WorkerContext& context_;
	std::string id_;
	Listener& listener_;
	size_t maxEntries_ = 1;
	int threshold_ = -80;
	uint32_t intervalMs_ = 1000;
	bool paused_ = false;
	bool silent_ = false; // 'silence' was the last event
	std::vector<Entry> entries_;
	std::unique_ptr<Timer> timer_;
};

} // namespace mediaplane
