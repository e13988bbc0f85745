#include "ListenInfo.hpp"

#include "../common/RequestError.hpp"

namespace mediaplane {

namespace {

uint16_t ReadPort(const Value& value, const char* key, uint16_t fallback) {
	double port = value.OptionalNumber(key, fallback);
	if (port < 0 || port > 65535 || static_cast<double>(static_cast<uint16_t>(port)) != port) {
		throw RequestError::Type(std::string("invalid listenInfo.") + key);
	}
	return static_cast<uint16_t>(port);
}

} // namespace

ListenInfo ListenInfo::FromValue(const Value& value, uint16_t defaultMinPort, uint16_t defaultMaxPort) {
	if (!value.IsObject()) throw RequestError::Type("listenInfo must be an object");
	ListenInfo info;
	const std::string& protocol = value.RequireString("protocol");
	if (protocol == "udp") info.protocol = TransportProtocol::Udp;
	else if (protocol == "tcp") info.protocol = TransportProtocol::Tcp;
	else throw RequestError::Type("invalid listenInfo.protocol");
	info.ip = value.RequireString("ip");
	info.announcedAddress = value.OptionalString("announcedAddress", "");
	info.port = ReadPort(value, "port", 0);
	info.portRangeMin = defaultMinPort;
	info.portRangeMax = defaultMaxPort;
	if (const Value* range = value.Find("portRange"); range && !range->IsNull()) {
		info.portRangeMin = ReadPort(*range, "min", defaultMinPort);
		info.portRangeMax = ReadPort(*range, "max", defaultMaxPort);
	}
	if (info.portRangeMin > info.portRangeMax || info.portRangeMin == 0) {
		throw RequestError::Type("invalid listenInfo.portRange");
	}
	info.sendBufferSize = static_cast<uint32_t>(value.OptionalNumber("sendBufferSize", 0));
	info.recvBufferSize = static_cast<uint32_t>(value.OptionalNumber("recvBufferSize", 0));
	return info;
}

Value ListenInfo::ToValue() const {
	Value value = Value::MakeObject();
	value.Set("protocol", protocol == TransportProtocol::Udp ? "udp" : "tcp");
	value.Set("ip", ip);
	if (!announcedAddress.empty()) value.Set("announcedAddress", announcedAddress);
	value.Set("port", static_cast<uint32_t>(port));
	return value;
}

} // namespace mediaplane
