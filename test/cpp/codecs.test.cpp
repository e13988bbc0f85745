// Unit tests for src/cpp/engine/rtp/codecs: codec names, and the per-codec RTP payload
// parsers that tell a consumer where key frames start and which layer a packet is in.
//
// Samples are built by hand from the field layouts in RFC 7741 (VP8), RFC 9628 (VP9),
// RFC 6184 (H.264), RFC 7798 (H.265) and the AOM RTP payload format for AV1. Every
// parse runs on an exact-size heap copy so that ASan reports any read past the end;
// each sample is also parsed at every truncated length, and random and mutated bytes
// are thrown at every parser with a fixed seed.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"

#include "rtp/codecs/Av1Payload.hpp"
#include "rtp/codecs/CodecType.hpp"
#include "rtp/codecs/H264Payload.hpp"
#include "rtp/codecs/H265Payload.hpp"
#include "rtp/codecs/PayloadInspector.hpp"
#include "rtp/codecs/Vp8Descriptor.hpp"
#include "rtp/codecs/Vp9Descriptor.hpp"

using mediaplane::CodecType;
using mediaplane::PayloadInfo;

namespace {

using Bytes = std::vector<uint8_t>;

// Parses an exact-size copy of the first `len` bytes of `bytes`.
bool Inspect(CodecType type, const Bytes& bytes, size_t len, PayloadInfo* info) {
	const Bytes copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
	// An empty vector may have no storage: pass a null pointer then, as a caller with
	// an empty payload might.
	return mediaplane::InspectPayload(type, copy.empty() ? nullptr : copy.data(), copy.size(), info);
}

bool Inspect(CodecType type, const Bytes& bytes, PayloadInfo* info) {
	return Inspect(type, bytes, bytes.size(), info);
}

// A parse that failed leaves the defaults behind.
bool IsReset(const PayloadInfo& info) {
	return !info.valid && !info.isKeyFrame && !info.isFrameStart && !info.isFrameEnd &&
	       info.temporalLayer == -1 && info.spatialLayer == -1 && !info.hasPictureId &&
	       !info.hasTl0PicIdx && !info.hasParameterSets && info.packetType == -1 && info.keyIdx == -1 &&
	       info.spatialLayerCount == -1;
}

// Invariants of any successful parse of `len` bytes.
bool IsConsistent(CodecType type, const PayloadInfo& info, size_t len) {
	if (!info.valid) return false;
	if (info.temporalLayer < -1 || info.temporalLayer > 7) return false;
	if (info.spatialLayer < -1 || info.spatialLayer > 7) return false;
	if (info.descriptorLength >= len) return false; // some codec data always follows
	if (info.hasPictureId) {
		if (info.pictureIdBits != 7 && info.pictureIdBits != 15) return false;
		if (info.pictureIdOffset + (info.pictureIdBits == 15 ? 2u : 1u) > info.descriptorLength) return false;
		if (info.pictureIdBits == 7 && info.pictureId > 0x7f) return false;
		if (info.pictureId > 0x7fff) return false;
	}
	if (info.hasTl0PicIdx && info.tl0PicIdxOffset >= info.descriptorLength) return false;
	// Where the payload marks frame starts itself, a key frame is always at one.
	if ((type == CodecType::Vp8 || type == CodecType::Vp9 || type == CodecType::Av1) && info.isKeyFrame &&
	    !info.isFrameStart) {
		return false;
	}
	return true;
}

// Parses every prefix of `bytes` (length 0 to size): each either fails with the struct
// reset or succeeds consistently. Returns how many prefixes parsed.
size_t CheckTruncations(CodecType type, const Bytes& bytes) {
	size_t parsed = 0;
	for (size_t len = 0; len <= bytes.size(); ++len) {
		PayloadInfo info;
		info.valid = true; // must be overwritten either way
		info.temporalLayer = 5;
		if (Inspect(type, bytes, len, &info)) {
			CHECK(IsConsistent(type, info, len));
			++parsed;
		} else {
			CHECK(IsReset(info));
		}
	}
	return parsed;
}

// ---------------------------------------------------------------------------------
// Samples. Comments give the fields each octet encodes.

// VP8 (RFC 7741 §4.2, §4.3).
const Bytes kVp8KeyMinimal = {
	0x10,             // X=0 N=0 S=1 PID=0
	0x50, 0x42, 0x00, // payload header: Size0=0b010, H=1, VER=0, P=0 (key frame), size
	0x9d, 0x01, 0x2a, // key frame start code (RFC 6386 §9.1)
	0x80, 0x02, 0xe0, 0x01, // width 640, height 480
};
const Bytes kVp8DeltaFull = {
	0x90,       // X=1 S=1 PID=0
	0xe0,       // I=1 L=1 T=1 K=0
	0x92, 0x34, // M=1, PictureID 0x1234 (15 bits)
	0x56,       // TL0PICIDX
	0xa0,       // TID=2 Y=1 KEYIDX=0
	0x31, 0x01, 0x00, // payload header with P=1 (inter frame)
};
const Bytes kVp8Continuation = {
	0xa0,       // X=1 N=1 S=0 PID=0
	0x80,       // I=1
	0x05,       // M=0, PictureID 5 (7 bits)
	0x00, 0x11, // partition data (a 0 here is not a payload header: S=0)
};
const Bytes kVp8KeyIdx = {
	0x92,       // X=1 S=1 PID=2: a later partition, so not a frame start
	0x10,       // K=1 only
	0x1f,       // TID/Y ignored (T=0), KEYIDX=31
	0x00,
};

// VP9 (RFC 9628 §4.2, §4.2.1).
const Bytes kVp9KeyWithSs = {
	0xae,       // I=1 P=0 L=1 F=0 B=1 E=1 V=1 Z=0
	0x81, 0x02, // M=1, picture id 0x0102
	0x00,       // TID=0 U=0 SID=0 D=0
	0x07,       // TL0PICIDX
	0x58,       // SS: N_S=2 (3 layers) Y=1 G=1
	0x01, 0x40, 0x00, 0xb4, // 320x180
	0x02, 0x80, 0x01, 0x68, // 640x360
	0x05, 0x00, 0x02, 0xd0, // 1280x720
	0x02,       // N_G=2
	0x04, 0x01, // TID=0 U=0 R=1, P_DIFF 1
	0x38, 0x01, 0x02, // TID=1 U=1 R=2, P_DIFFs 1 and 2
	0x82, 0x49, 0x83, 0x42, // VP9 frame data
};
const Bytes kVp9FlexibleDelta = {
	0xf8,       // I=1 P=1 L=1 F=1 B=1 E=0 V=0 Z=0
	0x2a,       // M=0, picture id 42
	0x53,       // TID=2 U=1 SID=1 D=1
	0x03,       // P_DIFF=1 N=1
	0x04,       // P_DIFF=2 N=0
	0x86, 0x00, 0x40,
};
const Bytes kVp9UpperSpatialIntra = {
	0x28,       // L=1 B=1 (P=0 but spatial layer 1: not a key frame start)
	0x02,       // TID=0 U=0 SID=1 D=0
	0x09,       // TL0PICIDX
	0x82, 0x49,
};
const Bytes kVp9Minimal = {
	0x08,       // B=1, nothing else: not predicted, no layers, so a key frame
	0x82, 0x49, 0x83,
};
const Bytes kVp9MiddleOfFrame = {
	0xa4,       // I=1 L=1 E=1 (B=0)
	0x05,       // picture id 5
	0x20,       // TID=1 SID=0
	0x03,       // TL0PICIDX
	0xff, 0xee,
};

// H.264 (RFC 6184 §5.6-5.8). NAL headers: 0x67 SPS, 0x68 PPS, 0x65 IDR, 0x41 slice,
// all NRI=3 or 2. A slice body starting with a 1 bit has first_mb_in_slice 0.
const Bytes kH264StapASpsPpsIdr = {
	0x78,                         // F=0 NRI=3 type 24 (STAP-A)
	0x00, 0x05, 0x67, 0x42, 0xc0, 0x1f, 0xda, // SPS
	0x00, 0x04, 0x68, 0xce, 0x3c, 0x80,       // PPS
	0x00, 0x04, 0x65, 0x88, 0x84, 0x00,       // IDR slice, first_mb_in_slice 0
};
const Bytes kH264SingleIdr = {0x65, 0x88, 0x84, 0x21, 0xa0};
const Bytes kH264SingleSlice = {0x41, 0x9a, 0x02, 0x0c};
const Bytes kH264SecondSlice = {0x41, 0x5a, 0x02, 0x0c}; // first_mb_in_slice != 0
const Bytes kH264SingleSps = {0x67, 0x42, 0xc0, 0x1f, 0xda};
const Bytes kH264NonReference = {0x01, 0x9a, 0x02}; // NRI=0 slice
const Bytes kH264FuAIdrStart = {
	0x7c,       // FU indicator: NRI=3 type 28
	0x85,       // FU header: S=1 E=0 type 5
	0x88, 0x84, 0x00, 0x33,
};
const Bytes kH264FuAIdrMiddle = {0x7c, 0x05, 0x12, 0x34, 0x56};
const Bytes kH264FuAIdrEnd = {0x7c, 0x45, 0x12, 0x34};
const Bytes kH264FuASliceStart = {0x5c, 0x81, 0x9a, 0x00}; // NRI=2, slice type 1
const Bytes kH264StapB = {
	0x79,       // STAP-B
	0x00, 0x10, // DON
	0x00, 0x05, 0x67, 0x42, 0xc0, 0x1f, 0xda,
	0x00, 0x02, 0x65, 0x88,
};
const Bytes kH264FuBIdrStart = {0x7d, 0x85, 0x00, 0x10, 0x88, 0x84};

// H.265 (RFC 7798 §4.4). Two-octet NAL headers with LayerId 0: type << 1, then TID.
const Bytes kH265ApVpsSpsPpsIdr = {
	0x60, 0x01,                               // type 48 (AP), TID=1
	0x00, 0x04, 0x40, 0x01, 0x0c, 0x01,       // VPS (32)
	0x00, 0x05, 0x42, 0x01, 0x01, 0x01, 0x60, // SPS (33)
	0x00, 0x03, 0x44, 0x01, 0xc0,             // PPS (34)
	0x00, 0x04, 0x26, 0x01, 0xaf, 0x06,       // IDR_W_RADL (19), first slice segment
};
const Bytes kH265FuIdrStart = {
	0x62, 0x01, // type 49 (FU), TID=1
	0x93,       // S=1 E=0 FuType 19
	0xaf, 0x06, 0xb8,
};
const Bytes kH265FuIdrMiddle = {0x62, 0x01, 0x13, 0x12, 0x34};
const Bytes kH265FuIdrEnd = {0x62, 0x01, 0x53, 0x12};
const Bytes kH265TrailFirst = {0x02, 0x03, 0xd0, 0x10}; // TRAIL_R, TID=3, first slice segment
const Bytes kH265TrailSecond = {0x02, 0x01, 0x50, 0x10}; // not the first slice segment
const Bytes kH265Cra = {0x2a, 0x01, 0x80, 0x11};
const Bytes kH265Bla = {0x20, 0x01, 0x80}; // BLA_W_LP (16)

// AV1 (RTP payload format for AV1 §4.4; OBU header AV1 §5.3.2). OBU header octets:
// 0x08 sequence header, 0x30 frame, 0x34 frame with extension, 0x18 frame header.
const Bytes kAv1NewSequence = {
	0x28,       // Z=0 Y=0 W=2 N=1
	0x0b,       // element 1: length 11
	0x08, 0x00, 0x00, 0x00, 0x42, 0xa7, 0xbf, 0xe4, 0x60, 0x0d, 0x00, // sequence header
	0x34, 0x00, 0x10, 0x01, 0x55, // element 2 (no length): frame, temporal 0 spatial 0
};
const Bytes kAv1Delta = {
	0x00,       // Z=0 Y=0 W=0 N=0
	0x04,       // length 4
	0x34, 0x28, 0x31, 0x02, // frame with extension: temporal_id 1, spatial_id 1
};
const Bytes kAv1Continuation = {
	0x90,       // Z=1 W=1
	0xff, 0x80, 0x00, // the rest of an OBU fragment (no header to read)
};
const Bytes kAv1ContinuationThenFrameHeader = {
	0xc0,       // Z=1 Y=1 W=0
	0x02, 0x11, 0x22, // length 2: fragment tail
	0x02, 0x18, 0x00, // length 2: frame header, continues in the next packet
};
const Bytes kAv1ThreeElements = {
	0x30,       // W=3
	0x01, 0x10, // temporal delimiter (type 2), header only
	0x02, 0x18, 0x00, // frame header
	0x20, 0x01, 0x02, // tile group (type 4), no length field
};

// A 200-octet frame OBU behind a two-octet leb128 length.
Bytes Av1LongElement() {
	Bytes bytes = {0x00, 0xc8, 0x01, 0x30};
	bytes.resize(3 + 200, 0x5a);
	return bytes;
}

struct Sample {
	CodecType type;
	const Bytes* bytes;
};

const Sample kValidSamples[] = {
	{CodecType::Vp8, &kVp8KeyMinimal},
	{CodecType::Vp8, &kVp8DeltaFull},
	{CodecType::Vp8, &kVp8Continuation},
	{CodecType::Vp8, &kVp8KeyIdx},
	{CodecType::Vp9, &kVp9KeyWithSs},
	{CodecType::Vp9, &kVp9FlexibleDelta},
	{CodecType::Vp9, &kVp9UpperSpatialIntra},
	{CodecType::Vp9, &kVp9Minimal},
	{CodecType::Vp9, &kVp9MiddleOfFrame},
	{CodecType::H264, &kH264StapASpsPpsIdr},
	{CodecType::H264, &kH264SingleIdr},
	{CodecType::H264, &kH264SingleSlice},
	{CodecType::H264, &kH264SecondSlice},
	{CodecType::H264, &kH264SingleSps},
	{CodecType::H264, &kH264NonReference},
	{CodecType::H264, &kH264FuAIdrStart},
	{CodecType::H264, &kH264FuAIdrMiddle},
	{CodecType::H264, &kH264FuAIdrEnd},
	{CodecType::H264, &kH264FuASliceStart},
	{CodecType::H264, &kH264StapB},
	{CodecType::H264, &kH264FuBIdrStart},
	{CodecType::H265, &kH265ApVpsSpsPpsIdr},
	{CodecType::H265, &kH265FuIdrStart},
	{CodecType::H265, &kH265FuIdrMiddle},
	{CodecType::H265, &kH265FuIdrEnd},
	{CodecType::H265, &kH265TrailFirst},
	{CodecType::H265, &kH265TrailSecond},
	{CodecType::H265, &kH265Cra},
	{CodecType::H265, &kH265Bla},
	{CodecType::Av1, &kAv1NewSequence},
	{CodecType::Av1, &kAv1Delta},
	{CodecType::Av1, &kAv1Continuation},
	{CodecType::Av1, &kAv1ContinuationThenFrameHeader},
	{CodecType::Av1, &kAv1ThreeElements},
};

const CodecType kInspectable[] = {
	CodecType::Vp8, CodecType::Vp9, CodecType::H264, CodecType::H265, CodecType::Av1};

} // namespace

