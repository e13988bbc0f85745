#define MP_LOG_SOURCE "Transport"
#include "Transport.hpp"

#include <uv.h>

#include <cstring>
#include <random>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtcp/FullIntraRequest.hpp"
#include "../rtcp/GenericNack.hpp"
#include "../rtcp/PictureLossIndication.hpp"
#include "../rtcp/ReceiverReport.hpp"
#include "../rtcp/RtcpCompoundBuilder.hpp"
#include "../rtcp/RtcpCompoundParser.hpp"
#include "../rtcp/SenderReport.hpp"
#include "../rtcp/SourceDescription.hpp"

namespace mediaplane {

namespace {

// How often NACK retries, key frame bookkeeping and scores run, and how often receiver
// and sender reports go out. RFC 3550 §6.2 sizes the report interval by bandwidth
// (5 s minimum for small sessions); WebRTC endpoints send about one per second, which
// keeps round-trip times and loss figures fresh at negligible cost.
constexpr uint64_t kTickMs = 40;
// Transport-wide congestion control feedback at most this often (the tick permitting):
// often enough for the sender's estimator, cheap in RTCP bandwidth (~1% of 1 Mbps).
constexpr uint64_t kTransportCcFeedbackIntervalMs = 80;
constexpr uint64_t kReportIntervalMs = 1000;
// Where a PlainTransport's estimate starts (mediasoup's initialAvailableOutgoingBitrate
// default; a PlainTransport has no such option).
constexpr uint32_t kDefaultInitialOutgoingBitrate = 600000;

constexpr size_t kRtcpBufferSize = 1500 + 160; // a datagram plus the SRTCP trailer
constexpr size_t kMaxCompoundSize = 1200;

uint8_t* RtcpBuffer() {
	static thread_local uint8_t buffer[kRtcpBufferSize];
	return buffer;
}

uint32_t RandomSsrc() {
	static thread_local std::mt19937 random{ std::random_device{}() };
	return std::uniform_int_distribution<uint32_t>(100000000, 999999999)(random);
}

} // namespace

Transport::Transport(const WorkerContext& context, std::string id, RouterHooks& router)
    : context_(context), id_(std::move(id)), router_(router) {
	localSsrc_ = RandomSsrc();
	cname_ = "mediaplane-" + std::to_string(localSsrc_);
	rtcpTimer_ = std::make_unique<Timer>(context_.loop, [this]() { OnRtcpTimer(); });
}

Transport::~Transport() { CloseAll(); }

void Transport::CloseAll() {
	rtcpTimer_->Stop();
	if (pacerTimer_) pacerTimer_->Stop();
	for (auto& entry : dataConsumers_) router_.OnTransportDataConsumerClosing(*this, *entry.second);
	dataConsumers_.clear();
	dataConsumersByStreamId_.clear();
	for (auto& entry : dataProducers_) router_.OnTransportDataProducerClosing(*this, *entry.second);
	dataProducers_.clear();
	dataProducersByStreamId_.clear();
	CloseSctp();
	for (auto& entry : consumers_) router_.OnTransportConsumerClosing(*this, *entry.second);
	consumers_.clear();
	consumersBySsrc_.clear();
	for (auto& entry : producers_) router_.OnTransportProducerClosing(*this, *entry.second);
	producers_.clear();
	producersBySsrc_.clear();
}

Value Transport::HandleTransportRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::TransportProduce: return Produce(request.data);
		case Method::TransportConsume: return Consume(request.data);
		case Method::TransportCloseProducer: CloseProducer(request.data.RequireString("producerId")); return Value();
		case Method::TransportCloseConsumer: CloseConsumer(request.data.RequireString("consumerId")); return Value();
		case Method::TransportProduceData: return ProduceData(request.data);
		case Method::TransportConsumeData: return ConsumeData(request.data);
		case Method::TransportCloseDataProducer:
			CloseDataProducer(request.data.RequireString("dataProducerId"));
			return Value();
		case Method::TransportCloseDataConsumer:
			CloseDataConsumer(request.data.RequireString("dataConsumerId"));
			return Value();
		case Method::TransportSetMaxIncomingBitrate:
			SetMaxIncomingBitrate(ReadBitrate(request.data));
			return Value();
		case Method::TransportSetMaxOutgoingBitrate:
			SetMaxOutgoingBitrate(ReadBitrate(request.data));
			return Value();
		case Method::TransportSetMinOutgoingBitrate:
			SetMinOutgoingBitrate(ReadBitrate(request.data));
			return Value();
		case Method::TransportEnableTraceEvent:
			traceEventTypes_.clear();
			for (const Value& type : request.data.RequireArray("types")) {
				if (type.IsString() && (type.AsString() == "probation" || type.AsString() == "bwe")) {
					traceEventTypes_.push_back(type.AsString());
				}
			}
			return Value();
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown method for a transport: ") + MethodName(request.method));
	}
}

