#pragma once
// Helpers shared by the libFuzzer targets in fuzz/ (not part of the addon build).
//
// FuzzLogging turns the engine's logging on at debug level with every tag for the
// calling thread, so that the MP_* format strings and their arguments (which often
// carry packet-derived values) are exercised too. The lines go into a Channel that
// nobody reads; Drain() empties it at the end of each input so memory stays flat.
//
// FuzzInput reads the fuzzer's bytes front to back; past the end it returns zeros, so a
// target never has to check lengths before each read.

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../src/cpp/engine/channel/Channel.hpp"
#include "../src/cpp/engine/common/Logger.hpp"

// Abort in a way libFuzzer reports as a crash (and keeps the input), with the reason
// on stderr. Used for invariant violations.
#define FUZZ_CHECK(cond)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                         \
			__builtin_fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
			__builtin_trap();                                                                  \
		}                                                                                      \
	} while (false)

namespace fuzz {

class FuzzLogging {
public:
	FuzzLogging() : channel_([] {}), logger_(channel_) {
		// MEDIAPLANE_FUZZ_NO_LOG=1 skips logging (faster, less coverage of log lines).
		const char* off = std::getenv("MEDIAPLANE_FUZZ_NO_LOG");
		if (off && off[0] == '1') return;
		logger_.SetLevel(mediaplane::LogLevel::Debug);
		logger_.SetTags(0xFFFFFFFFu);
		mediaplane::Logger::SetCurrent(&logger_);
	}
	void Drain() { channel_.TakeOutgoing(scratch_); scratch_.clear(); }

private:
	mediaplane::Channel channel_;
	mediaplane::Logger logger_;
	std::vector<mediaplane::ChannelOutMessage> scratch_;
};

class FuzzInput {
public:
	FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

	bool Empty() const { return offset_ >= size_; }
	size_t Remaining() const { return offset_ < size_ ? size_ - offset_ : 0; }

	uint8_t U8() { return offset_ < size_ ? data_[offset_++] : 0; }
	uint16_t U16() { return static_cast<uint16_t>((U8() << 8) | U8()); }
	uint32_t U32() { return (static_cast<uint32_t>(U16()) << 16) | U16(); }
	uint64_t U64() { return (static_cast<uint64_t>(U32()) << 32) | U32(); }

	// Up to `max` bytes (fewer at the end of the input), as a pointer into the input.
	const uint8_t* Take(size_t max, size_t* taken) {
		const size_t n = max < Remaining() ? max : Remaining();
		const uint8_t* p = data_ + (offset_ < size_ ? offset_ : size_);
		offset_ += n;
		*taken = n;
		return p;
	}
	// Up to `max` bytes copied into an exact-size vector (so ASan catches any read or
	// write past the end of what the code under test was given).
	std::vector<uint8_t> Bytes(size_t max) {
		size_t n = 0;
		const uint8_t* p = Take(max, &n);
		return std::vector<uint8_t>(p, p + n);
	}
	// A length-prefixed chunk: one length byte (0..255) or, when its top bit is set,
	// two (0..32767), then that many bytes (fewer at the end).
	std::vector<uint8_t> Chunk() {
		size_t len = U8();
		if (len & 0x80) len = ((len & 0x7F) << 8) | U8();
		return Bytes(len);
	}

private:
	const uint8_t* data_;
	size_t size_;
	size_t offset_ = 0;
};

// "0a1B.." as bytes (the seeds' {"$hex": ...} buffers); a non-hex digit reads as 0 and
// an odd last digit is ignored.
inline std::vector<uint8_t> BytesFromHex(std::string_view hex) {
	auto nibble = [](char c) -> int {
		if (c >= '0' && c <= '9') return c - '0';
		if (c >= 'a' && c <= 'f') return c - 'a' + 10;
		if (c >= 'A' && c <= 'F') return c - 'A' + 10;
		return 0;
	};
	std::vector<uint8_t> bytes;
	bytes.reserve(hex.size() / 2);
	for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<uint8_t>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
	return bytes;
}

// The process's open file descriptors, sorted, each as "<fd> -> <what it is>". With
// `socketsAndEventsOnly`, only sockets and anonymous inodes (epoll, eventfd, timerfd:
// what the engine and libuv open): libFuzzer itself opens pipes to llvm-symbolizer the
// first time it names a new function.
inline std::vector<std::string> OpenDescriptors(bool socketsAndEventsOnly) {
	std::vector<std::string> fds;
	if (DIR* dir = opendir("/proc/self/fd")) {
		while (dirent* entry = readdir(dir)) {
			if (entry->d_name[0] == '.') continue;
			char target[256] = {};
			const std::string link = std::string("/proc/self/fd/") + entry->d_name;
			const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
			const std::string what = n > 0 ? std::string(target, static_cast<size_t>(n)) : "?";
			if (socketsAndEventsOnly && what.rfind("socket:", 0) != 0 && what.rfind("anon_inode:", 0) != 0) continue;
			fds.push_back(std::string(entry->d_name) + " -> " + what);
		}
		closedir(dir);
	}
	std::sort(fds.begin(), fds.end());
	return fds;
}

} // namespace fuzz
