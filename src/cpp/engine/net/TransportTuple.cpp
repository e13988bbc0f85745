#include "TransportTuple.hpp"

#include <arpa/inet.h>

namespace mediaplane {

std::string AddressToString(const sockaddr* address) {
	char text[INET6_ADDRSTRLEN] = { 0 };
	if (address->sa_family == AF_INET) {
		inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof(text));
	} else if (address->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof(text));
	}
	return text;
}

uint16_t AddressPort(const sockaddr* address) {
	if (address->sa_family == AF_INET) {
		return ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port);
	}
	if (address->sa_family == AF_INET6) {
		return ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
	}
	return 0;
}

bool SameAddress(const sockaddr* a, const sockaddr* b) {
	if (a->sa_family != b->sa_family) return false;
	if (a->sa_family == AF_INET) {
		const auto* a4 = reinterpret_cast<const sockaddr_in*>(a);
		const auto* b4 = reinterpret_cast<const sockaddr_in*>(b);
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const auto* a6 = reinterpret_cast<const sockaddr_in6*>(a);
		const auto* b6 = reinterpret_cast<const sockaddr_in6*>(b);
		return a6->sin6_port == b6->sin6_port &&
		       std::memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(in6_addr)) == 0;
	}
	return false;
}

bool TransportTuple::SameAs(const TransportTuple& other) const {
	return protocol == other.protocol && sender == other.sender &&
	       SameAddress(reinterpret_cast<const sockaddr*>(&remoteAddress),
	                   reinterpret_cast<const sockaddr*>(&other.remoteAddress));
}

Value TransportTuple::ToValue(const std::string& announcedAddress) const {
	const auto* local = reinterpret_cast<const sockaddr*>(&localAddress);
	const auto* remote = reinterpret_cast<const sockaddr*>(&remoteAddress);
	std::string localText = announcedAddress.empty() ? AddressToString(local) : announcedAddress;
	Value value = Value::MakeObject();
	value.Set("localAddress", localText);
	value.Set("localIp", localText);
	value.Set("localPort", static_cast<uint32_t>(AddressPort(local)));
	value.Set("remoteIp", AddressToString(remote));
	value.Set("remotePort", static_cast<uint32_t>(AddressPort(remote)));
	value.Set("protocol", protocol == TransportProtocol::Udp ? "udp" : "tcp");
	return value;
}

} // namespace mediaplane
