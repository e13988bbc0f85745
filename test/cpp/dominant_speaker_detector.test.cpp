// DominantSpeakerDetector: Volfin & Cohen dominant speaker identification from RFC 6464
// audio levels. Synthetic, deterministic level sequences at 50 packets/s (20 ms),
// evaluated every 300 ms as the ActiveSpeakerObserver does. Each scenario prints the
// measured switch times as "# ..." lines. Measured with the default parameters (5
// seeds each; decisions are only taken on the 300 ms ticks):
//   one talker among silent ones: dominant 130..360 ms after it starts talking
//   hand-over (A stops 0..400 ms before B starts): switch 370..590 ms after B starts
//   200 ms bangs at -10 dBov every 1.7 s while A talks: never switch (30 s)
//   interjections of 200..400 ms while A talks: never switch (20 s); B's long turn
//     after A stopped: 200 ms
//   both talking continuously: the first dominant stays; A dropping to 200 ms remarks
//     while B talks continuously: B after 600 ms
//   dominant removed: the other talker at the next tick; a newly added speaker who
//     talks after the others stopped: 600 ms
//   a speaker whose packets stop mid-speech: decays, the talker takes over after 700 ms
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "check.hpp"
#include "observer/DominantSpeakerDetector.hpp"

using namespace mediaplane;
using Id = DominantSpeakerDetector::SpeakerId;

// Counts the allocations (malloc and operator new alike) made while `counting` is set,
// through the sanitizer allocator's hooks: the unit tests are always built with
// AddressSanitizer (test/cpp-unit.test.js). Without it the check is skipped.
#if defined(__SANITIZE_ADDRESS__)
#define DSD_CAN_COUNT_ALLOCATIONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DSD_CAN_COUNT_ALLOCATIONS 1
#endif
#endif
#ifdef DSD_CAN_COUNT_ALLOCATIONS
// From <sanitizer/allocator_interface.h> (not always installed); in the ASan runtime.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, size_t),
                                                         void (*free_hook)(const volatile void*));
#endif
namespace {
bool counting = false;
size_t allocations = 0;
#ifdef DSD_CAN_COUNT_ALLOCATIONS
void OnMalloc(const volatile void*, size_t) {
	if (counting) ++allocations;
}
void OnFree(const volatile void*) {}
bool InstallHooks() {
	static const bool installed = __sanitizer_install_malloc_and_free_hooks(OnMalloc, OnFree) != 0;
	return installed;
}
#else
bool InstallHooks() { return false; }
#endif
} // namespace

namespace {

constexpr uint64_t kPacketMs = 20;
constexpr uint64_t kIntervalMs = 300;
constexpr uint8_t kSilence = 127;

// Small deterministic generator (LCG) for burst lengths and level jitter.
struct Rng {
	uint32_t state;
	explicit Rng(uint32_t seed) : state(seed * 2654435761u + 12345u) {}
	uint32_t Next() {
		state = state * 1664525u + 1013904223u;
		return state >> 8;
	}
	uint32_t Range(uint32_t lo, uint32_t hi) { return lo + Next() % (hi - lo + 1); }
};

// Speech-like on/off pattern in [startMs, endMs): talk spurts of 600..1500 ms and pauses
// of 150..400 ms, starting with a spurt. IsOn(t) for any t.
struct Talker {
	uint64_t startMs = 0;
	uint64_t endMs = 0;
	std::vector<std::pair<uint64_t, uint64_t>> spurts; // [on, off)

	Talker() = default;
	Talker(uint32_t seed, uint64_t start, uint64_t end, uint32_t minOn = 600, uint32_t maxOn = 1500,
	       uint32_t minOff = 150, uint32_t maxOff = 400)
	    : startMs(start), endMs(end) {
		Rng rng(seed);
		uint64_t t = start;
		while (t < end) {
			const uint64_t on = std::min<uint64_t>(t + rng.Range(minOn, maxOn), end);
			spurts.emplace_back(t, on);
			t = on + rng.Range(minOff, maxOff);
		}
	}
	bool IsOn(uint64_t t) const {
		for (const auto& s : spurts) {
			if (t >= s.first && t < s.second) return true;
		}
		return false;
	}
};

// Level of a talking frame: around 30 (-30 dBov), varying 24..38 like real speech.
uint8_t SpeechLevel(Rng& rng) { return static_cast<uint8_t>(rng.Range(24, 38)); }

struct Switch {
	uint64_t atMs;
	Id to;
};

// Drives a detector: every 20 ms each speaker's script gives the level of its packet
// (or -1: no packet); every 300 ms Evaluate runs after that instant's packets.
struct Sim {
	DominantSpeakerDetector detector;
	std::vector<std::pair<Id, std::function<int(uint64_t)>>> scripts;
	std::vector<Switch> switches;
	uint64_t nowMs = 0;