Value Transport::Produce(const Value& data) {
	const std::string& producerId = data.RequireString("producerId");
	if (context_.registry->Find(producerId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + producerId + "\" already exists");
	}
	auto producer = std::make_unique<Producer>(context_, producerId, *this, data);
	// Incoming RTP is routed by SSRC, else by MID, else by RID (RFC 8843 §9.2, RFC
	// 8852): a producer must be findable by one of them, and none may be ambiguous.
	const auto& newEncodings = producer->GetEncodings();
	if (producer->GetMid().empty() && newEncodings.size() == 1 && newEncodings[0].ssrc == 0 &&
	    newEncodings[0].rid.empty()) {
		throw RequestError::Type(
		    "no MID, and the single encoding has neither RID nor SSRC: incoming RTP could not be matched");
	}
	if (!producer->GetMid().empty()) {
		for (const auto& entry : producers_) {
			if (entry.second->GetMid() == producer->GetMid()) {
				throw RequestError(RequestError::Kind::Error, "MID \"" + producer->GetMid() + "\" already in use by another producer");
			}
		}
	}
	// SSRCs must be unique among the transport's producers (they route incoming RTP).
	for (const auto& encoding : producer->GetEncodings()) {
		if ((encoding.ssrc && producersBySsrc_.count(encoding.ssrc)) ||
		    (encoding.rtxSsrc && producersBySsrc_.count(encoding.rtxSsrc))) {
			throw RequestError(RequestError::Kind::Error, "an encoding SSRC is already in use by another producer");
		}
	}
	for (const auto& encoding : producer->GetEncodings()) {
		if (encoding.ssrc) producersBySsrc_[encoding.ssrc] = producer.get();
		if (encoding.rtxSsrc) producersBySsrc_[encoding.rtxSsrc] = producer.get();
	}
	Producer& ref = *producer;
	// One transport-wide sequence number space per transport (BUNDLE): every producer
	// of the transport negotiated the same extension id.
	if (uint8_t id = ref.GetExtensionMap().GetId(RtpExtensionType::TransportWideCc)) transportCcExtensionId_ = id;
	{
		const RtpExtensionMap& map = ref.GetExtensionMap();
		RecvRtpHeaderExtensionIds& ids = recvRtpHeaderExtensionIds_;
		if (uint8_t id = map.GetId(RtpExtensionType::Mid)) ids.mid = id;
		if (uint8_t id = map.GetId(RtpExtensionType::Rid)) ids.rid = id;
		if (uint8_t id = map.GetId(RtpExtensionType::RepairedRid)) ids.rrid = id;
		if (uint8_t id = map.GetId(RtpExtensionType::AbsSendTime)) ids.absSendTime = id;
		if (uint8_t id = map.GetId(RtpExtensionType::TransportWideCc)) ids.transportWideCc01 = id;
	}
	producers_.emplace(producerId, std::move(producer));
	router_.OnTransportNewProducer(*this, ref);
	if (!rtcpTimer_->IsActive()) rtcpTimer_->Start(kTickMs);
	Value result = Value::MakeObject();
	result.Set("type", ref.GetType());
	return result;
}

