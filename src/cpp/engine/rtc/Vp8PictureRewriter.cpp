#include "Vp8PictureRewriter.hpp"

namespace mediaplane {

namespace {

uint16_t Mask(uint8_t bits) { return bits == 15 ? 0x7fff : 0x7f; }

// Whether `a` is newer than `b` in a modulo-2^bits space (half the space ahead).
bool IsNewer(uint16_t a, uint16_t b, uint8_t bits) {
	const uint16_t mask = Mask(bits);
	uint16_t diff = static_cast<uint16_t>((a - b) & mask);
	return diff != 0 && diff <= (mask >> 1);
}

} // namespace

void Vp8PictureRewriter::DropPicture(const PayloadInfo& in) {
	if (!in.hasPictureId || syncRequired_) return;
	if (hasNewestIn_ && !IsNewer(in.pictureId, newestInPictureId_, in.pictureIdBits)) return; // seen already
	newestInPictureId_ = in.pictureId;
	hasNewestIn_ = true;
	pictureOffset_ = static_cast<uint16_t>(pictureOffset_ - 1);
}

void Vp8PictureRewriter::Map(const PayloadInfo& in, uint16_t* pictureId, uint8_t* tl0PicIdx) {
	if (syncRequired_) {
		syncRequired_ = false;
		if (started_) {
			if (in.hasPictureId) pictureOffset_ = static_cast<uint16_t>(lastOutPictureId_ + 1 - in.pictureId);
			if (in.hasTl0PicIdx) tl0Offset_ = static_cast<uint8_t>(lastOutTl0_ + 1 - in.tl0PicIdx);
		}
		hasNewestIn_ = false;
	}
	const uint16_t mask = Mask(in.pictureIdBits);
	*pictureId = static_cast<uint16_t>((in.pictureId + pictureOffset_) & mask);
	*tl0PicIdx = static_cast<uint8_t>(in.tl0PicIdx + tl0Offset_);
	if (in.hasPictureId) {
		if (!hasNewestIn_ || IsNewer(in.pictureId, newestInPictureId_, in.pictureIdBits)) {
			newestInPictureId_ = in.pictureId;
			hasNewestIn_ = true;
		}
		if (!started_ || IsNewer(*pictureId, lastOutPictureId_, in.pictureIdBits)) lastOutPictureId_ = *pictureId;
	}
	if (in.hasTl0PicIdx && (!started_ || static_cast<int8_t>(*tl0PicIdx - lastOutTl0_) > 0)) lastOutTl0_ = *tl0PicIdx;
	started_ = true;
}

void Vp8PictureRewriter::Write(uint8_t* payload, size_t len, const PayloadInfo& in, uint16_t pictureId,
                               uint8_t tl0PicIdx) {
	if (in.hasPictureId) {
		if (in.pictureIdBits == 15 && in.pictureIdOffset + 1 < len) {
			payload[in.pictureIdOffset] = static_cast<uint8_t>(0x80 | ((pictureId >> 8) & 0x7f));
			payload[in.pictureIdOffset + 1] = static_cast<uint8_t>(pictureId & 0xff);
		} else if (in.pictureIdBits == 7 && in.pictureIdOffset < len) {
			payload[in.pictureIdOffset] = static_cast<uint8_t>(pictureId & 0x7f);
		}
	}
	if (in.hasTl0PicIdx && in.tl0PicIdxOffset < len) payload[in.tl0PicIdxOffset] = tl0PicIdx;
}

} // namespace mediaplane
