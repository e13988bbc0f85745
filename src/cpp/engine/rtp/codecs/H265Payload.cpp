#include "H265Payload.hpp"

#include "PayloadReader.hpp"

namespace mediaplane {

namespace {

constexpr size_t kNalHeaderLength = 2;

// NAL unit types (H.265 Table 7-1) and RTP packet types (RFC 7798 §4.4).
constexpr uint8_t kLastVclType = 31;
constexpr uint8_t kFirstIrapType = 16; // BLA_W_LP
constexpr uint8_t kLastIrapType = 21;  // CRA_NUT
constexpr uint8_t kNalVps = 32;
constexpr uint8_t kNalSps = 33;
constexpr uint8_t kNalPps = 34;
constexpr uint8_t kNalAccessUnitDelimiter = 35;
constexpr uint8_t kNalPrefixSei = 39;
constexpr uint8_t kLastSingleNalType = 47;
constexpr uint8_t kAggregationPacket = 48;
constexpr uint8_t kFragmentationUnit = 49;

constexpr uint8_t NalType(uint8_t firstHeaderOctet) {
	return (firstHeaderOctet >> 1) & 0x3f;
}

// Looks at the start of one NAL unit of type `type`; `body` is what follows its
// two-octet header (possibly only the first fragment of it).
bool InspectNalUnitStart(uint8_t type, const uint8_t* body, size_t bodyLen, PayloadInfo* out) {
	if (type <= kLastVclType) {
		if (bodyLen == 0) return false;
		if (type >= kFirstIrapType && type <= kLastIrapType) out->isKeyFrame = true;
		if (body[0] & 0x80) out->isFrameStart = true; // first_slice_segment_in_pic_flag
		return true;
	}
	switch (type) {
	case kNalVps:
	case kNalSps:
		out->isKeyFrame = true;
		out->hasParameterSets = true;
		out->isFrameStart = true;
		return true;
	case kNalPps:
		out->hasParameterSets = true;
		out->isFrameStart = true;
		return true;
	case kNalAccessUnitDelimiter:
	case kNalPrefixSei:
		out->isFrameStart = true;
		return true;
	default:
		return true;
	}
}

bool Parse(const uint8_t* payload, size_t len, PayloadInfo* out) {
	PayloadReader reader(payload, len);
	uint16_t header;
	if (!reader.ReadU16(&header)) return false;
	const uint8_t type = NalType(static_cast<uint8_t>(header >> 8));
	const int tid = header & 0x07;
	// "The value of TID MUST NOT be 0" (RFC 7798 §1.1.4).
	if (tid == 0) return false;
	out->temporalLayer = tid - 1;
	out->packetType = type;

	if (type <= kLastSingleNalType) {
		// Single NAL unit packet (RFC 7798 §4.4.1).
		return InspectNalUnitStart(type, reader.Current(), reader.Remaining(), out);
	}
	if (type == kAggregationPacket) {
		// Units of a 16-bit NALU size and the NAL unit, header included (§4.4.2).
		size_t units = 0;
		while (reader.Remaining() > 0) {
			uint16_t size;
			if (!reader.ReadU16(&size)) return false;
			if (size < kNalHeaderLength || reader.Remaining() < size) return false;
			const uint8_t* nal = reader.Current();
			// An AP carries NAL units, not other payload structures (§4.4.2).
			const uint8_t nalType = NalType(nal[0]);
			if (nalType > kLastSingleNalType) return false;
			if (!InspectNalUnitStart(nalType, nal + kNalHeaderLength, size - kNalHeaderLength, out)) return false;
			reader.Skip(size);
			++units;
		}
		return units > 0;
	}
	if (type == kFragmentationUnit) {
		// FU header |S|E|FuType| then the fragment (§4.4.3).
		uint8_t fuHeader;
		if (!reader.ReadU8(&fuHeader)) return false;
		// FuType is the type of the fragmented NAL unit, never an AP, FU or PACI.
		const uint8_t fuType = fuHeader & 0x3f;
		if (fuType > kLastSingleNalType) return false;
		if (reader.Remaining() == 0) return false;
		if ((fuHeader & 0x80) == 0) return true; // not the first fragment
		return InspectNalUnitStart(fuType, reader.Current(), reader.Remaining(), out);
	}
	return false;
}

} // namespace

bool ParseH265(const uint8_t* payload, size_t len, PayloadInfo* info) {
	return RunPayloadParser(Parse, payload, len, info);
}

} // namespace mediaplane
