#pragma once
// What a video codec's RTP payload tells an SFU without decoding it: whether the packet
// starts a frame, whether that frame is a key frame, and which temporal and spatial
// layer it belongs to. The per-codec parsers (Vp8Descriptor, Vp9Descriptor,
// H264Payload, H265Payload, Av1Payload) fill it; PayloadInspector dispatches by codec.
//
// A field a codec does not carry keeps its default (-1 for layers, false, 0). On a
// parse failure the whole struct is reset to its defaults, so `valid` is false.

#include <cstddef>
#include <cstdint>

namespace mediaplane {

struct PayloadInfo {
	// The payload parsed; every field below is meaningful only when this is true.
	bool valid = false;
	// The packet carries the beginning of a key frame (or of the parameter sets that
	// precede one). A receiver can start decoding at a packet where both this and
	// isFrameStart are true. See each parser for its codec's exact rule.
	bool isKeyFrame = false;
	// The packet carries the first byte of a frame (VP8: of a frame; VP9: of a layer
	// frame; H.264/H.265: of an access unit as far as the NAL units show it; AV1: of a
	// frame or temporal unit as far as the first OBU shows it).
	bool isFrameStart = false;
	// The packet carries the last byte of a frame. Only VP9 says so in its payload (E
	// bit); for other codecs the RTP marker bit is the signal and this stays false.
	bool isFrameEnd = false;

	// Layer indices, -1 when the payload does not carry them.
	int temporalLayer = -1;
	int spatialLayer = -1;
	// A switching point: from this frame on, the temporal layer can be added (VP8 Y,
	// VP9 U).
	bool isLayerSync = false;
	// The frame is not used as a reference by other frames (VP8 N bit; H.264 NRI 0 in
	// the payload header, which for aggregates and fragments is the highest NRI of the
	// NAL units carried, RFC 6184 §5.7 and §5.8). Such a frame may be dropped.
	bool isDiscardable = false;

	// VP8/VP9 picture id (7 or 15 bits), with where it sits in the payload so that a
	// later rewrite can change it in place.
	bool hasPictureId = false;
	uint16_t pictureId = 0;
	uint8_t pictureIdBits = 0;   // 7 or 15
	size_t pictureIdOffset = 0;  // offset of the byte holding the M bit
	// VP8/VP9 (non-flexible mode) TL0PICIDX.
	bool hasTl0PicIdx = false;
	uint8_t tl0PicIdx = 0;
	size_t tl0PicIdxOffset = 0;
	// VP8 KEYIDX (K bit), -1 when absent.
	int keyIdx = -1;

	// VP9 descriptor flags (RFC 9628 §4.2).
	bool isInterPicturePredicted = false; // P
	bool isFlexibleMode = false;          // F
	bool hasInterLayerDependency = false; // D
	bool isNotReferenceForUpperSpatial = false; // Z
	bool hasScalabilityStructure = false; // V
	// N_S + 1 from the scalability structure, -1 without one.
	int spatialLayerCount = -1;

	// H.264 SPS/PPS, H.265 VPS/SPS/PPS or an AV1 sequence header OBU starts in this
	// packet.
	bool hasParameterSets = false;
	// H.264/H.265: the NAL unit type of the payload header (so 24 for STAP-A, 28 for
	// FU-A, 48 for an H.265 AP, 49 for an FU); AV1: the type of the first OBU that
	// starts in the packet. -1 when none.
	int packetType = -1;

	// Bytes of payload descriptor before the codec bitstream (VP8/VP9 descriptor, AV1
	// aggregation header); 0 for H.264/H.265 whose payload header is a NAL header.
	size_t descriptorLength = 0;
};

} // namespace mediaplane
