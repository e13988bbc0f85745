// Rfc4571Framer: RFC 4571 frames reassembled from a byte stream cut anywhere.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"
#include "net/Rfc4571Framer.hpp"

using namespace mediaplane;

namespace {

std::vector<uint8_t> Framed(const std::vector<std::vector<uint8_t>>& packets) {
	std::vector<uint8_t> stream;
	for (const auto& packet : packets) {
		stream.push_back(static_cast<uint8_t>(packet.size() >> 8));
		stream.push_back(static_cast<uint8_t>(packet.size()));
		stream.insert(stream.end(), packet.begin(), packet.end());
	}
	return stream;
}

// Feeds `stream` in chunks of `chunk` bytes (or less where the framer has less room),
// draining after each, and returns the frames that came out.
std::vector<std::vector<uint8_t>> Feed(Rfc4571Framer& framer, const std::vector<uint8_t>& stream, size_t chunk) {
	std::vector<std::vector<uint8_t>> frames;
	size_t at = 0;
	while (at < stream.size()) {
		size_t room = 0;
		uint8_t* into = framer.PrepareWrite(&room);
		REQUIRE(room > 0);
		const size_t n = std::min({ chunk, room, stream.size() - at });
		std::memcpy(into, stream.data() + at, n);
		framer.CommitWrite(n);
		at += n;
		framer.Drain([&](uint8_t* data, size_t length) {
			frames.emplace_back(data, data + length);
			return true;
		});
	}
	return frames;
}

} // namespace

TEST(framer_reassembles_frames_cut_at_every_byte) {
	const std::vector<std::vector<uint8_t>> packets = { { 1, 2, 3 }, std::vector<uint8_t>(1300, 0xab), { 9 } };
	const std::vector<uint8_t> stream = Framed(packets);
	for (size_t chunk : { size_t{ 1 }, size_t{ 2 }, size_t{ 3 }, size_t{ 1000 }, stream.size() }) {
		Rfc4571Framer framer;
		CHECK(Feed(framer, stream, chunk) == packets);
		CHECK_EQ(framer.GetBuffered(), 0);
	}
}

TEST(framer_takes_the_largest_frame_the_length_allows) {
	const std::vector<std::vector<uint8_t>> packets = { std::vector<uint8_t>(65535, 0x5a), { 7, 7 } };
	Rfc4571Framer framer;
	CHECK(Feed(framer, Framed(packets), 65536) == packets);
	CHECK_EQ(framer.GetCapacity(), Rfc4571Framer::kMaxCapacity);
}

TEST(framer_drops_and_counts_empty_frames) {
	std::vector<uint8_t> stream = { 0, 0, 0, 0 };
	const std::vector<uint8_t> tail = Framed({ { 4, 5 } });
	stream.insert(stream.end(), tail.begin(), tail.end());
	Rfc4571Framer framer;
	const auto frames = Feed(framer, stream, 3);
	REQUIRE(frames.size() == 1);
	CHECK(frames[0] == std::vector<uint8_t>({ 4, 5 }));
	CHECK_EQ(framer.GetDroppedFrames(), 2);
}

TEST(framer_keeps_the_rest_when_the_callback_stops) {
	Rfc4571Framer framer;
	const std::vector<uint8_t> stream = Framed({ { 1 }, { 2 }, { 3 } });
	size_t room = 0;
	std::memcpy(framer.PrepareWrite(&room), stream.data(), stream.size());
	framer.CommitWrite(stream.size());
	int calls = 0;
	framer.Drain([&](uint8_t*, size_t) { return ++calls < 1; });
	CHECK_EQ(calls, 1);
	CHECK_EQ(framer.GetBuffered(), stream.size() - 3);
	std::vector<uint8_t> rest;
	framer.Drain([&](uint8_t* data, size_t length) {
		rest.insert(rest.end(), data, data + length);
		return true;
	});
	CHECK(rest == std::vector<uint8_t>({ 2, 3 }));
}
