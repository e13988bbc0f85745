// CRC32c, table-driven (one byte per step), after RFC 9260 Appendix B.
#include "Crc32c.hpp"

#include <array>

namespace mediaplane {
namespace sctp {

namespace {

// The reflected Castagnoli polynomial 0x1EDC6F41 (RFC 9260 Appendix B).
constexpr uint32_t kPolynomialReflected = 0x82F63B78u;

constexpr std::array<uint32_t, 256> MakeTable() {
	std::array<uint32_t, 256> table{};
	for (uint32_t i = 0; i < 256; ++i) {
		uint32_t crc = i;
		for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPolynomialReflected : crc >> 1;
		table[i] = crc;
	}
	return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t Update(uint32_t crc, const uint8_t* data, size_t len) {
	for (size_t i = 0; i < len; ++i) crc = kTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
	return crc;
}

} // namespace

uint32_t Crc32c(const uint8_t* data, size_t len) {
	return ~Update(0xFFFFFFFFu, data, len);
}

namespace {
uint32_t PacketCrc(const uint8_t* packet, size_t len) {
	static constexpr uint8_t kZeros[4] = { 0, 0, 0, 0 };
	uint32_t crc = Update(0xFFFFFFFFu, packet, 8);
	crc = Update(crc, kZeros, 4);
	crc = Update(crc, packet + 12, len - 12);
	return ~crc;
}
} // namespace

void WriteSctpChecksum(uint8_t* packet, size_t len) {
	if (len < 12) return;
	const uint32_t crc = PacketCrc(packet, len);
	packet[8] = static_cast<uint8_t>(crc);
	packet[9] = static_cast<uint8_t>(crc >> 8);
	packet[10] = static_cast<uint8_t>(crc >> 16);
	packet[11] = static_cast<uint8_t>(crc >> 24);
}

bool VerifySctpChecksum(const uint8_t* packet, size_t len) {
	if (len < 12) return false;
	const uint32_t crc = PacketCrc(packet, len);
	const uint32_t stored = static_cast<uint32_t>(packet[8]) | (static_cast<uint32_t>(packet[9]) << 8) |
		(static_cast<uint32_t>(packet[10]) << 16) | (static_cast<uint32_t>(packet[11]) << 24);
	return crc == stored;
}

} // namespace sctp
} // namespace mediaplane