Value Transport::Consume(const Value& data) {
	const std::string& consumerId = data.RequireString("consumerId");
	const std::string& producerId = data.RequireString("producerId");
	if (context_.registry->Find(consumerId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + consumerId + "\" already exists");
	}
	Producer* producer = router_.FindProducer(producerId);
	if (!producer) throw RequestError::NotFound("producer \"" + producerId + "\" not found");
	auto consumer = std::make_unique<Consumer>(context_, consumerId, producerId, *this, data);
	const std::vector<uint32_t> ssrcs = consumer->GetSendSsrcs();
	for (uint32_t ssrc : ssrcs) {
		if (consumersBySsrc_.count(ssrc)) {
			throw RequestError(RequestError::Kind::Error, "consumer SSRC already in use on this transport");
		}
	}
	for (uint32_t ssrc : ssrcs) consumersBySsrc_[ssrc] = consumer.get();
	Consumer& ref = *consumer;
	consumers_.emplace(consumerId, std::move(consumer));
	if (producer->IsPaused()) ref.ProducerPaused();
	ref.SetInitialProducerScores(producer->GetScores());
	router_.OnTransportNewConsumer(*this, ref, *producer);
	if (!bwe_ && ref.GetTransportCcExtensionId() != 0 && EstimatesWhenNegotiated()) {
		EnableSendSideBwe(kDefaultInitialOutgoingBitrate);
	}
	if (!rtcpTimer_->IsActive()) rtcpTimer_->Start(kTickMs);

	Value result = Value::MakeObject();
	result.Set("paused", data.OptionalBool("paused", false));
	result.Set("producerPaused", producer->IsPaused());
	// The consumer's own score starts at 10 (RtpStreamScore); the producer's are its
	// streams' (SetInitialProducerScores above).
	result.Set("score", ref.ScoreValue());
	if (Value preferred = ref.PreferredLayersValue(); !preferred.IsNull()) result.Set("preferredLayers", std::move(preferred));
	// The first key frame: a video consumer starts on one.
	if (!data.OptionalBool("paused", false) && CanSendMedia()) {
		OnConsumerKeyFrameRequested(ref, ref.GetKeyFrameSsrc());
	}
	return result;
}

void Transport::CloseProducer(const std::string& producerId) {
	auto it = producers_.find(producerId);
	if (it == producers_.end()) throw RequestError::NotFound("producer \"" + producerId + "\" not found");
	router_.OnTransportProducerClosing(*this, *it->second);
	for (auto ssrc = producersBySsrc_.begin(); ssrc != producersBySsrc_.end();) {
		if (ssrc->second != it->second.get()) {
			++ssrc;
			continue;
		}
		OnInboundSsrcUnrouted(ssrc->first);
		ssrc = producersBySsrc_.erase(ssrc);
	}
	producers_.erase(it);
}

void Transport::CloseConsumer(const std::string& consumerId) {
	auto it = consumers_.find(consumerId);
	if (it == consumers_.end()) throw RequestError::NotFound("consumer \"" + consumerId + "\" not found");
	router_.OnTransportConsumerClosing(*this, *it->second);
	ForgetConsumerSsrcs(*it->second);
	consumers_.erase(it);
}

void Transport::RemoveConsumerForClosedProducer(Consumer& consumer) {
	ForgetConsumerSsrcs(consumer);
	consumers_.erase(consumer.GetId());
}

void Transport::ForgetConsumerSsrcs(Consumer& consumer) {
	// O(streams): a consumer's SSRCs are exactly its media and RTX SSRCs.
	for (uint32_t ssrc : consumer.GetSendSsrcs()) {
		auto it = consumersBySsrc_.find(ssrc);
		if (it != consumersBySsrc_.end() && it->second == &consumer) consumersBySsrc_.erase(it);
	}
}

