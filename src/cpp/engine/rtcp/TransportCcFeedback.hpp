#pragma once
// Transport-wide congestion control feedback (RTPFB, FMT 15), draft-holmer-rmcat-
// transport-wide-cc-extensions-01 §3.1: the receiver tells the sender when each packet
// (numbered by the transport-wide sequence number header extension) arrived, or that
// it did not. The sender's bandwidth estimator (libwebrtc's GoogCC) needs it: without
// feedback a browser's estimate falls within seconds and it stops its upper simulcast
// layers and lowers its bitrate.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |V=2|P|  FMT=15 |    PT=205     |           length              |
//   |                     SSRC of packet sender                     |
//   |                      SSRC of media source                     |
//   |      base sequence number     |      packet status count      |
//   |                 reference time                | fb pkt. count |
//   |          packet chunk         |         packet chunk          |  ...
//   |         recv delta            |  recv delta   | ...  (zero padding to 32 bits)
//
// Packet chunks (16 bits): run length (T=0: 2-bit symbol, 13-bit run) or status vector
// (T=1; S=0: fourteen 1-bit symbols, S=1: seven 2-bit symbols). Symbols: 0 not
// received, 1 received with a small delta (1 byte, 0..255 x 250 us), 2 received with a
// large or negative delta (2 bytes, signed, x 250 us). The reference time counts 64 ms;
// the first delta is relative to it, each next one to the previous received packet.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mediaplane {

struct TransportCcFeedback {
	static constexpr int64_t kDeltaUnitUs = 250;
	static constexpr int64_t kReferenceTimeUnitUs = 64000;

	struct PacketStatus {
		bool received = false;
		int64_t arrivalUs = 0; // when received
	};

	uint32_t senderSsrc = 0;
	uint32_t mediaSsrc = 0;
	uint16_t baseSequenceNumber = 0;
	uint8_t feedbackPacketCount = 0;
	// Consecutive sequence numbers from baseSequenceNumber. The reference time is the
	// first received one's arrival.
	std::vector<PacketStatus> packets;

	// How many of `packets` (from the front) surely fit in `capacity` bytes (counting
	// every delta at its largest size) and have deltas the format can carry, for
	// Serialize. 0 when none.
	size_t CountSerializable(size_t capacity) const;
	// Writes the packet (with the first `count` statuses); returns its size, 0 if it
	// does not fit.
	size_t Serialize(uint8_t* out, size_t capacity, size_t count) const;

	// Reads a feedback packet from its body (after the 4-byte RTCP header): what the
	// sender's bandwidth estimator is fed. Arrival times are rebuilt from the reference
	// time (64 ms units, 24 bits, so they wrap every ~12 days; only differences matter)
	// and the deltas. Every read is bounds-checked: false (and *this unspecified) for a
	// truncated packet, a status count beyond what the chunks describe, or a reserved
	// symbol (3). Trailing bytes after the last delta (padding) are ignored.
	bool Parse(const uint8_t* body, size_t bodySize);
};

} // namespace mediaplane
