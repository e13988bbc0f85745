#include "Vp8Descriptor.hpp"

#include "PayloadReader.hpp"

namespace mediaplane {

namespace {

bool Parse(const uint8_t* payload, size_t len, PayloadInfo* out) {
	PayloadReader reader(payload, len);

	// Required first octet (RFC 7741 §4.2).
	uint8_t first;
	if (!reader.ReadU8(&first)) return false;
	const bool extended = (first & 0x80) != 0;  // X
	out->isDiscardable = (first & 0x20) != 0;   // N: non-reference frame
	const bool startOfPartition = (first & 0x10) != 0; // S
	const uint8_t partitionIndex = first & 0x07;       // PID

	if (extended) {
		uint8_t flags;
		if (!reader.ReadU8(&flags)) return false;
		const bool hasPictureId = (flags & 0x80) != 0; // I
		const bool hasTl0PicIdx = (flags & 0x40) != 0; // L
		const bool hasTid = (flags & 0x20) != 0;       // T
		const bool hasKeyIdx = (flags & 0x10) != 0;    // K

		if (hasPictureId && !ReadPictureId(reader, out)) return false;
		if (hasTl0PicIdx) {
			out->tl0PicIdxOffset = reader.Offset();
			if (!reader.ReadU8(&out->tl0PicIdx)) return false;
			out->hasTl0PicIdx = true;
		}
		// One octet carries TID/Y (meaningful when T is set) and KEYIDX (when K is
		// set); it is present when either is (RFC 7741 §4.2).
		if (hasTid || hasKeyIdx) {
			uint8_t layer;
			if (!reader.ReadU8(&layer)) return false;
			if (hasTid) {
				out->temporalLayer = layer >> 6;
				out->isLayerSync = (layer & 0x20) != 0;
			}
			if (hasKeyIdx) out->keyIdx = layer & 0x1f;
		}
	}
	out->descriptorLength = reader.Offset();

	// A descriptor with no VP8 data after it carries nothing to forward.
	if (reader.Remaining() == 0) return false;

	out->isFrameStart = startOfPartition && partitionIndex == 0;
	if (out->isFrameStart) {
		// The VP8 payload header opens the first partition; its first octet is
		// |Size0|H|VER|P| and P=0 marks a key frame (RFC 7741 §4.3).
		uint8_t header;
		if (!reader.ReadU8(&header)) return false;
		out->isKeyFrame = (header & 0x01) == 0;
	}
	return true;
}

} // namespace

bool ParseVp8(const uint8_t* payload, size_t len, PayloadInfo* info) {
	return RunPayloadParser(Parse, payload, len, info);
}

} // namespace mediaplane
