#include "CodecType.hpp"

#include <cstddef>

namespace mediaplane {

namespace {

struct MimeEntry {
	CodecType type;
	std::string_view mimeType;
};

// Spellings as mediasoup's supported RTP capabilities write them.
constexpr MimeEntry kMimeTypes[] = {
	{CodecType::Opus, "audio/opus"},
	{CodecType::Multiopus, "audio/multiopus"},
	{CodecType::Pcmu, "audio/PCMU"},
	{CodecType::Pcma, "audio/PCMA"},
	{CodecType::G722, "audio/G722"},
	{CodecType::Ilbc, "audio/iLBC"},
	{CodecType::Silk, "audio/SILK"},
	{CodecType::Cn, "audio/CN"},
	{CodecType::TelephoneEvent, "audio/telephone-event"},
	{CodecType::Vp8, "video/VP8"},
	{CodecType::Vp9, "video/VP9"},
	{CodecType::H264, "video/H264"},
	{CodecType::H265, "video/H265"},
	{CodecType::Av1, "video/AV1"},
	{CodecType::Rtx, "video/rtx"},
};

char AsciiLower(char c) {
	return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
	if (a.size() != b.size()) return false;
	for (size_t i = 0; i < a.size(); ++i) {
		if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
	}
	return true;
}

} // namespace

CodecType CodecTypeFromMimeType(std::string_view mimeType) {
	for (const MimeEntry& entry : kMimeTypes) {
		if (EqualsIgnoreCase(entry.mimeType, mimeType)) return entry.type;
	}
	return CodecType::Unknown;
}

std::string_view CodecTypeMimeType(CodecType type) {
	for (const MimeEntry& entry : kMimeTypes) {
		if (entry.type == type) return entry.mimeType;
	}
	return {};
}

bool IsVideo(CodecType type) {
	switch (type) {
	case CodecType::Vp8:
	case CodecType::Vp9:
	case CodecType::H264:
	case CodecType::H265:
	case CodecType::Av1:
	case CodecType::Rtx:
		return true;
	default:
		return false;
	}
}

} // namespace mediaplane
