#define MP_LOG_SOURCE "Consumer"
#include "Consumer.hpp"

#include <algorithm>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtp/RtpPacketWriter.hpp"
#include "Producer.hpp"
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
	rewriter_ = RtpStreamRewriter(clockRate_);
	isOpus_ = CodecTypeFromMimeType(mediaCodec.RequireString("mimeType")) == CodecType::Opus;
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
	ssrc_ = encodings[0].RequireUint32("ssrc");
	if (const Value* rtx = encodings[0].Find("rtx"); rtx && rtx->IsObject()) rtxSsrc_ = rtx->RequireUint32("ssrc");

	const Value::Array& consumable = data.RequireArray("consumableRtpEncodings");
	if (consumable.empty()) throw RequestError::Type("empty consumableRtpEncodings");
	producerMappedSsrc_ = consumable[0].RequireUint32("ssrc");

	RtpStreamSend::Params params;
	params.ssrc = ssrc_;
	params.clockRate = clockRate_;
	params.useNack = nackEnabled;
	params.rtxPayloadType = rtxSsrc_ ? rtxPayloadType_ : 0;
	params.rtxSsrc = rtxSsrc_;
	params.rtxInitialSeq = static_cast<uint16_t>(ssrc_ ^ (ssrc_ >> 16));
	// Audio is not worth a deep history: a retransmitted audio packet is usually late.
	params.maxRetransmissionPackets = isVideo_ ? 1000 : 100;
	params.extensionMap = extensionMap_;
	params.wallClockOffsetMs = context_.wallClockOffsetMs;
	stream_ = std::make_unique<RtpStreamSend>(params, this);
	context_.registry->Register(id_, this);
}

Consumer::~Consumer() { context_.registry->Unregister(id_); }

void Consumer::SendRtpPacket(const RtpPacket& packet, const ProducerPacketInfo& info) {
	// mediasoup's rule too: a consumer is inactive until its transport is connected.
	if (!IsActive() || !listener_.IsTransportReady()) return;
	if (packet.GetSsrc() != producerMappedSsrc_) return;
	const uint64_t now = context_.NowMs();
	const uint16_t inputSeq = packet.GetSequenceNumber();
	const uint32_t inputTimestamp = packet.GetTimestamp();

	if (rewriter_.IsSyncRequired() && isVideo_ && !info.isKeyFrame) {
		// A video consumer (re)starts on a key frame; ask for one while waiting.
		if (now - lastKeyFrameRequestMs_ >= kKeyFrameWaitRequestIntervalMs) RequestKeyFrame();
		return;
	}
	if (ignoreDtx_ && isOpus_ && packet.GetPayloadLength() <= 2 && !rewriter_.IsSyncRequired()) {
		// An opus DTX packet the endpoint asked not to receive.
		rewriter_.SkipPacket();
		return;
	}
	uint16_t outputSeq;
	uint32_t outputTimestamp;
	if (!rewriter_.Rewrite(inputSeq, inputTimestamp, now, &outputSeq, &outputTimestamp)) return;

	RtpHeaderFields header;
	header.payloadType = payloadType_;
	header.marker = packet.HasMarker();
	header.sequenceNumber = outputSeq;
	header.timestamp = outputTimestamp;
	header.ssrc = ssrc_;

	RtpExtensionValue extensions[8];
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
		};
		for (RtpExtensionType type : kPassThrough) {
			if (!extensionMap_.GetId(type)) continue;
			size_t length = 0;
			const uint8_t* value = packet.GetExtension(*info.extensionMap, type, &length);
			if (value && length > 0 && length <= 255) extensions[count++] = { type, value, static_cast<uint8_t>(length) };
		}
	}

	uint8_t* buffer = SendBuffer();
	size_t length = RtpPacketWriter::Write(packet, buffer, kSendBufferSize - 160, header, extensions, count, extensionMap_);
	if (length == 0) return; // too large for a datagram: dropped

	stream_->OnPacketSent(buffer, length, header.sequenceNumber, header.timestamp, now);
	if (trace_.rtp || (trace_.keyFrame && info.isKeyFrame)) {
		Value trace = Value::MakeObject();
		trace.Set("ssrc", ssrc_);
		trace.Set("sequenceNumber", static_cast<uint32_t>(header.sequenceNumber));
		trace.Set("timestamp", header.timestamp);
		trace.Set("isKeyFrame", info.isKeyFrame);
		EmitTrace(trace_.keyFrame && info.isKeyFrame ? "keyframe" : "rtp", "out", std::move(trace));
	}
	listener_.OnConsumerSendRtpPacket(*this, buffer, length, kSendBufferSize);
}

void Consumer::RetransmitRtpPacket(uint8_t* data, size_t len, size_t capacity) {
	listener_.OnConsumerSendRtpPacket(*this, data, len, capacity);
}

void Consumer::OnRtpStreamSendScore(RtpStreamSend& /*stream*/, uint8_t score, uint8_t /*previousScore*/) {
	score_ = score;
	EmitScore();
}

void Consumer::RequestKeyFrame() {
	if (!isVideo_) return;
	lastKeyFrameRequestMs_ = context_.NowMs();
	listener_.OnConsumerKeyFrameRequested(*this, producerMappedSsrc_);
}

void Consumer::ProducerPaused() {
	if (producerPaused_) return;
	producerPaused_ = true;
	context_.Emit(id_, "producerpause");
}

