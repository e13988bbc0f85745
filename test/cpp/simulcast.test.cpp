// SimulcastLayers (which stream and temporal layers a simulcast consumer forwards) and
// Vp8PictureRewriter (continuous VP8 picture ids across switches and dropped pictures).
#include "check.hpp"

#include "../../src/cpp/engine/rtc/SimulcastLayers.hpp"
#include "../../src/cpp/engine/rtc/Vp8PictureRewriter.hpp"

using mediaplane::PayloadInfo;
using mediaplane::SimulcastLayers;
using mediaplane::Vp8PictureRewriter;
using Action = SimulcastLayers::Action;

namespace {

SimulcastLayers::Packet Pkt(int spatial, bool key = false, int temporal = -1, bool frameStart = true) {
	SimulcastLayers::Packet p;
	p.spatialLayer = spatial;
	p.isKeyFrame = key;
	p.temporalLayer = temporal;
	p.isFrameStart = frameStart;
	return p;
}

// Every layer sends one (non key) packet at `now`, so all count as received.
void FeedAll(SimulcastLayers& l, uint64_t now) {
	for (int s = 0; s < l.GetSpatialLayerCount(); ++s) l.OnPacket(Pkt(s), now);
}

PayloadInfo Vp8(uint16_t pictureId, uint8_t tl0, uint8_t bits = 15) {
	PayloadInfo in;
	in.valid = true;
	in.hasPictureId = true;
	in.pictureId = pictureId;
	in.pictureIdBits = bits;
	in.pictureIdOffset = 2;
	in.hasTl0PicIdx = true;
	in.tl0PicIdx = tl0;
	in.tl0PicIdxOffset = bits == 15 ? 4 : 3;
	return in;
}

} // namespace

TEST(simulcast_defaults_prefer_the_highest_layers) {
	SimulcastLayers l(3, 3);
	CHECK_EQ(l.GetPreferredSpatial(), 2);
	CHECK_EQ(l.GetPreferredTemporal(), 2);
	CHECK_EQ(l.GetCurrentSpatial(), -1);
	l.SetPreferred(7, 9); // clamped
	CHECK_EQ(l.GetPreferredSpatial(), 2);
	CHECK_EQ(l.GetPreferredTemporal(), 2);
	l.SetPreferred(-1, -4);
	CHECK_EQ(l.GetPreferredSpatial(), 0);
	CHECK_EQ(l.GetPreferredTemporal(), 0);
}

TEST(simulcast_starts_on_a_key_frame_of_the_target_layer) {
	SimulcastLayers l(3, 1);
	FeedAll(l, 1000);
	CHECK_EQ(l.GetTargetSpatial(), 2);
	CHECK(l.OnPacket(Pkt(2), 1001) == Action::DropAwaitingKeyFrame);
	CHECK(l.OnPacket(Pkt(1, true), 1002) == Action::Drop); // a key frame of another layer
	CHECK(!l.TakeLayersChanged());
	CHECK(l.OnPacket(Pkt(2, true), 1003) == Action::ForwardSwitched);
	CHECK(l.TakeLayersChanged());
	CHECK(!l.TakeLayersChanged());
	CHECK_EQ(l.GetCurrentSpatial(), 2);
	CHECK(l.OnPacket(Pkt(2), 1004) == Action::Forward);
	CHECK(l.OnPacket(Pkt(0), 1005) == Action::Drop);
}

TEST(simulcast_switches_down_and_up_on_key_frames_only) {
	SimulcastLayers l(3, 1);
	FeedAll(l, 1000);
	l.OnPacket(Pkt(2, true), 1000);
	l.TakeLayersChanged();
	l.SetPreferred(0, 0);
	// Until layer 0 has a key frame, layer 2 keeps flowing.
	CHECK(l.OnPacket(Pkt(2), 1010) == Action::Forward);
	CHECK_EQ(l.GetTargetSpatial(), 0);
	CHECK(l.OnPacket(Pkt(0), 1011) == Action::DropAwaitingKeyFrame);
	CHECK(l.OnPacket(Pkt(0, true), 1012) == Action::ForwardSwitched);
	CHECK(l.TakeLayersChanged());
	CHECK(l.OnPacket(Pkt(2), 1013) == Action::Drop);
	l.SetPreferred(1, 0);
	CHECK(l.OnPacket(Pkt(0), 1014) == Action::Forward);
	CHECK(l.OnPacket(Pkt(1, true), 1015) == Action::ForwardSwitched);
	CHECK_EQ(l.GetCurrentSpatial(), 1);
}

