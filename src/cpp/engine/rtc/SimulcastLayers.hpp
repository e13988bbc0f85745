#pragma once
// Which simulcast stream, and which of its temporal layers, a consumer forwards.
//
// A simulcast producer sends the same source in several encodings (spatial layers, by
// rising resolution), each possibly with temporal layers (VP8 TID, RFC 7741 §4.2). A
// consumer forwards exactly one encoding at a time as one continuous stream, so:
// - the target spatial layer is the highest one at or below the preferred layer that
//   is being received (a packet within kLayerTimeoutMs and a non-zero score), or, if
//   none is, the lowest one above it;
// - the consumer moves to the target only on a key frame of the target stream (a
//   decoder cannot continue another stream's reference chain), and keeps forwarding
//   the current stream until then;
// - temporal layers above the target are dropped; a new temporal target takes effect
//   at the next frame of temporal layer 0, since every layer may reference the last
//   TL0 frame but not frames of a layer that was being dropped.
// Pure logic, no I/O: the Consumer feeds it packets and acts on the returned action.

#include <cstdint>
#include <vector>

#include "LayerSelector.hpp"

namespace mediaplane {

class SimulcastLayers : public LayerSelector {
public:
	enum class Action {
		Forward,         // forward the packet
		ForwardSwitched, // forward it: it starts a new stream (sync seq/timestamp/picture ids)
		Drop,            // another spatial layer than the one forwarded
		DropTemporal,    // a temporal layer above the current one (leave no gap behind)
		DropAwaitingKeyFrame, // waiting for a key frame of the target layer
	};

	struct Packet {
		int spatialLayer = 0;
		int temporalLayer = -1; // -1: the payload carries no temporal layer
		bool isFrameStart = false;
		bool isKeyFrame = false; // the first packet of a key frame
	};

	// A layer counts as received while its last packet is at most this old.
	static constexpr uint64_t kLayerTimeoutMs = 1500;
	// How often, at most, the target is re-evaluated as packets arrive.
	static constexpr uint64_t kEvaluateIntervalMs = 250;

	SimulcastLayers(int spatialLayers, int temporalLayers);

	int GetSpatialLayerCount() const override { return static_cast<int>(lastPacketMs_.size()); }
	int GetTemporalLayerCount() const override { return temporalLayers_; }

	// Clamped to the layers that exist. The next packet re-evaluates the target.
	void SetPreferred(int spatialLayer, int temporalLayer) override;
	int GetPreferredSpatial() const override { return preferredSpatial_; }
	int GetPreferredTemporal() const override { return preferredTemporal_; }

	// Producer scores per encoding (0: not usable).
	void SetScores(const std::vector<int>& scores);

	// Forget the current layers (pause, or the endpoint lost the stream): the next
	// forwarded packet must be a key frame of the target layer.
	void Reset() override;

	Action OnPacket(const Packet& packet, uint64_t nowMs);

	// -1 when nothing is forwarded.
	int GetCurrentSpatial() const override { return currentSpatial_; }
	int GetCurrentTemporal() const override { return currentSpatial_ < 0 ? -1 : currentTemporal_; }
	int GetTargetSpatial() const override { return targetSpatial_; }
	int GetTargetTemporal() const override { return preferredTemporal_; }
	// True once after the current layers changed (for 'layerschange').
	bool TakeLayersChanged() override;

private:
	bool IsReceived(int spatialLayer, uint64_t nowMs) const;
	void EvaluateTarget(uint64_t nowMs);

	std::vector<uint64_t> lastPacketMs_; // 0: never
	std::vector<int> scores_;
	int temporalLayers_;
	int preferredSpatial_;
	int preferredTemporal_;
	int targetSpatial_ = -1;
	int currentSpatial_ = -1;
	int currentTemporal_ = -1;
	uint64_t lastEvaluationMs_ = 0;
	bool evaluationDue_ = true;
	bool layersChanged_ = false;
};

} // namespace mediaplane
