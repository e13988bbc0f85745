#include "Vp9Descriptor.hpp"

#include "PayloadReader.hpp"

namespace mediaplane {

namespace {

// RFC 9628 §4.2: "up to 3" reference indices in flexible mode.
constexpr int kMaxReferenceIndices = 3;

// The scalability structure (RFC 9628 §4.2.1):
//   | N_S |Y|G|-|-|-|
//   Y: N_S+1 times WIDTH (16 bits), HEIGHT (16 bits)
//   G: N_G, then N_G times | TID |U| R |-|-| followed by R P_DIFF octets
bool SkipScalabilityStructure(PayloadReader& reader, PayloadInfo* out) {
	uint8_t header;
	if (!reader.ReadU8(&header)) return false;
	const int spatialLayers = (header >> 5) + 1;  // N_S is the count minus one
	const bool hasResolutions = (header & 0x10) != 0; // Y
	const bool hasPictureGroup = (header & 0x08) != 0; // G
	out->spatialLayerCount = spatialLayers;

	if (hasResolutions && !reader.Skip(static_cast<size_t>(spatialLayers) * 4)) return false;
	if (hasPictureGroup) {
		uint8_t pictureCount;
		if (!reader.ReadU8(&pictureCount)) return false;
		for (int i = 0; i < pictureCount; ++i) {
			uint8_t picture;
			if (!reader.ReadU8(&picture)) return false;
			const size_t referenceCount = (picture >> 2) & 0x03; // R
			if (!reader.Skip(referenceCount)) return false;
		}
	}
	return true;
}

bool Parse(const uint8_t* payload, size_t len, PayloadInfo* out) {
	PayloadReader reader(payload, len);

	uint8_t flags;
	if (!reader.ReadU8(&flags)) return false;
	const bool hasPictureId = (flags & 0x80) != 0;  // I
	out->isInterPicturePredicted = (flags & 0x40) != 0; // P
	const bool hasLayerIndices = (flags & 0x20) != 0; // L
	out->isFlexibleMode = (flags & 0x10) != 0;        // F
	out->isFrameStart = (flags & 0x08) != 0;          // B
	out->isFrameEnd = (flags & 0x04) != 0;            // E
	out->hasScalabilityStructure = (flags & 0x02) != 0; // V
	out->isNotReferenceForUpperSpatial = (flags & 0x01) != 0; // Z

	if (hasPictureId && !ReadPictureId(reader, out)) return false;

	if (hasLayerIndices) {
		uint8_t layer;
		if (!reader.ReadU8(&layer)) return false;
		out->temporalLayer = layer >> 5;             // TID
		out->isLayerSync = (layer & 0x10) != 0;      // U: switching up point
		out->spatialLayer = (layer >> 1) & 0x07;     // SID
		out->hasInterLayerDependency = (layer & 0x01) != 0; // D
		if (!out->isFlexibleMode) {
			out->tl0PicIdxOffset = reader.Offset();
			if (!reader.ReadU8(&out->tl0PicIdx)) return false;
			out->hasTl0PicIdx = true;
		}
	}

	// Flexible mode lists the reference indices of an inter-picture predicted frame;
	// N=1 says another one follows (RFC 9628 §4.2).
	if (out->isFlexibleMode && out->isInterPicturePredicted) {
		for (int i = 0;; ++i) {
			if (i == kMaxReferenceIndices) return false;
			uint8_t reference;
			if (!reader.ReadU8(&reference)) return false;
			if ((reference & 0x01) == 0) break;
		}
	}

	if (out->hasScalabilityStructure && !SkipScalabilityStructure(reader, out)) return false;

	out->descriptorLength = reader.Offset();
	if (reader.Remaining() == 0) return false;

	out->isKeyFrame = out->isFrameStart && !out->isInterPicturePredicted && out->spatialLayer <= 0;
	return true;
}

} // namespace

bool ParseVp9(const uint8_t* payload, size_t len, PayloadInfo* info) {
	return RunPayloadParser(Parse, payload, len, info);
}

} // namespace mediaplane
