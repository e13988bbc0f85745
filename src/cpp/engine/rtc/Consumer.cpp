#define MP_LOG_SOURCE "Consumer"
#include "Consumer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtp/RtpPacketWriter.hpp"
#include "Producer.hpp"
#include "ScalabilityMode.hpp"
#include "../rtp/SeqNumbers.hpp"
#include "../rtp/codecs/CodecType.hpp"

namespace mediaplane {

namespace {

// Room for any packet we forward (UDP-sized; larger TCP frames are dropped and counted)
// plus our extensions and the largest SRTP trailer.
constexpr size_t kSendBufferSize = 4096;

uint8_t* SendBuffer() {
	static thread_local uint8_t buffer[kSendBufferSize];
	return buffer;
}

// A consumer asks for a key frame at most this often while it waits for one.
constexpr uint64_t kKeyFrameWaitRequestIntervalMs = 1000;

} // namespace

Consumer::Consumer(const WorkerContext& context, std::string id, std::string producerId, Listener& listener,
                   const Value& data)
    : context_(context), id_(std::move(id)), producerId_(std::move(producerId)), listener_(listener) {
	const std::string& kind = data.RequireString("kind");
	if (kind != "audio" && kind != "video") throw RequestError::Type("invalid kind");
	isVideo_ = kind == "video";
	type_ = data.OptionalString("type", "simple");
	paused_ = data.OptionalBool("paused", false);
	ignoreDtx_ = data.OptionalBool("ignoreDtx", false);

	const Value* rtpParameters = data.Find("rtpParameters");
	if (!rtpParameters || !rtpParameters->IsObject()) throw RequestError::Type("missing rtpParameters");
	mid_ = rtpParameters->OptionalString("mid", "");
	extensionMap_ = RtpExtensionMap::FromHeaderExtensions(rtpParameters->Find("headerExtensions"));

	const Value::Array& codecs = rtpParameters->RequireArray("codecs");
	if (codecs.empty()) throw RequestError::Type("empty rtpParameters.codecs");
	const Value& mediaCodec = codecs[0];
	uint32_t pt = mediaCodec.RequireUint32("payloadType");
	if (pt > 127) throw RequestError::Type("invalid payloadType");
	payloadType_ = static_cast<uint8_t>(pt);
	clockRate_ = mediaCodec.RequireUint32("clockRate");
	isOpus_ = CodecTypeFromMimeType(mediaCodec.RequireString("mimeType")) == CodecType::Opus;
	{
		const std::string_view known = CodecTypeMimeType(CodecTypeFromMimeType(mediaCodec.RequireString("mimeType")));
		mimeType_ = known.empty() ? mediaCodec.RequireString("mimeType") : std::string(known);
	}
	bool nackEnabled = false;
	if (const Value* feedback = mediaCodec.Find("rtcpFeedback"); feedback && feedback->IsArray()) {
		for (const Value& fb : feedback->AsArray()) {
			if (fb.OptionalString("type", "") == "nack" && fb.OptionalString("parameter", "").empty()) nackEnabled = true;
		}
	}
	for (const Value& codec : codecs) {
		if (CodecTypeFromMimeType(codec.RequireString("mimeType")) == CodecType::Rtx) {
			rtxPayloadType_ = static_cast<uint8_t>(codec.RequireUint32("payloadType") & 0x7f);
		}
	}
	const Value::Array& encodings = rtpParameters->RequireArray("encodings");
	if (encodings.empty()) throw RequestError::Type("empty rtpParameters.encodings");

	const Value::Array& consumable = data.RequireArray("consumableRtpEncodings");
	if (consumable.empty()) throw RequestError::Type("empty consumableRtpEncodings");
	for (const Value& encoding : consumable) producerMappedSsrcs_.push_back(encoding.RequireUint32("ssrc"));
	// A pipe consumer sends every producer stream with its own SSRC (its encodings in
	// the producer's order); any other consumer sends one stream.
	const bool pipe = type_ == "pipe";
	if (pipe && encodings.size() != producerMappedSsrcs_.size()) {
		throw RequestError::Type("a pipe consumer needs one encoding per producer encoding");
	}
	streams_.resize(pipe ? encodings.size() : 1);
	for (size_t i = 0; i < streams_.size(); ++i) {
		OutboundStream& stream = streams_[i];
		stream.ssrc = encodings[i].RequireUint32("ssrc");
		if (const Value* rtx = encodings[i].Find("rtx"); rtx && rtx->IsObject()) stream.rtxSsrc = rtx->RequireUint32("ssrc");
		stream.producerSsrc = producerMappedSsrcs_[i];
		stream.rewriter = RtpStreamRewriter(clockRate_);
	}
	// The consumer's one encoding names its layers ('L3T3': three spatial layers, as
	// streams for simulcast or in one stream for SVC, of three temporal layers each;
	// ortc.ts writes it from the producer's encodings).
	const ScalabilityMode mode = ParseScalabilityMode(encodings[0].OptionalString("scalabilityMode", ""));
	const CodecType codec = CodecTypeFromMimeType(mediaCodec.RequireString("mimeType"));
	// An 'svc' VP8/H.264 producer is one stream with temporal layers only: the
	// simulcast selector over that one stream picks its temporal layers.
	const bool temporalOnlySvc = type_ == "svc" && (codec == CodecType::Vp8 || codec == CodecType::H264);
	if (type_ == "simulcast" || temporalOnlySvc) {
		simulcastLayers_ = std::make_unique<SimulcastLayers>(static_cast<int>(producerMappedSsrcs_.size()), mode.temporalLayers);
		layers_ = simulcastLayers_.get();
	} else if (type_ == "svc" && codec == CodecType::Vp9) {
		// VP9 carries the layer indices in its payload descriptor. (AV1 would need its
		// dependency descriptor extension: forwarded whole, as a simple consumer.)
		svcLayers_ = std::make_unique<SvcLayers>(mode.spatialLayers, mode.temporalLayers);
		layers_ = svcLayers_.get();
	}
	if (layers_) {
		if (const Value* preferred = data.Find("preferredLayers"); preferred && preferred->IsObject()) SetPreferredLayers(*preferred);
	}

	for (OutboundStream& stream : streams_) {
		RtpStreamSend::Params params;
		params.ssrc = stream.ssrc;
		params.clockRate = clockRate_;
		params.useNack = nackEnabled;
		params.rtxPayloadType = stream.rtxSsrc ? rtxPayloadType_ : 0;
		params.rtxSsrc = stream.rtxSsrc;
		params.rtxInitialSeq = static_cast<uint16_t>(stream.ssrc ^ (stream.ssrc >> 16));
		// Audio is not worth a deep history: a retransmitted audio packet is usually late.
		params.maxRetransmissionPackets = isVideo_ ? 1000 : 100;
		params.extensionMap = extensionMap_;
		params.wallClockOffsetMs = context_.wallClockOffsetMs;
		stream.send = std::make_unique<RtpStreamSend>(params, this);
	}
	context_.registry->Register(id_, this);
}

Consumer::~Consumer() { context_.registry->Unregister(id_); }

void Consumer::SendRtpPacket(const RtpPacket& packet, const ProducerPacketInfo& info) {
	// mediasoup's rule too: a consumer is inactive until its transport is connected.
	if (!IsActive() || !listener_.IsTransportReady()) return;
	const uint64_t now = context_.NowMs();
	if (info.isStreamRestart) HandleProducerStreamRestart(info);
	if (lossKeyFramePending_ && now - lastKeyFrameRequestMs_ >= kKeyFrameWaitRequestIntervalMs) {
		lossKeyFramePending_ = false;
		RequestKeyFrame(pendingLossKeyFrameSsrc_);
	}
	bool setMarker = false;
	OutboundStream* out = SelectStream(packet, info, now, &setMarker);
	if (!out) return;
	RtpStreamRewriter& rewriter = out->rewriter;
	const uint16_t inputSeq = packet.GetSequenceNumber();
	const uint32_t inputTimestamp = packet.GetTimestamp();

	if (rewriter.IsSyncRequired() && isVideo_ && !info.isKeyFrame) {
		// A video consumer (re)starts on a key frame; ask for one while waiting.
		if (now - lastKeyFrameRequestMs_ >= kKeyFrameWaitRequestIntervalMs) {
			RequestKeyFrame(streams_.size() > 1 ? out->producerSsrc : GetKeyFrameSsrc());
		}
		return;
	}
	if (ignoreDtx_ && isOpus_ && packet.GetPayloadLength() <= 2 && !rewriter.IsSyncRequired()) {
		// An opus DTX packet the endpoint asked not to receive.
		rewriter.SkipPacket();
		return;
	}
	uint16_t outputSeq;
	uint32_t outputTimestamp;
	if (!rewriter.Rewrite(inputSeq, inputTimestamp, now, &outputSeq, &outputTimestamp)) return;

	RtpHeaderFields header;
	header.payloadType = payloadType_;
	header.marker = packet.HasMarker() || setMarker;
	header.sequenceNumber = outputSeq;
	header.timestamp = outputTimestamp;
	header.ssrc = out->ssrc;

	RtpExtensionValue extensions[static_cast<size_t>(RtpExtensionType::Count)]; // each type at most once
	size_t count = 0;
	if (!mid_.empty()) {
		extensions[count++] = { RtpExtensionType::Mid, reinterpret_cast<const uint8_t*>(mid_.data()),
		                        static_cast<uint8_t>(std::min<size_t>(mid_.size(), 16)) };
	}
	uint8_t absSendTime[3];
	if (extensionMap_.GetId(RtpExtensionType::AbsSendTime)) {
		// 6.18 fixed-point seconds, 24 bits (webrtc abs-send-time).
		uint32_t value = static_cast<uint32_t>(((now << 18) / 1000) & 0xffffff);
		absSendTime[0] = static_cast<uint8_t>(value >> 16);
		absSendTime[1] = static_cast<uint8_t>(value >> 8);
		absSendTime[2] = static_cast<uint8_t>(value);
		extensions[count++] = { RtpExtensionType::AbsSendTime, absSendTime, 3 };
	}
	uint8_t transportSeq[2];
	if (extensionMap_.GetId(RtpExtensionType::TransportWideCc)) {
		uint16_t seq = listener_.NextTransportWideSequenceNumber();
		transportSeq[0] = static_cast<uint8_t>(seq >> 8);
		transportSeq[1] = static_cast<uint8_t>(seq);
		extensions[count++] = { RtpExtensionType::TransportWideCc, transportSeq, 2 };
	}
	if (info.extensionMap) {
		static constexpr RtpExtensionType kPassThrough[] = {
			RtpExtensionType::SsrcAudioLevel, RtpExtensionType::VideoOrientation, RtpExtensionType::TOffset,
			RtpExtensionType::AbsCaptureTime, RtpExtensionType::PlayoutDelay,
			// Only pipe consumers negotiate it (ortc.ts): the next router needs the layers.
			RtpExtensionType::DependencyDescriptor,
		};
		for (RtpExtensionType type : kPassThrough) {
			if (!extensionMap_.GetId(type)) continue;
			size_t length = 0;
			const uint8_t* value = packet.GetExtension(*info.extensionMap, type, &length);
			if (value && length > 0 && length <= 255) extensions[count++] = { type, value, static_cast<uint8_t>(length) };
		}
	}

	if (info.hasMediasoupPacketId && extensionMap_.GetId(RtpExtensionType::MediasoupPacketId)) {
		extensions[count++] = { RtpExtensionType::MediasoupPacketId, info.mediasoupPacketId, 4 };
	}

	uint8_t* buffer = SendBuffer();
	size_t length = RtpPacketWriter::Write(packet, buffer, kSendBufferSize - 160, header, extensions, count, extensionMap_);
	if (length == 0) return; // too large for a datagram: dropped
	if (simulcastLayers_ && info.codec == CodecType::Vp8 && info.payload && info.payload->valid) {
		// Picture ids continuous across switches and dropped temporal layers.
		uint16_t pictureId;
		uint8_t tl0PicIdx;
		vp8PictureRewriter_.Map(*info.payload, &pictureId, &tl0PicIdx);
		const size_t payloadLength = packet.GetPayloadLength();
		Vp8PictureRewriter::Write(buffer + length - payloadLength, payloadLength, *info.payload, pictureId, tl0PicIdx);
	}

	const SharedPacketBytes* tail = nullptr;
	if (out->send->StoresPackets() && packet.GetPayloadLength() > ProducerPacketInfo::kSharedTailOffset) {
		if (info.sharedTail.IsEmpty()) {
			info.sharedTail = SharedPacketBytes::Copy(packet.GetPayload() + ProducerPacketInfo::kSharedTailOffset,
			                                          packet.GetPayloadLength() - ProducerPacketInfo::kSharedTailOffset);
		}
		tail = &info.sharedTail;
	}
	out->send->OnPacketSent(buffer, length, header.sequenceNumber, header.timestamp, now, tail);
	if (trace_.rtp || (trace_.keyFrame && info.isKeyFrame)) {
		Value trace = Value::MakeObject();
		trace.Set("ssrc", out->ssrc);
		trace.Set("sequenceNumber", static_cast<uint32_t>(header.sequenceNumber));
		trace.Set("timestamp", header.timestamp);
		trace.Set("isKeyFrame", info.isKeyFrame);
		EmitTrace(trace_.keyFrame && info.isKeyFrame ? "keyframe" : "rtp", "out", std::move(trace));
	}
	listener_.OnConsumerSendRtpPacket(*this, buffer, length, kSendBufferSize);
}

bool Consumer::RetransmitRtpPacket(uint8_t* data, size_t len, size_t capacity,
                                   const RtpStreamSend::RetransmittedPacket& original) {
	return listener_.OnConsumerRetransmitRtpPacket(*this, data, len, capacity, original);
}

void Consumer::OnRtpStreamSendScore(RtpStreamSend& /*stream*/, uint8_t /*score*/, uint8_t /*previousScore*/) {
	// A pipe consumer's score is its best stream's (the others may simply be idle).
	int best = 0;
	for (const OutboundStream& stream : streams_) best = std::max<int>(best, stream.send->GetScore());
	score_ = best;
	EmitScore();
}

void Consumer::RequestKeyFrame() { RequestKeyFrame(GetKeyFrameSsrc()); }

void Consumer::RequestKeyFrame(uint32_t producerSsrc) {
	if (!isVideo_) return;
	lastKeyFrameRequestMs_ = context_.NowMs();
	listener_.OnConsumerKeyFrameRequested(*this, producerSsrc);
}

uint32_t Consumer::GetSendBitrate(uint64_t nowMs) {
	uint32_t total = 0;
	for (auto& stream : streams_) {
		if (stream.send) total += stream.send->GetStats(nowMs).bitrate;
	}
	return total;
}

void Consumer::GetLayerOptions(std::vector<LayerOption>& out, uint64_t nowMs) {
	out.clear();
	if (!IsLayered() || !producer_) return;
	// Every temporal layer of the spatial layers below the preferred one, then the
	// preferred spatial layer up to the preferred temporal layer.
	const int topSpatial = layers_->GetPreferredSpatial();
	uint32_t previous = 0;
	for (int s = 0; s <= topSpatial; ++s) {
		const int topTemporal = s < topSpatial ? layers_->GetTemporalLayerCount() - 1 : layers_->GetPreferredTemporal();
		for (int t = 0; t <= topTemporal; ++t) {
			const uint32_t bitrate = producer_->GetLayerBitrate(s, t, nowMs);
			if (bitrate == 0) continue;
			// Costs rise along the list (a higher layer never costs less to forward).
			previous = std::max(previous, bitrate);
			out.push_back({ s, t, previous });
		}
	}
}

size_t Consumer::SendProbePacket(uint64_t nowMs) {
	if (!IsActive() || streams_.empty() || !streams_[0].send) return 0;
	return streams_[0].send->SendProbePacket(nowMs, *this);
}

void Consumer::SetBitrateLayerLimit(int spatialLayer, int temporalLayer) {
	if (layers_) layers_->SetBitrateLimit(spatialLayer, temporalLayer);
}

void Consumer::GetBitrateLayerLimit(int* spatialLayer, int* temporalLayer) const {
	*spatialLayer = layers_ ? layers_->GetLimitSpatial() : -1;
	*temporalLayer = layers_ ? layers_->GetLimitTemporal() : -1;
}

uint32_t Consumer::GetKeyFrameSsrc() const {
	if (streams_.size() > 1) return 0; // a pipe consumer: every stream
	if (!simulcastLayers_) return producerMappedSsrcs_[0];
	int layer = simulcastLayers_->GetTargetSpatial();
	if (layer < 0) layer = simulcastLayers_->GetPreferredSpatial();
	return producerMappedSsrcs_[static_cast<size_t>(layer)];
}

Consumer::OutboundStream* Consumer::SelectStream(const RtpPacket& packet, const ProducerPacketInfo& info,
                                                 uint64_t nowMs, bool* setMarker) {
	if (simulcastLayers_) return SelectLayer(info, nowMs) ? &streams_[0] : nullptr;
	if (svcLayers_) return SelectSvcLayers(info, nowMs, setMarker) ? &streams_[0] : nullptr;
	// The producer already told which of its encodings the packet is (the consumable
	// encodings, and a pipe consumer's streams, are in the same order).
	return info.encodingIndex < streams_.size() ? &streams_[info.encodingIndex] : nullptr;
}

Consumer::OutboundStream* Consumer::FindStreamBySsrc(uint32_t ssrc) {
	for (OutboundStream& stream : streams_) {
		if (stream.ssrc == ssrc) return &stream;
	}
	return nullptr;
}

const Consumer::OutboundStream* Consumer::FindStreamBySsrc(uint32_t ssrc) const {
	return const_cast<Consumer*>(this)->FindStreamBySsrc(ssrc);
}

std::vector<uint32_t> Consumer::GetSendSsrcs() const {
	std::vector<uint32_t> ssrcs;
	for (const OutboundStream& stream : streams_) {
		ssrcs.push_back(stream.ssrc);
		if (stream.rtxSsrc) ssrcs.push_back(stream.rtxSsrc);
	}
	return ssrcs;
}

bool Consumer::SelectLayer(const ProducerPacketInfo& info, uint64_t nowMs) {
	SimulcastLayers::Packet layerPacket;
	layerPacket.spatialLayer = static_cast<int>(info.encodingIndex); // out of range: dropped
	layerPacket.isKeyFrame = info.isKeyFrame;
	if (info.payload && info.payload->valid) {
		layerPacket.temporalLayer = info.payload->temporalLayer;
		layerPacket.isFrameStart = info.payload->isFrameStart;
	}
	const SimulcastLayers::Action action = simulcastLayers_->OnPacket(layerPacket, nowMs);
	EmitLayersIfChanged();
	switch (action) {
		case SimulcastLayers::Action::Forward: return true;
		case SimulcastLayers::Action::ForwardSwitched:
			// A new stream: seq/timestamp/picture ids continue from the last packet sent.
			streams_[0].rewriter.RequestSync();
			vp8PictureRewriter_.RequestSync();
			return true;
		case SimulcastLayers::Action::DropTemporal:
			// Leave no hole: the endpoint must not see these as lost (RFC 3550 §5.1:
			// sequence numbers count the packets sent).
			if (!streams_[0].rewriter.IsSyncRequired()) streams_[0].rewriter.SkipPacket();
			if (info.payload && info.codec == CodecType::Vp8) vp8PictureRewriter_.DropPicture(*info.payload);
			return false;
		case SimulcastLayers::Action::DropAwaitingKeyFrame:
			if (nowMs - lastKeyFrameRequestMs_ >= kKeyFrameWaitRequestIntervalMs) RequestKeyFrame();
			return false;
		case SimulcastLayers::Action::Drop: return false;
	}
	return false;
}

bool Consumer::SelectSvcLayers(const ProducerPacketInfo& info, uint64_t nowMs, bool* setMarker) {
	if (info.encodingIndex != 0) return false;
	SvcLayers::Packet layerPacket;
	layerPacket.isKeyFrame = info.isKeyFrame;
	if (info.payload && info.payload->valid) {
		layerPacket.spatialLayer = info.payload->spatialLayer;
		layerPacket.temporalLayer = info.payload->temporalLayer;
		layerPacket.isFrameStart = info.payload->isFrameStart;
		layerPacket.isFrameEnd = info.payload->isFrameEnd;
	}
	const SvcLayers::Decision decision = svcLayers_->OnPacket(layerPacket, nowMs);
	EmitLayersIfChanged();
	// Up a spatial layer (or a restart) needs a key picture.
	if (svcLayers_->NeedsKeyFrame() && nowMs - lastKeyFrameRequestMs_ >= kKeyFrameWaitRequestIntervalMs) RequestKeyFrame();
	RtpStreamRewriter& rewriter = streams_[0].rewriter;
	switch (decision.action) {
		case SvcLayers::Action::ForwardSynced: rewriter.RequestSync(); [[fallthrough]];
		case SvcLayers::Action::Forward: *setMarker = decision.setMarker; return true;
		case SvcLayers::Action::DropLayer:
			// Leave no hole in the sequence numbers (RFC 3550 §5.1).
			if (!rewriter.IsSyncRequired()) rewriter.SkipPacket();
			return false;
		case SvcLayers::Action::DropAwaitingKeyFrame: return false;
	}
	return false;
}

void Consumer::HandleProducerStreamRestart(const ProducerPacketInfo& info) {
	// The producer's sender restarted (RFC 3550 A.1 resync): new random sequence numbers
	// and timestamps. Like a switch to another stream, the rewriter takes the new input
	// as a new base (output seq + 1, timestamp advanced by the time that passed), and a
	// video consumer waits for a key frame of the new encoder (asking for one).
	if (simulcastLayers_) {
		// Only the encoding being forwarded matters; a switch to another one re-bases anyway.
		if (simulcastLayers_->GetCurrentSpatial() == static_cast<int>(info.encodingIndex)) RestartStream();
		return;
	}
	if (svcLayers_) {
		RestartStream();
		return;
	}
	if (info.encodingIndex < streams_.size()) streams_[info.encodingIndex].rewriter.RequestSync();
}

void Consumer::RestartStream() {
	for (OutboundStream& stream : streams_) stream.rewriter.RequestSync();
	if (!layers_) return;
	layers_->Reset();
	vp8PictureRewriter_.RequestSync();
	EmitLayersIfChanged();
}

void Consumer::EmitLayersIfChanged() {
	if (!layers_->TakeLayersChanged()) return;
	Value layers; // null: nothing is forwarded
	if (layers_->GetCurrentSpatial() >= 0) {
		layers = Value::MakeObject()
		             .Set("spatialLayer", layers_->GetCurrentSpatial())
		             .Set("temporalLayer", layers_->GetCurrentTemporal());
	}
	context_.Emit(id_, "layerschange", std::move(layers));
	producerScore_ = CurrentProducerScore();
	EmitScore();
}

int Consumer::CurrentProducerScore() const {
	// The producer score a consumer reports is its current stream's.
	int layer = simulcastLayers_ ? std::max(0, simulcastLayers_->GetCurrentSpatial()) : 0;
	return static_cast<size_t>(layer) < producerScores_.size() ? producerScores_[static_cast<size_t>(layer)] : 0;
}

Value Consumer::PreferredLayersValue() const {
	if (!layers_) return Value();
	return Value::MakeObject()
	    .Set("spatialLayer", layers_->GetPreferredSpatial())
	    .Set("temporalLayer", layers_->GetPreferredTemporal());
}

Value Consumer::SetPreferredLayers(const Value& data) {
	if (!layers_) return Value::MakeObject(); // a simple consumer has no layers to choose from
	// Any non-negative integer (the TypeScript layer allows any); SetPreferred clamps to
	// the layers there are, so a huge one is cut to 255 before it becomes an int.
	const double spatial = data.RequireNumber("spatialLayer");
	if (!(spatial >= 0) || spatial != std::floor(spatial)) throw RequestError::Type("invalid spatialLayer");
	double temporal = data.OptionalNumber("temporalLayer", layers_->GetTemporalLayerCount() - 1);
	if (!(temporal >= 0) || temporal != std::floor(temporal)) throw RequestError::Type("invalid temporalLayer");
	layers_->SetPreferred(static_cast<int>(std::min(spatial, 255.0)), static_cast<int>(std::min(temporal, 255.0)));
	return Value::MakeObject().Set("preferredLayers", PreferredLayersValue());
}

void Consumer::ProducerPaused() {
	if (producerPaused_) return;
	producerPaused_ = true;
	if (layers_) RestartStream();
	context_.Emit(id_, "producerpause");
}

void Consumer::ProducerResumed() {
	if (!producerPaused_) return;
	producerPaused_ = false;
	RestartStream();
	context_.Emit(id_, "producerresume");
}

void Consumer::TransportReady() {
	RestartStream();
	if (IsActive()) RequestKeyFrame();
}

void Consumer::ProducerClosed() {
	producer_ = nullptr;
	context_.Emit(id_, "producerclose");
}

void Consumer::ProducerScoresChanged(const std::vector<int>& scores) {
	producerScores_ = scores;
	producerScore_ = CurrentProducerScore();
	if (simulcastLayers_) simulcastLayers_->SetScores(scores);
	EmitScore();
}

void Consumer::SetInitialProducerScores(const std::vector<int>& scores) {
	producerScores_ = scores;
	producerScore_ = CurrentProducerScore();
	if (simulcastLayers_) simulcastLayers_->SetScores(scores);
	emittedScore_ = score_;
	emittedProducerScore_ = producerScore_;
}

void Consumer::ReceiveNack(uint32_t ssrc, const std::vector<uint16_t>& seqs) {
	if (trace_.nack) EmitTrace("nack", "in", Value::MakeObject().Set("count", static_cast<uint32_t>(seqs.size())));
	OutboundStream* stream = FindStreamBySsrc(ssrc);
	if (!IsActive() || !stream) return;
	const uint64_t now = context_.NowMs();
	if (stream->send->HandleNack(seqs, now, *this) > 0) RequestKeyFrameForLoss(*stream, now);
}

void Consumer::OnRetransmissionLost(uint32_t ssrc, uint16_t seq) {
	OutboundStream* stream = FindStreamBySsrc(ssrc);
	if (!IsActive() || !stream) return;
	const uint64_t now = context_.NowMs();
	const bool resent = stream->send->ResendLostRetransmission(seq, now, *this);
	// Resent or not, a VP9 SVC receiver needs a key frame: Chromium, given the frame
	// ~100 ms late (a feedback interval after the lost copy), decoded it and then nothing
	// more for 3 s, until its own key frame request, in about half the trials (VP8
	// recovered every time), measured as test/bwe-loss-repair-browser.test.js does.
	if (!resent || svcLayers_) RequestKeyFrameForLoss(*stream, now);
}

void Consumer::RequestKeyFrameForLoss(const OutboundStream& stream, uint64_t nowMs) {
	// A receiver asks for a lost packet once (Chromium sends one NACK per loss and then
	// waits, 3 s, before it asks for a key frame itself): a packet we decline to resend
	// leaves its frame, and every frame that refers to it, undecodable. A key frame is
	// the only repair; ask for it now. (VP8 simulcast hid this: a layer switch brings a
	// key frame anyway; a VP9 SVC receiver froze for 3 s.)
	// Within a second of the last request it waits, not vanishes (SendRtpPacket sends it
	// then): the key frame asked for may be the very frame whose packets were lost.
	if (!isVideo_) return;
	const uint32_t producerSsrc = streams_.size() > 1 ? stream.producerSsrc : GetKeyFrameSsrc();
	if (nowMs - lastKeyFrameRequestMs_ < kKeyFrameWaitRequestIntervalMs) {
		pendingLossKeyFrameSsrc_ = producerSsrc;
		lossKeyFramePending_ = true;
		return;
	}
	RequestKeyFrame(producerSsrc);
}

void Consumer::ReceiveKeyFrameRequest(uint32_t ssrc, bool isFir) {
	OutboundStream* stream = FindStreamBySsrc(ssrc);
	if (!stream) return;
	if (isFir) stream->send->CountFir();
	else stream->send->CountPli();
	if ((isFir && trace_.fir) || (!isFir && trace_.pli)) EmitTrace(isFir ? "fir" : "pli", "in", Value::MakeObject().Set("ssrc", ssrc));
	if (!IsActive()) return;
	// A pipe consumer asks for the key frame of the stream the endpoint lost.
	if (streams_.size() > 1) RequestKeyFrame(stream->producerSsrc);
	else RequestKeyFrame();
}

void Consumer::ReceiveReportBlock(uint32_t ssrc, uint8_t fractionLost, int32_t cumulativeLost, uint32_t highestSeq,
                                  uint32_t jitter, uint32_t lsr, uint32_t dlsr) {
	OutboundStream* stream = FindStreamBySsrc(ssrc);
	if (stream) stream->send->ReceiveReportBlock(fractionLost, cumulativeLost, highestSeq, jitter, lsr, dlsr, context_.NowMs());
}

void Consumer::AppendSenderReports(std::vector<SenderReport>& out, uint64_t nowMs) {
	for (OutboundStream& stream : streams_) {
		if (!stream.rewriter.HasSent()) continue;
		SenderReport report;
		if (stream.send->FillSenderReport(report, nowMs)) out.push_back(std::move(report));
	}
}

void Consumer::OnTimer(uint64_t /*nowMs*/) {}

void Consumer::EmitScore() {
	if (score_ == emittedScore_ && producerScore_ == emittedProducerScore_) return;
	emittedScore_ = score_;
	emittedProducerScore_ = producerScore_;
	context_.Emit(id_, "score", ScoreValue());
}

Value Consumer::ScoreValue() const {
	Value scores = Value::MakeArray();
	for (int s : producerScores_) scores.Push(s);
	Value data = Value::MakeObject();
	// As mediasoup: a pipe consumer reports 10 and 10 (the next router scores the
	// streams); its producerScores are the producer's.
	const bool pipe = type_ == "pipe";
	data.Set("score", pipe ? 10 : score_);
	data.Set("producerScore", pipe ? 10 : producerScore_);
	data.Set("producerScores", std::move(scores));
	return data;
}

void Consumer::EmitTrace(const char* type, const char* direction, Value info) {
	StreamTraceEvents::Emit(context_, id_, type, direction, std::move(info));
}

Value Consumer::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("producerId", producerId_);
	dump.Set("kind", isVideo_ ? "video" : "audio");
	dump.Set("type", type_);
	// rtpParameters: added by the TypeScript Consumer, which holds them anyway (a
	// second copy here, as a Value tree, cost ~8 KiB per consumer).
	Value consumable = Value::MakeArray();
	for (uint32_t ssrc : producerMappedSsrcs_) consumable.Push(Value::MakeObject().Set("ssrc", ssrc));
	dump.Set("consumableRtpEncodings", std::move(consumable));
	// One per stream sent (several for a pipe consumer); the TypeScript Consumer adds
	// their parameters, which follow from its rtpParameters (dumpUtils.ts).
	Value rtpStreams = Value::MakeArray();
	for (const OutboundStream& stream : streams_) {
		Value entry = Value::MakeObject();
		entry.Set("ssrc", stream.ssrc);
		if (stream.rtxSsrc) entry.Set("rtxSsrc", stream.rtxSsrc);
		entry.Set("score", static_cast<int>(stream.send->GetScore()));
		rtpStreams.Push(std::move(entry));
	}
	dump.Set("rtpStreams", std::move(rtpStreams));
	if (layers_) {
		dump.Set("preferredSpatialLayer", layers_->GetPreferredSpatial());
		dump.Set("preferredTemporalLayer", layers_->GetPreferredTemporal());
		dump.Set("targetSpatialLayer", layers_->GetTargetSpatial());
		dump.Set("targetTemporalLayer", layers_->GetTargetTemporal());
		dump.Set("currentSpatialLayer", layers_->GetCurrentSpatial());
		dump.Set("currentTemporalLayer", layers_->GetCurrentTemporal());
	}
	dump.Set("paused", paused_);
	dump.Set("producerPaused", producerPaused_);
	dump.Set("priority", priority_);
	dump.Set("traceEventTypes", trace_.TypesValue());
	return dump;
}