	void Add(Id id, std::function<int(uint64_t)> script) {
		detector.AddSpeaker(id);
		scripts.emplace_back(id, std::move(script));
	}
	void RunUntil(uint64_t endMs) {
		for (; nowMs < endMs; nowMs += kPacketMs) {
			for (auto& s : scripts) {
				const int level = s.second(nowMs);
				if (level >= 0) detector.OnAudioLevel(s.first, static_cast<uint8_t>(level), nowMs);
			}
			if (nowMs % kIntervalMs == 0) {
				const Id changed = detector.Evaluate(nowMs);
				if (changed != 0) switches.push_back({ nowMs, changed });
				// Evaluate returns the dominant exactly when it changed to a speaker.
				if (changed != 0) CHECK_EQ(detector.GetDominant(), changed);
			}
		}
	}
	// First switch to `id` at or after `fromMs`, or UINT64_MAX.
	uint64_t FirstSwitchTo(Id id, uint64_t fromMs = 0) const {
		for (const auto& s : switches) {
			if (s.to == id && s.atMs >= fromMs) return s.atMs;
		}
		return UINT64_MAX;
	}
	size_t SwitchesAwayFrom(Id id, uint64_t fromMs, uint64_t toMs) const {
		size_t n = 0;
		for (const auto& s : switches) {
			if (s.atMs >= fromMs && s.atMs < toMs && s.to != id) ++n;
		}
		return n;
	}
	void Print(const char* name) const {
		std::printf("# %s: switches:", name);
		if (switches.empty()) std::printf(" none");
		for (const auto& s : switches) std::printf(" %llu ms->%llu", (unsigned long long)s.atMs, (unsigned long long)s.to);
		std::printf("\n");
	}
};

// Script helpers.
std::function<int(uint64_t)> Silent() {
	return [](uint64_t) { return static_cast<int>(kSilence); };
}
std::function<int(uint64_t)> Speech(const Talker& talker, uint32_t seed) {
	auto rng = std::make_shared<Rng>(seed);
	return [talker, rng](uint64_t t) {
		const uint8_t speech = SpeechLevel(*rng); // drawn every frame: deterministic
		return static_cast<int>(talker.IsOn(t) ? speech : kSilence);
	};
}

} // namespace

TEST(activity_score_matches_the_log_likelihood_ratio) {
	DominantSpeakerDetector d;
	const auto& p = d.GetParams();
	// log C(5,1) + 1 log .5 + 4 log .5 - log 24 + 24 = log 5 - 5 log 2 - log 24 + 24.
	const double expected = std::log(5.0) - 5 * std::log(2.0) - std::log(24.0) + 24.0;
	CHECK(std::fabs(d.ActivityScore(1, 5, 0.5, 24) - expected) < 1e-9);
	// log C(13,9) + 13 log .5 - log .78 + .78 * 9
	const double e9 = std::log(715.0) - 13 * std::log(2.0) - std::log(0.78) + 0.78 * 9;
	CHECK(std::fabs(d.ActivityScore(9, 13, 0.5, 0.78) - e9) < 1e-9);
	// No activity is below the floor: clamped.
	CHECK_EQ(d.ActivityScore(0, 5, 0.5, 24), p.minScore);
	CHECK_EQ(d.ActivityScore(0, 10, 0.5, 47), p.minScore);
	// More active units, higher score (long scale).
	double previous = 0;
	for (uint32_t a = 1; a <= 10; ++a) {
		const double s = d.ActivityScore(a, 10, 0.5, 47);
		CHECK_GT(s, previous);
		previous = s;
	}
	// active > n is clamped, not undefined.
	CHECK_EQ(d.ActivityScore(20, 10, 0.5, 47), d.ActivityScore(10, 10, 0.5, 47));
}

