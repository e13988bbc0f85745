#include "SvcLayers.hpp"

#include <algorithm>

namespace mediaplane {

SvcLayers::SvcLayers(int spatialLayers, int temporalLayers)
    : lastPacketMs_(static_cast<size_t>(std::max(1, spatialLayers)), 0),
      temporalLayers_(std::max(1, temporalLayers)),
      preferredSpatial_(std::max(1, spatialLayers) - 1),
      preferredTemporal_(temporalLayers_ - 1) {}

void SvcLayers::SetPreferred(int spatialLayer, int temporalLayer) {
	preferredSpatial_ = std::clamp(spatialLayer, 0, GetSpatialLayerCount() - 1);
	preferredTemporal_ = std::clamp(temporalLayer, 0, temporalLayers_ - 1);
	evaluationDue_ = true;
}

void SvcLayers::Reset() {
	if (currentSpatial_ >= 0) layersChanged_ = true;
	currentSpatial_ = -1;
	currentTemporal_ = -1;
	evaluationDue_ = true;
}

bool SvcLayers::TakeLayersChanged() {
	bool changed = layersChanged_;
	layersChanged_ = false;
	return changed;
}

void SvcLayers::EvaluateTarget(uint64_t nowMs) {
	lastEvaluationMs_ = nowMs;
	evaluationDue_ = false;
	// The highest received layer at or below the preferred one; layer 0 always (every
	// picture has it, and the receiver needs something).
	int target = 0;
	for (int s = preferredSpatial_; s > 0; --s) {
		uint64_t last = lastPacketMs_[static_cast<size_t>(s)];
		if (last != 0 && nowMs - last <= kLayerTimeoutMs) {
			target = s;
			break;
		}
	}
	targetSpatial_ = target;
}

SvcLayers::Decision SvcLayers::OnPacket(const Packet& packet, uint64_t nowMs) {
	Decision decision;
	const int spatial = std::clamp(packet.spatialLayer, 0, GetSpatialLayerCount() - 1);
	const bool firstOfLayer = lastPacketMs_[static_cast<size_t>(spatial)] == 0;
	lastPacketMs_[static_cast<size_t>(spatial)] = nowMs == 0 ? 1 : nowMs;
	if (evaluationDue_ || firstOfLayer || nowMs - lastEvaluationMs_ >= kEvaluateIntervalMs) EvaluateTarget(nowMs);

	// A picture starts with the first packet of its lowest layer frame.
	const bool pictureStart = packet.isFrameStart && spatial == 0;
	if (pictureStart) inKeyPicture_ = packet.isKeyFrame;
	if (currentSpatial_ >= 0 && inKeyPicture_ && packet.isFrameStart && spatial == currentSpatial_ + 1 &&
	    spatial <= targetSpatial_) {
		// Within a key picture an upper layer frame depends only on the layer below it
		// (and the target may have risen as the layer's first packets were seen).
		currentSpatial_ = spatial;
		layersChanged_ = true;
	}
	if (currentSpatial_ < 0) {
		if (!packet.isKeyFrame) {
			decision.action = Action::DropAwaitingKeyFrame;
			return decision;
		}
		currentSpatial_ = targetSpatial_;
		currentTemporal_ = preferredTemporal_;
		layersChanged_ = true;
		decision.action = Action::ForwardSynced;
	} else if (pictureStart) {
		int spatialBefore = currentSpatial_;
		int temporalBefore = currentTemporal_;
		if (targetSpatial_ < currentSpatial_ || (targetSpatial_ > currentSpatial_ && packet.isKeyFrame)) {
			currentSpatial_ = targetSpatial_;
		}
		if (packet.temporalLayer <= 0 || packet.isKeyFrame) currentTemporal_ = preferredTemporal_;
		if (currentSpatial_ != spatialBefore || currentTemporal_ != temporalBefore) layersChanged_ = true;
		decision.action = Action::Forward;
	} else {
		decision.action = Action::Forward;
	}

	if (spatial > currentSpatial_ || packet.temporalLayer > currentTemporal_) {
		decision.action = Action::DropLayer;
		return decision;
	}
	decision.setMarker = packet.isFrameEnd && spatial == currentSpatial_;
	return decision;
}

} // namespace mediaplane
