#pragma once
// A Consumer: one producer's media sent to an endpoint through a transport.
// - "simple": the producer's only stream, as it is.
// - "simulcast": one of the producer's encodings at a time, chosen by SimulcastLayers
//   from the preferred layers and what is being received, switched on key frames, with
//   temporal layers above the target dropped (VP8 picture ids kept continuous by
//   Vp8PictureRewriter).
// - "svc": the producer's one VP9 stream with the spatial and temporal layers above the
//   target dropped (SvcLayers).
// - "pipe" (towards another router): every producer encoding as its own stream.
//
// Every forwarded packet is written anew for this endpoint (RtpPacketWriter): the
// consumer's SSRC and payload type, a sequence number and timestamp rewritten so that
// the endpoint sees one continuous stream across pauses, restarts and layer switches
// (RFC 3550 §5.1: seq increments by one per packet sent; timestamps advance with the
// media clock), and its own header extension ids and values (mid, abs-send-time,
// transport-wide sequence number). A video consumer starts, and restarts after a
// pause, on a key frame.

#include <memory>
#include <string>
#include <vector>

#include "../rtcp/SenderReport.hpp"
#include "../rtp/RtpPacket.hpp"
#include "../rtp/RtpStreamSend.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "ProducerPacketInfo.hpp"
#include "StreamTraceEvents.hpp"
#include "RtpStreamRewriter.hpp"
#include "SimulcastLayers.hpp"
#include "SvcLayers.hpp"
#include "Vp8PictureRewriter.hpp"

namespace mediaplane {

class Producer;

class Consumer : public RequestHandler, public RtpStreamSend::Retransmitter, public RtpStreamSend::Listener {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// Sends an RTP packet in `data` (room for the SRTP trailer up to `capacity`).
		virtual void OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity) = 0;
		// A retransmission (NACK answered); the transport counts it apart.
		// True when the retransmission left (false: refused by the retransmission budget).
		virtual bool OnConsumerRetransmitRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity,
		                                           const RtpStreamSend::RetransmittedPacket& original) = 0;
		virtual void OnConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) = 0;
		// The transport-wide sequence number for the next packet this transport sends.
		virtual uint16_t NextTransportWideSequenceNumber() = 0;
		// Whether the transport can deliver anything yet (ICE+DTLS done, or connected).
		virtual bool IsTransportReady() const = 0;
	};

	Consumer(const WorkerContext& context, std::string id, std::string producerId, Listener& listener,
	         const Value& data);
	~Consumer() override;

	Consumer(const Consumer&) = delete;
	Consumer& operator=(const Consumer&) = delete;

	const std::string& GetId() const { return id_; }
	const std::string& GetProducerId() const { return producerId_; }
	// Every SSRC this consumer sends with (media and RTX of each stream).
	std::vector<uint32_t> GetSendSsrcs() const;
	// Whether `ssrc` is one of this consumer's media (not RTX) SSRCs.
	bool HasMediaSsrc(uint32_t ssrc) const { return FindStreamBySsrc(ssrc) != nullptr; }
	bool IsActive() const { return !paused_ && !producerPaused_; }
	// { score, producerScore, producerScores } as consume() and 'score' report them.
	Value ScoreValue() const;

	// From the router.
	void SendRtpPacket(const RtpPacket& packet, const ProducerPacketInfo& info);
	void ProducerPaused();
	void ProducerResumed();
	void ProducerClosed(); // emits 'producerclose'; the transport destroys the consumer
	void ProducerScoresChanged(const std::vector<int>& scores);
	// The scores at creation: the consume() response carries them, so no event.
	void SetInitialProducerScores(const std::vector<int>& scores);
	// From the transport: it can deliver now. Restart on a key frame, since nothing
	// sent before reached the endpoint.
	void TransportReady();
	// The producer this consumer follows, for getStats() (the router sets it and
	// clears it before the producer goes away).
	void SetProducer(Producer* producer) { producer_ = producer; }

	// From the transport's RTCP, about the media SSRC `ssrc` (one of GetSendSsrcs()).
	void ReceiveNack(uint32_t ssrc, const std::vector<uint16_t>& seqs);
	// Our retransmission of (ssrc, seq) was reported lost by transport-wide feedback.
	void OnRetransmissionLost(uint32_t ssrc, uint16_t seq);
	void ReceiveKeyFrameRequest(uint32_t ssrc, bool isFir);
	void ReceiveReportBlock(uint32_t ssrc, uint8_t fractionLost, int32_t cumulativeLost, uint32_t highestSeq,
	                        uint32_t jitter, uint32_t lsr, uint32_t dlsr);
	// Sender reports for the transport's compound RTCP: one per stream that has sent.
	void AppendSenderReports(std::vector<SenderReport>& out, uint64_t nowMs);
	void OnTimer(uint64_t nowMs); // score updates

	// RtpStreamSend::Retransmitter / Listener
	bool RetransmitRtpPacket(uint8_t* data, size_t len, size_t capacity,
	                         const RtpStreamSend::RetransmittedPacket& original) override;
	void OnRtpStreamSendScore(RtpStreamSend& stream, uint8_t score, uint8_t previousScore) override;

	Value Dump() const;
	Value GetStats(uint64_t nowMs);
	Value HandleRequest(const ChannelRequest& request) override;

	// For the transport's bitrate allocation (issue 12).
	struct LayerOption {
		int spatialLayer;
		int temporalLayer;
		uint32_t bitrate; // bits per second
	};
	// A simulcast or SVC consumer (not a pipe consumer): its layers can be capped.
	bool IsLayered() const { return layers_ != nullptr && streams_.size() == 1; }
	int GetPriority() const { return priority_; }
	uint8_t GetTransportCcExtensionId() const { return extensionMap_.GetId(RtpExtensionType::TransportWideCc); }
	// What this consumer sends now, retransmissions included (bits per second).
	uint32_t GetSendBitrate(uint64_t nowMs);
	// The layers it could forward, up to the application's preferred ones, lowest first,
	// each with what it costs now (only layers being received).
	void GetLayerOptions(std::vector<LayerOption>& out, uint64_t nowMs);
	// Sends one bandwidth probe packet (an RTX copy of a recent packet) through the
	// retransmission path; its size, 0 when this consumer cannot probe.
	size_t SendProbePacket(uint64_t nowMs);
	// The highest layers the allocation allows (see LayerSelector::SetBitrateLimit).
	void SetBitrateLayerLimit(int spatialLayer, int temporalLayer);
	void GetBitrateLayerLimit(int* spatialLayer, int* temporalLayer) const;

	// The producer's stream this consumer needs a key frame of: the target layer's (the
	// preferred one before any packet arrived); the only one for a simple consumer.
	uint32_t GetKeyFrameSsrc() const;
	// Simulcast consumers: { spatialLayer, temporalLayer } preferred (for consume()'s
	// response); null for a simple consumer.
	Value PreferredLayersValue() const;

