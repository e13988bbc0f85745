#pragma once
// Reassembly of RFC 4571 framing (RTP and RTCP over connection-oriented transport, used
// by ICE-TCP, RFC 6544 §3): every packet is preceded by its LENGTH, 16 bits in network
// order. Bytes arrive from a stream in chunks of any size; whole frames come out.
//
// Sans-I/O: the owner asks for room (PrepareWrite), reads into it, commits what it read
// (CommitWrite), then drains the whole frames. The buffer grows on demand, from 4 kB up
// to the largest frame the 16-bit length allows plus its length field, so any frame
// fits and an idle connection costs little. A zero LENGTH carries no packet (§2 gives no
// meaning to it): dropped and counted.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mediaplane {

class Rfc4571Framer {
public:
	static constexpr size_t kInitialCapacity = 4096;
	static constexpr size_t kMaxCapacity = 2 + 65535;
	// Below this much free room the buffer doubles (until kMaxCapacity).
	static constexpr size_t kMinRoom = 2048;

	Rfc4571Framer() : buffer_(kInitialCapacity) {}

	// Where the next bytes go, and how many fit. Never 0 when every CommitWrite is
	// followed by Drain: what stays buffered then is a partial frame, at most
	// kMaxCapacity - 1 bytes, and the buffer grows to kMaxCapacity before it fills.
	uint8_t* PrepareWrite(size_t* room);
	// `length` bytes were written at PrepareWrite's pointer (at most its room).
	void CommitWrite(size_t length);

	// Calls `onFrame(uint8_t* data, size_t length)` for each whole frame buffered, in
	// order; `data` may be modified in place and is valid during the call only. The
	// callback returns false to stop (e.g. the connection closed): the rest stays
	// buffered. Keeps a trailing partial frame for the next write.
	template <typename OnFrame>
	void Drain(OnFrame&& onFrame) {
		size_t offset = 0;
		while (buffered_ - offset >= 2) {
			const size_t frameLength = (static_cast<size_t>(buffer_[offset]) << 8) | buffer_[offset + 1];
			if (frameLength == 0) {
				++droppedFrames_;
				offset += 2;
				continue;
			}
			if (buffered_ - offset < 2 + frameLength) break;
			const bool goOn = onFrame(buffer_.data() + offset + 2, frameLength);
			offset += 2 + frameLength;
			if (!goOn) break;
		}
		Compact(offset);
	}

	size_t GetBuffered() const { return buffered_; }
	size_t GetCapacity() const { return buffer_.size(); }
	uint64_t GetDroppedFrames() const { return droppedFrames_; }

private:
	void Compact(size_t consumed);

	std::vector<uint8_t> buffer_;
	size_t buffered_ = 0;
	uint64_t droppedFrames_ = 0;
};

} // namespace mediaplane
