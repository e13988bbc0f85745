#pragma once
// Send-side bandwidth estimation for one transport (issue 12, item 1): the estimate of
// the bitrate we can send towards the remote endpoint, from the feedback it sends
// about our packets. The transport owns one and drives it; nothing here does I/O,
// owns a timer, throws or reads a clock.
//
//  transport-cc mode (the endpoint sends transport-wide feedback, RTPFB FMT 15):
//    OnPacketSent -> SentPacketHistory; OnTransportCcFeedback -> per-packet results ->
//      TrendlineEstimator (packet groups, trendline, over-use detector)
//      AcknowledgedBitrateEstimator (received rate)
//      AimdRateControl (delay-based estimate, driven by the detector)
//      LossBasedController (loss fraction of the feedback)
//      ProbeBitrateEstimator (results of probe clusters; a result above the estimate
//        raises it at once)
//    target = clamp(min(delay-based, loss-based), min, max)   (draft-ietf-rmcat-gcc-02 §6)
//  REMB mode (the endpoint sends REMB and no transport-wide feedback):
//    target = clamp(min(REMB, loss-based from RR fraction lost), min, max)
//  The mode is transport-cc from the first transport-wide feedback on; before that,
//  REMB once a REMB arrives. Probing runs in transport-cc mode only (a probe's result
//  needs per-packet arrival times); ProbeController decides when.
//
// Without any feedback for params.feedbackTimeoutMs while packets are being sent, the
// estimate is halved once per timeout (ours; the draft leaves it open): a receiver
// that stopped answering is treated as congested, never as having infinite room.

#include <cstdint>
#include <vector>

#include "../rtcp/TransportCcFeedback.hpp"
#include "AcknowledgedBitrateEstimator.hpp"
#include "AimdRateControl.hpp"
#include "BweTypes.hpp"
#include "LossBasedController.hpp"
#include "ProbeBitrateEstimator.hpp"
#include "ProbeController.hpp"
#include "SentPacketHistory.hpp"
#include "TrendlineEstimator.hpp"

namespace mediaplane {
namespace bwe {

enum class BweType { TransportCc, Remb };

// The fields of mediasoup's 'bwe' trace event (TransportTypes / BweTraceInfo), so
// that the engine can emit it unchanged: bweType 'transport-cc' | 'remb'.
struct BweTraceInfo {
	BweType bweType = BweType::TransportCc;
	uint32_t desiredBitrate = 0;          // what the consumers would like to send
	uint32_t effectiveDesiredBitrate = 0; // desired, clamped to [minBitrate, maxBitrate]
	uint32_t minBitrate = 0;
	uint32_t maxBitrate = 0;
	uint32_t startBitrate = 0;
	uint32_t maxPaddingBitrate = 0;       // the probe rate in use now, 0 when not probing
	uint32_t availableBitrate = 0;        // GetTargetBitrateBps()
};

class SendSideEstimator {
public:
	struct Params {
		uint32_t initialBitrateBps = 600000;
		uint32_t minBitrateBps = 30000;
		uint32_t maxBitrateBps = 100000000;
		int64_t feedbackTimeoutMs = 2000;
		SentPacketHistory::Params history;
		TrendlineEstimator::Params trendline;
		AimdRateControl::Params aimd;
		LossBasedController::Params loss;
		ProbeController::Params probe;
		AcknowledgedBitrateEstimator::Params acknowledged;
	};

	// Bitrates are sanitized, never rejected: min <= initial <= max after clamping
	// (a max below min becomes min; a min below kFloorBps, 0 included, becomes it).
	explicit SendSideEstimator(const Params& params);

