#include "PayloadInspector.hpp"

#include "Av1Payload.hpp"
#include "H264Payload.hpp"
#include "H265Payload.hpp"
#include "Vp8Descriptor.hpp"
#include "Vp9Descriptor.hpp"

namespace mediaplane {

bool CanInspectPayload(CodecType type) {
	switch (type) {
	case CodecType::Vp8:
	case CodecType::Vp9:
	case CodecType::H264:
	case CodecType::H265:
	case CodecType::Av1:
		return true;
	default:
		return false;
	}
}

bool InspectPayload(CodecType type, const uint8_t* payload, size_t len, PayloadInfo* info) {
	switch (type) {
	case CodecType::Vp8:
		return ParseVp8(payload, len, info);
	case CodecType::Vp9:
		return ParseVp9(payload, len, info);
	case CodecType::H264:
		return ParseH264(payload, len, info);
	case CodecType::H265:
		return ParseH265(payload, len, info);
	case CodecType::Av1:
		return ParseAv1(payload, len, info);
	default:
		*info = PayloadInfo{};
		return false;
	}
}

} // namespace mediaplane
