// The send-side bandwidth estimation half of Transport (issue 12): every RTP packet we
// send with a transport-wide sequence number is recorded; the receiving endpoint's
// transport-cc feedback, REMB and receiver reports feed the estimator
// (engine/bwe/SendSideEstimator, see docs/BANDWIDTH_ESTIMATION.md); its estimate is
// shared among the consumers (BitrateAllocator), capping their layers.
#define MP_LOG_SOURCE "Transport"
#include <algorithm>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtcp/ReceiverEstimatedMaxBitrate.hpp"
#include "../rtcp/TransportCcFeedback.hpp"
#include "../rtp/RtpPacket.hpp"
#include "BitrateAllocator.hpp"
#include "Transport.hpp"

namespace mediaplane {

namespace {

// How often the estimate is shared out again (and sooner when it falls).
constexpr uint64_t kAllocationIntervalMs = 1000;
// A fall of the estimate by this fraction re-allocates at once (step down promptly).
constexpr double kPromptDecrease = 0.85;
// Upgrades use this share of the estimate, so that a consumer does not climb onto a
// layer that fills the link and step down again at the next congestion signal.
constexpr double kUpgradeHeadroom = 0.85;
// 'bwe' trace events: at most this often, and when the estimate changed.
constexpr uint64_t kBweTraceIntervalMs = 1000;
constexpr uint32_t kNoMaximumBps = 100000000;
// A path counts as congested for this long after a congestion signal: meanwhile the
// pacer paces and no periodic or recovery probe is sent.
constexpr uint64_t kCongestionMemoryMs = 5000;
constexpr double kCongestionLossFraction = 0.02;
// The share of the estimate NACK retransmissions may use (probes are not counted here).
constexpr double kRetransmissionShare = 0.3;
// While congested, what the consumers send leaves at most at this multiple of the
// estimate (the allocation keeps the average under the estimate; the pacer spreads key
// frames and retransmission bursts). Ours: 1.5 lets a 20 kB key frame cross a 600 kbps
// bottleneck with 100 ms of bucket and queue without overflowing it.
constexpr double kPacingFactor = 1.5;
// setMaxIncomingBitrate() is repeated as REMB this often (a sender forgets a receiver's
// limit it has not heard again for a while; Chromium holds it until the next one).
constexpr uint64_t kIncomingLimitIntervalMs = 1000;
// After the limit is removed, this many REMBs with kNoLimitBps lift the sender's cap.
constexpr int kIncomingLimitLifts = 3;
constexpr uint64_t kNoLimitBps = 10000000000ull;

} // namespace

void Transport::EnableSendSideBwe(uint32_t initialBitrate) {
	bwe::SendSideEstimator::Params params;
	params.initialBitrateBps = initialBitrate;
	params.maxBitrateBps = kNoMaximumBps;
	bwe_ = std::make_unique<bwe::SendSideEstimator>(params);
	lastAllocatedBitrate_ = bwe_->GetTargetBitrateBps();
	bwe::PacingBudget::Params budget;
	// Room for a loss burst's NACKs at once (half a second of the share: ~8 packets at
	// 600 kbps): a receiver asks once for each lost packet, and one declined costs a
	// key frame (Consumer::ReceiveNack). The share still bounds the sustained rate.
	budget.burstMs = 500;
	retransmissionBudget_ = std::make_unique<bwe::PacingBudget>(
	    static_cast<uint32_t>(lastAllocatedBitrate_ * kRetransmissionShare), budget);
	// Limits the application set before estimation started (a PlainTransport starts it
	// with its first consumer that negotiates transport-wide sequence numbers).
	SetOutgoingBitrateLimits(minOutgoingBitrate_, maxOutgoingBitrate_);
	pacer_ = std::make_unique<PacketPacer>();
	pacerTimer_ = std::make_unique<Timer>(context_.loop, [this]() { OnPacerTimer(); });
}

bool Transport::AllowRetransmission(size_t len, uint64_t nowMs) {
	if (!retransmissionBudget_ || probeClusterId_ >= 0) return true;
	const int64_t now = static_cast<int64_t>(nowMs);
	retransmissionBudget_->SetRate(static_cast<uint32_t>(bwe_->GetTargetBitrateBps() * kRetransmissionShare), now);
	if (!retransmissionBudget_->CanSend(static_cast<uint32_t>(len), now)) {
		++retransmissionsDropped_;
		return false;
	}
	retransmissionBudget_->OnSent(static_cast<uint32_t>(len), now);
	return true;
}

bool Transport::SetOutgoingBitrateLimits(uint32_t minBitrate, uint32_t maxBitrate) {
	if (maxBitrate > 0 && minBitrate > maxBitrate) return false;
	if (bwe_ && !bwe_->SetBitrateLimits(minBitrate, maxBitrate > 0 ? maxBitrate : kNoMaximumBps)) return false;
	return true;
}

void Transport::SetMaxOutgoingBitrate(uint32_t bitrate) {
	// 0 removes the limit; otherwise the limits must stay consistent (as mediasoup).
	if (bitrate > 0 && bitrate < minOutgoingBitrate_) {
		throw RequestError(RequestError::Kind::Error, "bitrate must be >= the current min outgoing bitrate");
	}
	if (!SetOutgoingBitrateLimits(minOutgoingBitrate_, bitrate)) {
		throw RequestError(RequestError::Kind::Error, "inconsistent outgoing bitrate limits");
	}
	maxOutgoingBitrate_ = bitrate;
}

void Transport::SetMinOutgoingBitrate(uint32_t bitrate) {
	if (bitrate > 0 && maxOutgoingBitrate_ > 0 && bitrate > maxOutgoingBitrate_) {
		throw RequestError(RequestError::Kind::Error, "bitrate must be <= the current max outgoing bitrate");
	}
	if (!SetOutgoingBitrateLimits(bitrate, maxOutgoingBitrate_)) {
		throw RequestError(RequestError::Kind::Error, "inconsistent outgoing bitrate limits");
	}
	minOutgoingBitrate_ = bitrate;
}

void Transport::AddBitrateLimitStats(Value& stats) const {
	// availableOutgoingBitrate: the send-side estimate towards the endpoint (issue 12).
	if (HasSendSideBwe()) stats.Set("availableOutgoingBitrate", GetAvailableOutgoingBitrate());
	if (maxIncomingBitrate_) stats.Set("maxIncomingBitrate", maxIncomingBitrate_);
	if (maxOutgoingBitrate_) stats.Set("maxOutgoingBitrate", maxOutgoingBitrate_);
	if (minOutgoingBitrate_) stats.Set("minOutgoingBitrate", minOutgoingBitrate_);
}

uint32_t Transport::ReadBitrate(const Value& data) {
	const double bitrate = data.RequireNumber("bitrate");
	if (!(bitrate >= 0 && bitrate <= 4294967295.0)) throw RequestError::Type("invalid bitrate");
	return static_cast<uint32_t>(bitrate);
}

void Transport::SetMaxIncomingBitrate(uint32_t bitrate) {
	if (bitrate == 0 && maxIncomingBitrate_ != 0) incomingLimitLiftsLeft_ = kIncomingLimitLifts;
	if (bitrate != 0) incomingLimitLiftsLeft_ = 0;
	maxIncomingBitrate_ = bitrate;
	lastIncomingLimitRembMs_ = 0; // tell the sender at the next tick
}

void Transport::MaySendIncomingBitrateLimit(uint64_t nowMs) {
	// The receiver's limit on what the endpoint sends us, as REMB (draft-alvestrand-
	// rmcat-remb-03 §2): a sender bounds its own estimate by it whether it estimates
	// from transport-cc or from REMB (Chromium does), so it works with either.
	if (maxIncomingBitrate_ == 0 && incomingLimitLiftsLeft_ == 0) return;
	if (lastIncomingLimitRembMs_ != 0 && nowMs - lastIncomingLimitRembMs_ < kIncomingLimitIntervalMs) return;
	if (!CanSendMedia() || producersBySsrc_.empty()) return;
	lastIncomingLimitRembMs_ = nowMs;
	ReceiverEstimatedMaxBitrate remb;
	remb.senderSsrc = localSsrc_;
	remb.bitrate = maxIncomingBitrate_ != 0 ? maxIncomingBitrate_ : kNoLimitBps;
	for (const auto& entry : producersBySsrc_) {
		if (remb.ssrcs.size() == ReceiverEstimatedMaxBitrate::kMaxSsrcs) break;
		remb.ssrcs.push_back(entry.first);
	}
	std::sort(remb.ssrcs.begin(), remb.ssrcs.end()); // the same packet for the same streams
	if (maxIncomingBitrate_ == 0) --incomingLimitLiftsLeft_;
	uint8_t buffer[1200];
	const size_t len = remb.Serialize(buffer, sizeof(buffer));
	if (len) SendFeedback(buffer, len);
}

int32_t Transport::TakeTransportSequence(Consumer& consumer, uint8_t* data, size_t len) {
	const int32_t stamped = stampedTransportSeq_;
	stampedTransportSeq_ = -1;
	if (!bwe_) return -1;
	if (!retransmitting_) return stamped;
	// A retransmission carries the original's transport-wide number; it is a new packet
	// on the wire, so it gets a number of its own (the feedback must tell them apart).
	const uint8_t id = consumer.GetTransportCcExtensionId();
	if (id == 0) return -1;
	RtpPacket packet;
	if (!packet.Parse(data, len)) return -1;
	size_t extensionLength = 0;
	const uint8_t* value = packet.GetExtensionById(id, &extensionLength);
	if (!value || extensionLength != 2) return -1;
	const uint16_t seq = transportWideSeq_++;
	uint8_t* writable = const_cast<uint8_t*>(value); // points into `data`, which we own here
	writable[0] = static_cast<uint8_t>(seq >> 8);
	writable[1] = static_cast<uint8_t>(seq);
	if (retransmitted_ && !retransmitted_->isProbe) retransmissionLedger_.Record(seq, { retransmitted_->ssrc, retransmitted_->seq });
	return seq;
}

void Transport::UpdatePacingRate(uint64_t nowMs) {
	if (!pacer_) return;
	const bool congested = lastCongestionMs_ != 0 && nowMs - lastCongestionMs_ <= kCongestionMemoryMs;
	// No periodic probes into a congested path (ProbeController::SetPeriodicProbing).
	bwe_->SetPeriodicProbing(!congested);
	const uint32_t rate = congested ? static_cast<uint32_t>(std::min<double>(bwe_->GetTargetBitrateBps() * kPacingFactor, UINT32_MAX)) : 0;
	pacer_->SetRate(rate, static_cast<int64_t>(nowMs));
	// Not pacing any more: what waits leaves now.
	if (rate == 0 && !pacer_->IsEmpty() && !pacerTimer_->IsActive()) pacerTimer_->Start(0);
}

void Transport::OnPacerTimer() {
	const uint64_t now = context_.NowMs();
	PacketPacer::Packet packet;
	// Bounded: at most what is queued now.
	for (size_t left = pacer_->GetQueuedPackets(); left > 0 && pacer_->PopReady(static_cast<int64_t>(now), packet); --left) {
		if (CanSendMedia()) {
			SendCountedRtp(packet.data.get(), packet.length, packet.capacity, packet.transportSequence, packet.retransmission, now);
		}
		pacer_->Recycle(packet);
	}
	const int64_t delay = pacer_->NextDelayMs(static_cast<int64_t>(now));
	if (delay >= 0) pacerTimer_->Start(static_cast<uint64_t>(std::max<int64_t>(delay, 1)));
}

void Transport::SendProbes(uint64_t nowMs) {
	// A cluster goes out in one go, as RTX copies spread over the video consumers that can
	// send them. Its send rate then reads high and its receive rate is what the path
	// carried, the lower of which the estimator takes (ProbeBitrateEstimator).
	// Not while packets wait in the pacer: the cluster would overtake them (and measure the
	// pacer's queue draining rather than the path).
	if (pacer_ && !pacer_->IsEmpty()) return;
	// A plain RTP peer gets probes only once its feedback shows it takes part: one that
	// negotiated transport-wide numbers but answers nothing (ffmpeg, a recorder) would
	// only receive RTX copies it never asked for.
	if (EstimatesWhenNegotiated() && !bwe_->HasFeedback()) return;
	for (int clusters = 0; clusters < 2 && bwe_->WantsProbe(static_cast<int64_t>(nowMs)); ++clusters) {
		const bwe::ProbeCluster cluster = bwe_->NextProbeCluster(static_cast<int64_t>(nowMs));
		if (cluster.id < 0) break;
		std::vector<Consumer*> probers;
		for (auto& entry : consumers_) {
			if (entry.second->IsActive() && entry.second->GetTransportCcExtensionId()) probers.push_back(entry.second.get());
		}
		if (probers.empty()) return;
		probeClusterId_ = cluster.id;
		uint32_t packets = 0;
		uint64_t bytes = 0;
		size_t next = 0;
		for (size_t attempts = 0; attempts < 200 && (packets < cluster.minPackets || bytes < cluster.minBytes); ++attempts) {
			const size_t sent = probers[next++ % probers.size()]->SendProbePacket(nowMs);
			if (sent == 0) {
				if (next >= probers.size() && packets == 0) break; // nobody can probe now
				continue;
			}
			++packets;
			bytes += sent;
		}
		probeClusterId_ = -1;
		if (packets == 0) return;
		// mediasoup's 'probation' trace: packets sent to probe for more bandwidth (one
		// event per cluster here; its info is empty, as in mediasoup).
		if (std::find(traceEventTypes_.begin(), traceEventTypes_.end(), "probation") != traceEventTypes_.end()) {
			Value trace = Value::MakeObject();
			trace.Set("type", "probation");
			trace.Set("timestamp", nowMs);
			trace.Set("direction", "out");
			trace.Set("info", Value::MakeObject());
			context_.Emit(id_, "trace", std::move(trace));
		}
	}
}

void Transport::HandleBweFeedback(const RtcpPacketView& view, uint64_t nowMs) {
	if (!bwe_) return;
	if (view.GetKind() == RtcpPacketKind::TransportCc) {
		// The packet status count (draft §3.1, after the feedback header's SSRCs and the
		// base sequence number) is charged before the statuses are expanded.
		const uint8_t* body = view.GetBody();
		const size_t statusCountOffset = rtcp::kFeedbackHeaderSize + 2;
		if (view.GetBodySize() >= statusCountOffset + 2) {
			const uint32_t statuses = rtcp::Read16(body + statusCountOffset);
			if (!feedbackStatusBudget_.CanSend(statuses, static_cast<int64_t>(nowMs))) {
				++rtcpPacketsDropped_;
				return;
			}
			feedbackStatusBudget_.OnSent(statuses, static_cast<int64_t>(nowMs));
		}
		TransportCcFeedback feedback;
		if (!feedback.Parse(view.GetBody(), view.GetBodySize())) {
			++rtcpPacketsDropped_;
			return;
		}
		bwe_->OnTransportCcFeedback(feedback, static_cast<int64_t>(nowMs));
		ResendLostRetransmissions();
	} else if (view.GetKind() == RtcpPacketKind::ReceiverEstimatedMaxBitrate) {
		ReceiverEstimatedMaxBitrate remb;
		if (!remb.Parse(view)) return;
		bwe_->OnRemb(remb.bitrate, static_cast<int64_t>(nowMs));
	}
	const uint32_t estimate = bwe_->GetTargetBitrateBps();
	// Congestion: delay over-use, losses above the draft's 2% (gcc-02 §6), or a falling
	// estimate. (Not "the loss-based rate below the delay-based one": after heavy loss the
	// delay-based estimate can stay far above for tens of seconds, which held caps and
	// pacing on, and probing off, long after a limit was lifted.)
	if (bwe_->GetDelayState() == bwe::BandwidthUsage::Overusing || bwe_->GetLastLossFraction() > kCongestionLossFraction ||
	    estimate < previousEstimate_) {
		lastCongestionMs_ = nowMs;
	}
	previousEstimate_ = estimate;
	UpdatePacingRate(nowMs);
	// A fall below what was shared out: share again now (step down promptly).
	if (bwe_->GetTargetBitrateBps() < lastAllocatedBitrate_ * kPromptDecrease) AllocateBitrate(nowMs);
}

void Transport::ResendLostRetransmissions() {
	// The receiver NACKed these once and will not again (see RetransmissionLedger): each
	// goes back to its consumer, which resends it or, past its resends or the budget,
	// asks for a key frame. Collected first: resending sends, and sending must not run
	// under the loop over the estimator's results.
	lostRetransmissions_.clear();
	for (const bwe::PacketResult& result : bwe_->GetLastFeedbackResults()) {
		if (result.received || !result.isRetransmission || result.probeClusterId >= 0) continue;
		RetransmissionLedger::Origin origin;
		if (retransmissionLedger_.Take(static_cast<uint16_t>(result.sequenceNumber), &origin)) lostRetransmissions_.push_back(origin);
	}
	for (const RetransmissionLedger::Origin& origin : lostRetransmissions_) {
		auto consumer = consumersBySsrc_.find(origin.ssrc);
		if (consumer != consumersBySsrc_.end()) consumer->second->OnRetransmissionLost(origin.ssrc, origin.seq);
	}
}

void Transport::OnBweTick(uint64_t nowMs) {
	if (!bwe_) return;
	if (nowMs - lastBweProcessMs_ >= static_cast<uint64_t>(bwe::SendSideEstimator::kProcessIntervalMs)) {
		lastBweProcessMs_ = nowMs;
		bwe_->Process(static_cast<int64_t>(nowMs));
	}
	UpdatePacingRate(nowMs);
	if (CanSendMedia()) SendProbes(nowMs);
	if (nowMs - lastAllocationMs_ >= kAllocationIntervalMs) AllocateBitrate(nowMs);
	if (nowMs - lastBweTraceMs_ >= kBweTraceIntervalMs) EmitBweTrace(nowMs);
}

void Transport::AllocateBitrate(uint64_t nowMs) {
	lastAllocationMs_ = nowMs;
	const uint32_t available = bwe_->GetTargetBitrateBps();
	lastAllocatedBitrate_ = available;
	uint32_t fixed = 0;
	uint64_t desired = 0;
	std::vector<Consumer*> layered;
	std::vector<BitrateAllocator::Entry> down;
	std::vector<Consumer::LayerOption> options;
	for (auto& entry : consumers_) {
		Consumer& consumer = *entry.second;
		if (!consumer.IsActive()) continue;
		if (!consumer.IsLayered()) {
			const uint32_t rate = consumer.GetSendBitrate(nowMs);
			fixed += rate;
			desired += rate;
			continue;
		}
		consumer.GetLayerOptions(options, nowMs);
		BitrateAllocator::Entry item;
		item.priority = consumer.GetPriority();
		for (const auto& option : options) item.options.push_back({ option.spatialLayer, option.temporalLayer, option.bitrate });
		if (!item.options.empty()) desired += item.options.back().bitrate;
		layered.push_back(&consumer);
		down.push_back(std::move(item));
	}
	// What the consumers would send uncapped, with the headroom an upgrade needs: probing
	// stops once the estimate reaches it, and below it the top layers could never be
	// taken back (after a lifted limit the estimate settled between the top layer's rate
	// and that rate / kUpgradeHeadroom, and no probe came).
	bwe_->SetDesiredBitrate(static_cast<uint32_t>(std::min<double>(static_cast<double>(desired) / kUpgradeHeadroom, UINT32_MAX)));
	if (layered.empty()) return;
	if (!bwe_->HasFeedback()) {
		// An endpoint that sends no feedback leaves the estimate where it started, which
		// says nothing about its path: no caps.
		for (Consumer* consumer : layered) consumer->SetBitrateLayerLimit(INT32_MAX, INT32_MAX);
		return;
	}
	// (Caps once applied only while the path showed congestion: lifting them after 5 s
	// without a congestion signal sent a receiver that had settled under a 600 kbps limit
	// back to the top layer every ~6 s, with 20-45% loss and 3 s without decoding each
	// time. Now that probes work on open paths, the estimate there is far above every
	// layer and the caps do not bind.)
	std::vector<BitrateAllocator::Entry> up = down;
	BitrateAllocator::Allocate(available, fixed, down);
	BitrateAllocator::Allocate(static_cast<uint32_t>(available * kUpgradeHeadroom), fixed, up);
	for (size_t i = 0; i < layered.size(); ++i) {
		Consumer& consumer = *layered[i];
		const auto& entry = down[i];
		if (entry.chosen < 0) continue; // nothing received yet: leave the limit as it is
		int currentSpatial, currentTemporal;
		consumer.GetBitrateLayerLimit(&currentSpatial, &currentTemporal);
		const auto& fits = entry.options[entry.chosen];
		const auto& roomy = up[i].options[up[i].chosen];
		const bool isTop = static_cast<size_t>(up[i].chosen) + 1 == up[i].options.size();
		auto below = [](int s1, int t1, int s2, int t2) { return s1 < s2 || (s1 == s2 && t1 < t2); };
		if (below(fits.spatialLayer, fits.temporalLayer, currentSpatial, currentTemporal)) {
			// Down at once to what fits the estimate.
			consumer.SetBitrateLayerLimit(fits.spatialLayer, fits.temporalLayer);
		} else if (below(currentSpatial, currentTemporal, roomy.spatialLayer, roomy.temporalLayer)) {
			// Up one option per allocation, and only while it fits with headroom: a probe
			// that read a bottleneck's burst allowance as capacity then costs one step,
			// which the next loss report takes back, not a jump to the top layer. The top
			// option lifts the cap entirely so that layers the producer adds later are not
			// held back.
			size_t next = 0;
			while (next < up[i].options.size() &&
			       !below(currentSpatial, currentTemporal, up[i].options[next].spatialLayer, up[i].options[next].temporalLayer)) {
				++next;
			}
			if (next + 1 >= up[i].options.size() && isTop) consumer.SetBitrateLayerLimit(INT32_MAX, INT32_MAX);
			else if (next < up[i].options.size()) {
				consumer.SetBitrateLayerLimit(up[i].options[next].spatialLayer, up[i].options[next].temporalLayer);
			}
		}
	}
}

void Transport::EmitBweTrace(uint64_t nowMs) {
	lastBweTraceMs_ = nowMs;
	if (std::find(traceEventTypes_.begin(), traceEventTypes_.end(), "bwe") == traceEventTypes_.end()) return;
	const bwe::BweTraceInfo info = bwe_->GetTraceInfo(static_cast<int64_t>(nowMs));
	Value trace = Value::MakeObject();
	trace.Set("type", "bwe");
	trace.Set("timestamp", nowMs);
	trace.Set("direction", "out");
	Value detail = Value::MakeObject();
	detail.Set("bweType", info.bweType == bwe::BweType::TransportCc ? "transport-cc" : "remb");
	detail.Set("desiredBitrate", info.desiredBitrate);
	detail.Set("effectiveDesiredBitrate", info.effectiveDesiredBitrate);
	detail.Set("minBitrate", info.minBitrate);
	detail.Set("maxBitrate", info.maxBitrate);
	detail.Set("startBitrate", info.startBitrate);
	detail.Set("maxPaddingBitrate", info.maxPaddingBitrate);
	detail.Set("availableBitrate", info.availableBitrate);
	trace.Set("info", std::move(detail));
	context_.Emit(id_, "trace", std::move(trace));
}

} // namespace mediaplane