// ---------------------------------------------------------------------------------
// CodecType

TEST(codec_type_from_mime_type) {
	CHECK(mediaplane::CodecTypeFromMimeType("video/VP8") == CodecType::Vp8);
	CHECK(mediaplane::CodecTypeFromMimeType("video/vp8") == CodecType::Vp8);
	CHECK(mediaplane::CodecTypeFromMimeType("VIDEO/Vp8") == CodecType::Vp8);
	CHECK(mediaplane::CodecTypeFromMimeType("video/VP9") == CodecType::Vp9);
	CHECK(mediaplane::CodecTypeFromMimeType("video/h264") == CodecType::H264);
	CHECK(mediaplane::CodecTypeFromMimeType("video/H265") == CodecType::H265);
	CHECK(mediaplane::CodecTypeFromMimeType("video/AV1") == CodecType::Av1);
	CHECK(mediaplane::CodecTypeFromMimeType("video/rtx") == CodecType::Rtx);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/opus") == CodecType::Opus);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/OPUS") == CodecType::Opus);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/multiopus") == CodecType::Multiopus);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/PCMU") == CodecType::Pcmu);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/pcma") == CodecType::Pcma);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/G722") == CodecType::G722);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/ilbc") == CodecType::Ilbc);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/SILK") == CodecType::Silk);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/CN") == CodecType::Cn);
	CHECK(mediaplane::CodecTypeFromMimeType("audio/telephone-event") == CodecType::TelephoneEvent);
	// Wrong top-level type, extra characters, partial names.
	CHECK(mediaplane::CodecTypeFromMimeType("audio/VP8") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType("video/opus") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType("video/VP8 ") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType("VP8") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType("video/") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType("") == CodecType::Unknown);
	CHECK(mediaplane::CodecTypeFromMimeType(std::string("video/VP8\0", 10)) == CodecType::Unknown);
}

