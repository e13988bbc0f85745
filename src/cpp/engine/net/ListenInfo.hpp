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
	uint32_t sendBufferSize = 0;   // 0: the system's default (SO_SNDBUF)
	uint32_t recvBufferSize = 0;   // 0: the system's default (SO_RCVBUF)
	// flags.ipv6Only: an IPv6 socket takes IPv6 only (IPV6_V6ONLY); without it, binding
	// "::" also takes IPv4 (dual stack), as mediasoup.
	bool ipv6Only = false;
	// flags.udpReusePort: SO_REUSEPORT on a UDP socket, so that several sockets (of this
	// process or others) may bind the same ip:port. Ignored for TCP, as mediasoup.
	bool udpReusePort = false;
	// With announcedAddress, a WebRtcTransport also offers a candidate with `ip` itself.
	bool exposeInternalIp = false;

	// Throws RequestError(TypeError) naming the field. A portRange wins over `port` (as
	// mediasoup); without either, the worker's rtcMinPort/rtcMaxPort apply.
	static ListenInfo FromValue(const Value& value, uint16_t defaultMinPort, uint16_t defaultMaxPort);
	Value ToValue() const;
	// The address peers must use: announcedAddress, or ip.
	const std::string& AdvertisedAddress() const { return announcedAddress.empty() ? ip : announcedAddress; }
};

} // namespace mediaplane
