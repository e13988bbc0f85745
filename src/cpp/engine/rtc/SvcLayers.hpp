#pragma once
// Which spatial and temporal layers of one SVC stream (VP9 with spatial layers, RFC
// 9628) a consumer forwards.
//
// All layers travel in one RTP stream; each packet's payload descriptor names its
// spatial (SID) and temporal (TID) layer, and a picture is the set of layer frames
// with one picture id. The consumer forwards the layers at or below its current ones:
// - going down a spatial layer is possible at any picture start (lower layers never
//   reference upper ones); going up waits for a key picture (with K-SVC an upper layer
//   references the lower one only there, and its own previous frames, which were not
//   forwarded, otherwise);
// - a new temporal target takes effect at the next picture of temporal layer 0 (every
//   layer may reference the last TL0 picture, not a dropped layer's frames);
// - the end of the highest forwarded layer frame ends the picture for the receiver, so
//   that packet gets the RTP marker (RFC 9628 §4.1: the marker bit is set on the last
//   packet of a picture), which the sender put on the top layer that is now dropped.
// The target spatial layer is the highest one at or below the preferred one that is
// being received (see LayerSelector). Pure logic, no I/O.

#include <cstdint>
#include <vector>

#include "LayerSelector.hpp"

namespace mediaplane {

class SvcLayers : public LayerSelector {
public:
	enum class Action {
		Forward,              // forward the packet
		ForwardSynced,        // forward it: the first after a (re)start (sync seq/timestamp)
		DropLayer,            // above the current spatial or temporal layer (leave no gap)
		DropAwaitingKeyFrame, // (re)starting: waiting for a key picture
	};

	struct Packet {
		int spatialLayer = -1;  // SID, -1 when the descriptor has no layer indices
		int temporalLayer = -1; // TID, -1 likewise
		bool isFrameStart = false; // B: the first packet of a layer frame
		bool isFrameEnd = false;   // E: the last packet of a layer frame
		bool isKeyFrame = false;   // the first packet of a key picture (SID 0, not predicted)
	};

	struct Decision {
		Action action = Action::DropLayer;
		bool setMarker = false; // the packet ends the forwarded picture
	};

	SvcLayers(int spatialLayers, int temporalLayers) : LayerSelector(spatialLayers, temporalLayers) { targetSpatial_ = 0; }

	Decision OnPacket(const Packet& packet, uint64_t nowMs);

	// Going up a spatial layer (or starting) needs a key picture the consumer should ask for.
	bool NeedsKeyFrame() const { return currentSpatial_ < 0 || targetSpatial_ > currentSpatial_; }

private:
	void EvaluateTarget(uint64_t nowMs) override;

	bool inKeyPicture_ = false; // since the start of a key picture, until the next picture
};

} // namespace mediaplane