TEST(codec_type_mime_type_round_trip_and_is_video) {
	const CodecType all[] = {CodecType::Opus, CodecType::Multiopus, CodecType::Pcmu, CodecType::Pcma,
		CodecType::G722, CodecType::Ilbc, CodecType::Silk, CodecType::Cn, CodecType::TelephoneEvent,
		CodecType::Vp8, CodecType::Vp9, CodecType::H264, CodecType::H265, CodecType::Av1, CodecType::Rtx};
	for (CodecType type : all) {
		const std::string_view mime = mediaplane::CodecTypeMimeType(type);
		CHECK(!mime.empty());
		CHECK(mediaplane::CodecTypeFromMimeType(mime) == type);
		CHECK_EQ(mediaplane::IsVideo(type), mime.substr(0, 6) == "video/");
	}
	CHECK(mediaplane::CodecTypeMimeType(CodecType::Unknown).empty());
	CHECK(!mediaplane::IsVideo(CodecType::Unknown));
	CHECK(!mediaplane::IsVideo(CodecType::Opus));
	CHECK(mediaplane::IsVideo(CodecType::Vp8));
	CHECK(mediaplane::IsVideo(CodecType::Rtx));
}

// ---------------------------------------------------------------------------------
// VP8

TEST(vp8_key_frame_minimal_descriptor) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp8, kVp8KeyMinimal, &info));
	CHECK(info.valid);
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(!info.isFrameEnd);
	CHECK(!info.hasPictureId);
	CHECK(!info.hasTl0PicIdx);
	CHECK_EQ(info.temporalLayer, -1);
	CHECK_EQ(info.spatialLayer, -1);
	CHECK_EQ(info.descriptorLength, 1u);
	CHECK(!info.isDiscardable);
}

