#pragma once
// Where a transport or WebRtcServer listens (mediasoup v3 TransportListenInfo). The
// TypeScript layer validates and normalises it (and turns the older `listenIps` form
// into listen infos); the engine reads it again here, trusting nothing.

#include <cstdint>
#include <string>

#include "../common/Value.hpp"
#include "TransportTuple.hpp"

namespace mediaplane {

struct ListenInfo {
	TransportProtocol protocol = TransportProtocol::Udp;
	std::string ip;
	std::string announcedAddress; // put in candidates/tuples instead of `ip` when set
	uint16_t port = 0;             // 0: pick from the port range
	uint16_t portRangeMin = 0;
	uint16_t portRangeMax = 0;
	uint32_t sendBufferSize = 0;
	uint32_t recvBufferSize = 0;

	// Throws RequestError(TypeError) naming the field. Without a portRange the worker's
	// rtcMinPort/rtcMaxPort apply.
	static ListenInfo FromValue(const Value& value, uint16_t defaultMinPort, uint16_t defaultMaxPort);
	Value ToValue() const;
	// The address peers must use: announcedAddress, or ip.
	const std::string& AdvertisedAddress() const { return announcedAddress.empty() ? ip : announcedAddress; }
};

} // namespace mediaplane
