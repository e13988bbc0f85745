#include "SimulcastLayers.hpp"

#include <algorithm>

namespace mediaplane {

SimulcastLayers::SimulcastLayers(int spatialLayers, int temporalLayers)
    : lastPacketMs_(static_cast<size_t>(std::max(1, spatialLayers)), 0),
      temporalLayers_(std::max(1, temporalLayers)),
      preferredSpatial_(std::max(1, spatialLayers) - 1),
      preferredTemporal_(temporalLayers_ - 1) {}

void SimulcastLayers::SetPreferred(int spatialLayer, int temporalLayer) {
	preferredSpatial_ = std::clamp(spatialLayer, 0, GetSpatialLayerCount() - 1);
	preferredTemporal_ = std::clamp(temporalLayer, 0, temporalLayers_ - 1);
	evaluationDue_ = true;
}

void SimulcastLayers::SetScores(const std::vector<int>& scores) {
	scores_ = scores;
	evaluationDue_ = true;
}

void SimulcastLayers::Reset() {
	if (currentSpatial_ >= 0) layersChanged_ = true;
	currentSpatial_ = -1;
	currentTemporal_ = -1;
	evaluationDue_ = true;
}

bool SimulcastLayers::TakeLayersChanged() {
	bool changed = layersChanged_;
	layersChanged_ = false;
	return changed;
}

bool SimulcastLayers::IsReceived(int spatialLayer, uint64_t nowMs) const {
	uint64_t last = lastPacketMs_[static_cast<size_t>(spatialLayer)];
	if (last == 0 || nowMs - last > kLayerTimeoutMs) return false;
	// No score yet (or none for this encoding) is not a reason to refuse the layer.
	return static_cast<size_t>(spatialLayer) >= scores_.size() || scores_[static_cast<size_t>(spatialLayer)] > 0;
}

void SimulcastLayers::EvaluateTarget(uint64_t nowMs) {
	lastEvaluationMs_ = nowMs;
	evaluationDue_ = false;
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
	const bool firstOfLayer = lastPacketMs_[static_cast<size_t>(s)] == 0;
	// 0 means "never": a clock at 0 ms still marks the layer as seen.
	lastPacketMs_[static_cast<size_t>(s)] = nowMs == 0 ? 1 : nowMs;
	if (evaluationDue_ || firstOfLayer || nowMs - lastEvaluationMs_ >= kEvaluateIntervalMs) EvaluateTarget(nowMs);

	if (s != currentSpatial_) {
		if (s != targetSpatial_) return Action::Drop;
		// A new stream (or the first): only from the start of a key frame.
		if (!packet.isKeyFrame) return Action::DropAwaitingKeyFrame;
		currentSpatial_ = s;
		// A key frame is temporal layer 0: the temporal target applies at once.
		currentTemporal_ = preferredTemporal_;
		layersChanged_ = true;
		return Action::ForwardSwitched;
	}

	if (packet.temporalLayer >= 0) {
		if (packet.isFrameStart && packet.temporalLayer == 0 && currentTemporal_ != preferredTemporal_) {
			currentTemporal_ = preferredTemporal_;
			layersChanged_ = true;
		}
		if (packet.temporalLayer > currentTemporal_) return Action::DropTemporal;
	}
	return Action::Forward;
}

} // namespace mediaplane