TEST(parameters_are_the_field_values) {
	DominantSpeakerDetector d;
	const auto& p = d.GetParams();
	CHECK_EQ(DominantSpeakerDetector::kN1, 13);
	CHECK_EQ(DominantSpeakerDetector::kN2, 5);
	CHECK_EQ(DominantSpeakerDetector::kN3, 10);
	CHECK_EQ(DominantSpeakerDetector::kSubunit, 10);
	CHECK_EQ(p.c1, 3.0);
	CHECK_EQ(p.c2, 2.0);
	CHECK_EQ(p.c3, 0.0);
	CHECK_EQ(p.lambda1, 0.78);
	CHECK_EQ(p.lambda2, 24.0);
	CHECK_EQ(p.lambda3, 47.0);
	CHECK_EQ(p.mediumThreshold, 7);
	CHECK_EQ(p.longThreshold, 4);
	CHECK_EQ(p.levelIdleTimeoutMs, 40);
}

TEST(one_talker_among_silent_ones_becomes_dominant_within_a_second) {
	for (uint32_t seed = 1; seed <= 5; ++seed) {
		Sim sim;
		const uint64_t start = 1000 + seed * 70; // not aligned with the 300 ms ticks
		const Talker a(seed, start, 15000);
		sim.Add(1, Silent());
		sim.Add(2, Speech(a, seed));
		sim.Add(3, Silent());
		sim.Add(4, [](uint64_t) { return -1; }); // never sends anything
		sim.RunUntil(16000);
		sim.Print("one talker");
		const uint64_t at = sim.FirstSwitchTo(2);
		REQUIRE(at != UINT64_MAX);
		std::printf("#   talker starts %llu ms, dominant after %llu ms\n", (unsigned long long)start,
		            (unsigned long long)(at - start));
		CHECK_LE(at - start, 1000);
		CHECK_EQ(sim.switches.size(), 1); // the others never
		CHECK_EQ(sim.detector.GetDominant(), 2);
	}
}

TEST(silent_or_idle_speakers_never_become_dominant) {
	Sim sim;
	Rng noise(7);
	sim.Add(1, Silent());
	sim.Add(2, [](uint64_t) { return -1; });
	// Background noise only (-60..-80 dBov): not speech on the medium/long scales.
	sim.Add(3, [&noise](uint64_t) { return static_cast<int>(noise.Range(60, 80)); });
	sim.RunUntil(20000);
	sim.Print("silence and noise only");
	CHECK(sim.switches.empty());
	CHECK_EQ(sim.detector.GetDominant(), 0);

	// A single silent speaker is not made dominant either.
	DominantSpeakerDetector single;
	single.AddSpeaker(9);
	for (uint64_t t = 0; t < 5000; t += kPacketMs) {
		single.OnAudioLevel(9, kSilence, t);
		if (t % kIntervalMs == 0) CHECK_EQ(single.Evaluate(t), 0);
	}
	CHECK_EQ(single.GetDominant(), 0);
}

TEST(hand_over_when_a_stops_and_b_starts) {
	for (uint32_t seed = 1; seed <= 5; ++seed) {
		Sim sim;
		const uint64_t bStart = 8000 + seed * 110;
		const Talker a(seed, 500, bStart - 100 * seed % 400); // A stops shortly before B starts
		const Talker b(seed + 100, bStart, 20000);
		sim.Add(1, Speech(a, seed));
		sim.Add(2, Speech(b, seed + 100));
		sim.Add(3, Silent());
		sim.RunUntil(20000);
		sim.Print("hand-over");
		REQUIRE(sim.FirstSwitchTo(1) != UINT64_MAX);
		CHECK_LT(sim.FirstSwitchTo(1), 1500);
		const uint64_t at = sim.FirstSwitchTo(2);
		REQUIRE(at != UINT64_MAX);
		std::printf("#   A stops %llu ms, B starts %llu ms, switch to B %llu ms after B starts\n",
		            (unsigned long long)a.spurts.back().second, (unsigned long long)bStart,
		            (unsigned long long)(at - bStart));
		// Not before B has spoken for a while, and not too late.
		CHECK_GE(at, bStart + 200);
		CHECK_LE(at, bStart + 2500);
		CHECK_EQ(sim.switches.size(), 2);
		CHECK_EQ(sim.detector.GetDominant(), 2);
	}
}