Producer* Transport::FindProducerForPacket(const RtpPacket& packet) {
	auto it = producersBySsrc_.find(packet.GetSsrc());
	if (it != producersBySsrc_.end()) return it->second;
	// An SSRC not signalled: match by MID (RFC 8843 §9.2), then RID or the only
	// SSRC-less encoding, and remember the SSRC.
	for (auto& entry : producers_) {
		Producer& producer = *entry.second;
		if (!producer.GetMid().empty()) {
			size_t length = 0;
			const uint8_t* mid = packet.GetExtension(producer.GetExtensionMap(), RtpExtensionType::Mid, &length);
			if (!mid || std::string(reinterpret_cast<const char*>(mid), length) != producer.GetMid()) continue;
		}
		if (producer.Accepts(packet)) {
			LearnProducerSsrc(producer, packet.GetSsrc());
			return &producer;
		}
	}
	return nullptr;
}

void Transport::LearnProducerSsrc(Producer& producer, uint32_t ssrc) {
	// The producer re-points an encoding to a new SSRC of its RID (a restarted sender),
	// so the SSRC learnt before may be stale: only SSRCs the producer still uses stay.
	// Otherwise a peer sending a new SSRC per packet with a valid RID would add an
	// entry per packet for the producer's lifetime.
	for (auto it = producersBySsrc_.begin(); it != producersBySsrc_.end();) {
		if (it->second != &producer || producer.UsesSsrc(it->first)) {
			++it;
			continue;
		}
		OnInboundSsrcUnrouted(it->first);
		it = producersBySsrc_.erase(it);
	}
	producersBySsrc_[ssrc] = &producer;
}

void Transport::HandleIncomingRtp(uint8_t* data, size_t len) {
	RtpPacket packet;
	if (!packet.Parse(data, len)) {
		++rtpPacketsDropped_;
		if (len >= 12) OnInboundSsrcUnrouted(rtcp::Read32(data + 8)); // RFC 3550 §5.1
		return;
	}
	if (transportCcExtensionId_) {
		// Every packet the sender numbered, media, retransmission or probe, goes into
		// the feedback (the sender's estimator counts them all).
		size_t length = 0;
		const uint8_t* value = packet.GetExtensionById(transportCcExtensionId_, &length);
		if (value && length >= 2) {
			transportCcReceiver_.OnPacket(static_cast<uint16_t>((value[0] << 8) | value[1]),
			                              static_cast<int64_t>(uv_hrtime() / 1000));
			transportCcMediaSsrc_ = packet.GetSsrc();
		}
	}
	Producer* producer = FindProducerForPacket(packet);
	if (!producer) {
		++rtpPacketsDropped_;
		OnInboundSsrcUnrouted(packet.GetSsrc());
		return;
	}
	// As mediasoup: RTP a producer forwarded, media and retransmissions apart (an RTX
	// packet counts as the original it carried); what it discarded is in neither.
	const uint64_t now = context_.NowMs();
	switch (producer->ReceiveRtpPacket(packet, now)) {
		case Producer::ReceiveResult::Media: rtpRecvRate_.Update(packet.GetSize(), now); break;
		case Producer::ReceiveResult::Retransmission: rtxRecvRate_.Update(packet.GetSize(), now); break;
		case Producer::ReceiveResult::Discarded: break;
	}
}

