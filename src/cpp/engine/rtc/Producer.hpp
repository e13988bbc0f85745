#pragma once
// A Producer: one endpoint's media entering the router through a transport.
//
// Incoming packets are matched to an encoding (by SSRC, RTX SSRC, or the RID/repaired-RID
// header extension for simulcast), RTX-decapsulated (RFC 4588 §4), counted, inspected
// for key frames, and rewritten in place to the router's mapped payload type and SSRC
// (the RtpMapping computed by ortc.ts), so every consumer sees one normalised stream
// whatever the endpoint chose. The transport then hands them to the router.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "../common/RateCalculator.hpp"
#include "../rtcp/ReportBlock.hpp"
#include "../rtp/RtpPacket.hpp"
#include "../rtp/RtpStreamRecv.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"
#include "ProducerPacketInfo.hpp"
#include "StreamTraceEvents.hpp"

namespace mediaplane {

class Producer : public RequestHandler, public RtpStreamRecv::Listener {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		virtual void OnProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) = 0;
		virtual void OnProducerPaused(Producer& producer) = 0;
		virtual void OnProducerResumed(Producer& producer) = 0;
		virtual void OnProducerScore(Producer& producer) = 0;
		// RTCP towards the producing endpoint (built by the transport).
		virtual void OnProducerSendPli(Producer& producer, uint32_t mediaSsrc) = 0;
		virtual void OnProducerSendFir(Producer& producer, uint32_t mediaSsrc, uint8_t sequence) = 0;
		virtual void OnProducerSendNack(Producer& producer, uint32_t mediaSsrc, const std::vector<uint16_t>& seqs) = 0;
		// producer.send() of a DirectTransport: an RTP packet from JavaScript.
		virtual void OnProducerInjectedRtp(Producer& producer, uint8_t* data, size_t len) = 0;
	};

	struct Encoding {
		uint32_t ssrc = 0; // 0 until learned (RID-only encodings)
		std::string rid;
		uint32_t rtxSsrc = 0;
		uint32_t mappedSsrc = 0;
		std::unique_ptr<RtpStreamRecv> stream; // created with the first packet
		int score = 0;
		uint64_t lastKeyFrameRequestMs = 0;
		uint8_t firSequence = 0;
		// The last packet that jumped in sequence (RFC 3550 A.1), kept until the next
		// packet confirms or not that the sender restarted: then it goes out first (it
		// is often the new encoder's first key frame packet). Empty until a jump.
		std::vector<uint8_t> heldPacket;
		// Layers (scalabilityMode) and, with more than one, the rate of each (spatial *
		// temporalLayers + temporal), for getStats().bitrateByLayer as mediasoup's.
		uint8_t spatialLayers = 1;
		uint8_t temporalLayers = 1;
		std::vector<RateCalculator> layerRates;
	};

	// Throws RequestError on invalid data.
	Producer(const WorkerContext& context, std::string id, Listener& listener, const Value& data);
	~Producer() override;

	Producer(const Producer&) = delete;
	Producer& operator=(const Producer&) = delete;

	const std::string& GetId() const { return id_; }
	bool IsVideo() const { return isVideo_; }
	bool IsPaused() const { return paused_; }
	// "simple", "simulcast" or "svc" (mediasoup's rules; see the constructor).
	const std::string& GetType() const { return type_; }
	const std::string& GetMid() const { return mid_; }
	const std::vector<Encoding>& GetEncodings() const { return encodings_; }
	const RtpExtensionMap& GetExtensionMap() const { return extensionMap_; }
	// Scores of every encoding (for consumers' score events).
	std::vector<int> GetScores() const;

	// Whether this producer owns the packet's SSRC (or RID), learning it if needed.
	bool Accepts(const RtpPacket& packet) const;
	// Whether `ssrc` is one of the encodings' media or RTX SSRCs (signalled or learnt).
	bool UsesSsrc(uint32_t ssrc) const;
	// Handles one RTP packet for this producer; may rewrite it in place.
	// What became of a received packet (mediasoup's ReceiveRtpPacketResult): forwarded
	// as media, forwarded as a retransmission (RTX), or not forwarded.
	enum class ReceiveResult : uint8_t { Media, Retransmission, Discarded };
	ReceiveResult ReceiveRtpPacket(RtpPacket& packet, uint64_t nowMs);
	void ReceiveSenderReport(uint32_t ssrc, uint32_t ntpMiddle, uint64_t nowMs);
	// A consumer needs a key frame of the encoding with this mapped SSRC (0: any).
	void RequestKeyFrame(uint32_t mappedSsrc, uint64_t nowMs);
	// Periodic work: NACK retries and score updates.
	void OnTimer(uint64_t nowMs);
	// Receiver report blocks for the RTCP the transport sends (one per active stream).
	void AppendReportBlocks(std::vector<ReportBlock>& out, uint64_t nowMs);

	Value Dump() const;
	// inbound-rtp entries of every received encoding, or of `onlyEncoding` alone.
	Value GetStats(uint64_t nowMs, int onlyEncoding = -1);
	// What forwarding a consumer's spatial layer up to a temporal layer costs now, in
	// bits per second (the transport's bitrate allocation): a simulcast layer is its
	// encoding up to that temporal layer; an SVC layer includes every lower spatial
	// layer; 0 when that layer is not being received.
	uint32_t GetLayerBitrate(int spatialLayer, int temporalLayer, uint64_t nowMs);

	// RtpStreamRecv::Listener
	void OnRtpStreamRecvScore(RtpStreamRecv& stream, uint8_t score, uint8_t previousScore) override;
	void OnRtpStreamRecvKeyFrameRequired(RtpStreamRecv& stream) override;
	Value HandleRequest(const ChannelRequest& request) override;

