#include "RtpStreamSend.hpp"

#include <cstring>

#include "../rtcp/NtpTimestamp.hpp"
#include "RtpPacket.hpp"
#include "RtpPacketWriter.hpp"
#include "SeqNumbers.hpp"

namespace mediaplane {

namespace {

// RTP payload octets of a packet we built ourselves: the SR octet count excludes the
// header and padding (RFC 3550 §6.4.1). 0 if the layout is not what it should be.
size_t PayloadOctets(const uint8_t* rtp, size_t len) {
	if (len < RtpPacket::kFixedHeaderSize) return 0;
	size_t offset = RtpPacket::kFixedHeaderSize + 4u * (rtp[0] & 0x0f);
	if (rtp[0] & 0x10) {
		if (offset + 4 > len) return 0;
		offset += 4 + 4u * ((static_cast<size_t>(rtp[offset + 2]) << 8) | rtp[offset + 3]);
	}
	if (offset > len) return 0;
	size_t padding = (rtp[0] & 0x20) && len > offset ? rtp[len - 1] : 0;
	return offset + padding <= len ? len - offset - padding : 0;
}

} // namespace

RtpStreamSend::RtpStreamSend(const Params& params, Listener* listener)
    : params_(params),
      listener_(listener),
      buffer_(params.maxRetransmissionPackets, params.maxRetransmissionAgeMs),
      rtxSeq_(params.rtxInitialSeq) {
	if (params_.clockRate == 0) params_.clockRate = 90000;
}

void RtpStreamSend::OnPacketSent(const uint8_t* rtp, size_t len, uint16_t seq, uint32_t timestamp, uint64_t nowMs,
                                 const SharedPacketBytes* tail) {
	++packetCount_;
	byteCount_ += len;
	payloadOctets_ += PayloadOctets(rtp, len);
	rate_.Update(len, nowMs);
	// The SR extrapolates from the newest timestamp sent (reordered B-frames or a
	// retransmitted old frame must not pull the RTP clock backwards).
	if (!hasSent_ || IsTimestampNewer(timestamp, lastTimestamp_)) {
		lastTimestamp_ = timestamp;
		lastTimestampMs_ = nowMs;
	}
	hasSent_ = true;
	lastSentSeq_ = seq;
	if (params_.useNack) buffer_.Store(rtp, len, seq, nowMs, tail);
}

size_t RtpStreamSend::SendProbePacket(uint64_t nowMs, Retransmitter& out) {
	// Probes (issue 12) are RTX copies of packets just sent: they carry real payload (a
	// receiver that lost the original can use it; one that has it drops the copy), and
	// need nothing but the RTX stream the endpoint already accepts. The newest packets
	// first, walking back a few at most.
	if (!params_.useNack || params_.rtxPayloadType == 0 || !hasSent_) return 0;
	for (uint16_t back = 0; back < kMaxProbeLookback; ++back) {
		const uint16_t seq = static_cast<uint16_t>(lastSentSeq_ - ((probeCursor_ + back) % kMaxProbeLookback));
		const RetransmissionBuffer::Stored* stored = buffer_.Get(seq, nowMs);
		if (!stored) continue;
		if (!sendBuffer_) sendBuffer_.reset(new uint8_t[kSendBufferSize]);
		const size_t len = WriteRtx(*stored, seq);
		if (len == 0) continue;
		probeCursor_ = (probeCursor_ + back + 1) % kMaxProbeLookback;
		// A probe carries no retransmission anyone asked for (origin left empty).
		if (!out.RetransmitRtpPacket(sendBuffer_.get(), len, kSendBufferSize, RetransmittedPacket{})) return 0;
		rate_.Update(len, nowMs);
		return len;
	}
	return 0;
}

size_t RtpStreamSend::HandleNack(const std::vector<uint16_t>& seqs, uint64_t nowMs, Retransmitter& out) {
	++nackCount_;
	nackPacketCount_ += seqs.size();
	if (!params_.useNack) return 0;
	size_t declined = 0;
	for (uint16_t seq : seqs) {
		if (Resend(seq, nowMs, out, false) == ResendResult::Declined) ++declined;
	}
	return declined;
}

bool RtpStreamSend::ResendLostRetransmission(uint16_t seq, uint64_t nowMs, Retransmitter& out) {
	if (!params_.useNack) return true;
	return Resend(seq, nowMs, out, true) != ResendResult::Declined;
}

RtpStreamSend::ResendResult RtpStreamSend::Resend(uint16_t seq, uint64_t nowMs, Retransmitter& out, bool knownLost) {
	const RetransmissionBuffer::Stored* stored = buffer_.Get(seq, nowMs);
	if (!stored) return ResendResult::Skipped; // never sent, overwritten or too old: the receiver gives up in time
	// Once per receiver RTT at most (unless the last copy is known to be lost), and a few
	// times in all: a packet lost again and again is lost to congestion, and resending
	// it only feeds the congestion.
	const uint64_t resendGuardMs = hasRtt_ ? rttMs_ : kDefaultRttMs;
	if (!knownLost && stored->resendCount > 0 && nowMs < stored->lastResentMs + resendGuardMs) return ResendResult::Skipped;
	if (stored->resendCount >= kMaxResendsPerPacket) return ResendResult::Declined;
	if (!sendBuffer_) sendBuffer_.reset(new uint8_t[kSendBufferSize]);

	size_t len;
	if (params_.rtxPayloadType != 0) {
		len = WriteRtx(*stored, seq);
		if (len == 0) return ResendResult::Skipped;
	} else {
		// A copy, since the transport protects in place and the stored one must stay clear.
		len = stored->GetLength();
		stored->CopyTo(sendBuffer_.get());
	}
	// Counted as resent only when it left: one refused by the transport's
	// retransmission budget must not use up the packet's resends (it did: a packet
	// could be "resent" three times without ever leaving).
	if (!out.RetransmitRtpPacket(sendBuffer_.get(), len, kSendBufferSize, RetransmittedPacket{ params_.ssrc, seq })) {
		return ResendResult::Declined;
	}
	buffer_.MarkResent(seq, nowMs);
	++packetsRetransmitted_;
	rate_.Update(len, nowMs);
	return ResendResult::Sent;
}

size_t RtpStreamSend::WriteRtx(const RetransmissionBuffer::Stored& stored, uint16_t seq) {
	// The stored packet in one piece (its head and shared tail), to parse; the writer
	// then reads it while writing the RTX packet into the send buffer.
	static thread_local uint8_t whole[RetransmissionBuffer::kMaxPacketLength];
	stored.CopyTo(whole);
	RtpPacket original;
	if (!original.Parse(whole, stored.GetLength())) return 0;

	// The original's extensions, by meaning, so the writer can place them again.
	RtpExtensionValue extensions[RtpPacket::kMaxExtensions];
	size_t extensionCount = 0;
	for (size_t i = 0; i < original.GetExtensionCount(); ++i) {
		const RtpPacket::Extension& element = original.GetExtensionAt(i);
		const RtpExtensionType type = params_.extensionMap.GetType(element.id);
		if (type == RtpExtensionType::Unknown) continue;
		extensions[extensionCount++] = { type, original.GetData() + element.offset, element.length };
	}

	// RFC 4588 §4: the RTX packet keeps the original's timestamp and marker, has the
	// RTX payload type, SSRC and its own sequence number, and its payload starts with
	// the original sequence number (OSN). Padding is not carried over.
	RtpHeaderFields header;
	header.payloadType = params_.rtxPayloadType;
	header.marker = original.HasMarker();
	header.sequenceNumber = rtxSeq_;
	header.timestamp = original.GetTimestamp();
	header.ssrc = params_.rtxSsrc;
	const uint8_t osn[2] = { static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq) };
	const size_t len = RtpPacketWriter::Write(original, sendBuffer_.get(), kSendBufferSize - kSrtpTrailerRoom, header,
	                                          extensions, extensionCount, params_.extensionMap, osn, sizeof(osn));
	if (len != 0) ++rtxSeq_;
	return len;
}