Value Consumer::GetStats(uint64_t nowMs) {
	Value list = Value::MakeArray();
	for (const OutboundStream& stream : streams_) {
		RtpStreamSend::Stats s = stream.send->GetStats(nowMs);
		Value stats = Value::MakeObject();
		stats.Set("type", "outbound-rtp");
		stats.Set("timestamp", static_cast<uint64_t>(nowMs));
		stats.Set("packetCount", s.packetCount);
		stats.Set("byteCount", s.byteCount);
		stats.Set("bitrate", s.bitrate);
		stats.Set("packetsLost", static_cast<int64_t>(s.packetsLost));
		stats.Set("fractionLost", static_cast<uint32_t>(s.fractionLost));
		// The receiver's interarrival jitter from its last report block (RFC 3550 §6.4.1).
		stats.Set("jitter", s.jitter);
		// A sending stream neither discards nor repairs packets (those count on receive).
		stats.Set("packetsDiscarded", 0);
		stats.Set("packetsRetransmitted", s.packetsRetransmitted);
		stats.Set("packetsRepaired", 0);
		stats.Set("nackCount", s.nackCount);
		stats.Set("nackPacketCount", s.nackPacketCount);
		stats.Set("pliCount", s.pliCount);
		stats.Set("firCount", s.firCount);
		// As mediasoup: 0 until a report block gave a round trip time.
		stats.Set("roundTripTime", s.hasRoundTripTime ? s.roundTripTime : 0);
		stats.Set("mimeType", mimeType_);
		stats.Set("kind", isVideo_ ? "video" : "audio");
		stats.Set("ssrc", stream.ssrc);
		if (stream.rtxSsrc) stats.Set("rtxSsrc", stream.rtxSsrc);
		stats.Set("score", static_cast<int>(stream.send->GetScore()));
		list.Push(std::move(stats));
	}
	// As mediasoup: the consumer's outbound stream(s), then the producer stream it
	// forwards now: a simple consumer's one stream; a simulcast or SVC consumer's
	// current one, none while it forwards nothing; none for a pipe consumer (it
	// forwards every stream).
	const bool forwarding = !layers_ || layers_->GetCurrentSpatial() >= 0;
	if (producer_ && type_ != "pipe" && forwarding) {
		const int only = simulcastLayers_ ? simulcastLayers_->GetCurrentSpatial() : -1;
		// Keep the temporary alive: a range-for over GetStats(...).AsArray() would
		// iterate a destroyed Value.
		Value producerStats = producer_->GetStats(nowMs, only);
		for (Value& entry : producerStats.AsArray()) list.Push(std::move(entry));
	}
	return list;
}

Value Consumer::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::ConsumerDump: return Dump();
		case Method::ConsumerGetStats: return GetStats(context_.NowMs());
		case Method::ConsumerPause:
			if (!paused_ && layers_) RestartStream(); // layerschange: null
			paused_ = true;
			return Value();
		case Method::ConsumerResume:
			if (paused_) {
				paused_ = false;
				RestartStream();
				if (!producerPaused_) RequestKeyFrame();
			}
			return Value();
		case Method::ConsumerSetPreferredLayers:
			// A simple consumer has no layers to choose from (mediasoup accepts and
			// ignores the request the same way).
			return SetPreferredLayers(request.data);
		case Method::ConsumerSetPriority: {
			double priority = request.data.RequireNumber("priority");
			if (priority < 1 || priority > 255) throw RequestError::Type("invalid priority");
			priority_ = static_cast<int>(priority);
			return Value();
		}
		case Method::ConsumerRequestKeyFrame: RequestKeyFrame(); return Value();
		case Method::ConsumerEnableTraceEvent: {
			trace_.Enable(request.data, false);
			return Value();
		}
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a Consumer: ") + MethodName(request.method));
	}
}

} // namespace mediaplane
