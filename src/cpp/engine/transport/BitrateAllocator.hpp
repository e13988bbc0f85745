#pragma once
// Shares a transport's available outgoing bitrate (the send-side estimate) among its
// consumers (issue 12): what non-layered consumers send (audio, simple video) comes off
// the top, since they cannot step down; every layered (simulcast/SVC) consumer gets at
// least its lowest layer; what is left goes in upgrade steps, one layer option at a
// time, in rounds where a consumer of priority p gets p steps (mediasoup's meaning of
// consumer priority: a larger share, not strict precedence), as long as the next step's
// extra cost fits.
//
// Pure logic over numbers: the transport gathers the options and applies the result.

#include <cstdint>
#include <vector>

namespace mediaplane {

class BitrateAllocator {
public:
	struct Option {
		int spatialLayer;
		int temporalLayer;
		uint32_t bitrate; // cost of forwarding up to this option, bits per second
	};
	struct Entry {
		int priority = 1;        // 1..255
		std::vector<Option> options; // lowest first, costs non-decreasing; may be empty
		int chosen = -1;         // result: index into options (-1 when there are none)
	};

	// `budget`: the available bitrate; `fixed`: what non-layered consumers send.
	static void Allocate(uint32_t budget, uint32_t fixed, std::vector<Entry>& entries);
};

} // namespace mediaplane