TEST(loud_short_transient_does_not_take_over) {
	// A keeps talking; C is silent but for 200 ms bangs (level 10, -10 dBov) every
	// 1.7 s, so they fall in A's spurts as well as in A's pauses.
	for (uint32_t seed = 1; seed <= 5; ++seed) {
		Sim sim;
		const Talker a(seed, 0, 30000);
		sim.Add(1, Speech(a, seed));
		sim.Add(2, Silent());
		sim.Add(3, [](uint64_t t) {
			const uint64_t phase = t % 1700;
			return static_cast<int>(t > 2000 && phase < 200 ? 10 : kSilence);
		});
		sim.RunUntil(30000);
		sim.Print("transients");
		REQUIRE(sim.FirstSwitchTo(1) != UINT64_MAX);
		CHECK_EQ(sim.switches.size(), 1);
		CHECK_EQ(sim.FirstSwitchTo(3), UINT64_MAX);
		CHECK_EQ(sim.detector.GetDominant(), 1);
	}
}

TEST(short_interjections_do_not_switch_but_a_long_turn_does) {
	for (uint32_t seed = 1; seed <= 5; ++seed) {
		Sim sim;
		const uint64_t aStops = 20000;
		const Talker a(seed, 0, aStops);
		// B: interjections of 200..400 ms every 1.3..2.5 s while A talks (in A's
		// spurts and pauses alike), then from 22 s a long turn.
		Talker interjections(seed + 50, 2000, aStops, 200, 400, 900, 2100);
		const uint64_t bTurn = 22000;
		const Talker turn(seed + 60, bTurn, 32000);
		sim.Add(1, Speech(a, seed));
		auto rng = std::make_shared<Rng>(seed + 70);
		sim.Add(2, [interjections, turn, rng](uint64_t t) {
			const uint8_t level = SpeechLevel(*rng);
			return static_cast<int>(interjections.IsOn(t) || turn.IsOn(t) ? level : kSilence);
		});
		sim.Add(3, Silent());
		sim.RunUntil(32000);
		sim.Print("interjections");
		CHECK_EQ(sim.SwitchesAwayFrom(1, 0, aStops), 0);
		REQUIRE(sim.FirstSwitchTo(1) != UINT64_MAX);
		const uint64_t at = sim.FirstSwitchTo(2);
		REQUIRE(at != UINT64_MAX);
		std::printf("#   B's turn starts %llu ms, switch %llu ms later\n", (unsigned long long)bTurn,
		            (unsigned long long)(at - bTurn));
		CHECK_GE(at, bTurn);
		CHECK_LE(at, bTurn + 2500);
		CHECK_EQ(sim.detector.GetDominant(), 2);
	}
}

TEST(overlapping_talkers_dominant_stays_unless_clearly_dominated) {
	// Both talk continuously (no pause at all) from 3 s: A, dominant first, stays.
	{
		Sim sim;
		const Talker a(1, 0, 20000, 20000, 20000); // one spurt
		const Talker b(2, 3000, 20000, 20000, 20000);
		sim.Add(1, Speech(a, 1));
		sim.Add(2, Speech(b, 2));
		sim.RunUntil(20000);
		sim.Print("continuous overlap");
		CHECK_EQ(sim.switches.size(), 1);
		CHECK_EQ(sim.detector.GetDominant(), 1);
	}
	// Both speech-like from 3 s: B never takes over while A talks at least as much
	// around the decision instants... count and print the switches; A talking
	// continuously and B in bursts never loses.
	{
		Sim sim;
		const Talker a(3, 0, 20000, 20000, 20000);
		const Talker b(4, 3000, 20000);
		sim.Add(1, Speech(a, 3));
		sim.Add(2, Speech(b, 4));
		sim.RunUntil(20000);
		sim.Print("continuous A, bursty B");
		CHECK_EQ(sim.switches.size(), 1);
		CHECK_EQ(sim.detector.GetDominant(), 1);
	}
	// A drops to short remarks (200 ms every 2 s) while B talks continuously: B clearly
	// dominates the medium and long scales and takes over, and then keeps it.
	{
		Sim sim;
		const Talker aFull(5, 0, 6000, 20000, 20000);
		const Talker aRemarks(6, 6000, 20000, 200, 200, 1800, 1800);
		const Talker b(7, 6000, 20000, 20000, 20000);
		auto rng = std::make_shared<Rng>(5);
		sim.Add(1, [aFull, aRemarks, rng](uint64_t t) {
			const uint8_t level = SpeechLevel(*rng);
			return static_cast<int>(aFull.IsOn(t) || aRemarks.IsOn(t) ? level : kSilence);
		});
		sim.Add(2, Speech(b, 7));
		sim.RunUntil(20000);
		sim.Print("A remarks, B continuous");
		const uint64_t at = sim.FirstSwitchTo(2);
		REQUIRE(at != UINT64_MAX);
		std::printf("#   B takes over %llu ms after A drops to remarks\n", (unsigned long long)(at - 6000));
		CHECK_LE(at, 6000 + 2500);
		CHECK_EQ(sim.SwitchesAwayFrom(2, at, 20000), 0);
		CHECK_EQ(sim.detector.GetDominant(), 2);
	}
}

