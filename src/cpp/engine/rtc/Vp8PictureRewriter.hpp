#pragma once
// Keeps a VP8 consumer's PictureID and TL0PICIDX (RFC 7741 §4.2) continuous when the
// packets it forwards come from several encodings (simulcast switches) or skip
// pictures (temporal layers dropped).
//
// Why: a receiver orders VP8 frames by PictureID and, with temporal layers, waits for
// every missing PictureID between a frame and the one it references (libwebrtc stashes
// such frames until the gap fills, which it never would). Each simulcast encoding also
// numbers its pictures independently, so a switch would jump the ids backwards or
// forwards. So: after a switch the next picture continues from the last id sent, and a
// dropped picture moves every later id down by one. TL0PICIDX counts TL0 frames, which
// are never dropped, so it only needs re-basing at a switch. Pure logic plus an in-place
// write of the rewritten fields.

#include <cstddef>
#include <cstdint>

#include "../rtp/codecs/PayloadInfo.hpp"

namespace mediaplane {

class Vp8PictureRewriter {
public:
	// The next forwarded picture starts a new run of ids (a stream switch or restart).
	void RequestSync() { syncRequired_ = true; }

	// A packet of a picture that is not forwarded. Called for each of its packets; the
	// ids of later pictures shift down once per picture.
	void DropPicture(const PayloadInfo& in);

	// The ids to write into a forwarded packet with the descriptor `in`.
	void Map(const PayloadInfo& in, uint16_t* pictureId, uint8_t* tl0PicIdx);

	// Writes the ids into the payload descriptor at the offsets `in` recorded (same
	// field widths as the input, so the packet length does not change).
	static void Write(uint8_t* payload, size_t len, const PayloadInfo& in, uint16_t pictureId, uint8_t tl0PicIdx);

private:
	bool started_ = false;
	bool syncRequired_ = true;
	uint16_t pictureOffset_ = 0;
	uint8_t tl0Offset_ = 0;
	uint16_t lastOutPictureId_ = 0;
	uint8_t lastOutTl0_ = 0;
	// The newest input picture seen on the current run, forwarded or dropped.
	bool hasNewestIn_ = false;
	uint16_t newestInPictureId_ = 0;
};

} // namespace mediaplane
