// libFuzzer target: the dominant speaker detector of the ActiveSpeakerObserver
// (src/cpp/engine/observer/DominantSpeakerDetector.hpp) driven by arbitrary audio
// levels: what RTP packets from the network put in their RFC 6464 extension, at any
// pace, from speakers added and removed at any time.
//
// The input is a small program: each operation is one opcode byte (low 3 bits: what;
// high 5 bits: how many ms the clock moves first) followed by its operands:
//   0    AddSpeaker(id)            id byte: 0..15 (0 is "no speaker" and is ignored)
//   1    RemoveSpeaker(id)
//   2,3  OnAudioLevel(id, level)   level byte as it comes (the detector clamps it)
//   4    Evaluate()
//   5    Reset()
//   6    the clock jumps: U16 more ms (a long silence, a stalled loop)
//   7    the clock steps back U8 ms (it never does in the engine; must still be safe)
//
// Invariants checked after every operation (a violation traps):
//  - the dominant speaker is 0 or a speaker currently added; Evaluate returns 0 or the
//    new dominant speaker, which is then GetDominant();
//  - a speaker that has only ever sent silence (level >= 127) since it was added (or
//    since the last Reset) never becomes dominant;
//  - GetSpeakerCount() is the number of distinct ids added and not removed;
//  - every score of every speaker is finite (no NaN or infinity from the logs).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>

#include "../src/cpp/engine/observer/DominantSpeakerDetector.hpp"
#include "FuzzSupport.hpp"

using mediaplane::DominantSpeakerDetector;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	fuzz::FuzzInput input(data, size);
	DominantSpeakerDetector detector;
	std::set<DominantSpeakerDetector::SpeakerId> added;
	std::set<DominantSpeakerDetector::SpeakerId> heardSpeech; // sent a level < 127
	uint64_t nowMs = 1000;

	for (int operations = 0; !input.Empty() && operations < 4096; ++operations) {
		const uint8_t opcode = input.U8();
		nowMs += opcode >> 3;
		switch (opcode & 0x07) {
			case 0: {
				const DominantSpeakerDetector::SpeakerId id = input.U8() & 0x0f;
				detector.AddSpeaker(id);
				if (id != 0 && added.insert(id).second) heardSpeech.erase(id);
				break;
			}
			case 1: {
				const DominantSpeakerDetector::SpeakerId id = input.U8() & 0x0f;
				detector.RemoveSpeaker(id);
				added.erase(id);
				heardSpeech.erase(id);
				break;
			}
			case 2:
			case 3: {
				const DominantSpeakerDetector::SpeakerId id = input.U8() & 0x0f;
				const uint8_t level = input.U8();
				detector.OnAudioLevel(id, level, nowMs);
				if (level < 127 && added.count(id)) heardSpeech.insert(id);
				break;
			}
			case 4: {
				const DominantSpeakerDetector::SpeakerId changed = detector.Evaluate(nowMs);
				FUZZ_CHECK(changed == 0 || changed == detector.GetDominant());
				break;
			}
			case 5:
				detector.Reset();
				heardSpeech.clear();
				break;
			case 6:
				nowMs += input.U16();
				break;
			case 7: {
				const uint8_t back = input.U8();
				nowMs = nowMs > back ? nowMs - back : 0;
				break;
			}
		}
		const DominantSpeakerDetector::SpeakerId dominant = detector.GetDominant();
		FUZZ_CHECK(dominant == 0 || added.count(dominant) == 1);
		FUZZ_CHECK(dominant == 0 || heardSpeech.count(dominant) == 1);
		FUZZ_CHECK(detector.GetSpeakerCount() == added.size());
		for (DominantSpeakerDetector::SpeakerId id : added) {
			for (double score : detector.GetScores(id)) FUZZ_CHECK(std::isfinite(score));
		}
	}
	return 0;
}