TEST(simulcast_falls_back_when_a_layer_stops_and_returns_when_it_comes_back) {
	SimulcastLayers l(3, 1);
	uint64_t now = 1000;
	FeedAll(l, now);
	l.OnPacket(Pkt(2, true), now);
	CHECK_EQ(l.GetCurrentSpatial(), 2);
	// Layer 2 stops; 0 and 1 keep coming. After the timeout the target moves to 1.
	for (int i = 0; i < 40; ++i) {
		now += 50;
		l.OnPacket(Pkt(0), now);
		l.OnPacket(Pkt(1), now);
	}
	CHECK_EQ(l.GetTargetSpatial(), 1);
	CHECK(l.OnPacket(Pkt(1, true), now) == Action::ForwardSwitched);
	// Layer 2 returns: the target goes back up at the next evaluation.
	now += SimulcastLayers::kEvaluateIntervalMs;
	l.OnPacket(Pkt(2), now);
	CHECK_EQ(l.GetTargetSpatial(), 2);
}

TEST(simulcast_uses_scores_and_the_lowest_layer_above_when_none_below) {
	SimulcastLayers l(3, 1);
	FeedAll(l, 1000);
	l.SetScores({ 10, 0, 10 });
	l.SetPreferred(1, 0);
	l.OnPacket(Pkt(0), 1001);
	CHECK_EQ(l.GetTargetSpatial(), 0); // layer 1 scores 0: the next one down
	l.SetScores({ 0, 0, 10 });
	l.OnPacket(Pkt(0), 1002);
	CHECK_EQ(l.GetTargetSpatial(), 2); // nothing at or below: the lowest above
}

TEST(simulcast_temporal_target_applies_at_temporal_layer_0) {
	SimulcastLayers l(2, 3);
	FeedAll(l, 1000);
	CHECK(l.OnPacket(Pkt(1, true, 0), 1000) == Action::ForwardSwitched);
	CHECK_EQ(l.GetCurrentTemporal(), 2);
	l.TakeLayersChanged();
	l.SetPreferred(1, 0);
	// Mid-cycle frames still pass until the next TL0 frame.
	CHECK(l.OnPacket(Pkt(1, false, 2), 1010) == Action::Forward);
	CHECK(l.OnPacket(Pkt(1, false, 1), 1020) == Action::Forward);
	CHECK(l.OnPacket(Pkt(1, false, 0), 1030) == Action::Forward);
	CHECK(l.TakeLayersChanged());
	CHECK_EQ(l.GetCurrentTemporal(), 0);
	CHECK(l.OnPacket(Pkt(1, false, 2), 1040) == Action::DropTemporal);
	CHECK(l.OnPacket(Pkt(1, false, 1, false), 1050) == Action::DropTemporal);
	// A TL0 packet that is not a frame start does not switch.
	l.SetPreferred(1, 2);
	CHECK(l.OnPacket(Pkt(1, false, 0, false), 1060) == Action::Forward);
	CHECK(l.OnPacket(Pkt(1, false, 2), 1070) == Action::DropTemporal);
	CHECK(l.OnPacket(Pkt(1, false, 0), 1080) == Action::Forward);
	CHECK(l.OnPacket(Pkt(1, false, 2), 1090) == Action::Forward);
	// Packets without a temporal layer are never dropped for it.
	l.SetPreferred(1, 0);
	CHECK(l.OnPacket(Pkt(1, false, -1), 1100) == Action::Forward);
}

TEST(simulcast_reset_waits_for_a_key_frame_again) {
	SimulcastLayers l(2, 1);
	FeedAll(l, 1000);
	l.OnPacket(Pkt(1, true), 1000);
	l.TakeLayersChanged();
	l.Reset();
	CHECK(l.TakeLayersChanged()); // layerschange: null
	CHECK_EQ(l.GetCurrentSpatial(), -1);
	CHECK_EQ(l.GetCurrentTemporal(), -1);
	CHECK(l.OnPacket(Pkt(1), 1001) == Action::DropAwaitingKeyFrame);
	CHECK(l.OnPacket(Pkt(1, true), 1002) == Action::ForwardSwitched);
	CHECK(l.OnPacket(Pkt(5), 1003) == Action::Drop); // no such layer
}

TEST(vp8_picture_ids_continue_across_a_switch) {
	Vp8PictureRewriter r;
	uint16_t pid;
	uint8_t tl0;
	r.Map(Vp8(100, 7), &pid, &tl0);
	CHECK_EQ(pid, 100); // the first run keeps the source's ids
	CHECK_EQ(tl0, 7);
	r.Map(Vp8(101, 8), &pid, &tl0);
	r.Map(Vp8(101, 8), &pid, &tl0); // a second packet of the same picture
	CHECK_EQ(pid, 101);
	r.RequestSync(); // another stream, numbered on its own
	r.Map(Vp8(30000, 200), &pid, &tl0);
	CHECK_EQ(pid, 102);
	CHECK_EQ(tl0, 9);
	r.Map(Vp8(30001, 200), &pid, &tl0);
	CHECK_EQ(pid, 103);
	CHECK_EQ(tl0, 9);
	r.Map(Vp8(30002, 201), &pid, &tl0);
	CHECK_EQ(tl0, 10);
}