void Transport::HandleIncomingRtcp(const uint8_t* data, size_t len) {
	RtcpCompoundParser parser;
	if (!parser.Parse(data, len)) {
		++rtcpPacketsDropped_;
		return;
	}
	const uint64_t now = context_.NowMs();
	for (const RtcpPacketView& view : parser) {
		switch (view.GetKind()) {
			case RtcpPacketKind::SenderReport: {
				SenderReport report;
				if (!report.Parse(view)) break;
				auto it = producersBySsrc_.find(report.ssrc);
				if (it != producersBySsrc_.end()) it->second->ReceiveSenderReport(report.ssrc, report.ntpTimestamp.ToCompact(), now);
				HandleReportBlocks(report.reportBlocks);
				break;
			}
			case RtcpPacketKind::ReceiverReport: {
				ReceiverReport report;
				if (!report.Parse(view)) break;
				HandleReportBlocks(report.reportBlocks);
				break;
			}
			case RtcpPacketKind::GenericNack: {
				GenericNack nack;
				if (!nack.Parse(view)) break;
				auto consumer = consumersBySsrc_.find(nack.mediaSsrc);
				if (consumer == consumersBySsrc_.end()) break;
				nackScratch_.clear();
				for (const auto& item : nack.items) {
					nackScratch_.push_back(item.packetId);
					for (int bit = 0; bit < 16; ++bit) {
						if (item.lostPacketBitmask & (1u << bit)) nackScratch_.push_back(static_cast<uint16_t>(item.packetId + bit + 1));
					}
				}
				consumer->second->ReceiveNack(nack.mediaSsrc, nackScratch_);
				break;
			}
			case RtcpPacketKind::PictureLossIndication: {
				auto consumer = consumersBySsrc_.find(view.GetMediaSsrc());
				if (consumer != consumersBySsrc_.end()) consumer->second->ReceiveKeyFrameRequest(view.GetMediaSsrc(), false);
				break;
			}
			case RtcpPacketKind::FullIntraRequest: {
				FullIntraRequest fir;
				if (!fir.Parse(view)) break;
				for (const auto& entry : fir.entries) {
					auto consumer = consumersBySsrc_.find(entry.ssrc);
					if (consumer != consumersBySsrc_.end()) consumer->second->ReceiveKeyFrameRequest(entry.ssrc, true);
				}
				break;
			}
			case RtcpPacketKind::TransportCc:
			case RtcpPacketKind::ReceiverEstimatedMaxBitrate:
				// About what we send: the send-side estimator's input (TransportBwe.cpp).
				HandleBweFeedback(view, now);
				break;
			default:
				// SDES, BYE, XR and other feedback: nothing to do.
				break;
		}
	}
}

void Transport::HandleReportBlocks(const std::vector<ReportBlock>& blocks) {
	// Report blocks (in an SR or an RR) about our consumers' media streams.
	for (const ReportBlock& block : blocks) {
		auto consumer = consumersBySsrc_.find(block.ssrc);
		if (consumer != consumersBySsrc_.end() && consumer->second->HasMediaSsrc(block.ssrc)) {
			// Loss of what we send: the estimator's input where there is no transport-cc.
			if (bwe_) bwe_->OnReceiverReportLoss(block.fractionLost / 256.0, static_cast<int64_t>(context_.NowMs()));
			consumer->second->ReceiveReportBlock(block.ssrc, block.fractionLost, block.cumulativeLost, block.highestSequenceNumber,
			                                     block.jitter, block.lastSenderReport, block.delaySinceLastSenderReport);
		}
	}
}

void Transport::OnProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) {
	router_.OnTransportProducerRtpPacket(producer, packet, info);
}

void Transport::OnProducerPaused(Producer& producer) { router_.OnTransportProducerPaused(producer); }

void Transport::OnProducerResumed(Producer& producer) { router_.OnTransportProducerResumed(producer); }

void Transport::OnProducerScore(Producer& producer) { router_.OnTransportProducerScore(producer); }

void Transport::SendFeedback(const uint8_t* data, size_t len) {
	// Reduced-size RTCP (RFC 5506): a feedback packet alone, sent at once.
	uint8_t* buffer = RtcpBuffer();
	if (len > kRtcpBufferSize - 160) return;
	if (buffer != data) std::memcpy(buffer, data, len);
	SendRtcp(buffer, len, kRtcpBufferSize);
}

void Transport::OnProducerSendPli(Producer& /*producer*/, uint32_t mediaSsrc) {
	PictureLossIndication pli;
	pli.senderSsrc = localSsrc_;
	pli.mediaSsrc = mediaSsrc;
	uint8_t* buffer = RtcpBuffer();
	size_t len = pli.Serialize(buffer, kRtcpBufferSize - 160);
	if (len) SendFeedback(buffer, len);
}

