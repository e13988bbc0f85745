#include "SimulcastLayers.hpp"

#include <cstddef>

namespace mediaplane {

void SimulcastLayers::SetScores(const std::vector<int>& scores) {
	scores_ = scores;
	RequestEvaluation();
}

bool SimulcastLayers::IsReceived(int spatialLayer, uint64_t nowMs) const {
	if (!WasReceivedRecently(spatialLayer, nowMs)) return false;
	// No score yet (or none for this encoding) is not a reason to refuse the layer.
	return static_cast<size_t>(spatialLayer) >= scores_.size() || scores_[static_cast<size_t>(spatialLayer)] > 0;
}

void SimulcastLayers::EvaluateTarget(uint64_t nowMs) {
	int target = -1;
	for (int s = preferredSpatial_; s >= 0; --s) {
		if (IsReceived(s, nowMs)) {
			target = s;
			break;
		}
	}
	for (int s = preferredSpatial_ + 1; target < 0 && s < GetSpatialLayerCount(); ++s) {
		if (IsReceived(s, nowMs)) target = s;
	}
	targetSpatial_ = target;
}

SimulcastLayers::Action SimulcastLayers::OnPacket(const Packet& packet, uint64_t nowMs) {
	const int s = packet.spatialLayer;
	if (s < 0 || s >= GetSpatialLayerCount()) return Action::Drop;
	NotePacket(s, nowMs);

	if (s != currentSpatial_) {
		if (s != targetSpatial_) return Action::Drop;
		// A new stream (or the first): only from the start of a key frame. A key frame
		// is temporal layer 0, so the temporal target applies at once.
		if (!packet.isKeyFrame) return Action::DropAwaitingKeyFrame;
		SetCurrent(s, preferredTemporal_);
		return Action::ForwardSwitched;
	}

	if (packet.temporalLayer >= 0) {
		if (packet.isFrameStart && packet.temporalLayer == 0) SetCurrent(currentSpatial_, preferredTemporal_);
		if (packet.temporalLayer > currentTemporal_) return Action::DropTemporal;
	}
	return Action::Forward;
}

} // namespace mediaplane
