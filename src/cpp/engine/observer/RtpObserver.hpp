#pragma once
// What every RTP observer of a router shares (mediasoup's RtpObserver): an id, the
// audio producers it watches (added and removed by request; a closing producer leaves
// by itself), pause/resume, and the packets of watched producers, which the router
// hands over (RtpObserver::Listener routes them). Subclasses say what they make of the
// packets: AudioLevelObserver (loudest producers), ActiveSpeakerObserver (dominant
// speaker).

#include <string>
#include <vector>

#include "../rtc/ProducerPacketInfo.hpp"
#include "../rtp/RtpPacket.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class Producer;

class RtpObserver : public RequestHandler {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		virtual Producer* FindProducer(const std::string& producerId) = 0;
		// The observer watches `producer` now (or no longer): the router routes its
		// packets here accordingly.
		virtual void OnObserverAddProducer(RtpObserver& observer, Producer& producer) = 0;
		virtual void OnObserverRemoveProducer(RtpObserver& observer, Producer& producer) = 0;
	};

	RtpObserver(const WorkerContext& context, std::string id, Listener& listener);
	~RtpObserver() override;

	RtpObserver(const RtpObserver&) = delete;
	RtpObserver& operator=(const RtpObserver&) = delete;

	const std::string& GetId() const { return id_; }
	bool IsPaused() const { return paused_; }
	bool Watches(const Producer& producer) const;
	const std::vector<const Producer*>& GetProducers() const { return producers_; }

	// From the router: a packet of a watched producer (ignored while paused).
	void ReceiveRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info);
	// From the router: a watched producer is closing.
	void ProducerClosed(const Producer& producer);

	// pause, resume, addProducer, removeProducer.
	Value HandleRequest(const ChannelRequest& request) override;

protected:
	// RFC 6464 §3: the packet's audio level (0 loudest .. 127 silence, in -dBov), or -1
	// when it carries none.
	static int AudioLevel(const RtpPacket& packet, const ProducerPacketInfo& info);

	virtual void OnRtpPacket(const Producer& producer, const RtpPacket& packet, const ProducerPacketInfo& info) = 0;
	virtual void OnProducerAdded(const Producer& producer) = 0;
	virtual void OnProducerRemoved(const Producer& producer) = 0;
	virtual void OnPaused() = 0;
	virtual void OnResumed() = 0;
	virtual const char* TypeName() const = 0;

	const WorkerContext& context_;
	const std::string id_;

private:
	void RemoveProducer(const Producer& producer);

	Listener& listener_;
	bool paused_ = false;
	std::vector<const Producer*> producers_;
};

} // namespace mediaplane
