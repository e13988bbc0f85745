#pragma once
// CRC32c (Castagnoli), the SCTP checksum: RFC 9260 §6.8 and Appendix B (RFC 3309).

#include <cstddef>
#include <cstdint>

namespace mediaplane {
namespace sctp {

// The CRC32c of the bytes (reflected, initial value and final xor 0xFFFFFFFF), as the
// number RFC 3720 §B.4 lists for its test vectors.
uint32_t Crc32c(const uint8_t* data, size_t len);

// For tests and benchmarks: one implementation explicitly (Instruction falls back to
// Table where this CPU has no CRC32C instruction), and whether Crc32c() uses it.
enum class Crc32cImplementation { Table, Instruction };
uint32_t Crc32cWith(Crc32cImplementation implementation, const uint8_t* data, size_t len);
bool Crc32cHasInstruction();

// Computes the checksum of an SCTP packet with its checksum field taken as zero
// (RFC 9260 §6.8) and stores it at bytes 8..11, least significant byte first
// (Appendix B: the CRC's bit order puts its low byte first on the wire).
void WriteSctpChecksum(uint8_t* packet, size_t len);
// True when the packet's checksum field matches (len >= 12 required).
bool VerifySctpChecksum(const uint8_t* packet, size_t len);

} // namespace sctp
} // namespace mediaplane
