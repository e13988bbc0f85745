#pragma once
// A 5-tuple a transport receives on: protocol, our local address, the remote address,
// and the socket or TCP connection to answer through. ICE validates tuples, DTLS and
// RTP are accepted only from a validated one, and replies go back through `sender`.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "../common/Value.hpp"

namespace mediaplane {

enum class TransportProtocol { Udp, Tcp };

// Something that can send bytes to a remote address: a UDP socket, or a TCP
// connection (which ignores `remote` and frames per RFC 4571).
class PacketSender {
public:
	virtual ~PacketSender() = default;
	virtual void SendPacket(const uint8_t* data, size_t len, const sockaddr* remote) = 0;
};

struct TransportTuple {
	TransportProtocol protocol = TransportProtocol::Udp;
	sockaddr_storage localAddress{};
	sockaddr_storage remoteAddress{};
	PacketSender* sender = nullptr;

	// Same path: same socket/connection and same remote address and port.
	bool SameAs(const TransportTuple& other) const;
	void Send(const uint8_t* data, size_t len) const {
		if (sender) sender->SendPacket(data, len, reinterpret_cast<const sockaddr*>(&remoteAddress));
	}
	// mediasoup's TransportTuple shape: { localAddress, localPort, remoteIp, remotePort,
	// protocol } (`localIp` too, the older name). `announcedAddress` replaces the local
	// address when the listen info announces one.
	Value ToValue(const std::string& announcedAddress = "") const;
};

// "1.2.3.4" / "::1" and the port of a socket address.
std::string AddressToString(const sockaddr* address);
uint16_t AddressPort(const sockaddr* address);
bool SameAddress(const sockaddr* a, const sockaddr* b); // address and port

} // namespace mediaplane