TEST(remove_dominant_add_speaker_and_reset) {
	Sim sim;
	const Talker a(11, 0, 30000);
	const Talker b(12, 5000, 30000, 20000, 20000); // B talks continuously from 5 s
	sim.Add(1, Speech(a, 11));
	sim.Add(2, Speech(b, 12));
	sim.RunUntil(4000);
	REQUIRE_EQ(sim.detector.GetDominant(), 1);

	// RemoveSpeaker of the dominant: none until the next Evaluate picks one.
	sim.RunUntil(6000);
	REQUIRE_EQ(sim.detector.GetDominant(), 1); // B talks, but A does too: A stays
	sim.detector.RemoveSpeaker(1);
	sim.scripts.erase(sim.scripts.begin());
	CHECK_EQ(sim.detector.GetDominant(), 0);
	CHECK_EQ(sim.detector.GetSpeakerCount(), 1);
	sim.detector.OnAudioLevel(1, 20, sim.nowMs); // removed: ignored
	sim.RunUntil(6400);
	CHECK_EQ(sim.detector.GetDominant(), 2);
	std::printf("# remove: B dominant %llu ms after A was removed\n",
	            (unsigned long long)(sim.FirstSwitchTo(2) - 6000));

	// AddSpeaker during the conversation: D joins at 8 s, starts talking at 12 s when B
	// stops for good.
	sim.scripts.clear();
	const Talker b2(12, 0, 12000, 20000, 20000);
	sim.Add(2, Speech(b2, 13));
	const Talker dTalk(14, 12000, 30000);
	sim.nowMs = 8000;
	sim.Add(4, Speech(dTalk, 14));
	CHECK_EQ(sim.detector.GetSpeakerCount(), 2);
	sim.RunUntil(16000);
	const uint64_t dAt = sim.FirstSwitchTo(4);
	REQUIRE(dAt != UINT64_MAX);
	std::printf("# add: D dominant %llu ms after it started talking\n", (unsigned long long)(dAt - 12000));
	CHECK_LE(dAt, 12000 + 2500);
	CHECK_EQ(sim.detector.GetDominant(), 4);

	// Reset: no dominant; with everybody silent, none is picked; talking again picks.
	sim.detector.Reset();
	CHECK_EQ(sim.detector.GetDominant(), 0);
	CHECK_EQ(sim.detector.GetSpeakerCount(), 2);
	sim.scripts.clear();
	sim.scripts.emplace_back(2, Silent());
	sim.scripts.emplace_back(4, Silent());
	const size_t before = sim.switches.size();
	sim.RunUntil(20000);
	CHECK_EQ(sim.switches.size(), before);
	CHECK_EQ(sim.detector.GetDominant(), 0);
	const Talker again(15, 20000, 30000);
	sim.scripts[0].second = Speech(again, 15);
	sim.RunUntil(22000);
	CHECK_EQ(sim.detector.GetDominant(), 2);
	sim.Print("remove/add/reset");
}

TEST(a_speaker_whose_packets_stop_decays_to_idle) {
	// C talks continuously and becomes dominant, then its packets stop in mid-word
	// (its last level loud). A talks from then: C decays to silence and A takes over.
	Sim sim;
	const Talker a(22, 5000, 15000);
	sim.Add(3, [](uint64_t t) { return t < 5000 ? 30 : -1; });
	sim.Add(1, Speech(a, 22));
	sim.RunUntil(15000);
	sim.Print("packets stop");
	REQUIRE_EQ(sim.FirstSwitchTo(3), 0 + 300); // first tick with a full medium block
	const uint64_t at = sim.FirstSwitchTo(1);
	REQUIRE(at != UINT64_MAX);
	std::printf("#   C's packets stop at 5000 ms, A dominant %llu ms later\n", (unsigned long long)(at - 5000));
	CHECK_LE(at, 5000 + 1500);
}

