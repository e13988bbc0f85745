#pragma once
// One reception report block (RFC 3550 §6.4.1), 24 bytes, as found in sender and
// receiver reports. A plain value; it owns its fields.

#include <cstddef>
#include <cstdint>

namespace mediaplane {

struct ReportBlock {
	static constexpr size_t kSize = 24;
	// The 24-bit signed range of the cumulative number of packets lost.
	static constexpr int32_t kMaxCumulativeLost = 0x7fffff;
	static constexpr int32_t kMinCumulativeLost = -0x800000;

	uint32_t ssrc = 0;                       // the source this block reports on
	uint8_t fractionLost = 0;                // lost / expected since the last report, times 256
	int32_t cumulativeLost = 0;              // may be negative (duplicates); clamped to 24 bits when written
	uint32_t highestSequenceNumber = 0;      // extended highest sequence number received (cycles << 16 | seq)
	uint32_t jitter = 0;                     // interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1)
	uint32_t lastSenderReport = 0;           // LSR: compact NTP time of the last SR from this source, or 0
	uint32_t delaySinceLastSenderReport = 0; // DLSR: 1/65536 s since that SR arrived, or 0

	// Reads exactly kSize bytes from `data`; the caller checks they exist.
	void Parse(const uint8_t* data);
	// Writes exactly kSize bytes to `out`.
	void Serialize(uint8_t* out) const;

	bool operator==(const ReportBlock& other) const;
	bool operator!=(const ReportBlock& other) const { return !(*this == other); }
};

} // namespace mediaplane