void Transport::OnProducerSendFir(Producer& /*producer*/, uint32_t mediaSsrc, uint8_t sequence) {
	FullIntraRequest fir;
	fir.senderSsrc = localSsrc_;
	fir.entries.push_back({ mediaSsrc, sequence });
	uint8_t* buffer = RtcpBuffer();
	size_t len = fir.Serialize(buffer, kRtcpBufferSize - 160);
	if (len) SendFeedback(buffer, len);
}

void Transport::OnProducerSendNack(Producer& /*producer*/, uint32_t mediaSsrc, const std::vector<uint16_t>& seqs) {
	GenericNack nack = GenericNack::FromLostSequenceNumbers(localSsrc_, mediaSsrc, seqs);
	uint8_t* buffer = RtcpBuffer();
	size_t len = nack.Serialize(buffer, kRtcpBufferSize - 160);
	if (len) SendFeedback(buffer, len);
}

void Transport::OnProducerInjectedRtp(Producer& /*producer*/, uint8_t* data, size_t len) {
	// producer.send() on a DirectTransport: what the transport receives.
	recvRate_.Update(len, context_.NowMs());
	HandleIncomingRtp(data, len);
}

void Transport::OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity) {
	if (!CanSendMedia()) {
		stampedTransportSeq_ = -1;
		return;
	}
	const uint64_t now = context_.NowMs();
	const int32_t transportSequence = TakeTransportSequence(consumer, data, len);
	// Paced while the path is congested (probe packets excepted: they measure the path).
	if (pacer_ && probeClusterId_ < 0 && !pacer_->TrySendNow(len, static_cast<int64_t>(now)) &&
	    pacer_->Enqueue(data, len, capacity, transportSequence, retransmitting_, static_cast<int64_t>(now))) {
		if (!pacerTimer_->IsActive()) {
			const int64_t delay = pacer_->NextDelayMs(static_cast<int64_t>(now));
			pacerTimer_->Start(static_cast<uint64_t>(std::max<int64_t>(delay, 1)));
		}
		return;
	}
	SendCountedRtp(data, len, capacity, transportSequence, retransmitting_, now);
}

void Transport::SendCountedRtp(uint8_t* data, size_t len, size_t capacity, int32_t transportSequence,
                               bool retransmission, uint64_t nowMs) {
	(retransmission ? rtxSendRate_ : rtpSendRate_).Update(len, nowMs);
	if (bwe_ && transportSequence >= 0) {
		bwe_->OnPacketSent(static_cast<uint16_t>(transportSequence), static_cast<uint32_t>(len),
		                   static_cast<int64_t>(nowMs), retransmission, retransmission ? probeClusterId_ : -1);
	}
	SendRtp(data, len, capacity);
}

bool Transport::OnConsumerRetransmitRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity,
                                              const RtpStreamSend::RetransmittedPacket& original) {
	if (!AllowRetransmission(len, context_.NowMs())) return false;
	// Through the (virtual) send path, so that a DirectTransport emits it as well.
	retransmitting_ = true;
	retransmitted_ = &original;
	OnConsumerSendRtpPacket(consumer, data, len, capacity);
	retransmitted_ = nullptr;
	retransmitting_ = false;
	return true;
}

void Transport::OnConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) {
	router_.OnTransportConsumerKeyFrameRequested(consumer, mappedSsrc);
}

void Transport::OnRtcpTimer() {
	const uint64_t now = context_.NowMs();
	OnBweTick(now);
	MaySendIncomingBitrateLimit(now);
	for (auto& entry : producers_) entry.second->OnTimer(now);
	if (transportCcReceiver_.HasPending() && now - lastTransportCcFeedbackMs_ >= kTransportCcFeedbackIntervalMs &&
	    CanSendMedia()) {
		lastTransportCcFeedbackMs_ = now;
		transportCcReceiver_.SendFeedback(localSsrc_, transportCcMediaSsrc_, RtcpBuffer(),
		                                  [this](const uint8_t* feedback, size_t length) { SendFeedback(feedback, length); });
	}
	if (now - lastReportsMs_ >= kReportIntervalMs) {
		lastReportsMs_ = now;
		if (CanSendMedia()) SendReports(now);
	}
	if (!producers_.empty() || !consumers_.empty()) rtcpTimer_->Start(kTickMs);
}

