#include "Rfc4571Framer.hpp"

#include <algorithm>
#include <cstring>

namespace mediaplane {

uint8_t* Rfc4571Framer::PrepareWrite(size_t* room) {
	if (buffer_.size() - buffered_ < kMinRoom && buffer_.size() < kMaxCapacity) {
		buffer_.resize(std::min(kMaxCapacity, buffer_.size() * 2));
	}
	*room = buffer_.size() - buffered_;
	return buffer_.data() + buffered_;
}

void Rfc4571Framer::CommitWrite(size_t length) {
	buffered_ += std::min(length, buffer_.size() - buffered_);
}

void Rfc4571Framer::Compact(size_t consumed) {
	if (consumed == 0) return;
	// The partial frame (if any) moves to the front.
	std::memmove(buffer_.data(), buffer_.data() + consumed, buffered_ - consumed);
	buffered_ -= consumed;
}

} // namespace mediaplane
