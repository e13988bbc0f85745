// Dominant speaker identification after Volfin & Cohen (2013); see the header for the
// method, the parameters and where each value comes from.
#include "DominantSpeakerDetector.hpp"

#include <algorithm>
#include <cmath>

namespace mediaplane {

namespace {

// log C(n, k) for the small n used here (N1 = 13 at most by default), in doubles so
// that no intermediate product can overflow whatever n is.
double LogBinomial(uint32_t n, uint32_t k) {
	if (k > n) return 0.0;
	k = std::min(k, n - k);
	double result = 0.0;
	for (uint32_t j = 1; j <= k; ++j) {
		result += std::log(static_cast<double>(n - k + j)) - std::log(static_cast<double>(j));
	}
	return result;
}

// log(x) for a ratio of clamped, positive scores; guards against a zero/negative
// minScore configured by the caller.
double SafeLogRatio(double numerator, double denominator) {
	if (!(numerator > 0.0) || !(denominator > 0.0)) return 0.0;
	return std::log(numerator / denominator);
}

} // namespace

DominantSpeakerDetector::DominantSpeakerDetector() : DominantSpeakerDetector(Params()) {}

DominantSpeakerDetector::DominantSpeakerDetector(const Params& params) : params(params) {
	// Keep the parameters in the range where the formulas are defined (no exceptions:
	// out-of-range values fall back to the documented defaults).
	const Params defaults;
	auto fixP = [](double& p, double fallback) {
		if (!(p > 0.0 && p < 1.0)) p = fallback;
	};
	auto fixLambda = [](double& lambda, double fallback) {
		if (!(lambda > 0.0) || !std::isfinite(lambda)) lambda = fallback;
	};
	fixP(this->params.p1, defaults.p1);
	fixP(this->params.p2, defaults.p2);
	fixP(this->params.p3, defaults.p3);
	fixLambda(this->params.lambda1, defaults.lambda1);
	fixLambda(this->params.lambda2, defaults.lambda2);
	fixLambda(this->params.lambda3, defaults.lambda3);
	if (!(this->params.minScore > 0.0) || !std::isfinite(this->params.minScore)) {
		this->params.minScore = defaults.minScore;
	}
	if (this->params.minLevelWindowPackets == 0) this->params.minLevelWindowPackets = 1;
	if (this->params.maxFloorVolume > kMaxLevel) this->params.maxFloorVolume = kMaxLevel;
}

void DominantSpeakerDetector::AddSpeaker(SpeakerId id) {
	if (id == 0) return;
	auto it = this->speakers.find(id);
	if (it != this->speakers.end()) return;
	Speaker& speaker = this->speakers[id];
	ClearLevels(speaker);
}

void DominantSpeakerDetector::RemoveSpeaker(SpeakerId id) {
	if (id == 0) return;
	this->speakers.erase(id);
	if (this->dominant == id) this->dominant = 0;
}

void DominantSpeakerDetector::Reset() {
	for (auto& entry : this->speakers) ClearLevels(entry.second);
	this->dominant = 0;
}

void DominantSpeakerDetector::ClearLevels(Speaker& speaker) const {
	speaker.volumes.fill(0);
	speaker.hasLevels = false;
	speaker.lastFrame = 0;
	speaker.lastPacketMs = 0;
	speaker.floor = 0;
	speaker.nextFloor = 0;
	speaker.nextFloorCount = 0;
	speaker.scores.fill(this->params.minScore);
}

void DominantSpeakerDetector::OnAudioLevel(SpeakerId id, uint8_t level, uint64_t nowMs) {
	if (id == 0) return;
	auto it = this->speakers.find(id);
	if (it == this->speakers.end()) return;
	Speaker& speaker = it->second;

	if (level > kMaxLevel) level = kMaxLevel;
	// Work with the volume (dB above -127 dBov) so that louder is larger and silence 0.
	const uint8_t volume = static_cast<uint8_t>(kMaxLevel - level);
	const uint64_t frame = nowMs / kFrameMs;

	if (!speaker.hasLevels) {
		speaker.volumes.fill(0);
		speaker.hasLevels = true;
		speaker.lastFrame = frame;
		speaker.lastPacketMs = nowMs;
		speaker.volumes[frame % kFrames] = volume;
	} else if (frame > speaker.lastFrame) {
		const uint64_t gap = frame - speaker.lastFrame;
		if (gap >= kFrames) {
			speaker.volumes.fill(0);
		} else {
			// Frames between the previous packet and this one: the ones this packet
			// may cover (up to kMaxPacketFrames - 1 before it) take its volume, older
			// ones were not sent at all (loss, DTX, muted) and count as silence.
			for (uint64_t f = speaker.lastFrame + 1; f < frame; ++f) {
				speaker.volumes[f % kFrames] = (frame - f < kMaxPacketFrames) ? volume : 0;
			}
		}
		speaker.volumes[frame % kFrames] = volume;
		speaker.lastFrame = frame;
		speaker.lastPacketMs = std::max(speaker.lastPacketMs, nowMs);
	} else {
		// Same frame as the previous packet (jitter) or an older one still in the
		// ring (time going backwards): keep the louder value of that frame.
		if (speaker.lastFrame - frame < kFrames) {
			uint8_t& slot = speaker.volumes[frame % kFrames];
			slot = std::max(slot, volume);
		}
		speaker.lastPacketMs = std::max(speaker.lastPacketMs, nowMs);
	}

	UpdateFloor(speaker, volume);
}

// Noise floor tracking (Jitsi's min level): the floor drops at once to any quieter
// non-silent volume; it rises only once per window of minLevelWindowPackets packets,
// to the geometric mean of the floor and the window's minimum, so that a temporary
// quiet passage or a change of microphone is followed slowly. Capped at
// maxFloorVolume (see the header).
void DominantSpeakerDetector::UpdateFloor(Speaker& speaker, uint8_t volume) const {
	if (volume == 0) return;
	if (speaker.floor == 0 || volume < speaker.floor) {
		speaker.floor = std::min(volume, this->params.maxFloorVolume);
		speaker.nextFloor = 0;
		speaker.nextFloorCount = 0;
		return;
	}
	speaker.nextFloor = (speaker.nextFloor == 0) ? volume : std::min(speaker.nextFloor, volume);
	if (++speaker.nextFloorCount >= this->params.minLevelWindowPackets) {
		const double mean =
		  std::sqrt(static_cast<double>(speaker.floor) * static_cast<double>(speaker.nextFloor));
		long rounded = std::lround(mean);
		rounded = std::max(1L, std::min(rounded, static_cast<long>(this->params.maxFloorVolume)));
		speaker.floor = static_cast<uint8_t>(rounded);
		speaker.nextFloor = 0;
		speaker.nextFloorCount = 0;
	}
}

// Paper, speech activity score of one time scale: the log of the likelihood ratio of
// the observed number of active sub-units `active` out of `n` under the speech
// hypothesis (binomial, parameter p) to the non-speech hypothesis (exponential,
// parameter lambda: density lambda * exp(-lambda * active)).
double DominantSpeakerDetector::ActivityScore(uint32_t active, uint32_t n, double p, double lambda) const {
	if (active > n) active = n;
	const double a = static_cast<double>(active);
	const double score = LogBinomial(n, active) + a * std::log(p) + (static_cast<double>(n) - a) * std::log(1.0 - p) -
	                     std::log(lambda) + lambda * a;
	if (!(score > this->params.minScore)) return this->params.minScore;
	return score;
}

void DominantSpeakerDetector::EvaluateScores(Speaker& speaker, uint64_t nowMs) const {
	if (!speaker.hasLevels) {
		speaker.scores.fill(this->params.minScore);
		return;
	}
	// The newest frame to evaluate: the speaker's last packet while it is recent
	// (ordinary jitter must not make the current frame look silent), else "now", the
	// frames since its last packet being silence (decay to idle).
	uint64_t end = speaker.lastFrame;
	if (nowMs > speaker.lastPacketMs && nowMs - speaker.lastPacketMs > this->params.levelIdleTimeoutMs) {
		end = std::max(end, nowMs / kFrameMs);
	}

	const uint32_t threshold = static_cast<uint32_t>(speaker.floor) + kSubunit;
	// a1 of each frame, newest first (immediate scale).
	std::array<uint8_t, kFrames> immediates{};
	for (uint32_t j = 0; j < kFrames; ++j) {
		const uint64_t f = end - j; // end >= lastFrame >= 0; frames before 0 do not occur
		uint32_t volume = 0;
		if (j <= end && f <= speaker.lastFrame && speaker.lastFrame - f < kFrames) {
			volume = speaker.volumes[f % kFrames];
		}
		if (volume < threshold) volume = 0;
		immediates[j] = static_cast<uint8_t>(std::min<uint32_t>(volume / kSubunit, kN1));
	}
	// a2 of each medium block (kN2 frames), newest first.
	std::array<uint8_t, kN3> mediums{};
	for (uint32_t m = 0; m < kN3; ++m) {
		uint32_t count = 0;
		for (uint32_t j = m * kN2; j < (m + 1) * kN2; ++j) {
			if (immediates[j] > this->params.mediumThreshold) ++count;
		}
		mediums[m] = static_cast<uint8_t>(count);
	}
	// a3 of the long block (kN3 mediums).
	uint32_t longs = 0;
	for (uint32_t m = 0; m < kN3; ++m) {
		if (mediums[m] > this->params.longThreshold) ++longs;
	}

	speaker.scores[0] = ActivityScore(immediates[0], kN1, this->params.p1, this->params.lambda1);
	speaker.scores[1] = ActivityScore(mediums[0], kN2, this->params.p2, this->params.lambda2);
	speaker.scores[2] = ActivityScore(longs, kN3, this->params.p3, this->params.lambda3);
}

DominantSpeakerDetector::SpeakerId DominantSpeakerDetector::Evaluate(uint64_t nowMs) {
	for (auto& entry : this->speakers) EvaluateScores(entry.second, nowMs);

	// The reference the competitors must beat: the dominant speaker, or silence.
	std::array<double, 3> reference;
	reference.fill(this->params.minScore);
	auto dominantIt = this->speakers.end();
	if (this->dominant != 0) {
		dominantIt = this->speakers.find(this->dominant);
		if (dominantIt == this->speakers.end()) {
			this->dominant = 0; // cannot happen (RemoveSpeaker clears it); be safe
		} else {
			reference = dominantIt->second.scores;
		}
	}

	// Paper, global decision: a competitor replaces the dominant speaker only when its
	// relative activities exceed C1, C2 and C3 on all three time scales; several such
	// competitors are ranked by the medium-scale one (c2). A newcomer must also clear
	// C2 itself (the ranking starts at C2), as in Jitsi.
	SpeakerId best = 0;
	double bestC2 = this->params.c2;
	for (auto& entry : this->speakers) {
		const SpeakerId id = entry.first;
		const Speaker& speaker = entry.second;
		if (id == this->dominant) continue;
		if (!speaker.hasLevels) continue;
		if (nowMs > speaker.lastPacketMs && nowMs - speaker.lastPacketMs > this->params.speakerIdleTimeoutMs) {
			continue;
		}
		const double c1 = SafeLogRatio(speaker.scores[0], reference[0]);
		const double c2 = SafeLogRatio(speaker.scores[1], reference[1]);
		const double c3 = SafeLogRatio(speaker.scores[2], reference[2]);
		if (!(c1 > this->params.c1 && c2 > this->params.c2 && c3 > this->params.c3)) continue;
		if (c2 > bestC2 || (c2 == bestC2 && best != 0 && id < best)) {
			bestC2 = c2;
			best = id;
		}
	}

	if (best != 0 && best != this->dominant) {
		this->dominant = best;
		return best;
	}
	return 0;
}

std::array<double, 3> DominantSpeakerDetector::GetScores(SpeakerId id) const {
	auto it = this->speakers.find(id);
	if (it == this->speakers.end()) {
		std::array<double, 3> none;
		none.fill(this->params.minScore);
		return none;
	}
	return it->second.scores;
}

} // namespace mediaplane