TEST(vp8_delta_frame_with_all_extensions) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp8, kVp8DeltaFull, &info));
	CHECK(!info.isKeyFrame); // P=1
	CHECK(info.isFrameStart);
	CHECK(info.hasPictureId);
	CHECK_EQ(info.pictureId, 0x1234);
	CHECK_EQ(info.pictureIdBits, 15);
	CHECK_EQ(info.pictureIdOffset, 2u);
	CHECK(info.hasTl0PicIdx);
	CHECK_EQ(info.tl0PicIdx, 0x56);
	CHECK_EQ(info.tl0PicIdxOffset, 4u);
	CHECK_EQ(info.temporalLayer, 2);
	CHECK(info.isLayerSync);
	CHECK_EQ(info.keyIdx, -1);
	CHECK_EQ(info.descriptorLength, 6u);
}

TEST(vp8_continuation_packet_is_not_a_key_frame) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp8, kVp8Continuation, &info));
	CHECK(!info.isFrameStart);
	CHECK(!info.isKeyFrame); // the 0x00 after the descriptor is not a payload header
	CHECK(info.isDiscardable);
	CHECK(info.hasPictureId);
	CHECK_EQ(info.pictureId, 5);
	CHECK_EQ(info.pictureIdBits, 7);
	CHECK_EQ(info.pictureIdOffset, 2u);
	CHECK_EQ(info.temporalLayer, -1);
}

TEST(vp8_keyidx_without_tid_and_later_partition) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp8, kVp8KeyIdx, &info));
	CHECK(!info.isFrameStart); // S=1 but PID=2
	CHECK(!info.isKeyFrame);
	CHECK_EQ(info.keyIdx, 31);
	CHECK_EQ(info.temporalLayer, -1); // T=0: TID is not meaningful
	CHECK(!info.isLayerSync);
	CHECK_EQ(info.descriptorLength, 3u);
}

TEST(vp8_malformed) {
	PayloadInfo info;
	CHECK(!Inspect(CodecType::Vp8, Bytes{}, &info));
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x10}, &info));             // no VP8 data
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80}, &info));             // X without its octet
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80, 0x80}, &info));       // I without PictureID
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80, 0x80, 0x81}, &info)); // 15-bit id cut
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80, 0x40}, &info));       // L without TL0PICIDX
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80, 0x20}, &info));       // T without its octet
	CHECK(!Inspect(CodecType::Vp8, Bytes{0x80, 0xf0, 0x81, 0x00, 0x00, 0x00}, &info)); // all, no data
	CHECK(IsReset(info));
	CHECK(!mediaplane::ParseVp8(nullptr, 0, &info));
	CHECK(IsReset(info));
}

// ---------------------------------------------------------------------------------
// VP9