	// Every packet sent with a transport-wide sequence number (media, RTX, padding,
	// probes). probeClusterId: the id of the ProbeCluster it belongs to, else -1.
	void OnPacketSent(uint16_t transportSequenceNumber, uint32_t sizeBytes, int64_t sendTimeMs, bool isRetransmission,
	                  int32_t probeClusterId);
	void OnTransportCcFeedback(const TransportCcFeedback& feedback, int64_t nowMs);
	// A REMB's bitrate (REMB mode; ignored once transport-wide feedback was seen).
	void OnRemb(uint64_t bitrateBps, int64_t nowMs);
	// The fraction lost (0..1) of a receiver report block about our stream (REMB mode:
	// feeds the loss-based controller; in transport-cc mode feedback counts instead).
	void OnReceiverReportLoss(double fractionLost, int64_t nowMs);
	void OnRtt(int64_t rttMs);
	// False (and nothing changes) unless min <= max and max > 0. A min of 0 (no minimum,
	// as mediasoup's setMinOutgoingBitrate(0)) means kFloorBps, or max if that is lower.
	bool SetBitrateLimits(uint32_t minBitrateBps, uint32_t maxBitrateBps);
	// What the consumers would like to send (0: unknown): limits probing, and traces.
	void SetDesiredBitrate(uint32_t bitrateBps);
	// See ProbeController::SetPeriodicProbing.
	void SetPeriodicProbing(bool enabled) { this->probes.SetPeriodicProbing(enabled); }

	// Periodic work: feedback timeout, periodic and recovery probes. Call it by
	// NextTimeoutMs() (every 100 ms at most).
	void Process(int64_t nowMs);
	int64_t NextTimeoutMs(int64_t nowMs) const { return nowMs + kProcessIntervalMs; }

	// The available outgoing bitrate.
	uint32_t GetTargetBitrateBps() const { return this->target; }
	uint32_t GetAcknowledgedBitrateBps() const;
	uint32_t GetDelayBasedBitrateBps() const { return static_cast<uint32_t>(this->aimd.GetEstimate()); }
	uint32_t GetLossBasedBitrateBps() const { return static_cast<uint32_t>(this->loss.GetBitrateBps()); }
	BandwidthUsage GetDelayState() const { return this->trendline.GetState(); }
	// The per-packet results of the last transport-wide feedback (empty after one that
	// matched no sent packet); valid until the next feedback.
	const std::vector<PacketResult>& GetLastFeedbackResults() const { return this->results; }
	// Whether the endpoint has sent any feedback (transport-cc or REMB) to estimate from.
	bool HasFeedback() const { return this->sawTransportCc || this->sawRemb; }
	// The loss fraction of the last loss report (0..1; -1 before any).
	double GetLastLossFraction() const { return this->loss.GetLastLossFraction(); }
	BweType GetType() const { return this->type; }
	// The delay detector, for traces and tests.
	const TrendlineEstimator& GetTrendline() const { return this->trendline; }

	// Probing: while WantsProbe(), take NextProbeCluster() and send at least its
	// minPackets / minBytes of padding or RTX at its targetBitrateBps, each packet
	// passed to OnPacketSent with the cluster's id.
	bool WantsProbe(int64_t nowMs);
	ProbeCluster NextProbeCluster(int64_t nowMs);

	BweTraceInfo GetTraceInfo(int64_t nowMs) const;

	static constexpr int64_t kProcessIntervalMs = 100;
	// The estimate never goes below this (ours: an audio stream's worth), unless the
	// maximum is lower.
	static constexpr uint32_t kFloorBps = 10000;

private:
	void UpdateTarget(int64_t nowMs);

	Params params;
	SentPacketHistory history;
	TrendlineEstimator trendline;
	AcknowledgedBitrateEstimator acknowledged;
	AimdRateControl aimd;
	LossBasedController loss;
	ProbeController probes;
	ProbeBitrateEstimator probeEstimator;
	std::vector<PacketResult> results; // reused per feedback

	BweType type = BweType::TransportCc;
	bool sawTransportCc = false;
	bool sawRemb = false;
	int64_t rembBps = 0;
	uint32_t minBps;
	uint32_t maxBps;
	uint32_t startBps;
	uint32_t desiredBps = 0;
	uint32_t target;
	int64_t lastFeedbackMs = -1;
	int64_t lastSendMs = -1;
	int64_t lastTimeoutCutMs = -1;
};

} // namespace bwe
} // namespace mediaplane