NtpTimestamp RtpStreamSend::GetNtpTime(uint64_t nowMs) const {
	const int64_t unixMs = static_cast<int64_t>(nowMs) + params_.wallClockOffsetMs;
	return NtpTimestamp::FromUnixMs(unixMs > 0 ? static_cast<uint64_t>(unixMs) : 0);
}

void RtpStreamSend::ReceiveReportBlock(uint8_t fractionLost, int32_t cumulativeLost, uint32_t highestSeq,
                                       uint32_t jitter, uint32_t lsr, uint32_t dlsr, uint64_t nowMs) {
	// RTT = A - LSR - DLSR in compact NTP, A being now on the clock our SRs carry
	// (RFC 3550 §6.4.1).
	const int64_t rtt = NtpTimestamp::RoundTripMs(GetNtpTime(nowMs).ToCompact(), lsr, dlsr);
	if (rtt >= 0 && rtt <= kMaxPlausibleRttMs) {
		hasRtt_ = true;
		rttMs_ = static_cast<uint32_t>(rtt);
	}

	// Score sample over the interval between two reports, with the receiver's own
	// counts: packets it expected (highest sequence delta) and lost (cumulative lost
	// delta), plus a quarter for each packet we had to retransmit (see RtpStreamScore).
	const uint64_t retransmittedDelta = packetsRetransmitted_ - retransmittedAtReport_;
	uint64_t expected = 0;
	uint64_t badQuarters = 0;
	if (!hasReport_) {
		// First report: only its fraction lost covers a known interval.
		expected = 256;
		badQuarters = 4u * fractionLost;
	} else {
		const int64_t expectedDelta = static_cast<int64_t>(highestSeq - highestSeq_);
		const int64_t lostDelta = static_cast<int64_t>(cumulativeLost) - cumulativeLost_;
		// A receiver that restarted its counts (or a report older than the last one)
		// gives no usable interval.
		if (static_cast<int32_t>(highestSeq - highestSeq_) > 0 && expectedDelta > 0) {
			expected = static_cast<uint64_t>(static_cast<uint32_t>(expectedDelta));
			const uint64_t lost = lostDelta > 0 ? static_cast<uint64_t>(lostDelta) : 0;
			badQuarters = 4 * lost + retransmittedDelta;
		}
	}
	hasReport_ = true;
	fractionLost_ = fractionLost;
	cumulativeLost_ = cumulativeLost;
	highestSeq_ = highestSeq;
	jitter_ = jitter;
	retransmittedAtReport_ = packetsRetransmitted_;
	if (expected == 0) return;

	const uint8_t previous = score_.Get();
	if (score_.AddSample(4 * expected, badQuarters) && listener_) {
		listener_->OnRtpStreamSendScore(*this, score_.Get(), previous);
	}
}

