// libFuzzer target: ICE-TCP's RFC 4571 framing (net/Rfc4571Framer, what TcpConnection
// runs each read through), fed a byte stream cut into reads of fuzzer-chosen sizes.
//
// Input: the first byte seeds the read sizes (a small xorshift over the rest of the
// input picks each read's length, 1..room); the rest is the stream. Invariants:
//  - the frames that come out are exactly the frames of the whole stream parsed at once
//    (LENGTH then packet, zero LENGTHs skipped), in order, byte for byte, whatever the
//    cuts;
//  - zero-length frames are counted, once each;
//  - PrepareWrite always offers room while a whole frame may still arrive, and what
//    stays buffered after a drain is a partial frame (shorter than its LENGTH + 2);
//  - the buffer never exceeds kMaxCapacity.
// A callback that stops early (every 7th frame) is also exercised: the rest must come
// out at the next drain.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../src/cpp/engine/net/Rfc4571Framer.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

struct Expected {
	std::vector<std::vector<uint8_t>> frames;
	uint64_t empty = 0;
};

Expected ParseWhole(const uint8_t* data, size_t size) {
	Expected out;
	size_t at = 0;
	while (size - at >= 2) {
		const size_t length = (static_cast<size_t>(data[at]) << 8) | data[at + 1];
		if (length == 0) {
			++out.empty;
			at += 2;
			continue;
		}
		if (size - at < 2 + length) break;
		out.frames.emplace_back(data + at + 2, data + at + 2 + length);
		at += 2 + length;
	}
	return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	if (size < 1) return 0;
	uint32_t state = 0x9e3779b9u ^ (static_cast<uint32_t>(data[0]) * 0x01000193u);
	const uint8_t* stream = data + 1;
	const size_t streamSize = size - 1;
	const Expected expected = ParseWhole(stream, streamSize);

	Rfc4571Framer framer;
	std::vector<std::vector<uint8_t>> frames;
	auto drain = [&]() {
		framer.Drain([&](uint8_t* frame, size_t length) {
			FUZZ_CHECK(length > 0 && length <= 65535);
			frames.emplace_back(frame, frame + length);
			// Stop early now and then; the rest must come out at the next drain.
			return frames.size() % 7 != 0;
		});
	};
	size_t at = 0;
	while (at < streamSize) {
		size_t room = 0;
		uint8_t* into = framer.PrepareWrite(&room);
		FUZZ_CHECK(framer.GetCapacity() <= Rfc4571Framer::kMaxCapacity);
		if (room == 0) {
			// Only possible after an early stop left whole frames in: drain them.
			drain();
			into = framer.PrepareWrite(&room);
			FUZZ_CHECK(room > 0);
		}
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		// Mostly small reads (a TCP stream cut anywhere), sometimes as much as fits.
		const size_t want = (state & 3) == 0 ? room : 1 + (state >> 8) % 1600;
		const size_t n = std::min({ want, room, streamSize - at });
		std::memcpy(into, stream + at, n);
		framer.CommitWrite(n);
		at += n;
		drain();
	}
	// Whatever an early stop left whole comes out now.
	for (int i = 0; i < 100000; ++i) {
		const size_t before = framer.GetBuffered();
		drain();
		if (framer.GetBuffered() == before) break;
	}
	// What stays is a partial frame.
	if (framer.GetBuffered() >= 2) {
		size_t room = 0;
		const uint8_t* base = framer.PrepareWrite(&room) - framer.GetBuffered();
		const size_t length = (static_cast<size_t>(base[0]) << 8) | base[1];
		FUZZ_CHECK(length > 0 && framer.GetBuffered() < 2 + length);
	}
	FUZZ_CHECK(frames == expected.frames);
	FUZZ_CHECK(framer.GetDroppedFrames() == expected.empty);
	return 0;
}
