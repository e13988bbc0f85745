#pragma once
// What a consumer's layer choice (SimulcastLayers or SvcLayers) offers the Consumer
// apart from the per-packet decision: preferred layers in, current and target layers
// out, and a restart. Layer indices are -1 when nothing is forwarded.

namespace mediaplane {

class LayerSelector {
public:
	virtual ~LayerSelector() = default;

	virtual int GetSpatialLayerCount() const = 0;
	virtual int GetTemporalLayerCount() const = 0;
	// Clamped to the layers that exist.
	virtual void SetPreferred(int spatialLayer, int temporalLayer) = 0;
	virtual int GetPreferredSpatial() const = 0;
	virtual int GetPreferredTemporal() const = 0;
	// Forget the current layers: the next forwarded packet starts on a key frame.
	virtual void Reset() = 0;
	virtual int GetCurrentSpatial() const = 0;
	virtual int GetCurrentTemporal() const = 0;
	virtual int GetTargetSpatial() const = 0;
	virtual int GetTargetTemporal() const = 0;
	// True once after the current layers changed (for 'layerschange').
	virtual bool TakeLayersChanged() = 0;
};

} // namespace mediaplane