TEST(odd_input_is_handled) {
	DominantSpeakerDetector d;
	d.AddSpeaker(0); // 0 means none: ignored
	CHECK_EQ(d.GetSpeakerCount(), 0);
	d.AddSpeaker(1);
	d.AddSpeaker(1); // twice: one speaker
	CHECK_EQ(d.GetSpeakerCount(), 1);
	d.OnAudioLevel(0, 10, 0);
	d.OnAudioLevel(77, 10, 0); // unknown
	d.RemoveSpeaker(77);
	d.RemoveSpeaker(0);
	// Levels above 127 are clamped to 127 (silence): never dominant.
	for (uint64_t t = 0; t < 3000; t += kPacketMs) {
		d.OnAudioLevel(1, 255, t);
		if (t % kIntervalMs == 0) CHECK_EQ(d.Evaluate(t), 0);
	}
	CHECK_EQ(d.GetDominant(), 0);
	// Time going backwards, duplicates, huge jumps: no crash, sensible results.
	d.OnAudioLevel(1, 20, 100);
	d.OnAudioLevel(1, 20, 100);
	d.OnAudioLevel(1, 20, UINT64_MAX - 5);
	d.OnAudioLevel(1, 20, 3);
	(void)d.Evaluate(0);
	(void)d.Evaluate(UINT64_MAX);
	d.Reset();
	// After a jump the speaker works normally.
	uint64_t t = 1000000;
	for (; t < 1003000; t += kPacketMs) {
		d.OnAudioLevel(1, 25, t);
		if (t % kIntervalMs == 0) d.Evaluate(t);
	}
	CHECK_EQ(d.GetDominant(), 1);
	// Packets every 60 ms (3 frames each) still make a talker dominant.
	DominantSpeakerDetector p60;
	p60.AddSpeaker(5);
	for (uint64_t u = 0; u < 3000; u += 60) {
		p60.OnAudioLevel(5, 28, u);
		if (u % kIntervalMs == 0) p60.Evaluate(u);
	}
	CHECK_EQ(p60.GetDominant(), 5);
	// Invalid parameters fall back to the defaults (no NaN scores, no exceptions).
	DominantSpeakerDetector::Params bad;
	bad.p1 = 0;
	bad.lambda2 = -1;
	bad.minScore = 0;
	DominantSpeakerDetector e(bad);
	CHECK_EQ(e.GetParams().p1, 0.5);
	CHECK_EQ(e.GetParams().lambda2, 24.0);
	CHECK_GT(e.GetParams().minScore, 0.0);
}

TEST(hundreds_of_speakers) {
	DominantSpeakerDetector d;
	for (Id id = 1; id <= 300; ++id) d.AddSpeaker(id);
	const Talker talker(31, 1000, 6000);
	Rng rng(31);
	for (uint64_t t = 0; t < 6000; t += kPacketMs) {
		for (Id id = 1; id <= 300; ++id) {
			d.OnAudioLevel(id, id == 137 && talker.IsOn(t) ? SpeechLevel(rng) : kSilence, t);
		}
		if (t % kIntervalMs == 0) d.Evaluate(t);
	}
	CHECK_EQ(d.GetDominant(), 137);
}

TEST(no_allocation_in_on_audio_level_and_evaluate) {
	DominantSpeakerDetector d;
	for (Id id = 1; id <= 50; ++id) d.AddSpeaker(id);
	Rng rng(41);
	if (!InstallHooks()) {
		std::printf("# allocation counting needs AddressSanitizer: skipped\n");
		return;
	}
	counting = true;
	allocations = 0;
	for (uint64_t t = 0; t < 10000; t += kPacketMs) {
		for (Id id = 1; id <= 50; ++id) {
			d.OnAudioLevel(id, id == 7 || (id == 9 && t > 5000) ? SpeechLevel(rng) : kSilence, t);
		}
		d.OnAudioLevel(999, 10, t); // unknown id
		if (t % kIntervalMs == 0) d.Evaluate(t);
	}
	d.Reset();
	d.Evaluate(10000);
	const size_t counted = allocations;
	counting = false;
	CHECK_EQ(counted, 0);
	// The counter works: AddSpeaker allocates.
	counting = true;
	allocations = 0;
	d.AddSpeaker(1000);
	const size_t added = allocations;
	counting = false;
	CHECK_GT(added, 0);
}