void Transport::SendReports(uint64_t nowMs) {
	// RFC 3550 §6.1: each compound starts with an SR or RR and carries an SDES CNAME.
	// One SR per consumer stream that has sent, then one RR with a block per producer
	// stream, then SDES; split into several compounds when it would not fit a datagram.
	std::vector<SenderReport> senderReports;
	for (auto& entry : consumers_) entry.second->AppendSenderReports(senderReports, nowMs);
	ReceiverReport receiverReport;
	receiverReport.ssrc = localSsrc_;
	std::vector<ReportBlock> blocks;
	for (auto& entry : producers_) entry.second->AppendReportBlocks(blocks, nowMs);

	uint8_t* buffer = RtcpBuffer();
	RtcpCompoundBuilder builder(buffer, kMaxCompoundSize);
	SourceDescription sdes;
	auto flush = [&]() {
		if (builder.GetSize() == 0) return;
		SourceDescription::Chunk chunk;
		chunk.ssrc = localSsrc_;
		chunk.cname = cname_;
		sdes.chunks.push_back(chunk);
		builder.Add(sdes);
		size_t len = builder.Finish();
		if (len) SendRtcp(buffer, len, kRtcpBufferSize);
		builder.Reset();
		sdes.chunks.clear();
	};
	for (const SenderReport& report : senderReports) {
		if (builder.GetRemainingCapacity() < report.GetSerializedSize() + 64) flush();
		builder.Add(report);
		SourceDescription::Chunk chunk;
		chunk.ssrc = report.ssrc;
		chunk.cname = cname_;
		sdes.chunks.push_back(chunk);
	}
	size_t index = 0;
	while (index < blocks.size()) {
		receiverReport.reportBlocks.clear();
		while (index < blocks.size() && receiverReport.reportBlocks.size() < 31) receiverReport.reportBlocks.push_back(blocks[index++]);
		if (builder.GetRemainingCapacity() < receiverReport.GetSerializedSize() + 64) flush();
		builder.Add(receiverReport);
	}
	flush();
}

void Transport::AddTrafficStats(Value& stats, uint64_t now) {
	stats.Set("bytesReceived", recvRate_.GetTotalBytes());
	stats.Set("recvBitrate", recvRate_.GetRate(now));
	stats.Set("bytesSent", sendRate_.GetTotalBytes());
	stats.Set("sendBitrate", sendRate_.GetRate(now));
	stats.Set("rtpBytesReceived", rtpRecvRate_.GetTotalBytes());
	stats.Set("rtpRecvBitrate", rtpRecvRate_.GetRate(now));
	stats.Set("rtpBytesSent", rtpSendRate_.GetTotalBytes());
	stats.Set("rtpSendBitrate", rtpSendRate_.GetRate(now));
	stats.Set("rtxBytesReceived", rtxRecvRate_.GetTotalBytes());
	stats.Set("rtxRecvBitrate", rtxRecvRate_.GetRate(now));
	stats.Set("rtxBytesSent", rtxSendRate_.GetTotalBytes());
	stats.Set("rtxSendBitrate", rtxSendRate_.GetRate(now));
	// Probation (bandwidth probing padding) needs send-side estimation, which the
	// engine does not do: nothing is ever sent as probation.
	stats.Set("probationBytesSent", 0);
	stats.Set("probationSendBitrate", 0);
}

void Transport::ReadMessageSizes(const Value& options) {
	const uint32_t fallback = options.OptionalUint32("maxMessageSize", 262144);
	maxSendMessageSize_ = options.OptionalUint32("maxSendMessageSize", fallback);
	maxReceiveMessageSize_ = options.OptionalUint32("maxReceiveMessageSize", fallback);
}