TEST(vp8_dropped_pictures_leave_no_gap) {
	Vp8PictureRewriter r;
	uint16_t pid;
	uint8_t tl0;
	r.Map(Vp8(10, 1), &pid, &tl0);
	r.DropPicture(Vp8(11, 1));
	r.DropPicture(Vp8(11, 1)); // two packets of one dropped picture: one step
	r.DropPicture(Vp8(12, 1));
	r.Map(Vp8(13, 1), &pid, &tl0);
	CHECK_EQ(pid, 11);
	r.DropPicture(Vp8(14, 1));
	r.Map(Vp8(15, 2), &pid, &tl0);
	CHECK_EQ(pid, 12);
	CHECK_EQ(tl0, 2);
}

TEST(vp8_picture_ids_wrap_in_their_width) {
	Vp8PictureRewriter r;
	uint16_t pid;
	uint8_t tl0;
	r.Map(Vp8(0x7ffe, 255), &pid, &tl0);
	r.RequestSync();
	r.Map(Vp8(5, 0), &pid, &tl0);
	CHECK_EQ(pid, 0x7fff);
	CHECK_EQ(tl0, 0); // 255 + 1
	r.Map(Vp8(6, 0), &pid, &tl0);
	CHECK_EQ(pid, 0); // 15-bit wrap
	Vp8PictureRewriter seven;
	seven.Map(Vp8(127, 0, 7), &pid, &tl0);
	seven.Map(Vp8(0, 0, 7), &pid, &tl0);
	CHECK_EQ(pid, 0);
}

TEST(vp8_write_puts_the_ids_in_place) {
	// X=1, then I|L, then a 15-bit picture id, TL0PICIDX, then the payload header.
	uint8_t payload[] = { 0x90, 0xc0, 0x80 | 0x12, 0x34, 0x05, 0x00 };
	PayloadInfo in = Vp8(0x1234, 5);
	Vp8PictureRewriter::Write(payload, sizeof(payload), in, 0x0abc, 0x99);
	const uint8_t expected[] = { 0x90, 0xc0, 0x80 | 0x0a, 0xbc, 0x99, 0x00 };
	CHECK_BYTES_EQ(payload, sizeof(payload), expected, sizeof(expected));
	uint8_t seven[] = { 0x90, 0xc0, 0x12, 0x05, 0x00 };
	Vp8PictureRewriter::Write(seven, sizeof(seven), Vp8(0x12, 5, 7), 0x7f, 0x06);
	const uint8_t expectedSeven[] = { 0x90, 0xc0, 0x7f, 0x06, 0x00 };
	CHECK_BYTES_EQ(seven, sizeof(seven), expectedSeven, sizeof(expectedSeven));
}

TEST(simulcast_layer_timeout_follows_the_layers_packet_rate) {
	SimulcastLayers l(2, 1);
	uint64_t now = 1000;
	// Layer 0 sends every 10 ms; layer 1 every 300 ms (a sparse, low-frame-rate layer).
	uint64_t lastSparse = 0;
	for (int i = 0; i < 300; ++i) {
		now += 10;
		l.OnPacket(Pkt(0), now);
		if (i % 30 == 0) {
			l.OnPacket(Pkt(1, i == 0), now);
			lastSparse = now;
		}
	}
	CHECK_EQ(l.GetTargetSpatial(), 1); // still received between its packets
	CHECK_EQ(l.GetCurrentSpatial(), 1);
	// Layer 1 stops: gone after ~4 x 300 ms (capped at 1.5 s), not at its first gap.
	const uint64_t stoppedAt = lastSparse;
	uint64_t detectedAt = 0;
	for (int i = 0; i < 200 && !detectedAt; ++i) {
		now += 10;
		l.OnPacket(Pkt(0), now);
		if (l.GetTargetSpatial() == 0) detectedAt = now;
	}
	CHECK_GT(detectedAt - stoppedAt, 900u);
	CHECK_LE(detectedAt - stoppedAt, 1500u + SimulcastLayers::kEvaluateIntervalMs);

	// A dense layer that stops is gone after ~500 ms.
	SimulcastLayers dense(2, 1);
	now = 1000;
	for (int i = 0; i < 100; ++i) {
		now += 10;
		dense.OnPacket(Pkt(0), now);
		dense.OnPacket(Pkt(1, i == 0), now);
	}
	const uint64_t denseStop = now;
	uint64_t denseDetected = 0;
	for (int i = 0; i < 200 && !denseDetected; ++i) {
		now += 10;
		dense.OnPacket(Pkt(0), now);
		if (dense.GetTargetSpatial() == 0) denseDetected = now;
	}
	CHECK_GE(denseDetected - denseStop, 500u);
	CHECK_LE(denseDetected - denseStop, 500u + SimulcastLayers::kEvaluateIntervalMs + 10);
}