TEST(vp9_key_frame_with_scalability_structure) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp9, kVp9KeyWithSs, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(info.isFrameEnd);
	CHECK(!info.isInterPicturePredicted);
	CHECK(!info.isFlexibleMode);
	CHECK(info.hasPictureId);
	CHECK_EQ(info.pictureId, 0x0102);
	CHECK_EQ(info.pictureIdBits, 15);
	CHECK_EQ(info.pictureIdOffset, 1u);
	CHECK_EQ(info.temporalLayer, 0);
	CHECK_EQ(info.spatialLayer, 0);
	CHECK(info.hasTl0PicIdx);
	CHECK_EQ(info.tl0PicIdx, 7);
	CHECK_EQ(info.tl0PicIdxOffset, 4u);
	CHECK(info.hasScalabilityStructure);
	CHECK_EQ(info.spatialLayerCount, 3);
	CHECK_EQ(info.descriptorLength, kVp9KeyWithSs.size() - 4);
}

TEST(vp9_flexible_mode_delta_frame) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp9, kVp9FlexibleDelta, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(!info.isFrameEnd);
	CHECK(info.isFlexibleMode);
	CHECK(info.isInterPicturePredicted);
	CHECK_EQ(info.pictureId, 42);
	CHECK_EQ(info.pictureIdBits, 7);
	CHECK_EQ(info.temporalLayer, 2);
	CHECK_EQ(info.spatialLayer, 1);
	CHECK(info.isLayerSync);
	CHECK(info.hasInterLayerDependency);
	CHECK(!info.hasTl0PicIdx); // flexible mode has none
	CHECK_EQ(info.descriptorLength, 5u);
	CHECK_EQ(info.spatialLayerCount, -1);
}

TEST(vp9_upper_spatial_layer_is_not_a_key_frame_start) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp9, kVp9UpperSpatialIntra, &info));
	CHECK(info.isFrameStart);
	CHECK(!info.isInterPicturePredicted);
	CHECK_EQ(info.spatialLayer, 1);
	CHECK(!info.isKeyFrame);
	CHECK(!info.hasPictureId);
	CHECK_EQ(info.tl0PicIdx, 9);
}

TEST(vp9_minimal_and_middle_of_frame) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp9, kVp9Minimal, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK_EQ(info.spatialLayer, -1);
	CHECK_EQ(info.descriptorLength, 1u);

	CHECK(Inspect(CodecType::Vp9, kVp9MiddleOfFrame, &info));
	CHECK(!info.isFrameStart);
	CHECK(info.isFrameEnd);
	CHECK(!info.isKeyFrame);
	CHECK_EQ(info.temporalLayer, 1);
	CHECK_EQ(info.spatialLayer, 0);
	CHECK_EQ(info.tl0PicIdx, 3);
}

TEST(vp9_malformed) {
	PayloadInfo info;
	CHECK(!Inspect(CodecType::Vp9, Bytes{}, &info));
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x08}, &info));        // no VP9 data
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x88}, &info));        // I without picture id
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x88, 0x80}, &info));  // 15-bit id cut
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x28, 0x00}, &info));  // L, F=0 without TL0PICIDX
	// Flexible (0x58: P=1 F=1 B=1), predicted: a fourth reference index (N set on the
	// third).
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x58, 0x03, 0x05, 0x07, 0x09, 0xaa}, &info));
	// Flexible, predicted: N set on the last octet.
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x58, 0x03}, &info));
	// Flexible, predicted, with no reference index at all.
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x58}, &info));
	// SS announcing 8 layers with resolutions, cut short.
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x0a, 0xf0, 0x00, 0x10, 0x00, 0x10, 0xaa}, &info));
	// SS with a picture group of 255 entries and nothing after N_G.
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x0a, 0x08, 0xff}, &info));
	// SS picture group entry announcing 3 P_DIFFs with only 1 present.
	CHECK(!Inspect(CodecType::Vp9, Bytes{0x0a, 0x08, 0x01, 0x0c, 0x01}, &info));
	CHECK(IsReset(info));

	// Three reference indices are allowed.
	CHECK(Inspect(CodecType::Vp9, Bytes{0x58, 0x03, 0x05, 0x06, 0xaa}, &info));
	CHECK_EQ(info.descriptorLength, 4u);
}

// ---------------------------------------------------------------------------------
// H.264

TEST(h264_stap_a_with_sps_pps_idr) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H264, kH264StapASpsPpsIdr, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(info.hasParameterSets);
	CHECK_EQ(info.packetType, 24);
	CHECK(!info.isDiscardable);
	CHECK_EQ(info.temporalLayer, -1);
	CHECK_EQ(info.descriptorLength, 0u);
}

