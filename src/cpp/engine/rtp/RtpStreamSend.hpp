#pragma once
// Transmission state of one outgoing RTP stream (one SSRC of a Consumer): the copies
// kept for retransmission and the answers to Generic NACK (RFC 4585 §6.2.1), sent as
// they were or in RTX packets (RFC 4588 §4); the sender report fields (RFC 3550
// §6.4.1); what the remote receiver reports about the stream (loss, round-trip time);
// and the counters and score of mediasoup's `outbound-rtp` stats.
//
// Sans-I/O: the owner tells it about each packet sent and each NACK and report block
// received, with the current time on the worker loop's millisecond clock. Wall-clock
// time (for SR NTP timestamps) is that clock plus Params::wallClockOffsetMs, so the
// NTP times we send and the arrival times we compare LSR against come from one
// monotonic clock and the RTT never sees a wall-clock step.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "../common/RateCalculator.hpp"
#include "../rtcp/ReportBlock.hpp"
#include "../rtcp/SenderReport.hpp"
#include "RetransmissionBuffer.hpp"
#include "RtpHeaderExtensions.hpp"
#include "RtpStreamScore.hpp"

namespace mediaplane {

class RtpStreamSend {
public:
	// Room after the largest retransmission (a stored packet plus the RTX original
	// sequence number) for the SRTP trailer the transport appends in place (auth tag
	// and an optional MKI).
	static constexpr size_t kSrtpTrailerRoom = 160;
	static constexpr size_t kSendBufferSize = RetransmissionBuffer::kMaxPacketLength + 2 + kSrtpTrailerRoom;
	// A packet resent less than a round trip ago is not resent again: the receiver
	// cannot have seen the previous copy yet. This RTT is assumed until one is measured.
	static constexpr uint32_t kDefaultRttMs = 100;
	// Retransmissions of one packet at most (NACKs beyond are ignored).
	static constexpr uint32_t kMaxResendsPerPacket = 3;
	// Round-trip times above this come from a bogus LSR and are ignored.
	static constexpr int64_t kMaxPlausibleRttMs = 60000;

	struct Params {
		uint32_t ssrc = 0;
		uint32_t clockRate = 90000;
		bool useNack = false; // keep packets and answer NACKs
		// RTX (RFC 4588): retransmit in RTX packets when rtxPayloadType is non-zero.
		uint8_t rtxPayloadType = 0;
		uint32_t rtxSsrc = 0;
		uint16_t rtxInitialSeq = 0; // random, like any initial sequence number (RFC 3550 §5.1)
		size_t maxRetransmissionPackets = 1000;
		uint64_t maxRetransmissionAgeMs = RetransmissionBuffer::kDefaultMaxAgeMs;
		// The consumer's header extension ids: an RTX packet carries the original's
		// extensions, re-serialized by RtpPacketWriter.
		RtpExtensionMap extensionMap;
		// Unix time in ms = nowMs + wallClockOffsetMs (the owner measures it once).
		int64_t wallClockOffsetMs = 0;
	};

	// Sends a retransmission. `packet` is the stream's send buffer: the transport may
	// rewrite it in place (transport-wide sequence number) and SRTP-protect it in
	// place, using up to `capacity` bytes. It is only valid during the call.
	// The packet a retransmission carries again: this stream's SSRC and the sequence
	// number the receiver asked for. Empty (isProbe) for a bandwidth probe's copy.
	struct RetransmittedPacket {
		uint32_t ssrc = 0;
		uint16_t seq = 0;
		bool isProbe = true;
		RetransmittedPacket() = default;
		RetransmittedPacket(uint32_t ssrc, uint16_t seq) : ssrc(ssrc), seq(seq), isProbe(false) {}
	};

	class Retransmitter {
	public:
		virtual ~Retransmitter() = default;
		// True when the packet left (the transport may refuse it: the retransmission budget).
		virtual bool RetransmitRtpPacket(uint8_t* packet, size_t len, size_t capacity,
		                                 const RetransmittedPacket& original) = 0;
	};

	class Listener {
	public:
		virtual ~Listener() = default;
		// The score changed (the Consumer emits `score`).
		virtual void OnRtpStreamSendScore(RtpStreamSend& stream, uint8_t score, uint8_t previousScore) = 0;
	};

	struct Stats {
		uint32_t ssrc = 0;
		uint64_t packetCount = 0; // original transmissions (retransmissions are counted apart)
		uint64_t byteCount = 0;   // their bytes, headers included
		uint32_t bitrate = 0;     // everything sent, retransmissions included, bits per second
		int64_t packetsLost = 0;  // cumulative, as the receiver last reported
		uint8_t fractionLost = 0; // as the receiver last reported, times 256
		uint64_t nackCount = 0;   // NACK messages received
		uint64_t nackPacketCount = 0;
		uint64_t pliCount = 0;
		uint64_t firCount = 0;
		uint64_t packetsRetransmitted = 0;
		uint32_t jitter = 0; // as the receiver last reported, RTP timestamp units
		bool hasRoundTripTime = false;
		uint32_t roundTripTime = 0; // ms
		uint8_t score = 10;
	};

	explicit RtpStreamSend(const Params& params, Listener* listener = nullptr);

