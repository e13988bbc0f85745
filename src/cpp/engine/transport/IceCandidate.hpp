#pragma once
// A local ICE candidate of a WebRtcTransport: always `host`; TCP candidates are
// `passive` (RFC 6544 §4.5: we only accept connections).

#include <cstdint>
#include <string>

#include "../common/Value.hpp"
#include "../net/TransportTuple.hpp"

namespace mediaplane {

struct IceCandidate {
	std::string foundation;
	uint32_t priority = 0;
	std::string address;
	TransportProtocol protocol = TransportProtocol::Udp;
	uint16_t port = 0;

	// RFC 8445 §5.1.2.1: (2^24)*type preference + (2^8)*local preference + (256 - component
	// id). Host type preference 126; component 1 (RTP and RTCP are muxed).
	static uint32_t ComputePriority(uint16_t localPreference) {
		return (126u << 24) + (static_cast<uint32_t>(localPreference) << 8) + (256u - 1u);
	}

	// mediasoup's IceCandidate shape (`ip` is the older name of `address`).
	Value ToValue() const {
		Value value = Value::MakeObject();
		value.Set("foundation", foundation);
		value.Set("priority", priority);
		value.Set("address", address);
		value.Set("ip", address);
		value.Set("protocol", protocol == TransportProtocol::Udp ? "udp" : "tcp");
		value.Set("port", static_cast<uint32_t>(port));
		value.Set("type", "host");
		if (protocol == TransportProtocol::Tcp) value.Set("tcpType", "passive");
		return value;
	}
};

} // namespace mediaplane
