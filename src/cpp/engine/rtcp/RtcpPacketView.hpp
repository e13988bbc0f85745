#pragma once
// A read-only view of one RTCP packet inside a compound packet (RFC 3550 §6.1). It
// points into the caller's buffer and owns nothing: it is valid only while that buffer
// is. RtcpCompoundParser hands these out after checking the common header of every
// packet, so GetBody()/GetBodySize() always lie inside the buffer.
//
// The typed packet classes (SenderReport, GenericNack, ...) parse from a view into
// their own fields; packets this engine only forwards (transport-cc, unknown types and
// formats) stay opaque and are passed on as GetData()/GetSize().

#include <cstddef>
#include <cstdint>

#include "RtcpWire.hpp"

namespace mediaplane {

// What a packet is, from its packet type, FMT and (for REMB) its identifier.
enum class RtcpPacketKind {
	SenderReport,                // PT 200
	ReceiverReport,              // PT 201
	SourceDescription,           // PT 202
	Goodbye,                     // PT 203
	Application,                 // PT 204, opaque
	GenericNack,                 // PT 205 FMT 1
	TransportCc,                 // PT 205 FMT 15, opaque
	OtherTransportFeedback,      // PT 205, another FMT, opaque
	PictureLossIndication,       // PT 206 FMT 1
	FullIntraRequest,            // PT 206 FMT 4
	ReceiverEstimatedMaxBitrate, // PT 206 FMT 15 with the "REMB" identifier
	OtherPayloadFeedback,        // PT 206, another FMT or application feedback, opaque
	ExtendedReport,              // PT 207, opaque
	Unknown,                     // any other packet type, opaque
};

class RtcpPacketView {
public:
	RtcpPacketView() = default;
	// `data` holds the whole packet, `size` bytes from its header through its padding;
	// `bodySize` is the size after the 4-byte header without the padding. Only the
	// parser (or a test) makes these; it guarantees 4 + bodySize <= size.
	RtcpPacketView(const uint8_t* data, size_t size, size_t bodySize)
	    : data_(data), size_(size), bodySize_(bodySize) {}

	// The whole packet as it sits in the buffer (what a forwarder copies).
	const uint8_t* GetData() const { return data_; }
	size_t GetSize() const { return size_; }

	uint8_t GetPacketType() const { return data_[1]; }
	// The 5-bit count field: report count, source count, or FMT for feedback.
	uint8_t GetCount() const { return data_[0] & 0x1f; }
	uint8_t GetFormat() const { return GetCount(); }
	bool HasPadding() const { return (data_[0] & 0x20) != 0; }

	// The bytes after the common header, padding excluded.
	const uint8_t* GetBody() const { return data_ + rtcp::kHeaderSize; }
	size_t GetBodySize() const { return bodySize_; }

	RtcpPacketKind GetKind() const;
	bool IsFeedback() const {
		return GetPacketType() == rtcp::kTypeTransportFeedback || GetPacketType() == rtcp::kTypePayloadFeedback;
	}
	// The first body word: the sender's SSRC in SR, RR, APP, XR and feedback packets
	// (0 when the body is shorter than 4 bytes; meaningless for SDES and BYE).
	uint32_t GetSenderSsrc() const { return bodySize_ >= 4 ? rtcp::Read32(GetBody()) : 0; }
	// The SSRC of the media source in feedback packets (RFC 4585 §6.1), else 0.
	uint32_t GetMediaSsrc() const { return IsFeedback() && bodySize_ >= 8 ? rtcp::Read32(GetBody() + 4) : 0; }

private:
	const uint8_t* data_ = nullptr;
	size_t size_ = 0;
	size_t bodySize_ = 0;
};

} // namespace mediaplane