void Consumer::ProducerResumed() {
	if (!producerPaused_) return;
	producerPaused_ = false;
	rewriter_.RequestSync();
	context_.Emit(id_, "producerresume");
}

void Consumer::TransportReady() {
	rewriter_.RequestSync();
	if (IsActive()) RequestKeyFrame();
}

void Consumer::ProducerClosed() {
	producer_ = nullptr;
	context_.Emit(id_, "producerclose");
}

void Consumer::ProducerScoresChanged(const std::vector<int>& scores) {
	producerScores_ = scores;
	producerScore_ = scores.empty() ? 0 : scores[0];
	EmitScore();
}

void Consumer::SetInitialProducerScores(const std::vector<int>& scores) {
	producerScores_ = scores;
	producerScore_ = scores.empty() ? 0 : scores[0];
	emittedScore_ = score_;
	emittedProducerScore_ = producerScore_;
}

void Consumer::ReceiveNack(const std::vector<uint16_t>& seqs) {
	if (trace_.nack) EmitTrace("nack", "in", Value::MakeObject().Set("count", static_cast<uint32_t>(seqs.size())));
	if (!IsActive()) return;
	stream_->HandleNack(seqs, context_.NowMs(), *this);
}

void Consumer::ReceiveKeyFrameRequest(bool isFir) {
	if (isFir) stream_->CountFir();
	else stream_->CountPli();
	if ((isFir && trace_.fir) || (!isFir && trace_.pli)) EmitTrace(isFir ? "fir" : "pli", "in", Value::MakeObject().Set("ssrc", ssrc_));
	if (IsActive()) RequestKeyFrame();
}

void Consumer::ReceiveReportBlock(uint8_t fractionLost, int32_t cumulativeLost, uint32_t highestSeq, uint32_t jitter,
                                  uint32_t lsr, uint32_t dlsr) {
	stream_->ReceiveReportBlock(fractionLost, cumulativeLost, highestSeq, jitter, lsr, dlsr, context_.NowMs());
}

bool Consumer::FillSenderReport(SenderReport* out, uint64_t nowMs) {
	if (!rewriter_.HasSent()) return false;
	return stream_->FillSenderReport(*out, nowMs);
}

void Consumer::OnTimer(uint64_t /*nowMs*/) {}

void Consumer::EmitScore() {
	if (score_ == emittedScore_ && producerScore_ == emittedProducerScore_) return;
	emittedScore_ = score_;
	emittedProducerScore_ = producerScore_;
	Value scores = Value::MakeArray();
	for (int s : producerScores_) scores.Push(s);
	Value data = Value::MakeObject();
	data.Set("score", score_);
	data.Set("producerScore", producerScore_);
	data.Set("producerScores", std::move(scores));
	context_.Emit(id_, "score", std::move(data));
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
	dump.Set("consumableRtpEncodings", Value::MakeArray().Push(Value::MakeObject().Set("ssrc", producerMappedSsrc_)));
	dump.Set("paused", paused_);
	dump.Set("producerPaused", producerPaused_);
	dump.Set("priority", priority_);
	dump.Set("traceEventTypes", trace_.TypesValue());
	return dump;
}

Value Consumer::GetStats(uint64_t nowMs) {
	RtpStreamSend::Stats s = stream_->GetStats(nowMs);
	Value stats = Value::MakeObject();
	stats.Set("type", "outbound-rtp");
	stats.Set("timestamp", static_cast<uint64_t>(nowMs));
	stats.Set("packetCount", s.packetCount);
	stats.Set("byteCount", s.byteCount);
	stats.Set("bitrate", s.bitrate);
	stats.Set("packetsLost", static_cast<int64_t>(s.packetsLost));
	stats.Set("fractionLost", static_cast<uint32_t>(s.fractionLost));
	stats.Set("nackCount", s.nackCount);
	stats.Set("nackPacketCount", s.nackPacketCount);
	stats.Set("pliCount", s.pliCount);
	stats.Set("firCount", s.firCount);
	stats.Set("packetsRetransmitted", s.packetsRetransmitted);
	if (s.hasRoundTripTime) stats.Set("roundTripTime", s.roundTripTime);
	stats.Set("kind", isVideo_ ? "video" : "audio");
	stats.Set("ssrc", ssrc_);
	if (rtxSsrc_) stats.Set("rtxSsrc", rtxSsrc_);
	stats.Set("score", score_);
	Value list = Value::MakeArray().Push(std::move(stats));
	// As mediasoup: the consumer's outbound stream, then the producer stream it follows.
	if (producer_) {
		// Keep the temporary alive: a range-for over GetStats(...).AsArray() would
		// iterate a destroyed Value.
		Value producerStats = producer_->GetStats(nowMs);
		for (Value& entry : producerStats.AsArray()) list.Push(std::move(entry));
	}
	return list;
}

Value Consumer::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::ConsumerDump: return Dump();
		case Method::ConsumerGetStats: return GetStats(context_.NowMs());
		case Method::ConsumerPause: paused_ = true; return Value();
		case Method::ConsumerResume:
			if (paused_) {
				paused_ = false;
				rewriter_.RequestSync();
				if (!producerPaused_) RequestKeyFrame();
			}
			return Value();
		case Method::ConsumerSetPreferredLayers:
			// A simple consumer has no layers to choose from (mediasoup accepts and
			// ignores the request the same way).
			return Value::MakeObject();
		case Method::ConsumerSetPriority: {
			double priority = request.data.RequireNumber("priority");
			if (priority < 1) throw RequestError::Type("invalid priority");
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
