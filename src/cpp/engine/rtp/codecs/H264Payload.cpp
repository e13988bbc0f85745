#include "H264Payload.hpp"

#include "PayloadReader.hpp"

namespace mediaplane {

namespace {

// NAL unit types (H.264 Table 7-1) and RTP packet types (RFC 6184 Table 1).
constexpr uint8_t kNalSlice = 1;
constexpr uint8_t kNalIdrSlice = 5;
constexpr uint8_t kNalSei = 6;
constexpr uint8_t kNalSps = 7;
constexpr uint8_t kNalPps = 8;
constexpr uint8_t kNalAccessUnitDelimiter = 9;
constexpr uint8_t kStapA = 24;
constexpr uint8_t kStapB = 25;
constexpr uint8_t kFuA = 28;
constexpr uint8_t kFuB = 29;

constexpr uint8_t NalType(uint8_t header) {
	return header & 0x1f;
}

// Types a NAL unit itself can have; 0 and 24-31 are RTP payload structures or
// reserved, and never appear inside an aggregate or a fragment (RFC 6184 §5.2).
constexpr bool IsNalUnitType(uint8_t type) {
	return type >= 1 && type <= 23;
}

// Looks at the start of one NAL unit of type `type`; `body` is what follows its
// one-octet header (possibly only the first fragment of it).
bool InspectNalUnitStart(uint8_t type, const uint8_t* body, size_t bodyLen, PayloadInfo* out) {
	switch (type) {
	case kNalSlice:
	case kNalIdrSlice:
		if (bodyLen == 0) return false;
		if (type == kNalIdrSlice) out->isKeyFrame = true;
		// first_mb_in_slice is ue(v): a leading 1 bit encodes 0 (H.264 §9.1).
		if (body[0] & 0x80) out->isFrameStart = true;
		return true;
	case kNalSps:
		out->isKeyFrame = true;
		out->hasParameterSets = true;
		out->isFrameStart = true;
		return true;
	case kNalPps:
		out->hasParameterSets = true;
		out->isFrameStart = true;
		return true;
	case kNalSei:
	case kNalAccessUnitDelimiter:
		out->isFrameStart = true;
		return true;
	default:
		// Data partitions, end of sequence/stream, filler, extensions: nothing an SFU
		// needs (H.264 Table 7-1).
		return true;
	}
}

// STAP-A/STAP-B body (RFC 6184 §5.7.1): at least one unit of a 16-bit size followed by
// a NAL unit of that many octets (header included), covering the payload exactly.
bool ParseAggregationUnits(PayloadReader& reader, PayloadInfo* out) {
	size_t units = 0;
	while (reader.Remaining() > 0) {
		uint16_t size;
		if (!reader.ReadU16(&size)) return false;
		if (size == 0 || reader.Remaining() < size) return false;
		const uint8_t* nal = reader.Current();
		const uint8_t nalType = NalType(nal[0]);
		if (!IsNalUnitType(nalType)) return false;
		if (!InspectNalUnitStart(nalType, nal + 1, size - 1u, out)) return false;
		reader.Skip(size);
		++units;
	}
	return units > 0;
}

bool Parse(const uint8_t* payload, size_t len, PayloadInfo* out) {
	PayloadReader reader(payload, len);
	uint8_t header;
	if (!reader.ReadU8(&header)) return false;
	const uint8_t type = NalType(header);
	out->packetType = type;
	// NRI 0: nothing in this packet is used for reference (RFC 6184 §5.3; for
	// aggregates and fragments NRI is the highest of the NAL units carried, §5.7, §5.8).
	out->isDiscardable = (header & 0x60) == 0;

	if (IsNalUnitType(type)) {
		// Single NAL unit packet (RFC 6184 §5.6): the payload is the NAL unit.
		return InspectNalUnitStart(type, reader.Current(), reader.Remaining(), out);
	}
	switch (type) {
	case kStapA:
		return ParseAggregationUnits(reader, out);
	case kStapB:
		// A 16-bit decoding order number precedes the units (RFC 6184 §5.7.1).
		if (!reader.Skip(2)) return false;
		return ParseAggregationUnits(reader, out);
	case kFuA:
	case kFuB: {
		// FU indicator (the header above), FU header |S|E|R|Type|, for FU-B a 16-bit
		// DON, then the fragment (RFC 6184 §5.8).
		uint8_t fuHeader;
		if (!reader.ReadU8(&fuHeader)) return false;
		const uint8_t fragmentedType = NalType(fuHeader);
		if (!IsNalUnitType(fragmentedType)) return false;
		if (type == kFuB && !reader.Skip(2)) return false;
		if (reader.Remaining() == 0) return false;
		if ((fuHeader & 0x80) == 0) return true; // not the first fragment
		return InspectNalUnitStart(fragmentedType, reader.Current(), reader.Remaining(), out);
	}
	default:
		return false;
	}
}

} // namespace

bool ParseH264(const uint8_t* payload, size_t len, PayloadInfo* info) {
	return RunPayloadParser(Parse, payload, len, info);
}

} // namespace mediaplane