private:
	// One stream this consumer sends: a simple or simulcast consumer has one; a pipe
	// consumer one per producer encoding, each forwarded as it is (no layer choice).
	struct OutboundStream {
		uint32_t ssrc = 0;
		uint32_t rtxSsrc = 0;
		uint32_t producerSsrc = 0; // the producer's mapped SSRC it follows (pipe)
		RtpStreamRewriter rewriter{ 90000 };
		std::unique_ptr<RtpStreamSend> send;
	};

	OutboundStream* FindStreamBySsrc(uint32_t ssrc);
	const OutboundStream* FindStreamBySsrc(uint32_t ssrc) const;
	// A packet of `stream` the receiver lost will not reach it: a key frame, rate-limited.
	void RequestKeyFrameForLoss(const OutboundStream& stream, uint64_t nowMs);
	// The stream a producer packet goes out on, or null when it is not forwarded.
	// *setMarker: the packet ends the picture the endpoint gets (SVC upper layers dropped).
	OutboundStream* SelectStream(const RtpPacket& packet, const ProducerPacketInfo& info, uint64_t nowMs,
	                             bool* setMarker);
	void RequestKeyFrame();
	void RequestKeyFrame(uint32_t producerSsrc);
	// Start over on the next key frame: the endpoint lost (or never had) the stream.
	void RestartStream();
	// The producer stream of this packet restarted its sequence (ProducerPacketInfo).
	void HandleProducerStreamRestart(const ProducerPacketInfo& info);
	// Simulcast: what to do with a packet; false to drop it.
	bool SelectLayer(const ProducerPacketInfo& info, uint64_t nowMs);
	bool SelectSvcLayers(const ProducerPacketInfo& info, uint64_t nowMs, bool* setMarker);
	void EmitLayersIfChanged();
	int CurrentProducerScore() const;
	Value SetPreferredLayers(const Value& data);
	void EmitScore();
	void EmitTrace(const char* type, const char* direction, Value info);

	const WorkerContext& context_;
	std::string id_;
	std::string producerId_;
	Listener& listener_;
	bool isVideo_ = false;
	std::string type_ = "simple";
	RtpExtensionMap extensionMap_;
	std::string mid_;
	uint8_t payloadType_ = 0;
	uint8_t rtxPayloadType_ = 0;
	uint32_t clockRate_ = 90000;
	std::string mimeType_; // of the media codec, for getStats()
	// The producer's mapped SSRC per encoding (spatial layer order).
	std::vector<uint32_t> producerMappedSsrcs_;
	// Simulcast and SVC consumers choose layers; layers_ points at whichever exists.
	std::unique_ptr<SimulcastLayers> simulcastLayers_;
	std::unique_ptr<SvcLayers> svcLayers_;
	LayerSelector* layers_ = nullptr;
	Vp8PictureRewriter vp8PictureRewriter_;
	bool paused_ = false;
	bool producerPaused_ = false;
	bool ignoreDtx_ = false;
	bool isOpus_ = false;
	int priority_ = 1;

	uint64_t lastKeyFrameRequestMs_ = 0;
	// A key frame for loss (RequestKeyFrameForLoss) waiting out the request interval.
	bool lossKeyFramePending_ = false;
	uint32_t pendingLossKeyFrameSsrc_ = 0;

	std::vector<OutboundStream> streams_;
	Producer* producer_ = nullptr;
	int score_ = 10;
	int producerScore_ = 10;
	std::vector<int> producerScores_;
	int emittedScore_ = -1;
	int emittedProducerScore_ = -1;

	StreamTraceEvents trace_;
};

} // namespace mediaplane