	// A packet of this stream left (rewritten, before SRTP). Stored for retransmission
	// when NACK is on; with `tail`, only the bytes before it are copied (see
	// RetransmissionBuffer::Store).
	void OnPacketSent(const uint8_t* rtp, size_t len, uint16_t seq, uint32_t timestamp, uint64_t nowMs,
	                  const SharedPacketBytes* tail = nullptr);

	// One Generic NACK received for this SSRC, its sequence numbers expanded. Each one
	// still stored and not resent within the last RTT goes to `out` again. Returns how
	// many stored packets were declined: refused by `out` (the retransmission budget) or
	// already resent kMaxResendsPerPacket times. The receiver will not get those.
	size_t HandleNack(const std::vector<uint16_t>& seqs, uint64_t nowMs, Retransmitter& out);
	// Our retransmission of `seq` is known lost (transport-wide feedback said so): the
	// receiver will not ask again (Chromium NACKs a loss once), so resend it now, within
	// the same limits as a NACK except the RTT guard. False when declined (as HandleNack).
	bool ResendLostRetransmission(uint16_t seq, uint64_t nowMs, Retransmitter& out);
	// Sends one bandwidth probe: an RTX copy of one of the last packets sent (through
	// `out`, like a retransmission). Returns its size, 0 when this stream cannot probe
	// (no RTX, nothing stored).
	size_t SendProbePacket(uint64_t nowMs, Retransmitter& out);

	// A report block about this SSRC arrived (in an RR or SR): updates the RTT (RFC
	// 3550 §6.4.1), the reported loss, and the score (RtpStreamScore), one sample per
	// report: bad = the receiver's lost delta + a quarter per packet we retransmitted,
	// over the receiver's expected delta (the first report uses its fraction lost).
	void ReceiveReportBlock(uint8_t fractionLost, int32_t cumulativeLost, uint32_t highestSeq, uint32_t jitter,
	                        uint32_t lsr, uint32_t dlsr, uint64_t nowMs);
	void ReceiveReportBlock(const ReportBlock& block, uint64_t nowMs) {
		ReceiveReportBlock(block.fractionLost, block.cumulativeLost, block.highestSequenceNumber, block.jitter,
		                   block.lastSenderReport, block.delaySinceLastSenderReport, nowMs);
	}

	// Fills the SR sender info (ssrc, NTP and RTP timestamps of now, counts); leaves
	// the report blocks alone. Returns false when nothing has been sent yet (then no SR
	// is due, RFC 3550 §6.4).
	bool FillSenderReport(SenderReport& report, uint64_t nowMs) const;
	// Our NTP time at nowMs (what an SR sent now carries).
	NtpTimestamp GetNtpTime(uint64_t nowMs) const;

	// The remote asked for a key frame; the owner counts it here.
	void CountPli() { ++pliCount_; }
	void CountFir() { ++firCount_; }
	// Forgets stored packets (e.g. on pause: they will never be wanted).
	void ClearRetransmissionBuffer() { buffer_.Clear(); }

	uint32_t GetSsrc() const { return params_.ssrc; }
	// Whether sent packets are kept for retransmission (NACK negotiated).
	bool StoresPackets() const { return params_.useNack; }
	bool HasRtt() const { return hasRtt_; }
	uint32_t GetRtt() const { return rttMs_; }
	uint8_t GetScore() const { return score_.Get(); }
	// Interarrival jitter the receiver last reported, in RTP timestamp units.
	uint32_t GetReportedJitter() const { return jitter_; }
	const RetransmissionBuffer& GetRetransmissionBuffer() const { return buffer_; }
	Stats GetStats(uint64_t nowMs);

private:
	enum class ResendResult { Sent, Skipped, Declined };
	ResendResult Resend(uint16_t seq, uint64_t nowMs, Retransmitter& out, bool knownLost);

	size_t WriteRtx(const RetransmissionBuffer::Stored& stored, uint16_t seq);

	Params params_;
	Listener* listener_;
	RetransmissionBuffer buffer_;
	std::unique_ptr<uint8_t[]> sendBuffer_; // taken on the first retransmission
	RateCalculator rate_;
	RtpStreamScore score_;

	bool hasSent_ = false;
	uint32_t lastTimestamp_ = 0;
	uint64_t lastTimestampMs_ = 0;
	uint64_t packetCount_ = 0;
	uint64_t byteCount_ = 0;
	uint64_t payloadOctets_ = 0;
	uint16_t rtxSeq_;
	uint16_t lastSentSeq_ = 0;
	uint16_t probeCursor_ = 0;
	static constexpr uint16_t kMaxProbeLookback = 16;

	uint64_t nackCount_ = 0;
	uint64_t nackPacketCount_ = 0;
	uint64_t pliCount_ = 0;
	uint64_t firCount_ = 0;
	uint64_t packetsRetransmitted_ = 0;

	bool hasRtt_ = false;
	uint32_t rttMs_ = 0;

	// The receiver's last report.
	bool hasReport_ = false;
	uint8_t fractionLost_ = 0;
	int32_t cumulativeLost_ = 0;
	uint32_t highestSeq_ = 0;
	uint32_t jitter_ = 0;
	uint64_t retransmittedAtReport_ = 0;
};

} // namespace mediaplane
