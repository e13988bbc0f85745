#include "NtpTimestamp.hpp"

namespace mediaplane {

NtpTimestamp NtpTimestamp::FromMs(uint64_t ms) {
	const uint64_t seconds = ms / 1000u;
	// fraction = round(remainder / 1000 * 2^32); at most 999 ms, so it stays below 2^32.
	const uint64_t fraction = (((ms % 1000u) << 32) + 500u) / 1000u;
	return NtpTimestamp(static_cast<uint32_t>(seconds), static_cast<uint32_t>(fraction));
}

uint64_t NtpTimestamp::ToMs() const {
	const uint64_t fractionMs = (static_cast<uint64_t>(fraction_) * 1000u + (uint64_t{ 1 } << 31)) >> 32;
	return static_cast<uint64_t>(seconds_) * 1000u + fractionMs;
}

uint32_t NtpTimestamp::MsToCompact(uint64_t ms) {
	constexpr uint64_t kLargest = (uint64_t{ 0xffffffff } * 1000u) / 65536u;
	if (ms >= kLargest) return 0xffffffff;
	return static_cast<uint32_t>((ms * 65536u + 500u) / 1000u);
}

uint64_t NtpTimestamp::CompactToMs(uint32_t compact) {
	return (static_cast<uint64_t>(compact) * 1000u + 32768u) / 65536u;
}

int64_t NtpTimestamp::RoundTripMs(uint32_t arrivalCompact, uint32_t lastSenderReport, uint32_t delaySinceLastSenderReport) {
	if (lastSenderReport == 0) return -1;
	// Modular arithmetic handles the wrap of the 16-bit seconds part; a result in the
	// upper half means A came before LSR + DLSR (clock skew), which is reported as 0.
	const uint32_t rtt = arrivalCompact - lastSenderReport - delaySinceLastSenderReport;
	if (rtt >= 0x80000000u) return 0;
	return static_cast<int64_t>(CompactToMs(rtt));
}

} // namespace mediaplane
