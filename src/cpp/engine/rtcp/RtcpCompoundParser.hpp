#pragma once
// A zero-copy parser for compound RTCP packets (RFC 3550 §6.1): it checks every
// individual packet of a (decrypted) datagram and then lets the caller walk them as
// RtcpPacketViews pointing into the caller's buffer. Nothing is copied or owned; the
// buffer must outlive the parser and the views.
//
// Parse() accepts the whole compound or nothing. It rejects (returns false, yields no
// packets) when any packet:
//   - is cut short: fewer than 4 header bytes, or a length field past the end;
//   - has a version other than 2 (RFC 3550 §6.4.1);
//   - sets the padding bit but is not the last packet, or whose padding count is 0 or
//     larger than the packet body (RFC 3550 §6.4.1);
//   - is of a type this engine reads (SR, RR, SDES, BYE, APP, Generic NACK, PLI, FIR,
//     REMB, any other feedback) and whose count field or contents do not fit its
//     length (see each class's IsWellFormed()).
// An empty buffer is rejected. Unknown packet types and feedback formats are not
// errors: they are yielded as opaque views. Parse() does not require the compound to
// start with SR/RR, since reduced-size RTCP (RFC 5506) is allowed; a caller that cares
// checks the first view's kind.
//
// Typical use:
//   RtcpCompoundParser parser;
//   if (!parser.Parse(data, len)) { ++malformedRtcp; return; }
//   for (const RtcpPacketView& packet : parser) {
//     switch (packet.GetKind()) {
//     case RtcpPacketKind::GenericNack: { GenericNack nack; nack.Parse(packet); ... }
//     ...
//     }
//   }

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "RtcpPacketView.hpp"

namespace mediaplane {

class RtcpCompoundParser {
public:
	// Demultiplexing RTP and RTCP on one port (RFC 5761 §4): a packet whose second byte
	// is 192..223 (the RTCP packet types 192..223; RTP payload types 64..95 with the
	// marker bit collide, which is why those payload types are avoided) is RTCP. Also
	// requires version 2 and a whole header.
	static bool IsRtcp(const uint8_t* data, size_t len) {
		return len >= rtcp::kHeaderSize && (data[0] >> 6) == 2 && data[1] >= 192 && data[1] <= 223;
	}

	class Iterator {
	public:
		using iterator_category = std::forward_iterator_tag;
		using value_type = RtcpPacketView;
		using difference_type = std::ptrdiff_t;
		using pointer = const RtcpPacketView*;
		using reference = const RtcpPacketView&;

		reference operator*() const { return current_; }
		pointer operator->() const { return &current_; }
		Iterator& operator++() {
			offset_ += current_.GetSize();
			Load();
			return *this;
		}
		Iterator operator++(int) {
			Iterator before = *this;
			++*this;
			return before;
		}
		bool operator==(const Iterator& other) const { return offset_ == other.offset_ && data_ == other.data_; }
		bool operator!=(const Iterator& other) const { return !(*this == other); }

	private:
		friend class RtcpCompoundParser;
		Iterator(const uint8_t* data, size_t size, size_t offset) : data_(data), size_(size), offset_(offset) { Load(); }
		void Load();

		const uint8_t* data_ = nullptr;
		size_t size_ = 0;
		size_t offset_ = 0;
		RtcpPacketView current_;
	};

	// Checks the whole compound. On false the parser holds no packets.
	bool Parse(const uint8_t* data, size_t len);

	bool IsValid() const { return size_ != 0; }
	size_t GetPacketCount() const { return packetCount_; }
	// The compound as given to Parse() (null after a failed Parse()).
	const uint8_t* GetData() const { return data_; }
	size_t GetSize() const { return size_; }

	// Packets in order. Empty after a failed Parse().
	Iterator begin() const { return Iterator(data_, size_, 0); }
	Iterator end() const { return Iterator(data_, size_, size_); }

private:
	// The size of the packet at `offset`, or 0 when its header is invalid. Sets
	// *bodySize to its body size without padding.
	static size_t CheckHeader(const uint8_t* data, size_t len, size_t offset, size_t* bodySize);
	static bool CheckContents(const RtcpPacketView& packet);

	const uint8_t* data_ = nullptr;
	size_t size_ = 0;
	size_t packetCount_ = 0;
};

} // namespace mediaplane
