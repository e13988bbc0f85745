// SvcLayers (which layers of a VP9 SVC stream a consumer forwards) and
// ParseScalabilityMode.
#include "check.hpp"

#include "../../src/cpp/engine/rtc/ScalabilityMode.hpp"
#include "../../src/cpp/engine/rtc/SvcLayers.hpp"

using mediaplane::ParseScalabilityMode;
using mediaplane::SvcLayers;
using Action = SvcLayers::Action;

namespace {

// One packet that is a whole layer frame (B and E set).
SvcLayers::Packet Frame(int spatial, int temporal, bool key = false) {
	SvcLayers::Packet p;
	p.spatialLayer = spatial;
	p.temporalLayer = temporal;
	p.isFrameStart = true;
	p.isFrameEnd = true;
	p.isKeyFrame = key && spatial == 0;
	return p;
}

// Feeds one picture of `layers` spatial layers; returns the actions and markers.
struct PictureResult {
	Action actions[3];
	bool markers[3];
};

PictureResult Picture(SvcLayers& l, int temporal, uint64_t now, bool key = false, int layers = 3) {
	PictureResult r{};
	for (int s = 0; s < layers; ++s) {
		SvcLayers::Decision d = l.OnPacket(Frame(s, temporal, key), now);
		r.actions[s] = d.action;
		r.markers[s] = d.setMarker;
	}
	return r;
}

} // namespace

TEST(scalability_modes_parse) {
	auto m = ParseScalabilityMode("L3T3_KEY");
	CHECK_EQ(m.spatialLayers, 3);
	CHECK_EQ(m.temporalLayers, 3);
	CHECK(m.ksvc);
	m = ParseScalabilityMode("S2T1h");
	CHECK_EQ(m.spatialLayers, 2);
	CHECK_EQ(m.temporalLayers, 1);
	CHECK(!m.ksvc);
	for (const char* bad : { "", "L", "L3", "L3T", "X3T3", "L0T1", "L3T3_X", "l3t3", "L3T3KEY" }) {
		m = ParseScalabilityMode(bad);
		CHECK_EQ(m.spatialLayers, 1);
		CHECK_EQ(m.temporalLayers, 1);
	}
}

TEST(svc_starts_on_a_key_picture_with_all_preferred_layers) {
	SvcLayers l(3, 3);
	PictureResult r = Picture(l, 1, 1000);
	CHECK(r.actions[0] == Action::DropAwaitingKeyFrame);
	CHECK(l.NeedsKeyFrame());
	r = Picture(l, 0, 1033, true);
	CHECK(r.actions[0] == Action::ForwardSynced);
	CHECK(r.actions[1] == Action::Forward);
	CHECK(r.actions[2] == Action::Forward);
	CHECK(!r.markers[0] && !r.markers[1] && r.markers[2]);
	CHECK(l.TakeLayersChanged());
	CHECK_EQ(l.GetCurrentSpatial(), 2);
	CHECK_EQ(l.GetCurrentTemporal(), 2);
	CHECK(!l.NeedsKeyFrame());
}

TEST(svc_goes_down_at_a_picture_start_and_up_on_a_key_picture) {
	SvcLayers l(3, 1);
	Picture(l, 0, 1000, true);
	l.TakeLayersChanged();
	l.SetPreferred(0, 0);
	PictureResult r = Picture(l, 0, 1033);
	CHECK(r.actions[0] == Action::Forward);
	CHECK(r.markers[0]); // layer 0 now ends the picture
	CHECK(r.actions[1] == Action::DropLayer);
	CHECK(r.actions[2] == Action::DropLayer);
	CHECK(l.TakeLayersChanged());
	CHECK_EQ(l.GetCurrentSpatial(), 0);
	l.SetPreferred(1, 0);
	r = Picture(l, 0, 1066);
	CHECK(l.NeedsKeyFrame());
	CHECK(r.actions[1] == Action::DropLayer); // not without a key picture
	r = Picture(l, 0, 1100, true);
	CHECK(r.actions[1] == Action::Forward);
	CHECK(r.markers[1] && !r.markers[0]);
	CHECK(r.actions[2] == Action::DropLayer);
	CHECK_EQ(l.GetCurrentSpatial(), 1);
}

TEST(svc_temporal_target_applies_at_a_tl0_picture) {
	SvcLayers l(1, 3);
	Picture(l, 0, 1000, true, 1);
	l.SetPreferred(0, 0);
	CHECK(Picture(l, 2, 1010, false, 1).actions[0] == Action::Forward); // not yet: mid-cycle
	CHECK(Picture(l, 0, 1020, false, 1).actions[0] == Action::Forward);
	CHECK_EQ(l.GetCurrentTemporal(), 0);
	CHECK(Picture(l, 2, 1030, false, 1).actions[0] == Action::DropLayer);
	CHECK(Picture(l, 1, 1040, false, 1).actions[0] == Action::DropLayer);
	l.SetPreferred(0, 2);
	CHECK(Picture(l, 2, 1050, false, 1).actions[0] == Action::DropLayer);
	CHECK(Picture(l, 0, 1060, false, 1).actions[0] == Action::Forward);
	CHECK(Picture(l, 2, 1070, false, 1).actions[0] == Action::Forward);
}

TEST(svc_target_drops_to_what_is_received) {
	SvcLayers l(3, 1);
	uint64_t now = 1000;
	Picture(l, 0, now, true);
	CHECK_EQ(l.GetCurrentSpatial(), 2);
	// The sender stops layer 2: after the timeout the consumer goes down to 1.
	for (int i = 0; i < 60; ++i) {
		now += 33;
		Picture(l, 0, now, false, 2);
	}
	CHECK_EQ(l.GetTargetSpatial(), 1);
	CHECK_EQ(l.GetCurrentSpatial(), 1);
	PictureResult r = Picture(l, 0, now + 33, false, 2);
	CHECK(r.markers[1]);
}

TEST(svc_reset_waits_for_a_key_picture) {
	SvcLayers l(2, 1);
	Picture(l, 0, 1000, true, 2);
	l.TakeLayersChanged();
	l.Reset();
	CHECK(l.TakeLayersChanged());
	CHECK_EQ(l.GetCurrentSpatial(), -1);
	CHECK(Picture(l, 0, 1033, false, 2).actions[0] == Action::DropAwaitingKeyFrame);
	CHECK(Picture(l, 0, 1066, true, 2).actions[0] == Action::ForwardSynced);
}
