#define MP_LOG_SOURCE "Producer"
#include "Producer.hpp"

#include <algorithm>
#include <cstring>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtp/codecs/PayloadInspector.hpp"
#include "ScalabilityMode.hpp"

namespace mediaplane {

namespace {

std::string ReadRid(const RtpPacket& packet, const RtpExtensionMap& map, RtpExtensionType type) {
	size_t length = 0;
	const uint8_t* value = packet.GetExtension(map, type, &length);
	if (!value || length == 0) return std::string();
	return std::string(reinterpret_cast<const char*>(value), length);
}

uint32_t ReadSsrc(const Value& value, const char* key) {
	const Value* field = value.Find(key);
	if (!field || !field->IsNumber()) return 0;
	double number = field->AsNumber();
	if (number < 0 || number > 4294967295.0) throw RequestError::Type(std::string("invalid ") + key);
	return static_cast<uint32_t>(number);
}

} // namespace

Producer::Producer(const WorkerContext& context, std::string id, Listener& listener, const Value& data)
    : context_(context), id_(std::move(id)), listener_(listener) {
	const std::string& kind = data.RequireString("kind");
	if (kind != "audio" && kind != "video") throw RequestError::Type("invalid kind");
	isVideo_ = kind == "video";
	paused_ = data.OptionalBool("paused", false);
	stampsMediasoupPacketIds_ = data.OptionalBool("enableMediasoupPacketIdHeaderExtension", false);
	keyFrameRequestDelayMs_ = data.OptionalUint32("keyFrameRequestDelay", 0);

	const Value* rtpParameters = data.Find("rtpParameters");
	if (!rtpParameters || !rtpParameters->IsObject()) throw RequestError::Type("missing rtpParameters");
	rtpParameters_ = *rtpParameters;
	mid_ = rtpParameters->OptionalString("mid", "");
	extensionMap_ = RtpExtensionMap::FromHeaderExtensions(rtpParameters->Find("headerExtensions"));

	mappedPayloadType_.fill(-1);
	rtxApt_.fill(-1);
	codecByPayloadType_.fill(CodecType::Unknown);
	clockRateByPayloadType_.fill(90000);
	for (const Value& codec : rtpParameters->RequireArray("codecs")) {
		uint32_t pt = codec.RequireUint32("payloadType");
		if (pt > 127) throw RequestError::Type("invalid codecs[].payloadType");
		CodecType type = CodecTypeFromMimeType(codec.RequireString("mimeType"));
		if (type != CodecType::Rtx && codecByPayloadType_[mediaPayloadTypeForStats_] == CodecType::Unknown) {
			mediaPayloadTypeForStats_ = static_cast<uint8_t>(pt);
		}
		if (type != CodecType::Rtx && mediaMimeType_.empty()) {
			// The canonical spelling (video/H264, not video/h264), as mediasoup reports it.
			const std::string_view known = CodecTypeMimeType(type);
			mediaMimeType_ = known.empty() ? codec.RequireString("mimeType") : std::string(known);
		}
		codecByPayloadType_[pt] = type;
		clockRateByPayloadType_[pt] = codec.RequireUint32("clockRate");
		if (type == CodecType::Rtx) {
			hasRtxCodec_ = true;
			const Value* parameters = codec.Find("parameters");
			const Value* apt = parameters ? parameters->Find("apt") : nullptr;
			if (apt && apt->IsNumber() && apt->AsNumber() >= 0 && apt->AsNumber() <= 127) {
				rtxApt_[pt] = static_cast<int16_t>(apt->AsNumber());
			}
		}
		if (const Value* feedback = codec.Find("rtcpFeedback"); feedback && feedback->IsArray()) {
			for (const Value& fb : feedback->AsArray()) {
				std::string type = fb.OptionalString("type", "");
				std::string parameter = fb.OptionalString("parameter", "");
				if (type == "nack" && parameter.empty()) supportsNack_ = true;
				if (type == "nack" && parameter == "pli") supportsPli_ = true;
				if (type == "ccm" && parameter == "fir") supportsFir_ = true;
			}
		}
	}

	const Value* rtpMapping = data.Find("rtpMapping");
	if (!rtpMapping || !rtpMapping->IsObject()) throw RequestError::Type("missing rtpMapping");
	rtpMapping_ = *rtpMapping;
	for (const Value& codec : rtpMapping->RequireArray("codecs")) {
		uint32_t pt = codec.RequireUint32("payloadType");
		uint32_t mapped = codec.RequireUint32("mappedPayloadType");
		if (pt > 127 || mapped > 127) throw RequestError::Type("invalid rtpMapping.codecs[]");
		mappedPayloadType_[pt] = static_cast<int16_t>(mapped);
	}
	const Value::Array& mappedEncodings = rtpMapping->RequireArray("encodings");
	const Value::Array& encodings = rtpParameters->RequireArray("encodings");
	if (mappedEncodings.size() != encodings.size() || encodings.empty()) {
		throw RequestError::Type("rtpMapping.encodings does not match rtpParameters.encodings");
	}
	for (size_t i = 0; i < encodings.size(); ++i) {
		Encoding encoding;
		encoding.ssrc = ReadSsrc(encodings[i], "ssrc");
		encoding.rid = encodings[i].OptionalString("rid", "");
		if (const Value* rtx = encodings[i].Find("rtx"); rtx && rtx->IsObject()) encoding.rtxSsrc = ReadSsrc(*rtx, "ssrc");
		encoding.mappedSsrc = mappedEncodings[i].RequireUint32("mappedSsrc");
		const ScalabilityMode layers = ParseScalabilityMode(encodings[i].OptionalString("scalabilityMode", ""));
		encoding.spatialLayers = static_cast<uint8_t>(std::max(1, std::min(layers.spatialLayers, 16)));
		encoding.temporalLayers = static_cast<uint8_t>(std::max(1, std::min(layers.temporalLayers, 16)));
		if (encoding.spatialLayers * encoding.temporalLayers > 1) {
			encoding.layerRates.resize(static_cast<size_t>(encoding.spatialLayers) * encoding.temporalLayers);
		}
		encodings_.push_back(std::move(encoding));
	}
	// As mediasoup 3.21.1+: several encodings are simulcast; one encoding with
	// scalability layers is SVC, whether the codec layers spatially in one stream
	// (VP9, AV1) or only temporally (VP8, H.264: consumers then pick temporal layers
	// of the one stream, see Consumer).
	if (encodings_.size() > 1) {
		type_ = "simulcast";
	} else {
		// The one encoding's layers, as parsed (and clamped) above.
		const CodecType codec = codecByPayloadType_[mediaPayloadTypeForStats_];
		if (encodings_[0].spatialLayers > 1 || encodings_[0].temporalLayers > 1) {
			if (codec == CodecType::Vp9 || codec == CodecType::Av1 || codec == CodecType::Vp8 ||
			    codec == CodecType::H264) {
				type_ = "svc";
			}
		}
	}
	context_.registry->Register(id_, this);
}

Producer::~Producer() { context_.registry->Unregister(id_); }

std::vector<int> Producer::GetScores() const {
	std::vector<int> scores;
	for (const auto& encoding : encodings_) scores.push_back(encoding.score);
	return scores;
}

bool Producer::UsesSsrc(uint32_t ssrc) const {
	for (const auto& encoding : encodings_) {
		if (encoding.ssrc == ssrc || (encoding.rtxSsrc != 0 && encoding.rtxSsrc == ssrc)) return true;
	}
	return false;
}

bool Producer::Accepts(const RtpPacket& packet) const {
	uint32_t ssrc = packet.GetSsrc();
	for (const auto& encoding : encodings_) {
		if (encoding.ssrc == ssrc || (encoding.rtxSsrc != 0 && encoding.rtxSsrc == ssrc)) return true;
	}
	if (mappedPayloadType_[packet.GetPayloadType()] < 0 && rtxApt_[packet.GetPayloadType()] < 0) return false;
	std::string rid = ReadRid(packet, extensionMap_, RtpExtensionType::Rid);
	if (rid.empty()) rid = ReadRid(packet, extensionMap_, RtpExtensionType::RepairedRid);
	for (const auto& encoding : encodings_) {
		if (!rid.empty() && encoding.rid == rid) return true;
	}
	// One encoding with neither SSRC nor RID: the first media stream on the MID is it.
	return encodings_.size() == 1 && encodings_[0].ssrc == 0 && encodings_[0].rid.empty();
}

Producer::Encoding* Producer::FindEncoding(const RtpPacket& packet, bool* isRtx) {
	uint32_t ssrc = packet.GetSsrc();
	*isRtx = false;
	for (auto& encoding : encodings_) {
		if (encoding.ssrc == ssrc) return &encoding;
		if (encoding.rtxSsrc != 0 && encoding.rtxSsrc == ssrc) {
			*isRtx = true;
			return &encoding;
		}
	}
	// Learn SSRCs from the RID extensions (RFC 8852): rid for the media stream,
	// repaired-rid for its RTX stream.
	bool rtxPayload = rtxApt_[packet.GetPayloadType()] >= 0;
	std::string rid = ReadRid(packet, extensionMap_, rtxPayload ? RtpExtensionType::RepairedRid : RtpExtensionType::Rid);
	for (auto& encoding : encodings_) {
		if (rid.empty() || encoding.rid != rid) continue;
		if (rtxPayload) {
			encoding.rtxSsrc = ssrc;
			*isRtx = true;
		} else {
			encoding.ssrc = ssrc;
		}
		return &encoding;
	}
	if (encodings_.size() == 1 && encodings_[0].rid.empty()) {
		auto& encoding = encodings_[0];
		if (rtxPayload && encoding.rtxSsrc == 0) {
			encoding.rtxSsrc = ssrc;
			*isRtx = true;
			return &encoding;
		}
		if (!rtxPayload && encoding.ssrc == 0) {
			encoding.ssrc = ssrc;
			return &encoding;
		}
	}
	return nullptr;
}

Producer::ReceiveResult Producer::ReceiveRtpPacket(RtpPacket& packet, uint64_t nowMs) {
	bool isRtx = false;
	Encoding* encoding = FindEncoding(packet, &isRtx);
	if (!encoding) return ReceiveResult::Discarded;

	if (isRtx) {
		// RFC 4588 §4: the RTX payload starts with the original sequence number; the
		// payload type maps back through apt. Rebuild the original packet in place.
		int16_t apt = rtxApt_[packet.GetPayloadType()];
		if (apt < 0 || packet.GetPayloadLength() < 2) return ReceiveResult::Discarded;
		uint8_t* payload = packet.GetPayload();
		uint16_t originalSeq = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
		size_t payloadLength = packet.GetPayloadLength() - 2;
		std::memmove(payload, payload + 2, payloadLength);
		uint8_t* data = packet.GetData();
		size_t newSize = packet.GetHeaderSize() + payloadLength;
		data[0] &= static_cast<uint8_t>(~0x20); // the RTX padding went with the move
		if (!packet.Parse(data, newSize)) return ReceiveResult::Discarded;
		// An RTX packet with no media (a sender's bandwidth probe, RFC 4588 lets it pad)
		// repairs nothing: not a packet of the stream.
		if (packet.GetPayloadLength() == 0) return ReceiveResult::Discarded;
		packet.SetPayloadType(static_cast<uint8_t>(apt));
		packet.SetSequenceNumber(originalSeq);
		packet.SetSsrc(encoding->ssrc);
		if (encoding->ssrc == 0) return ReceiveResult::Discarded; // RTX before any media: nothing to repair
	}

	uint8_t pt = packet.GetPayloadType();
	if (mappedPayloadType_[pt] < 0) return ReceiveResult::Discarded; // a payload type the producer did not declare

	if (!encoding->stream) {
		RtpStreamRecv::Params params;
		params.ssrc = encoding->ssrc;
		params.clockRate = clockRateByPayloadType_[pt];
		params.useNack = supportsNack_;
		params.useRtx = hasRtxCodec_;
		encoding->stream = std::make_unique<RtpStreamRecv>(params, this);
		// The stream exists now: its (initial) score is news for the application.
		EmitScoreIfChanged();
	}
	switch (encoding->stream->ReceivePacket(packet, nowMs, isRtx)) {
		case RtpStreamRecv::Verdict::Forward:
			ForwardRtpPacket(*encoding, packet, false);
			return isRtx ? ReceiveResult::Retransmission : ReceiveResult::Media;
		case RtpStreamRecv::Verdict::Discard:
			// A retransmission nobody asked for (a probe or a duplicate): counted by the
			// stream, not forwarded.
			return ReceiveResult::Discarded;
		case RtpStreamRecv::Verdict::Hold:
			// A sequence jump (RFC 3550 A.1): maybe a stray packet, maybe the first of a
			// restarted sender. Keep it until the next packet tells.
			encoding->heldPacket.assign(packet.GetData(), packet.GetData() + packet.GetSize());
			return ReceiveResult::Discarded;
		case RtpStreamRecv::Verdict::Restart: {
			MP_DEBUG("stream %u restarted its sequence at %u", encoding->ssrc,
			             static_cast<unsigned>(packet.GetSequenceNumber()));
			// A new encoder: whatever the consumers decoded before is no reference for its
			// frames. Ask for a key frame at once (throttled by keyFrameRequestDelay), as
			// a consumer does on a layer switch.
			RequestKeyFrame(encoding->mappedSsrc, nowMs);
			bool restartSent = false;
			if (!encoding->heldPacket.empty()) {
				RtpPacket held;
				if (held.Parse(encoding->heldPacket.data(), encoding->heldPacket.size()) &&
				    held.GetSequenceNumber() == static_cast<uint16_t>(packet.GetSequenceNumber() - 1) &&
				    mappedPayloadType_[held.GetPayloadType()] >= 0) {
					ForwardRtpPacket(*encoding, held, true);
					restartSent = true;
				}
				encoding->heldPacket.clear();
			}
			ForwardRtpPacket(*encoding, packet, !restartSent);
			return isRtx ? ReceiveResult::Retransmission : ReceiveResult::Media;
		}
	}
	return ReceiveResult::Discarded;
}

void Producer::SetMediasoupPacketId(const RtpPacket& packet, ProducerPacketInfo* info) const {
	// A packet that already carries one (it came through another router) keeps it;
	// otherwise a producer that stamps them gives it the worker's next id.
	size_t length = 0;
	const uint8_t* value = packet.GetExtension(extensionMap_, RtpExtensionType::MediasoupPacketId, &length);
	if (value && length == 4) {
		std::memcpy(info->mediasoupPacketId, value, 4);
		info->hasMediasoupPacketId = true;
	} else if (stampsMediasoupPacketIds_) {
		const uint32_t id = context_.nextMediasoupPacketId++;
		info->mediasoupPacketId[0] = static_cast<uint8_t>(id >> 24);
		info->mediasoupPacketId[1] = static_cast<uint8_t>(id >> 16);
		info->mediasoupPacketId[2] = static_cast<uint8_t>(id >> 8);
		info->mediasoupPacketId[3] = static_cast<uint8_t>(id);
		info->hasMediasoupPacketId = true;
	}
}

void Producer::ForwardRtpPacket(Encoding& encodingRef, RtpPacket& packet, bool isStreamRestart) {
	Encoding* encoding = &encodingRef;
	const uint8_t pt = packet.GetPayloadType();
	ProducerPacketInfo info;
	info.isStreamRestart = isStreamRestart;
	info.codec = codecByPayloadType_[pt];
	info.clockRate = clockRateByPayloadType_[pt];
	info.encodingIndex = static_cast<size_t>(encoding - encodings_.data());
	info.extensionMap = &extensionMap_;
	SetMediasoupPacketId(packet, &info);
	PayloadInfo payloadInfo;
	if (isVideo_) {
		if (InspectPayload(info.codec, packet.GetPayload(), packet.GetPayloadLength(), &payloadInfo)) {
			// Only the first packet of a key frame is a place to start decoding (later
			// slices of an H.264 IDR are key too, but mid-frame).
			info.isKeyFrame = payloadInfo.valid && payloadInfo.isKeyFrame && payloadInfo.isFrameStart;
			if (payloadInfo.valid) info.payload = &payloadInfo;
		}
		MaybeEmitVideoOrientation(packet);
	}
	if (!encoding->layerRates.empty() && packet.GetPayloadLength() > 0) {
		// As mediasoup, padding-only packets are left out, and a packet whose payload
		// names no layer counts in layer 0; layers beyond the declared ones in the last.
		const int spatial = std::min(std::max(payloadInfo.valid ? payloadInfo.spatialLayer : 0, 0),
		                             static_cast<int>(encoding->spatialLayers) - 1);
		const int temporal = std::min(std::max(payloadInfo.valid ? payloadInfo.temporalLayer : 0, 0),
		                              static_cast<int>(encoding->temporalLayers) - 1);
		encoding->layerRates[static_cast<size_t>(spatial) * encoding->temporalLayers + temporal].Update(
		    packet.GetSize(), context_.NowMs());
	}
	if (trace_.rtp || (trace_.keyFrame && info.isKeyFrame)) {
		Value trace = Value::MakeObject();
		trace.Set("ssrc", packet.GetSsrc());
		trace.Set("payloadType", static_cast<uint32_t>(pt));
		trace.Set("sequenceNumber", static_cast<uint32_t>(packet.GetSequenceNumber()));
		trace.Set("timestamp", packet.GetTimestamp());
		trace.Set("isKeyFrame", info.isKeyFrame);
		trace.Set("size", static_cast<uint32_t>(packet.GetSize()));
		EmitTrace(info.isKeyFrame && trace_.keyFrame ? "keyframe" : "rtp", "in", std::move(trace));
	}

	// Normalise to the router's payload type and SSRC (same sizes: in place).
	packet.SetPayloadType(static_cast<uint8_t>(mappedPayloadType_[pt]));
	packet.SetSsrc(encoding->mappedSsrc);

	if (paused_) return;
	listener_.OnProducerRtpPacket(*this, packet, info);
}

void Producer::MaybeEmitVideoOrientation(const RtpPacket& packet) {
	size_t length = 0;
	const uint8_t* value = packet.GetExtension(extensionMap_, RtpExtensionType::VideoOrientation, &length);
	if (!value || length < 1 || value[0] == lastVideoOrientation_) return;
	lastVideoOrientation_ = value[0];
	// 3GPP TS 26.114 §7.4.5: bit 3 C (camera: 0 front, 1 back), bit 2 F (flip),
	// bits 1-0 R (rotation in 90° steps).
	Value orientation = Value::MakeObject();
	orientation.Set("camera", (value[0] & 0x08) != 0);
	orientation.Set("flip", (value[0] & 0x04) != 0);
	orientation.Set("rotation", static_cast<uint32_t>((value[0] & 0x03) * 90));
	context_.Emit(id_, "videoorientationchange", std::move(orientation));
}

void Producer::ReceiveSenderReport(uint32_t ssrc, uint32_t ntpMiddle, uint64_t nowMs) {
	for (auto& encoding : encodings_) {
		if (encoding.ssrc == ssrc && encoding.stream) encoding.stream->ReceiveSenderReport(ntpMiddle, nowMs);
	}
}

void Producer::RequestKeyFrame(uint32_t mappedSsrc, uint64_t nowMs) {
	if (!isVideo_) return;
	for (auto& encoding : encodings_) {
		if (mappedSsrc != 0 && encoding.mappedSsrc != mappedSsrc) continue;
		if (encoding.ssrc == 0) continue;
		// keyFrameRequestDelay: at most one request per delay window per stream, so a
		// crowd of consumers cannot flood the sender with PLIs.
		if (encoding.lastKeyFrameRequestMs != 0 && keyFrameRequestDelayMs_ > 0 &&
		    nowMs - encoding.lastKeyFrameRequestMs < keyFrameRequestDelayMs_) {
			continue;
		}
		encoding.lastKeyFrameRequestMs = nowMs;
		if (supportsPli_ || !supportsFir_) {
			listener_.OnProducerSendPli(*this, encoding.ssrc);
			if (encoding.stream) encoding.stream->CountPli();
			if (trace_.pli) EmitTrace("pli", "out", Value::MakeObject().Set("ssrc", encoding.ssrc));
		} else {
			listener_.OnProducerSendFir(*this, encoding.ssrc, ++encoding.firSequence);
			if (encoding.stream) encoding.stream->CountFir();
			if (trace_.fir) EmitTrace("fir", "out", Value::MakeObject().Set("ssrc", encoding.ssrc));
		}
	}
}

void Producer::OnTimer(uint64_t nowMs) {
	for (auto& encoding : encodings_) {
		if (!encoding.stream) continue;
		const std::vector<uint16_t>& nacks = encoding.stream->GetNackList(nowMs);
		if (!nacks.empty()) {
			listener_.OnProducerSendNack(*this, encoding.ssrc, nacks);
			if (trace_.nack) EmitTrace("nack", "out", Value::MakeObject().Set("count", static_cast<uint32_t>(nacks.size())));
		}
		encoding.stream->UpdateScore(nowMs);
	}
}

void Producer::OnRtpStreamRecvScore(RtpStreamRecv& /*stream*/, uint8_t /*score*/, uint8_t /*previousScore*/) {
	EmitScoreIfChanged();
}

void Producer::OnRtpStreamRecvKeyFrameRequired(RtpStreamRecv& stream) {
	// Too much was lost to repair with NACKs: start over from a key frame.
	for (auto& encoding : encodings_) {
		if (encoding.stream.get() == &stream) RequestKeyFrame(encoding.mappedSsrc, context_.NowMs());
	}
}

void Producer::EmitScoreIfChanged() {
	bool changed = false;
	for (auto& encoding : encodings_) {
		if (!encoding.stream) continue;
		int score = encoding.stream->GetScore();
		if (score != encoding.score) {
			encoding.score = score;
			changed = true;
		}
	}
	if (!changed) return;
	Value scores = Value::MakeArray();
	for (size_t i = 0; i < encodings_.size(); ++i) {
		Value entry = Value::MakeObject();
		entry.Set("encodingIdx", static_cast<uint32_t>(i));
		entry.Set("ssrc", encodings_[i].ssrc);
		if (!encodings_[i].rid.empty()) entry.Set("rid", encodings_[i].rid);
		entry.Set("score", encodings_[i].score);
		scores.Push(std::move(entry));
	}
	context_.Emit(id_, "score", Value::MakeObject().Set("score", std::move(scores)));
	listener_.OnProducerScore(*this);
}

void Producer::AppendReportBlocks(std::vector<ReportBlock>& out, uint64_t nowMs) {
	for (auto& encoding : encodings_) {
		ReportBlock block;
		if (encoding.stream && encoding.stream->FillReportBlock(block, nowMs)) out.push_back(block);
	}
}

void Producer::EmitTrace(const char* type, const char* direction, Value info) {
	StreamTraceEvents::Emit(context_, id_, type, direction, std::move(info));
}

Value Producer::Dump() const {
	// As mediasoup: one entry per receive stream that exists (created by its first
	// packet). The TypeScript Producer adds each stream's parameters, which follow
	// from the rtpParameters (Producer.ts, dumpUtils.ts).
	Value rtpStreams = Value::MakeArray();
	for (size_t i = 0; i < encodings_.size(); ++i) {
		const Encoding& encoding = encodings_[i];
		if (!encoding.stream) continue;
		Value stream = Value::MakeObject();
		stream.Set("encodingIdx", static_cast<uint32_t>(i));
		stream.Set("ssrc", encoding.ssrc);
		if (encoding.rtxSsrc) stream.Set("rtxSsrc", encoding.rtxSsrc);
		stream.Set("score", encoding.score);
		rtpStreams.Push(std::move(stream));
	}
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("kind", isVideo_ ? "video" : "audio");
	dump.Set("type", type_);
	dump.Set("rtpParameters", rtpParameters_);
	dump.Set("rtpMapping", rtpMapping_);
	dump.Set("rtpStreams", std::move(rtpStreams));
	dump.Set("paused", paused_);
	dump.Set("traceEventTypes", trace_.TypesValue());
	return dump;
}

Value Producer::BitrateByLayer(Encoding& encoding, uint64_t nowMs) {
	// As mediasoup: keyed "spatial.temporal"; the rate needed to decode up to that layer
	// (every lower spatial layer, and this one up to that temporal layer), 0 while the
	// layer itself is not received. A one-layer stream lists none.
	Value byLayer = Value::MakeObject();
	if (encoding.layerRates.empty()) return byLayer;
	const size_t temporalLayers = encoding.temporalLayers;
	for (size_t s = 0; s < encoding.spatialLayers; ++s) {
		uint64_t lowerSpatial = 0;
		for (size_t i = 0; i < s * temporalLayers; ++i) lowerSpatial += encoding.layerRates[i].GetRate(nowMs);
		uint64_t upToTemporal = 0;
		for (size_t t = 0; t < temporalLayers; ++t) {
			const uint32_t own = encoding.layerRates[s * temporalLayers + t].GetRate(nowMs);
			upToTemporal += own;
			byLayer.Set(std::to_string(s) + "." + std::to_string(t), own == 0 ? 0 : lowerSpatial + upToTemporal);
		}
	}
	return byLayer;
}

uint32_t Producer::GetLayerBitrate(int spatialLayer, int temporalLayer, uint64_t nowMs) {
	if (spatialLayer < 0 || temporalLayer < 0) return 0;
	// Simulcast: one encoding per spatial layer.
	const bool simulcast = encodings_.size() > 1;
	Encoding* encoding = simulcast ? (static_cast<size_t>(spatialLayer) < encodings_.size() ? &encodings_[spatialLayer] : nullptr)
	                               : (encodings_.empty() ? nullptr : &encodings_[0]);
	if (!encoding || !encoding->stream) return 0;
	const int spatialInEncoding = simulcast ? 0 : spatialLayer;
	if (encoding->layerRates.empty()) {
		// One layer only: the stream's whole rate.
		return spatialInEncoding == 0 ? encoding->stream->GetStats(nowMs).bitrate : 0;
	}
	const size_t temporalLayers = encoding->temporalLayers;
	if (spatialInEncoding >= encoding->spatialLayers) return 0;
	const size_t t = std::min<size_t>(static_cast<size_t>(temporalLayer), temporalLayers - 1);
	uint64_t total = 0;
	for (size_t i = 0; i < static_cast<size_t>(spatialInEncoding) * temporalLayers; ++i) total += encoding->layerRates[i].GetRate(nowMs);
	uint32_t own = 0;
	for (size_t k = 0; k <= t; ++k) own += encoding->layerRates[static_cast<size_t>(spatialInEncoding) * temporalLayers + k].GetRate(nowMs);
	if (own == 0) return 0;
	return static_cast<uint32_t>(std::min<uint64_t>(total + own, UINT32_MAX));
}

Value Producer::GetStats(uint64_t nowMs, int onlyEncoding) {
	Value list = Value::MakeArray();
	for (size_t i = 0; i < encodings_.size(); ++i) {
		auto& encoding = encodings_[i];
		if (!encoding.stream) continue;
		if (onlyEncoding >= 0 && static_cast<size_t>(onlyEncoding) != i) continue;
		RtpStreamRecv::Stats s = encoding.stream->GetStats(nowMs);
		Value stats = Value::MakeObject();
		stats.Set("type", "inbound-rtp");
		stats.Set("timestamp", static_cast<uint64_t>(nowMs));
		stats.Set("packetCount", s.packetCount);
		stats.Set("byteCount", s.byteCount);
		stats.Set("bitrate", s.bitrate);
		stats.Set("bitrateByLayer", BitrateByLayer(encoding, nowMs));
		stats.Set("packetsLost", static_cast<int64_t>(s.packetsLost));
		stats.Set("fractionLost", static_cast<uint32_t>(s.fractionLost));
		stats.Set("packetsDiscarded", s.packetsDiscarded);
		stats.Set("packetsRetransmitted", s.packetsRetransmitted);
		stats.Set("packetsRepaired", s.packetsRepaired);
		stats.Set("nackCount", s.nackCount);
		stats.Set("nackPacketCount", s.nackPacketCount);
		stats.Set("pliCount", s.pliCount);
		stats.Set("firCount", s.firCount);
		stats.Set("jitter", s.jitter);
		// As mediasoup: 0 until an SR/RR exchange gave a round trip time.
		stats.Set("roundTripTime", s.hasRoundTripTime ? s.roundTripTime : 0);
		stats.Set("mimeType", mediaMimeType_);
		stats.Set("kind", isVideo_ ? "video" : "audio");
		stats.Set("ssrc", encoding.ssrc);
		if (encoding.rtxSsrc) stats.Set("rtxSsrc", encoding.rtxSsrc);
		if (!encoding.rid.empty()) stats.Set("rid", encoding.rid);
		stats.Set("score", encoding.score);
		list.Push(std::move(stats));
	}
	return list;
}

Value Producer::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::ProducerDump: return Dump();
		case Method::ProducerGetStats: return GetStats(context_.NowMs());
		case Method::ProducerPause:
			if (!paused_) {
				paused_ = true;
				listener_.OnProducerPaused(*this);
			}
			return Value();
		case Method::ProducerResume:
			if (paused_) {
				paused_ = false;
				listener_.OnProducerResumed(*this);
				// Consumers restart on a key frame.
				RequestKeyFrame(0, context_.NowMs());
			}
			return Value();
		case Method::ProducerSend: {
			const Value* packet = request.data.Find("packet");
			if (!packet || !packet->IsBytes()) throw RequestError::Type("packet must be a Buffer");
			// The request owns its bytes and is done with them after this call: the packet
			// may be rewritten in place there (one copy in total, JS Buffer -> request).
			auto& bytes = const_cast<Value::Bytes&>(packet->AsBytes());
			listener_.OnProducerInjectedRtp(*this, bytes.data(), bytes.size());
			return Value();
		}
		case Method::ProducerEnableTraceEvent: {
			trace_.Enable(request.data, true);
			return Value();
		}
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a Producer: ") + MethodName(request.method));
	}
}

} // namespace mediaplane
