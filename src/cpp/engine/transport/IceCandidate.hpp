#pragma once
// A local ICE candidate of a WebRtcTransport: always `host`; TCP candidates are
// `passive` (RFC 6544 §4.5: we only accept connections).

#include <cstdint>
#include <string>
#include <vector>

#include "../common/Value.hpp"
#include "../net/ListenInfo.hpp"
#include "../net/TransportTuple.hpp"

namespace mediaplane {

struct IceCandidate {
	std::string foundation;
	uint32_t priority = 0;
	std::string address;
	TransportProtocol protocol = TransportProtocol::Udp;
	uint16_t port = 0;

	// RFC 8445 §5.1.2.1: (2^24)*type preference + (2^8)*local preference + (256 - component
	// id). Component 1 (RTP and RTCP are muxed). Type preference 64 for our host
	// candidates, as mediasoup (any fixed value works: we offer host candidates only).
	static uint32_t ComputePriority(uint16_t localPreference) {
		return (64u << 24) + (static_cast<uint32_t>(localPreference) << 8) + (256u - 1u);
	}

	// mediasoup's local preferences: 10000 for the first listen info, 100 less for each
	// next one, 1000 more for a WebRtcServer's preferred protocol.
	static uint16_t LocalPreferenceAt(size_t index, bool preferred) {
		long preference = 10000 - 100 * static_cast<long>(index) + (preferred ? 1000 : 0);
		return static_cast<uint16_t>(preference < 0 ? 0 : preference);
	}

	// The candidates of one listen info bound at `port`: its announced address (or ip) and,
	// with exposeInternalIp and an announced address, the ip too, ranked just below (priority
	// - 1000, still above the next listen info's, which is 25600 lower).
	static void AppendForListenInfo(std::vector<IceCandidate>& candidates, const ListenInfo& info, uint16_t port,
	                                uint16_t localPreference) {
		IceCandidate candidate;
		candidate.protocol = info.protocol;
		candidate.foundation = info.protocol == TransportProtocol::Udp ? "udpcandidate" : "tcpcandidate";
		candidate.port = port;
		candidate.address = info.AdvertisedAddress();
		candidate.priority = ComputePriority(localPreference);
		candidates.push_back(candidate);
		if (info.exposeInternalIp && !info.announcedAddress.empty()) {
			candidate.address = info.ip;
			candidate.priority -= 1000;
			candidates.push_back(candidate);
		}
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