bool RtpStreamSend::FillSenderReport(SenderReport& report, uint64_t nowMs) const {
	if (!hasSent_) return false;
	report.ssrc = params_.ssrc;
	report.ntpTimestamp = GetNtpTime(nowMs);
	// The RTP clock of now, extrapolated from the newest timestamp sent (RFC 3550
	// §6.4.1: the same instant as the NTP timestamp, in RTP units).
	const uint64_t elapsedMs = nowMs >= lastTimestampMs_ ? nowMs - lastTimestampMs_ : 0;
	report.rtpTimestamp = lastTimestamp_ + static_cast<uint32_t>(elapsedMs * params_.clockRate / 1000u);
	// Both counts wrap at 32 bits (RFC 3550 §6.4.1).
	report.packetCount = static_cast<uint32_t>(packetCount_);
	report.octetCount = static_cast<uint32_t>(payloadOctets_);
	return true;
}

RtpStreamSend::Stats RtpStreamSend::GetStats(uint64_t nowMs) {
	Stats stats;
	stats.ssrc = params_.ssrc;
	stats.packetCount = packetCount_;
	stats.byteCount = byteCount_;
	stats.bitrate = rate_.GetRate(nowMs);
	stats.packetsLost = cumulativeLost_;
	stats.fractionLost = fractionLost_;
	stats.nackCount = nackCount_;
	stats.nackPacketCount = nackPacketCount_;
	stats.pliCount = pliCount_;
	stats.firCount = firCount_;
	stats.packetsRetransmitted = packetsRetransmitted_;
	stats.jitter = jitter_;
	stats.hasRoundTripTime = hasRtt_;
	stats.roundTripTime = rttMs_;
	stats.score = score_.Get();
	return stats;
}

} // namespace mediaplane
