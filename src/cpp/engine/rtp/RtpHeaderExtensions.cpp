#include "RtpHeaderExtensions.hpp"

#include "../common/RequestError.hpp"

namespace mediaplane {

RtpExtensionType RtpExtensionTypeFromUri(std::string_view uri) {
	struct Entry {
		std::string_view uri;
		RtpExtensionType type;
	};
	static constexpr Entry kEntries[] = {
		{ "urn:ietf:params:rtp-hdrext:sdes:mid", RtpExtensionType::Mid },
		{ "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", RtpExtensionType::Rid },
		{ "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", RtpExtensionType::RepairedRid },
		{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", RtpExtensionType::AbsSendTime },
		{ "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", RtpExtensionType::TransportWideCc },
		{ "urn:ietf:params:rtp-hdrext:ssrc-audio-level", RtpExtensionType::SsrcAudioLevel },
		{ "urn:3gpp:video-orientation", RtpExtensionType::VideoOrientation },
		{ "urn:ietf:params:rtp-hdrext:toffset", RtpExtensionType::TOffset },
		{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", RtpExtensionType::AbsCaptureTime },
		{ "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", RtpExtensionType::PlayoutDelay },
		{ "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
		  RtpExtensionType::DependencyDescriptor },
		{ "urn:mediasoup:params:rtp-hdrext:packet-id", RtpExtensionType::MediasoupPacketId },
	};
	for (const auto& entry : kEntries) {
		if (entry.uri == uri) return entry.type;
	}
	return RtpExtensionType::Unknown;
}

void RtpExtensionMap::Clear() {
	types_.fill(RtpExtensionType::Unknown);
	ids_.fill(0);
}

void RtpExtensionMap::Set(uint8_t id, RtpExtensionType type) {
	if (id == 0 || type == RtpExtensionType::Unknown) return;
	types_[id] = type;
	ids_[static_cast<size_t>(type)] = id;
}

RtpExtensionMap RtpExtensionMap::FromHeaderExtensions(const Value* headerExtensions) {
	RtpExtensionMap map;
	if (!headerExtensions || !headerExtensions->IsArray()) return map;
	for (const Value& extension : headerExtensions->AsArray()) {
		const std::string& uri = extension.RequireString("uri");
		double id = extension.RequireNumber("id");
		if (id < 1 || id > 255) throw RequestError::Type("invalid headerExtensions[].id");
		map.Set(static_cast<uint8_t>(id), RtpExtensionTypeFromUri(uri));
	}
	return map;
}

} // namespace mediaplane
