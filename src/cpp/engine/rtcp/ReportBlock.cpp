#include "ReportBlock.hpp"

#include "RtcpWire.hpp"

namespace mediaplane {

void ReportBlock::Parse(const uint8_t* data) {
	ssrc = rtcp::Read32(data);
	fractionLost = data[4];
	// Cumulative lost is a 24-bit two's complement number (RFC 3550 §6.4.1).
	const uint32_t lost = rtcp::Read24(data + 5);
	cumulativeLost = (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
	highestSequenceNumber = rtcp::Read32(data + 8);
	jitter = rtcp::Read32(data + 12);
	lastSenderReport = rtcp::Read32(data + 16);
	delaySinceLastSenderReport = rtcp::Read32(data + 20);
}

void ReportBlock::Serialize(uint8_t* out) const {
	rtcp::Write32(out, ssrc);
	out[4] = fractionLost;
	// Out-of-range losses are clamped rather than wrapped (RFC 3550 Appendix A.3).
	int32_t lost = cumulativeLost;
	if (lost > kMaxCumulativeLost) lost = kMaxCumulativeLost;
	if (lost < kMinCumulativeLost) lost = kMinCumulativeLost;
	rtcp::Write24(out + 5, static_cast<uint32_t>(lost) & 0xffffff);
	rtcp::Write32(out + 8, highestSequenceNumber);
	rtcp::Write32(out + 12, jitter);
	rtcp::Write32(out + 16, lastSenderReport);
	rtcp::Write32(out + 20, delaySinceLastSenderReport);
}

bool ReportBlock::operator==(const ReportBlock& other) const {
	return ssrc == other.ssrc && fractionLost == other.fractionLost && cumulativeLost == other.cumulativeLost &&
	       highestSequenceNumber == other.highestSequenceNumber && jitter == other.jitter &&
	       lastSenderReport == other.lastSenderReport && delaySinceLastSenderReport == other.delaySinceLastSenderReport;
}

} // namespace mediaplane
