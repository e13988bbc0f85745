#include "SvcLayers.hpp"

#include <algorithm>

namespace mediaplane {

void SvcLayers::EvaluateTarget(uint64_t nowMs) {
	// The highest received layer at or below the preferred one; layer 0 always (every
	// picture has it, and the receiver needs something).
	int target = 0;
	for (int s = preferredSpatial_; s > 0; --s) {
		if (WasReceivedRecently(s, nowMs)) {
			target = s;
			break;
		}
	}
	targetSpatial_ = target;
}

SvcLayers::Decision SvcLayers::OnPacket(const Packet& packet, uint64_t nowMs) {
	Decision decision;
	const int spatial = std::clamp(packet.spatialLayer, 0, GetSpatialLayerCount() - 1);
	NotePacket(spatial, nowMs);

	// A picture starts with the first packet of its lowest layer frame.
	const bool pictureStart = packet.isFrameStart && spatial == 0;
	if (pictureStart) inKeyPicture_ = packet.isKeyFrame;
	if (currentSpatial_ >= 0 && inKeyPicture_ && packet.isFrameStart && spatial == currentSpatial_ + 1 &&
	    spatial <= targetSpatial_) {
		// Within a key picture an upper layer frame depends only on the layer below it
		// (and the target may have risen as the layer's first packets were seen).
		SetCurrent(spatial, currentTemporal_);
	}
	decision.action = Action::Forward;
	if (currentSpatial_ < 0) {
		if (!packet.isKeyFrame) {
			decision.action = Action::DropAwaitingKeyFrame;
			return decision;
		}
		SetCurrent(targetSpatial_, preferredTemporal_);
		decision.action = Action::ForwardSynced;
	} else if (pictureStart) {
		int spatialNext = currentSpatial_;
		int temporalNext = currentTemporal_;
		// Down at any picture start; up only on a key picture.
		if (targetSpatial_ < currentSpatial_ || (targetSpatial_ > currentSpatial_ && packet.isKeyFrame)) {
			spatialNext = targetSpatial_;
		}
		if (packet.temporalLayer <= 0 || packet.isKeyFrame) temporalNext = preferredTemporal_;
		SetCurrent(spatialNext, temporalNext);
	}

	if (spatial > currentSpatial_ || packet.temporalLayer > currentTemporal_) {
		decision.action = Action::DropLayer;
		return decision;
	}
	decision.setMarker = packet.isFrameEnd && spatial == currentSpatial_;
	return decision;
}

} // namespace mediaplane
