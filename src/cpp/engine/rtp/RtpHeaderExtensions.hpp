#pragma once
// RTP header extensions (RFC 8285) by meaning rather than by number: the id of an
// extension is negotiated per stream (producer ids differ from consumer ids), so the
// engine works with RtpExtensionType and keeps one RtpExtensionMap (id <-> type) per
// stream direction.

#include <array>
#include <cstdint>
#include <string_view>

#include "../common/Value.hpp"

namespace mediaplane {

enum class RtpExtensionType : uint8_t {
	Unknown = 0,
	Mid,                  // urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15.1)
	Rid,                  // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id (RFC 8852)
	RepairedRid,          // urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
	AbsSendTime,          // http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
	TransportWideCc,      // draft-holmer-rmcat-transport-wide-cc-extensions-01
	SsrcAudioLevel,       // urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464)
	VideoOrientation,     // urn:3gpp:video-orientation
	TOffset,              // urn:ietf:params:rtp-hdrext:toffset (RFC 5450)
	AbsCaptureTime,       // http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time
	PlayoutDelay,         // http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
	DependencyDescriptor, // https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension
	MediasoupPacketId,    // urn:mediasoup:params:rtp-hdrext:packet-id (4 bytes, big endian)
	Count,
};

RtpExtensionType RtpExtensionTypeFromUri(std::string_view uri);

// id (1..255) <-> type for one stream direction.
class RtpExtensionMap {
public:
	RtpExtensionMap() { Clear(); }
	void Clear();
	void Set(uint8_t id, RtpExtensionType type);
	RtpExtensionType GetType(uint8_t id) const { return types_[id]; }
	uint8_t GetId(RtpExtensionType type) const { return ids_[static_cast<size_t>(type)]; }
	// Reads mediasoup RtpParameters.headerExtensions ([{ uri, id }]); unknown URIs are
	// ignored. Throws RequestError on a malformed entry.
	static RtpExtensionMap FromHeaderExtensions(const Value* headerExtensions);

private:
	std::array<RtpExtensionType, 256> types_{};
	std::array<uint8_t, static_cast<size_t>(RtpExtensionType::Count)> ids_{};
};

} // namespace mediaplane
