#pragma once
// A 64-bit NTP timestamp (RFC 5905 §6: seconds since 1900-01-01 in the high 32 bits, a
// binary fraction of a second in the low 32 bits), as carried in sender reports (RFC
// 3550 §6.4.1), and the "compact" 32-bit form used by LSR and DLSR.
//
// Conversions round to the nearest millisecond / fraction unit, so a millisecond value
// survives FromMs() then ToMs() unchanged.

#include <cstdint>

namespace mediaplane {

class NtpTimestamp {
public:
	// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
	static constexpr uint64_t kUnixEpochOffsetSeconds = 2208988800u;

	NtpTimestamp() = default;
	NtpTimestamp(uint32_t seconds, uint32_t fraction) : seconds_(seconds), fraction_(fraction) {}

	// `ms` milliseconds after the NTP epoch. Wraps like the 32-bit seconds field does.
	static NtpTimestamp FromMs(uint64_t ms);
	// A wall-clock time in milliseconds since the Unix epoch (what an SR carries).
	static NtpTimestamp FromUnixMs(uint64_t unixMs) { return FromMs(unixMs + kUnixEpochOffsetSeconds * 1000u); }
	static NtpTimestamp FromUint64(uint64_t value) {
		return NtpTimestamp(static_cast<uint32_t>(value >> 32), static_cast<uint32_t>(value));
	}

	uint32_t GetSeconds() const { return seconds_; }
	uint32_t GetFraction() const { return fraction_; }
	uint64_t ToUint64() const { return (static_cast<uint64_t>(seconds_) << 32) | fraction_; }
	// Milliseconds after the NTP epoch.
	uint64_t ToMs() const;
	// Milliseconds since the Unix epoch (0 for a time before 1970).
	uint64_t ToUnixMs() const {
		uint64_t ms = ToMs();
		return ms >= kUnixEpochOffsetSeconds * 1000u ? ms - kUnixEpochOffsetSeconds * 1000u : 0;
	}

	// The middle 32 bits: 16 bits of seconds and 16 bits of fraction. A receiver puts
	// this value of the last SR it got into LSR (RFC 3550 §6.4.1).
	uint32_t ToCompact() const { return (seconds_ << 16) | (fraction_ >> 16); }

	// A duration in compact units (1/65536 s), as in DLSR (RFC 3550 §6.4.1). Saturates
	// at 0xffffffff (about 18 hours).
	static uint32_t MsToCompact(uint64_t ms);
	static uint64_t CompactToMs(uint32_t compact);

	// The round-trip time a sender derives from a report block (RFC 3550 §6.4.1):
	// A - LSR - DLSR, where A is the compact NTP time the report arrived. Returns -1
	// when LSR is 0 (the receiver has not seen an SR yet) and 0 when clocks make the
	// difference negative.
	static int64_t RoundTripMs(uint32_t arrivalCompact, uint32_t lastSenderReport, uint32_t delaySinceLastSenderReport);

	bool operator==(const NtpTimestamp& other) const {
		return seconds_ == other.seconds_ && fraction_ == other.fraction_;
	}
	bool operator!=(const NtpTimestamp& other) const { return !(*this == other); }

private:
	uint32_t seconds_ = 0;
	uint32_t fraction_ = 0;
};

} // namespace mediaplane
