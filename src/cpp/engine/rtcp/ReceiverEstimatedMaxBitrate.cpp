#include "ReceiverEstimatedMaxBitrate.hpp"

#include <limits>

namespace mediaplane {

bool ReceiverEstimatedMaxBitrate::IsWellFormed(const RtcpPacketView& packet) {
	if (packet.GetKind() != RtcpPacketKind::ReceiverEstimatedMaxBitrate) return false;
	if (packet.GetBodySize() < rtcp::kFeedbackHeaderSize + kFixedFciSize) return false;
	const size_t count = packet.GetBody()[rtcp::kFeedbackHeaderSize + 4];
	return rtcp::kFeedbackHeaderSize + kFixedFciSize + 4 * count <= packet.GetBodySize();
}

bool ReceiverEstimatedMaxBitrate::Parse(const RtcpPacketView& packet) {
	if (!IsWellFormed(packet)) return false;
	const uint8_t* body = packet.GetBody();
	senderSsrc = rtcp::Read32(body);
	mediaSsrc = rtcp::Read32(body + 4);
	const uint8_t* fci = body + rtcp::kFeedbackHeaderSize;
	const size_t count = fci[4];
	const unsigned exponent = fci[5] >> 2;
	const uint64_t mantissa = rtcp::Read24(fci + 5) & kMaxMantissa;
	// An 18-bit mantissa shifted by up to 63 may not fit 64 bits.
	if (mantissa != 0 && exponent > 64 - 18 && (mantissa >> (64 - exponent)) != 0) {
		bitrate = std::numeric_limits<uint64_t>::max();
	} else {
		bitrate = mantissa << exponent;
	}
	ssrcs.resize(count);
	for (size_t i = 0; i < count; ++i) ssrcs[i] = rtcp::Read32(fci + kFixedFciSize + 4 * i);
	return true;
}

size_t ReceiverEstimatedMaxBitrate::Serialize(uint8_t* out, size_t capacity) const {
	if (ssrcs.size() > kMaxSsrcs) return 0;
	const size_t size = GetSerializedSize();
	if (size > capacity) return 0;
	uint64_t mantissa = bitrate;
	uint32_t exponent = 0;
	while (mantissa > kMaxMantissa) {
		mantissa >>= 1;
		++exponent;
	}
	rtcp::WriteHeader(out, rtcp::kFormatApplicationFeedback, rtcp::kTypePayloadFeedback, size);
	uint8_t* body = out + rtcp::kHeaderSize;
	rtcp::Write32(body, senderSsrc);
	rtcp::Write32(body + 4, mediaSsrc);
	uint8_t* fci = body + rtcp::kFeedbackHeaderSize;
	fci[0] = 'R';
	fci[1] = 'E';
	fci[2] = 'M';
	fci[3] = 'B';
	fci[4] = static_cast<uint8_t>(ssrcs.size());
	rtcp::Write24(fci + 5, (exponent << 18) | static_cast<uint32_t>(mantissa));
	for (size_t i = 0; i < ssrcs.size(); ++i) rtcp::Write32(fci + kFixedFciSize + 4 * i, ssrcs[i]);
	return size;
}

} // namespace mediaplane
