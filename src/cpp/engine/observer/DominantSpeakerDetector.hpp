#pragma once
// Dominant speaker identification (issue 13) from RFC 6464 audio levels, after
//
//   I. Volfin, I. Cohen, "Dominant speaker identification for multipoint
//   videoconferencing", Computer Speech and Language 27 (2013) 895-910.
//
// (Section and equation numbers of the paper are not quoted here: only its abstract
// and the field implementations could be consulted when this was written; the stage
// names below follow the paper's structure: local speech activity scores for the
// immediate, medium and long time intervals, then a global comparison.)
//
// Sans-I/O: the caller feeds one audio level per RTP packet (OnAudioLevel) and calls
// Evaluate() periodically (every 300 ms by default); both take the current time. No
// timers, no I/O, no exceptions, no allocation outside AddSpeaker().
//
// The method, as used here (the paper works on the spectrum of every frame; like the
// field implementations, Jitsi's DominantSpeakerIdentification and mediasoup's
// ActiveSpeakerObserver, we only have one level per 20 ms packet and approximate the
// paper's "number of active sub-bands" of a frame by quantizing that level):
//
//  1. The paper's local processing stage: per speaker, independently of the others,
//     speech activity on three time scales:
//       immediate: one 20 ms frame. Its volume (127 - level, i.e. dB above -127 dBov)
//                  is quantized into N1 = 13 sub-units of ceil(127 / 13) = 10 dB; the
//                  number of "active sub-bands" a1 is volume / 10 (0..12), after
//                  volumes below the speaker's noise floor + one sub-unit are zeroed.
//       medium:    N2 = 5 consecutive frames (100 ms). a2 = how many of them have
//                  a1 > params.mediumThreshold (7, i.e. louder than about -47 dBov).
//       long:      N3 = 10 consecutive mediums (1 s). a3 = how many mediums have
//                  a2 > params.longThreshold (4, i.e. all 5 of their frames active).
//     The score of each time scale is the paper's log likelihood ratio of "speech"
//     (a ~ Binomial(N, p)) to "non-speech" (a ~ Exponential(lambda)):
//         score(a; N, p, lambda) = log C(N, a) + a log p + (N - a) log(1 - p)
//                                  - log lambda + lambda a
//     clamped below at params.minScore (so that ratios of scores stay finite).
//  2. The paper's global decision stage: every Evaluate, for each
//     competitor i and the current dominant d the relative activities
//         c_k = log(score_k(i) / score_k(d)),  k = immediate, medium, long
//     are computed; i may replace d only if c1 > C1 and c2 > C2 and c3 > C3. Among
//     several such competitors the one with the largest c2 wins (ties: smaller id).
//     With no dominant (start, or after RemoveSpeaker/Reset), competitors are compared
//     against a silent reference whose scores are all params.minScore (Jitsi's "silence"
//     mode), so a silent or idle speaker never becomes dominant.
//
// Why it resists transients and interjections: C1 = 3 needs the competitor's
// immediate score to be e^3 ~ 20x the dominant's, which only happens while the
// dominant is quiet in the latest frame; C2 = 2 needs ~7.4x on the medium scale,
// which needs the dominant to have had no active frame in the last 100 ms; C3 = 0
// needs the competitor to have more fully active 100 ms blocks than the dominant in
// the last second. A 200 ms cough has at most 2 such blocks, a speaker who keeps
// talking (with normal short pauses) has more.
//
// Frames: the level ring of a speaker is indexed by time (nowMs / 20), not by packet,
// so packet loss, DTX and jitter are accounted for: a gap of up to kMaxPacketFrames
// frames before a packet is filled with that packet's level (a packet may carry up
// to 120 ms of Opus audio); older gaps are silence. In Evaluate, a speaker whose
// last packet is older than levelIdleTimeoutMs is evaluated up to "now" with the
// missing frames as silence (decays to idle); otherwise up to its last packet, so
// that ordinary jitter does not make the current frame look silent.

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace mediaplane {

class DominantSpeakerDetector {
public:
	// Opaque speaker ids chosen by the caller (never 0: 0 means "none").
	using SpeakerId = uint64_t;

	// Structure of the time scales (compile-time: they size the per-speaker arrays).
	// N1, N2, N3: the paper's sub-band / block counts as chosen by Jitsi (and
	// mediasoup, its port): 13 sub-units of the level range per frame, 5 frames per
	// medium block, 10 medium blocks per long block.
	static constexpr uint32_t kN1 = 13;
	static constexpr uint32_t kN2 = 5;
	static constexpr uint32_t kN3 = 10;
	// One frame = one 20 ms packet (the WebRTC Opus default; Jitsi/mediasoup assume it).
	static constexpr uint64_t kFrameMs = 20;
	// Frames kept per speaker: one long block (Jitsi LONG_COUNT = 1): 50 frames = 1 s.
	static constexpr uint32_t kFrames = kN2 * kN3;
	// RFC 6464: 0..127 -dBov; 127 = silence (digital silence or below -127 dBov).
	static constexpr uint8_t kMaxLevel = 127;
	// Width of one immediate sub-unit in dB: ceil(127 / N1) = 10 (Jitsi N1_SUBUNIT_LENGTH).
	static constexpr uint32_t kSubunit = (kMaxLevel + kN1 - 1) / kN1;
	// Largest gap (in frames) filled with the next packet's level: 6 x 20 ms = 120 ms,
	// the longest Opus packet (RFC 6716 §3.2.5). Our choice; Jitsi and
	// mediasoup repeat the level over the whole gap.
	static constexpr uint32_t kMaxPacketFrames = 6;

	struct Params {
		// Decision thresholds on the relative activities log(score_i / score_d) of
		// the immediate, medium and long scales (paper's C1, C2, C3; values used by
		// Jitsi and mediasoup).
		double c1 = 3.0;
		double c2 = 2.0;
		double c3 = 0.0;
		// Binomial "speech" probability p of each scale (Jitsi/mediasoup: 0.5 for all).
		double p1 = 0.5;
		double p2 = 0.5;
		double p3 = 0.5;
		// Exponential "non-speech" rate lambda of each scale (Jitsi/mediasoup: 0.78,
		// 24, 47).
		double lambda1 = 0.78;
		double lambda2 = 24.0;
		double lambda3 = 47.0;
		// A frame counts as active in a medium block when its sub-band count a1 is
		// above this (Jitsi MEDIUM_THRESHOLD = 7); a medium block counts as active in
		// the long block when its count a2 is above this (Jitsi LONG_THRESHOLD = 4).
		uint32_t mediumThreshold = 7;
		uint32_t longThreshold = 4;
		// Lower bound of every score (Jitsi MIN_SPEECH_ACTIVITY_SCORE = 1e-10).
		double minScore = 1e-10;
		// A speaker whose last packet is older than this is evaluated as silent from
		// then on (Jitsi/mediasoup LEVEL_IDLE_TIMEOUT = 40 ms).
		uint64_t levelIdleTimeoutMs = 40;
		// Noise floor tracking: the floor (smallest non-silent volume) is re-estimated
		// every this many packets as the geometric mean of the current floor and the
		// window's minimum (Jitsi MIN_LEVEL_WINDOW_LENGTH = 15 s / 20 ms = 750).
		uint32_t minLevelWindowPackets = 750;
		// Upper bound of that floor, as a volume (127 - level): 67 = -60 dBov. Our
		// choice, not Jitsi's: without it a speaker whose quietest packets are loud
		// (strong AGC, digital silence at 127 in the pauses, synthetic levels) has its
		// speech taken for noise and can never become dominant. It hardly weakens the
		// noise rejection: a frame only counts as active on the medium/long scales
		// from volume 80 (a1 > 7, i.e. louder than -47 dBov) anyway.
		uint8_t maxFloorVolume = 67;
		// A speaker with no packet for this long is not a candidate (Jitsi/mediasoup
		// SPEAKER_IDLE_TIMEOUT = 1 h). It would score as silence anyway; this only
		// makes the exclusion explicit.
		uint64_t speakerIdleTimeoutMs = 60ull * 60 * 1000;
	};

	DominantSpeakerDetector();
	explicit DominantSpeakerDetector(const Params& params);

	// Allocates that speaker's state (only here). Id 0 and known ids are ignored.
	void AddSpeaker(SpeakerId id);
	// If it was dominant, there is none until the next Evaluate picks one.
	void RemoveSpeaker(SpeakerId id);
	// One RTP packet's audio level: `level` is RFC 6464's 0..127 (-dBov), larger values
	// are clamped to 127. Unknown ids are ignored. No allocation.
	void OnAudioLevel(SpeakerId id, uint8_t level, uint64_t nowMs);
	// The periodic decision. Returns the new dominant speaker when it changed (to a
	// speaker), else 0. No allocation.
	SpeakerId Evaluate(uint64_t nowMs);
	// 0 when none.
	SpeakerId GetDominant() const { return this->dominant; }
	// Forgets all levels and the dominant speaker; speakers stay registered.
	void Reset();

	size_t GetSpeakerCount() const { return this->speakers.size(); }
	const Params& GetParams() const { return this->params; }

	// Scores of a speaker as of the last Evaluate (immediate, medium, long); all
	// params.minScore for unknown ids. For tests and diagnostics.
	std::array<double, 3> GetScores(SpeakerId id) const;

	// The paper's activity score (log likelihood ratio, see above), clamped below at
	// params.minScore. Exposed for tests.
	double ActivityScore(uint32_t active, uint32_t n, double p, double lambda) const;

private:
	struct Speaker {
		// Volume (127 - level) of the frames, indexed by frame % kFrames; 0 = silence.
		std::array<uint8_t, kFrames> volumes{};
		bool hasLevels = false;
		uint64_t lastFrame = 0;    // frame of the newest packet
		uint64_t lastPacketMs = 0; // time of the newest packet
		// Noise floor (Jitsi's min level): smallest non-silent volume, 0 = unknown.
		uint8_t floor = 0;
		uint8_t nextFloor = 0;
		uint32_t nextFloorCount = 0;
		std::array<double, 3> scores{};
	};

	void ClearLevels(Speaker& speaker) const;
	void UpdateFloor(Speaker& speaker, uint8_t volume) const;
	void EvaluateScores(Speaker& speaker, uint64_t nowMs) const;

	Params params;
	std::unordered_map<SpeakerId, Speaker> speakers;
	SpeakerId dominant = 0;
};

} // namespace mediaplane
