#include "LayerSelector.hpp"

#include <algorithm>

namespace mediaplane {

LayerSelector::LayerSelector(int spatialLayers, int temporalLayers)
    : preferredSpatial_(std::max(1, spatialLayers) - 1),
      preferredTemporal_(std::max(1, temporalLayers) - 1),
      requestedSpatial_(preferredSpatial_),
      requestedTemporal_(preferredTemporal_),
      limitSpatial_(preferredSpatial_),
      limitTemporal_(preferredTemporal_),
      lastPacketMs_(static_cast<size_t>(std::max(1, spatialLayers)), 0),
      averageGapMs_(static_cast<size_t>(std::max(1, spatialLayers)), 0),
      temporalLayers_(std::max(1, temporalLayers)) {}

void LayerSelector::SetPreferred(int spatialLayer, int temporalLayer) {
	requestedSpatial_ = std::clamp(spatialLayer, 0, GetSpatialLayerCount() - 1);
	requestedTemporal_ = std::clamp(temporalLayer, 0, temporalLayers_ - 1);
	ApplyLimits();
}

void LayerSelector::SetBitrateLimit(int spatialLayer, int temporalLayer) {
	limitSpatial_ = std::clamp(spatialLayer, 0, GetSpatialLayerCount() - 1);
	limitTemporal_ = std::clamp(temporalLayer, 0, temporalLayers_ - 1);
	ApplyLimits();
}

void LayerSelector::ApplyLimits() {
	// The layers in effect: the application's preference, capped by what the transport's
	// bandwidth estimate allows. A lower spatial limit allows every temporal layer of it.
	int spatial = std::min(requestedSpatial_, limitSpatial_);
	int temporal = requestedTemporal_;
	if (limitSpatial_ <= requestedSpatial_) temporal = std::min(requestedTemporal_, limitTemporal_);
	if (spatial == preferredSpatial_ && temporal == preferredTemporal_) return;
	preferredSpatial_ = spatial;
	preferredTemporal_ = temporal;
	evaluationDue_ = true;
}

void LayerSelector::Reset() {
	if (currentSpatial_ >= 0) layersChanged_ = true;
	currentSpatial_ = -1;
	currentTemporal_ = -1;
	evaluationDue_ = true;
}

bool LayerSelector::TakeLayersChanged() {
	bool changed = layersChanged_;
	layersChanged_ = false;
	return changed;
}

void LayerSelector::SetCurrent(int spatialLayer, int temporalLayer) {
	if (spatialLayer == currentSpatial_ && temporalLayer == currentTemporal_) return;
	currentSpatial_ = spatialLayer;
	currentTemporal_ = temporalLayer;
	layersChanged_ = true;
}

void LayerSelector::NotePacket(int spatialLayer, uint64_t nowMs) {
	uint64_t& last = lastPacketMs_[static_cast<size_t>(spatialLayer)];
	const bool firstOfLayer = last == 0;
	if (!firstOfLayer && nowMs >= last) {
		uint32_t& average = averageGapMs_[static_cast<size_t>(spatialLayer)];
		const uint64_t gap = std::min<uint64_t>(nowMs - last, kMaxLayerTimeoutMs);
		average = average == 0 ? static_cast<uint32_t>(gap) : static_cast<uint32_t>((7 * static_cast<uint64_t>(average) + gap) / 8);
	}
	// 0 means "never": a clock at 0 ms still marks the layer as seen.
	last = nowMs == 0 ? 1 : nowMs;
	if (evaluationDue_ || firstOfLayer || nowMs - lastEvaluationMs_ >= kEvaluateIntervalMs) {
		lastEvaluationMs_ = nowMs;
		evaluationDue_ = false;
		EvaluateTarget(nowMs);
	}
}

bool LayerSelector::WasReceivedRecently(int spatialLayer, uint64_t nowMs) const {
	uint64_t last = lastPacketMs_[static_cast<size_t>(spatialLayer)];
	const uint64_t timeout = std::clamp<uint64_t>(4 * static_cast<uint64_t>(averageGapMs_[static_cast<size_t>(spatialLayer)]),
	                                              kMinLayerTimeoutMs, kMaxLayerTimeoutMs);
	return last != 0 && nowMs - last <= timeout;
}

} // namespace mediaplane