private:
	Encoding* FindEncoding(const RtpPacket& packet, bool* isRtx);
	// The rest of ReceiveRtpPacket once the stream accepted the packet: inspection, the
	// router's payload type and SSRC, and the consumers.
	void ForwardRtpPacket(Encoding& encoding, RtpPacket& packet, bool isStreamRestart);
	void SetMediasoupPacketId(const RtpPacket& packet, ProducerPacketInfo* info) const;
	void EmitScoreIfChanged();
	static Value BitrateByLayer(Encoding& encoding, uint64_t nowMs);
	void MaybeEmitVideoOrientation(const RtpPacket& packet);
	void EmitTrace(const char* type, const char* direction, Value info);

	const WorkerContext& context_;
	std::string id_;
	Listener& listener_;
	bool isVideo_ = false;
	std::string type_ = "simple";
	bool paused_ = false;
	// enableMediasoupPacketIdHeaderExtension: stamp packets that carry no packet id.
	bool stampsMediasoupPacketIds_ = false;
	uint32_t keyFrameRequestDelayMs_ = 0;
	std::string mid_;
	Value rtpParameters_;
	Value rtpMapping_; // as given (ortc.ts RtpMapping), for dump()
	RtpExtensionMap extensionMap_;

	// Payload type → mapped payload type / codec / clock rate (-1: not negotiated).
	std::array<int16_t, 128> mappedPayloadType_{};
	std::array<int16_t, 128> rtxApt_{}; // RTX payload type → its media payload type
	std::array<CodecType, 128> codecByPayloadType_{};
	std::array<uint32_t, 128> clockRateByPayloadType_{};
	uint8_t mediaPayloadTypeForStats_ = 0; // the first media codec
	std::string mediaMimeType_;            // its mimeType, for getStats()
	bool supportsFir_ = false;
	bool supportsPli_ = false;
	bool supportsNack_ = false;
	bool hasRtxCodec_ = false;

	std::vector<Encoding> encodings_;
	std::vector<uint16_t> nackScratch_;
	uint8_t lastVideoOrientation_ = 0xff;
	StreamTraceEvents trace_;
};

} // namespace mediaplane