void Transport::NotifyReady() {
	for (auto& entry : consumers_) entry.second->TransportReady();
}

void Transport::AddRtpDump(Value& dump) const {
	Value producerIds = Value::MakeArray();
	for (const auto& entry : producers_) producerIds.Push(entry.first);
	Value consumerIds = Value::MakeArray();
	for (const auto& entry : consumers_) consumerIds.Push(entry.first);
	Value ssrcMap = Value::MakeArray();
	Value rtxSsrcMap = Value::MakeArray();
	for (const auto& entry : consumersBySsrc_) {
		Value item = Value::MakeObject().Set("key", entry.first).Set("value", entry.second->GetId());
		(entry.second->HasMediaSsrc(entry.first) ? ssrcMap : rtxSsrcMap).Push(std::move(item));
	}
	// How incoming RTP finds its producer: by SSRC, else MID, else RID.
	Value ssrcTable = Value::MakeArray();
	for (const auto& entry : producersBySsrc_) {
		ssrcTable.Push(Value::MakeObject().Set("key", entry.first).Set("value", entry.second->GetId()));
	}
	Value midTable = Value::MakeArray();
	Value ridTable = Value::MakeArray();
	for (const auto& entry : producers_) {
		const Producer& producer = *entry.second;
		if (!producer.GetMid().empty()) {
			midTable.Push(Value::MakeObject().Set("key", producer.GetMid()).Set("value", producer.GetId()));
		}
		for (const auto& encoding : producer.GetEncodings()) {
			if (!encoding.rid.empty()) {
				ridTable.Push(Value::MakeObject().Set("key", encoding.rid).Set("value", producer.GetId()));
			}
		}
	}
	Value recvExtensions = Value::MakeObject();
	const RecvRtpHeaderExtensionIds& ids = recvRtpHeaderExtensionIds_;
	if (ids.mid) recvExtensions.Set("mid", ids.mid);
	if (ids.rid) recvExtensions.Set("rid", ids.rid);
	if (ids.rrid) recvExtensions.Set("rrid", ids.rrid);
	if (ids.absSendTime) recvExtensions.Set("absSendTime", ids.absSendTime);
	if (ids.transportWideCc01) recvExtensions.Set("transportWideCc01", ids.transportWideCc01);
	Value traceEventTypes = Value::MakeArray();
	for (const auto& type : traceEventTypes_) traceEventTypes.Push(type);

	dump.Set("producerIds", std::move(producerIds));
	dump.Set("consumerIds", std::move(consumerIds));
	dump.Set("mapSsrcConsumerId", std::move(ssrcMap));
	dump.Set("mapRtxSsrcConsumerId", std::move(rtxSsrcMap));
	dump.Set("recvRtpHeaderExtensions", std::move(recvExtensions));
	Value rtpListener = Value::MakeObject();
	rtpListener.Set("ssrcTable", std::move(ssrcTable));
	rtpListener.Set("midTable", std::move(midTable));
	rtpListener.Set("ridTable", std::move(ridTable));
	dump.Set("rtpListener", std::move(rtpListener));
	dump.Set("maxSendMessageSize", maxSendMessageSize_);
	dump.Set("maxReceiveMessageSize", maxReceiveMessageSize_);
	Value dataProducerIds = Value::MakeArray();
	for (const auto& entry : dataProducers_) dataProducerIds.Push(entry.first);
	Value dataConsumerIds = Value::MakeArray();
	for (const auto& entry : dataConsumers_) dataConsumerIds.Push(entry.first);
	dump.Set("dataProducerIds", std::move(dataProducerIds));
	dump.Set("dataConsumerIds", std::move(dataConsumerIds));
	// Without SCTP, sctpParameters, sctpState and sctpListener are absent (as mediasoup).
	if (HasSctp()) AddSctpDump(dump);
	dump.Set("traceEventTypes", std::move(traceEventTypes));
}

} // namespace mediaplane
