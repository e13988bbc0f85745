#pragma once
// What a consumer's layer choice (SimulcastLayers, SvcLayers) has in common: the layer
// counts, the preferred layers (set by the application), the current layers (what is
// forwarded; -1 when nothing is), the target spatial layer, and when each spatial layer
// was last received. The subclasses decide per packet; the Consumer reads and sets the
// rest through this base.

#include <cstdint>
#include <vector>

namespace mediaplane {

class LayerSelector {
public:
	// A layer counts as received while its last packet is at most this old: 4 times its
	// usual gap between packets, at least kMinLayerTimeoutMs and at most
	// kMaxLayerTimeoutMs. A sender that stops a layer (its bandwidth estimate fell) then
	// costs the consumers on it ~0.5 s, not 1.5 s, while a layer with sparse packets
	// (low frame rate) is not declared gone between them.
	static constexpr uint64_t kMinLayerTimeoutMs = 500;
	static constexpr uint64_t kMaxLayerTimeoutMs = 1500;
	// How often, at most, the target is re-evaluated as packets arrive.
	static constexpr uint64_t kEvaluateIntervalMs = 250;

	LayerSelector(int spatialLayers, int temporalLayers);
	virtual ~LayerSelector() = default;

	int GetSpatialLayerCount() const { return static_cast<int>(lastPacketMs_.size()); }
	int GetTemporalLayerCount() const { return temporalLayers_; }
	// The application's preferred layers (consumer.setPreferredLayers()), clamped to the
	// layers that exist; the next packet re-evaluates the target.
	void SetPreferred(int spatialLayer, int temporalLayer);
	int GetPreferredSpatial() const { return requestedSpatial_; }
	int GetPreferredTemporal() const { return requestedTemporal_; }
	// The highest layers the transport's bandwidth estimate allows (the allocator sets
	// them; the top layers by default). The layers in effect are the lower of the two.
	void SetBitrateLimit(int spatialLayer, int temporalLayer);
	int GetLimitSpatial() const { return limitSpatial_; }
	int GetLimitTemporal() const { return limitTemporal_; }
	// Forget the current layers (pause, or the endpoint lost the stream): the next
	// forwarded packet must start a key frame.
	void Reset();
	int GetCurrentSpatial() const { return currentSpatial_; }
	int GetCurrentTemporal() const { return currentSpatial_ < 0 ? -1 : currentTemporal_; }
	int GetTargetSpatial() const { return targetSpatial_; }
	int GetTargetTemporal() const { return preferredTemporal_; }
	// True once after the current layers changed (for 'layerschange').
	bool TakeLayersChanged();

protected:
	// Records a packet of `spatialLayer` and re-evaluates the target when due (a layer
	// seen for the first time, a new preference, or every kEvaluateIntervalMs).
	void NotePacket(int spatialLayer, uint64_t nowMs);
	bool WasReceivedRecently(int spatialLayer, uint64_t nowMs) const;
	// Sets targetSpatial_ from the preferred layer and what is received.
	virtual void EvaluateTarget(uint64_t nowMs) = 0;
	void SetCurrent(int spatialLayer, int temporalLayer);
	// The next packet re-evaluates the target (something it depends on changed).
	void RequestEvaluation() { evaluationDue_ = true; }

	// The layers in effect: the application's preference capped by the bitrate limit.
	int preferredSpatial_;
	int preferredTemporal_;
	int targetSpatial_ = -1;
	int currentSpatial_ = -1;
	int currentTemporal_ = -1;

private:
	void ApplyLimits();

	int requestedSpatial_;
	int requestedTemporal_;
	int limitSpatial_;
	int limitTemporal_;
	std::vector<uint64_t> lastPacketMs_; // 0: never
	std::vector<uint32_t> averageGapMs_; // per layer, exponentially weighted (1/8)
	int temporalLayers_;
	uint64_t lastEvaluationMs_ = 0;
	bool evaluationDue_ = true;
	bool layersChanged_ = false;
};

} // namespace mediaplane
