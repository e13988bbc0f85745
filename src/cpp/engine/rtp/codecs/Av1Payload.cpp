#include "Av1Payload.hpp"

#include "PayloadReader.hpp"

namespace mediaplane {

namespace {

// OBU types (AV1 §6.2.2).
constexpr uint8_t kObuSequenceHeader = 1;
constexpr uint8_t kObuTemporalDelimiter = 2;
constexpr uint8_t kObuFrameHeader = 3;
constexpr uint8_t kObuFrame = 6;

// leb128() (AV1 §4.10.5): at most 8 octets, 7 bits each, least significant first; the
// value must fit in 32 bits.
bool ReadLeb128(PayloadReader& reader, uint64_t* value) {
	uint64_t result = 0;
	for (int i = 0; i < 8; ++i) {
		uint8_t byte;
		if (!reader.ReadU8(&byte)) return false;
		result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
		if ((byte & 0x80) == 0) {
			if (result > 0xffffffffu) return false;
			*value = result;
			return true;
		}
	}
	return false;
}

// Reads the OBU header at the start of an element. `isFirstElement` is true for the
// packet's first element (which then begins an OBU: Z=0). `mayContinue` is true for the
// last element of a packet with Y set, whose OBU may be cut right after its first octet.
bool InspectObuStart(
    const uint8_t* obu, size_t obuLen, bool isFirstElement, bool mayContinue, PayloadInfo* out) {
	const uint8_t header = obu[0];
	if (header & 0x80) return false; // obu_forbidden_bit
	const uint8_t type = (header >> 3) & 0x0f;
	const bool hasExtension = (header & 0x04) != 0;

	if (out->packetType < 0) out->packetType = type;
	if (isFirstElement && (type == kObuSequenceHeader || type == kObuTemporalDelimiter ||
	                          type == kObuFrameHeader || type == kObuFrame)) {
		out->isFrameStart = true;
	}
	if (type == kObuSequenceHeader) out->hasParameterSets = true;

	if (hasExtension) {
		if (obuLen < 2) return mayContinue;
		if (out->temporalLayer < 0) {
			out->temporalLayer = obu[1] >> 5;
			out->spatialLayer = (obu[1] >> 3) & 0x03;
		}
	}
	return true;
}

bool Parse(const uint8_t* payload, size_t len, PayloadInfo* out) {
	PayloadReader reader(payload, len);
	uint8_t aggregation;
	if (!reader.ReadU8(&aggregation)) return false;
	const bool continuesFragment = (aggregation & 0x80) != 0; // Z
	const bool continuesNext = (aggregation & 0x40) != 0;     // Y
	const size_t elementCount = (aggregation >> 4) & 0x03;    // W
	const bool newSequence = (aggregation & 0x08) != 0;       // N
	if (newSequence && continuesFragment) return false;
	out->descriptorLength = reader.Offset();

	size_t elements = 0;
	while (reader.Remaining() > 0) {
		++elements;
		size_t elementLength;
		if (elementCount == 0 || elements < elementCount) {
			uint64_t length;
			if (!ReadLeb128(reader, &length)) return false;
			if (length == 0 || length > reader.Remaining()) return false;
			elementLength = static_cast<size_t>(length);
		} else {
			// The W-th element has no length field and takes the rest.
			elementLength = reader.Remaining();
		}
		const bool isFragmentContinuation = elements == 1 && continuesFragment;
		if (!isFragmentContinuation) {
			const bool isLastElement = elementLength == reader.Remaining();
			if (!InspectObuStart(
			        reader.Current(), elementLength, elements == 1, isLastElement && continuesNext, out)) {
				return false;
			}
		}
		reader.Skip(elementLength);
	}
	if (elements == 0) return false;
	if (elementCount != 0 && elements != elementCount) return false;

	if (newSequence) {
		out->isKeyFrame = true;
		out->isFrameStart = true;
	}
	return true;
}

} // namespace

bool ParseAv1(const uint8_t* payload, size_t len, PayloadInfo* info) {
	return RunPayloadParser(Parse, payload, len, info);
}

} // namespace mediaplane
