#define MP_LOG_SOURCE "WebRtcServer"
#include "WebRtcServer.hpp"

#include <cstring>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../ice/StunMessage.hpp"
#include "WebRtcTransport.hpp"

namespace mediaplane {

WebRtcServer::WebRtcServer(const WorkerContext& context, std::string id, const Value& data)
    : context_(context), id_(std::move(id)) {
	const Value::Array& infos = data.RequireArray("listenInfos");
	if (infos.empty()) throw RequestError::Type("empty listenInfos");
	for (const Value& infoValue : infos) {
		Listening entry;
		entry.info = ListenInfo::FromValue(infoValue, context_.rtcMinPort, context_.rtcMaxPort);
		std::string error;
		if (entry.info.protocol == TransportProtocol::Udp) {
			entry.udpSocket = UdpSocket::Bind(context_.loop, *this, entry.info, &error);
			if (!entry.udpSocket) throw RequestError(RequestError::Kind::Error, error);
			entry.port = entry.udpSocket->GetLocalPort();
		} else {
			entry.tcpServer = TcpServer::Listen(context_.loop, *this, entry.info, &error);
			if (!entry.tcpServer) throw RequestError(RequestError::Kind::Error, error);
			entry.port = entry.tcpServer->GetLocalPort();
		}
		listening_.push_back(std::move(entry));
	}
	context_.registry->Register(id_, this);
}

WebRtcServer::~WebRtcServer() {
	for (WebRtcTransport* transport : transports_) transport->OnWebRtcServerClosed();
	context_.registry->Unregister(id_);
}

std::vector<IceCandidate> WebRtcServer::GetIceCandidates(bool enableUdp, bool enableTcp, bool preferUdp,
                                                         bool preferTcp) const {
	// As mediasoup: listen infos in order (local preference 10000, 9900, ... counting the
	// ones skipped too), the preferred protocol's raised by 1000.
	std::vector<IceCandidate> candidates;
	size_t index = 0;
	for (const auto& entry : listening_) {
		bool udp = entry.info.protocol == TransportProtocol::Udp;
		size_t position = index++;
		if ((udp && !enableUdp) || (!udp && !enableTcp)) continue;
		bool preferred = udp ? preferUdp : preferTcp;
		IceCandidate::AppendForListenInfo(candidates, entry.info, entry.port,
		                                  IceCandidate::LocalPreferenceAt(position, preferred));
	}
	return candidates;
}

std::string WebRtcServer::AnnouncedAddressFor(const TransportTuple& tuple) const {
	uint16_t port = AddressPort(reinterpret_cast<const sockaddr*>(&tuple.localAddress));
	for (const auto& entry : listening_) {
		if (entry.port == port && entry.info.protocol == tuple.protocol) return entry.info.announcedAddress;
	}
	return "";
}

void WebRtcServer::RegisterTransport(WebRtcTransport* transport) {
	transports_.insert(transport);
	transportsByUsernameFragment_[transport->GetUsernameFragment()] = transport;
}

void WebRtcServer::UnregisterTransport(WebRtcTransport* transport) {
	transports_.erase(transport);
	for (auto it = transportsByUsernameFragment_.begin(); it != transportsByUsernameFragment_.end();) {
		it = it->second == transport ? transportsByUsernameFragment_.erase(it) : std::next(it);
	}
	for (auto it = transportsByTuple_.begin(); it != transportsByTuple_.end();) {
		it = it->second == transport ? transportsByTuple_.erase(it) : std::next(it);
	}
}

void WebRtcServer::UpdateUsernameFragment(const std::string& /*oldUsernameFragment*/, WebRtcTransport* transport) {
	// After an ICE restart the transport accepts both the new fragment and, until the
	// peer uses the new one, the previous one (RFC 8445 §9): route both to it, and
	// forget any older one.
	const std::string& current = transport->GetUsernameFragment();
	const std::string& previous = transport->GetPreviousUsernameFragment();
	for (auto it = transportsByUsernameFragment_.begin(); it != transportsByUsernameFragment_.end();) {
		const bool stale = it->second == transport && it->first != current && it->first != previous;
		it = stale ? transportsByUsernameFragment_.erase(it) : std::next(it);
	}
	transportsByUsernameFragment_[current] = transport;
	if (!previous.empty()) transportsByUsernameFragment_[previous] = transport;
}

void WebRtcServer::AddTuple(const TransportTuple& tuple, WebRtcTransport* transport) {
	transportsByTuple_[TupleKey(tuple)] = transport;
}

void WebRtcServer::RemoveTuple(const TransportTuple& tuple, WebRtcTransport* transport) {
	auto it = transportsByTuple_.find(TupleKey(tuple));
	if (it != transportsByTuple_.end() && it->second == transport) transportsByTuple_.erase(it);
}

std::string WebRtcServer::TupleKey(const TransportTuple& tuple) {
	// The socket/connection object plus the remote address identifies the path.
	std::string key(reinterpret_cast<const char*>(&tuple.sender), sizeof(tuple.sender));
	size_t addressLength = tuple.remoteAddress.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
	key.append(reinterpret_cast<const char*>(&tuple.remoteAddress), addressLength);
	return key;
}

void WebRtcServer::OnUdpPacket(UdpSocket& /*socket*/, uint8_t* data, size_t len, const TransportTuple& tuple) {
	Route(data, len, tuple);
}

void WebRtcServer::OnTcpServerFrame(TcpServer& /*server*/, TcpConnection& connection, uint8_t* data, size_t len) {
	Route(data, len, connection.GetTuple());
}

bool WebRtcServer::IsTcpConnectionInUse(TcpServer& /*server*/, const TcpConnection& connection) {
	return transportsByTuple_.count(TupleKey(connection.GetTuple())) != 0;
}

void WebRtcServer::OnTcpServerConnectionClosed(TcpServer& /*server*/, TcpConnection& connection) {
	auto it = transportsByTuple_.find(TupleKey(connection.GetTuple()));
	if (it == transportsByTuple_.end()) return;
	WebRtcTransport* transport = it->second;
	transportsByTuple_.erase(it);
	transport->OnTupleClosed(connection.GetTuple());
}

void WebRtcServer::Route(uint8_t* data, size_t len, const TransportTuple& tuple) {
	auto byTuple = transportsByTuple_.find(TupleKey(tuple));
	if (byTuple != transportsByTuple_.end()) {
		byTuple->second->ReceivePacket(data, len, tuple);
		return;
	}
	if (StunMessage::LooksLikeStun(data, len)) {
		auto message = StunMessage::Parse(data, len);
		if (message) {
			const std::string& username = message->GetUsername();
			std::string localFragment = username.substr(0, username.find(':'));
			auto byFragment = transportsByUsernameFragment_.find(localFragment);
			if (byFragment != transportsByUsernameFragment_.end()) {
				byFragment->second->ReceivePacket(data, len, tuple);
				return;
			}
		}
	}
	++droppedPackets_;
}

Value WebRtcServer::HandleRequest(const ChannelRequest& request) {
	if (request.method == Method::WebRtcServerDump) return Dump();
	throw RequestError(RequestError::Kind::Error,
	                   std::string("unknown method for a WebRtcServer: ") + MethodName(request.method));
}

Value WebRtcServer::Dump() const {
	Value udpSockets = Value::MakeArray();
	Value tcpServers = Value::MakeArray();
	for (const auto& entry : listening_) {
		Value item = Value::MakeObject();
		item.Set("ip", entry.info.ip);
		item.Set("port", static_cast<uint32_t>(entry.port));
		(entry.info.protocol == TransportProtocol::Udp ? udpSockets : tcpServers).Push(std::move(item));
	}
	Value transportIds = Value::MakeArray();
	for (WebRtcTransport* transport : transports_) transportIds.Push(transport->GetId());
	Value fragments = Value::MakeArray();
	for (const auto& entry : transportsByUsernameFragment_) {
		Value item = Value::MakeObject();
		item.Set("localIceUsernameFragment", entry.first);
		item.Set("webRtcTransportId", entry.second->GetId());
		fragments.Push(std::move(item));
	}
	Value tuples = Value::MakeArray();
	for (const auto& entry : transportsByTuple_) {
		Value item = Value::MakeObject();
		item.Set("tupleHash", static_cast<uint64_t>(std::hash<std::string>()(entry.first) & 0x1fffffffffffffULL));
		item.Set("webRtcTransportId", entry.second->GetId());
		tuples.Push(std::move(item));
	}
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("udpSockets", std::move(udpSockets));
	dump.Set("tcpServers", std::move(tcpServers));
	dump.Set("webRtcTransportIds", std::move(transportIds));
	dump.Set("localIceUsernameFragments", std::move(fragments));
	dump.Set("tupleHashes", std::move(tuples));
	dump.Set("droppedPackets", droppedPackets_);
	return dump;
}

} // namespace mediaplane