TEST(h264_single_nal_units) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H264, kH264SingleIdr, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(!info.hasParameterSets);
	CHECK_EQ(info.packetType, 5);

	CHECK(Inspect(CodecType::H264, kH264SingleSps, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(info.hasParameterSets);

	CHECK(Inspect(CodecType::H264, kH264SingleSlice, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(!info.isDiscardable);

	CHECK(Inspect(CodecType::H264, kH264SecondSlice, &info));
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);

	CHECK(Inspect(CodecType::H264, kH264NonReference, &info));
	CHECK(info.isDiscardable);
	CHECK(info.isFrameStart);

	// PPS alone: parameter sets and an access unit start, but not a key frame.
	CHECK(Inspect(CodecType::H264, Bytes{0x68, 0xce, 0x3c, 0x80}, &info));
	CHECK(info.hasParameterSets);
	CHECK(info.isFrameStart);
	CHECK(!info.isKeyFrame);
	// Access unit delimiter, SEI: an access unit start.
	CHECK(Inspect(CodecType::H264, Bytes{0x09, 0xf0}, &info));
	CHECK(info.isFrameStart);
	CHECK(Inspect(CodecType::H264, Bytes{0x06, 0x05, 0x01, 0x00}, &info));
	CHECK(info.isFrameStart);
	// End of sequence (10): nothing to say, still valid.
	CHECK(Inspect(CodecType::H264, Bytes{0x0a}, &info));
	CHECK(!info.isFrameStart);
	CHECK(!info.isKeyFrame);
}

TEST(h264_fu_a_of_an_idr) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H264, kH264FuAIdrStart, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK_EQ(info.packetType, 28);

	CHECK(Inspect(CodecType::H264, kH264FuAIdrMiddle, &info));
	CHECK(info.valid);
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);

	CHECK(Inspect(CodecType::H264, kH264FuAIdrEnd, &info));
	CHECK(info.valid);
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);

	CHECK(Inspect(CodecType::H264, kH264FuASliceStart, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.isFrameStart);
}

TEST(h264_stap_b_and_fu_b) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H264, kH264StapB, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.hasParameterSets);
	CHECK_EQ(info.packetType, 25);

	CHECK(Inspect(CodecType::H264, kH264FuBIdrStart, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK_EQ(info.packetType, 29);
}

TEST(h264_malformed) {
	PayloadInfo info;
	CHECK(!Inspect(CodecType::H264, Bytes{}, &info));
	CHECK(!Inspect(CodecType::H264, Bytes{0x00, 0x11}, &info));       // type 0
	CHECK(!Inspect(CodecType::H264, Bytes{0x1e, 0x11}, &info));       // type 30
	CHECK(!Inspect(CodecType::H264, Bytes{0x1f, 0x11}, &info));       // type 31
	CHECK(!Inspect(CodecType::H264, Bytes{0x1a, 0x00, 0x01}, &info)); // MTAP16
	CHECK(!Inspect(CodecType::H264, Bytes{0x1b, 0x00, 0x01}, &info)); // MTAP24
	CHECK(!Inspect(CodecType::H264, Bytes{0x65}, &info));             // IDR slice, no body
	CHECK(!Inspect(CodecType::H264, Bytes{0x78}, &info));             // STAP-A, no unit
	CHECK(!Inspect(CodecType::H264, Bytes{0x78, 0x00, 0x05, 0x67, 0x42}, &info)); // overrun
	CHECK(!Inspect(CodecType::H264, Bytes{0x78, 0x00, 0x00, 0x00, 0x01, 0x67}, &info)); // empty unit
	CHECK(!Inspect(CodecType::H264, Bytes{0x78, 0x00, 0x01, 0x67, 0x00}, &info)); // trailing octet
	CHECK(!Inspect(CodecType::H264, Bytes{0x78, 0x00, 0x02, 0x7c, 0x85}, &info)); // FU inside STAP
	CHECK(!Inspect(CodecType::H264, Bytes{0x78, 0x00, 0x01, 0x65}, &info)); // aggregated IDR, no body
	CHECK(!Inspect(CodecType::H264, Bytes{0x79, 0x00}, &info));       // STAP-B, DON cut
	CHECK(!Inspect(CodecType::H264, Bytes{0x7c}, &info));             // FU-A, no FU header
	CHECK(!Inspect(CodecType::H264, Bytes{0x7c, 0x85}, &info));       // FU-A, no data
	CHECK(!Inspect(CodecType::H264, Bytes{0x7c, 0x05}, &info));       // FU-A middle, no data
	CHECK(!Inspect(CodecType::H264, Bytes{0x7c, 0x9c, 0x01}, &info)); // FU of an FU
	CHECK(!Inspect(CodecType::H264, Bytes{0x7c, 0x80, 0x01}, &info)); // FU of type 0
	CHECK(!Inspect(CodecType::H264, Bytes{0x7d, 0x85, 0x00, 0x01}, &info)); // FU-B, no data
	CHECK(IsReset(info));
}

// ---------------------------------------------------------------------------------
// H.265

TEST(h265_aggregation_packet_with_parameter_sets_and_idr) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H265, kH265ApVpsSpsPpsIdr, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(info.hasParameterSets);
	CHECK_EQ(info.packetType, 48);
	CHECK_EQ(info.temporalLayer, 0);
	CHECK_EQ(info.spatialLayer, -1);
}

TEST(h265_fragmentation_unit_of_an_idr) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H265, kH265FuIdrStart, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK_EQ(info.packetType, 49);

	CHECK(Inspect(CodecType::H265, kH265FuIdrMiddle, &info));
	CHECK(info.valid);
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);

	CHECK(Inspect(CodecType::H265, kH265FuIdrEnd, &info));
	CHECK(info.valid);
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);
}

