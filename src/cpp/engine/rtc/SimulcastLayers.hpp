#pragma once
// Which simulcast stream, and which of its temporal layers, a consumer forwards.
//
// A simulcast producer sends the same source in several encodings (spatial layers, by
// rising resolution), each possibly with temporal layers (VP8 TID, RFC 7741 §4.2). A
// consumer forwards exactly one encoding at a time as one continuous stream, so:
// - the target spatial layer is the highest one at or below the preferred layer that
//   is being received (a recent packet, see LayerSelector, and a non-zero score), or, if
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

	SimulcastLayers(int spatialLayers, int temporalLayers) : LayerSelector(spatialLayers, temporalLayers) {}

	// Producer scores per encoding (0: not usable).
	void SetScores(const std::vector<int>& scores);

	Action OnPacket(const Packet& packet, uint64_t nowMs);

private:
	bool IsReceived(int spatialLayer, uint64_t nowMs) const;
	void EvaluateTarget(uint64_t nowMs) override;

	std::vector<int> scores_;
};

} // namespace mediaplane