TEST(h265_single_nal_units) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::H265, kH265TrailFirst, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK_EQ(info.temporalLayer, 2);
	CHECK_EQ(info.packetType, 1);

	CHECK(Inspect(CodecType::H265, kH265TrailSecond, &info));
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);

	CHECK(Inspect(CodecType::H265, kH265Cra, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);

	CHECK(Inspect(CodecType::H265, kH265Bla, &info));
	CHECK(info.isKeyFrame);

	// IDR_N_LP (20), not the first slice segment: key, but not where a frame starts.
	CHECK(Inspect(CodecType::H265, Bytes{0x28, 0x01, 0x40}, &info));
	CHECK(info.isKeyFrame);
	CHECK(!info.isFrameStart);
	// RSV_IRAP_VCL22 (22) is not listed as key.
	CHECK(Inspect(CodecType::H265, Bytes{0x2c, 0x01, 0x80}, &info));
	CHECK(!info.isKeyFrame);
	// SPS alone marks a key frame start; PPS alone does not.
	CHECK(Inspect(CodecType::H265, Bytes{0x42, 0x01, 0x01}, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.hasParameterSets);
	CHECK(Inspect(CodecType::H265, Bytes{0x44, 0x01, 0xc0}, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.hasParameterSets);
	CHECK(info.isFrameStart);
	// Access unit delimiter and prefix SEI start an access unit.
	CHECK(Inspect(CodecType::H265, Bytes{0x46, 0x01, 0x50}, &info));
	CHECK(info.isFrameStart);
	CHECK(Inspect(CodecType::H265, Bytes{0x4e, 0x01, 0x05}, &info));
	CHECK(info.isFrameStart);
	// Layer id bits do not disturb the type or TID.
	CHECK(Inspect(CodecType::H265, Bytes{0x27, 0xfa, 0x80}, &info)); // type 19, LayerId 63, TID 2
	CHECK(info.isKeyFrame);
	CHECK_EQ(info.temporalLayer, 1);
}

TEST(h265_malformed) {
	PayloadInfo info;
	CHECK(!Inspect(CodecType::H265, Bytes{}, &info));
	CHECK(!Inspect(CodecType::H265, Bytes{0x02}, &info));             // half a header
	CHECK(!Inspect(CodecType::H265, Bytes{0x02, 0x00, 0x80}, &info)); // TID 0
	CHECK(!Inspect(CodecType::H265, Bytes{0x26, 0x01}, &info));       // IDR, no body
	CHECK(!Inspect(CodecType::H265, Bytes{0x64, 0x01, 0x00, 0x00, 0xaa}, &info)); // PACI
	CHECK(!Inspect(CodecType::H265, Bytes{0x6e, 0x01, 0x00}, &info)); // type 55
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01}, &info));       // AP, no unit
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01, 0x00, 0x01, 0x40}, &info)); // unit of 1
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01, 0x00, 0x09, 0x40, 0x01}, &info)); // overrun
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01, 0x00, 0x02, 0x40, 0x01, 0x00}, &info)); // trailing
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01, 0x00, 0x03, 0x62, 0x01, 0x93}, &info)); // FU in AP
	CHECK(!Inspect(CodecType::H265, Bytes{0x60, 0x01, 0x00, 0x02, 0x26, 0x01}, &info)); // IDR, no body
	CHECK(!Inspect(CodecType::H265, Bytes{0x62, 0x01}, &info));       // FU, no FU header
	CHECK(!Inspect(CodecType::H265, Bytes{0x62, 0x01, 0x93}, &info)); // FU start, no data
	CHECK(!Inspect(CodecType::H265, Bytes{0x62, 0x01, 0x13}, &info)); // FU middle, no data
	CHECK(!Inspect(CodecType::H265, Bytes{0x62, 0x01, 0xb1, 0xaa}, &info)); // FuType 49
	CHECK(IsReset(info));
}

// ---------------------------------------------------------------------------------
// AV1

TEST(av1_new_coded_video_sequence_is_a_key_frame) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Av1, kAv1NewSequence, &info));
	CHECK(info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(info.hasParameterSets);
	CHECK_EQ(info.packetType, 1);
	CHECK_EQ(info.temporalLayer, 0);
	CHECK_EQ(info.spatialLayer, 0);
	CHECK_EQ(info.descriptorLength, 1u);
}

TEST(av1_delta_frame_with_layers) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Av1, kAv1Delta, &info));
	CHECK(!info.isKeyFrame);
	CHECK(info.isFrameStart);
	CHECK(!info.hasParameterSets);
	CHECK_EQ(info.packetType, 6);
	CHECK_EQ(info.temporalLayer, 1);
	CHECK_EQ(info.spatialLayer, 1);
}

TEST(av1_continuations_and_element_counts) {
	PayloadInfo info;
	CHECK(Inspect(CodecType::Av1, kAv1Continuation, &info));
	CHECK(info.valid);
	CHECK(!info.isKeyFrame);
	CHECK(!info.isFrameStart);
	CHECK_EQ(info.packetType, -1);
	CHECK_EQ(info.temporalLayer, -1);

	// A frame header starts in the packet, but behind the tail of an earlier OBU.
	CHECK(Inspect(CodecType::Av1, kAv1ContinuationThenFrameHeader, &info));
	CHECK(!info.isFrameStart);
	CHECK_EQ(info.packetType, 3);

	CHECK(Inspect(CodecType::Av1, kAv1ThreeElements, &info));
	CHECK(info.isFrameStart);
	CHECK(!info.isKeyFrame);
	CHECK_EQ(info.packetType, 2);

	CHECK(Inspect(CodecType::Av1, Av1LongElement(), &info));
	CHECK(info.isFrameStart);
	CHECK_EQ(info.packetType, 6);

	// An extension header cut off at the end of a packet whose OBU continues (Y=1).
	CHECK(Inspect(CodecType::Av1, Bytes{0x50, 0x34}, &info));
	CHECK_EQ(info.temporalLayer, -1);
	CHECK(info.isFrameStart);
}

TEST(av1_malformed) {
	PayloadInfo info;
	CHECK(!Inspect(CodecType::Av1, Bytes{}, &info));
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00}, &info));                  // no element
	CHECK(!Inspect(CodecType::Av1, Bytes{0x10}, &info));                  // W=1, no element
	CHECK(!Inspect(CodecType::Av1, Bytes{0x88, 0x01, 0x30}, &info));      // N=1 with Z=1
	CHECK(!Inspect(CodecType::Av1, Bytes{0x20, 0x02, 0x30, 0x00}, &info)); // W=2, one element
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00, 0x05, 0x30, 0x00}, &info)); // length overrun
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00, 0x00, 0x30}, &info));      // zero length
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00, 0x80}, &info));            // leb128 cut
	CHECK(!Inspect(CodecType::Av1,
	    Bytes{0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x30}, &info)); // 9 octets
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x30}, &info)); // > 2^32-1
	CHECK(!Inspect(CodecType::Av1, Bytes{0x10, 0xb0, 0x00}, &info));      // forbidden bit
	CHECK(!Inspect(CodecType::Av1, Bytes{0x10, 0x34}, &info));            // extension cut, Y=0
	CHECK(!Inspect(CodecType::Av1, Bytes{0x00, 0x01, 0x34, 0x01, 0x30}, &info)); // extension cut mid-packet
	CHECK(IsReset(info));
	// A non-minimal but in-range leb128 is fine.
	CHECK(Inspect(CodecType::Av1, Bytes{0x00, 0x81, 0x80, 0x00, 0x30}, &info));
}

// ---------------------------------------------------------------------------------
// Dispatcher, truncation and random input

TEST(inspect_payload_dispatches_by_codec) {
	for (CodecType type : kInspectable) CHECK(mediaplane::CanInspectPayload(type));
	const CodecType others[] = {CodecType::Unknown, CodecType::Opus, CodecType::Multiopus, CodecType::Pcmu,
		CodecType::Pcma, CodecType::G722, CodecType::Ilbc, CodecType::Silk, CodecType::Cn,
		CodecType::TelephoneEvent, CodecType::Rtx};
	for (CodecType type : others) {
		CHECK(!mediaplane::CanInspectPayload(type));
		PayloadInfo info;
		info.valid = true;
		CHECK(!Inspect(type, kVp8KeyMinimal, &info));
		CHECK(IsReset(info));
	}
	// The same bytes mean different things to different parsers.
	PayloadInfo info;
	CHECK(Inspect(CodecType::Vp8, kVp8KeyMinimal, &info) && info.isKeyFrame);
	// 0x10 to VP9 is F=1 with B=0: flexible mode, not a frame start.
	CHECK(Inspect(CodecType::Vp9, kVp8KeyMinimal, &info) && info.isFlexibleMode && !info.isFrameStart);
	CHECK(!info.isKeyFrame);
	// 0x10 to H.264 is a single NAL unit of reserved type 16.
	CHECK(Inspect(CodecType::H264, kVp8KeyMinimal, &info) && !info.isKeyFrame && info.packetType == 16);
	// 0x10 0x50 to H.265 is TID 0: invalid.
	CHECK(!Inspect(CodecType::H265, kVp8KeyMinimal, &info));
}

TEST(every_truncation_of_every_sample) {
	size_t samples = 0;
	for (const Sample& sample : kValidSamples) {
		PayloadInfo info;
		CHECK(Inspect(sample.type, *sample.bytes, &info));
		CHECK(IsConsistent(sample.type, info, sample.bytes->size()));
		const size_t parsed = CheckTruncations(sample.type, *sample.bytes);
		CHECK(parsed >= 1); // the full sample at least
		// The sample parsed under every other codec's parser too must not crash.
		for (CodecType other : kInspectable) CheckTruncations(other, *sample.bytes);
		++samples;
	}
	CheckTruncations(CodecType::Av1, Av1LongElement());
	CHECK_EQ(samples, sizeof(kValidSamples) / sizeof(kValidSamples[0]));
}

TEST(random_bytes_fixed_seed) {
	std::mt19937 random(0x6d656469); // fixed: failures reproduce
	size_t accepted = 0;
	for (int iteration = 0; iteration < 20000; ++iteration) {
		const size_t len = random() % 48;
		Bytes bytes(len);
		for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
		for (CodecType type : kInspectable) {
			PayloadInfo info;
			if (Inspect(type, bytes, &info)) {
				CHECK(IsConsistent(type, info, len));
				++accepted;
			} else {
				CHECK(IsReset(info));
			}
		}
	}
	CHECK(accepted > 0); // random bytes do parse sometimes: the loop reaches the parsers' depths
}

TEST(mutated_samples_fixed_seed) {
	std::mt19937 random(0x706c616e);
	for (int iteration = 0; iteration < 20000; ++iteration) {
		const Sample& sample = kValidSamples[random() % (sizeof(kValidSamples) / sizeof(kValidSamples[0]))];
		Bytes bytes = *sample.bytes;
		const int flips = 1 + static_cast<int>(random() % 4);
		for (int i = 0; i < flips; ++i) {
			bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
		}
		if (random() % 4 == 0) bytes.resize(random() % (bytes.size() + 1));
		PayloadInfo info;
		if (Inspect(sample.type, bytes, &info)) {
			CHECK(IsConsistent(sample.type, info, bytes.size()));
		} else {
			CHECK(IsReset(info));
		}
	}
}
