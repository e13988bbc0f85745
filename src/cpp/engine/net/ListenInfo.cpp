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

bool ReadFlag(const Value& object, const char* key, const std::string& field) {
	const Value* flag = object.Find(key);
	if (!flag || flag->IsNull()) return false;
	if (!flag->IsBool()) throw RequestError::Type("invalid " + field + ": must be a boolean");
	return flag->AsBool();
}

uint32_t ReadBufferSize(const Value& value, const char* key) {
	double size = value.OptionalNumber(key, 0);
	if (size < 0 || size > 0x7fffffff || static_cast<double>(static_cast<uint32_t>(size)) != size) {
		throw RequestError::Type(std::string("invalid listenInfo.") + key);
	}
	return static_cast<uint32_t>(size);
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
		if (!range->IsObject()) throw RequestError::Type("invalid listenInfo.portRange");
		info.portRangeMin = ReadPort(*range, "min", 0);
		info.portRangeMax = ReadPort(*range, "max", 0);
		// As mediasoup: a given range (both ends non-zero) wins over `port`.
		if (info.portRangeMin != 0 && info.portRangeMax != 0) info.port = 0;
		else {
			info.portRangeMin = defaultMinPort;
			info.portRangeMax = defaultMaxPort;
		}
	}
	if (info.portRangeMin > info.portRangeMax || info.portRangeMin == 0) {
		throw RequestError::Type("invalid listenInfo.portRange");
	}
	if (const Value* flags = value.Find("flags"); flags && !flags->IsNull()) {
		if (!flags->IsObject()) throw RequestError::Type("invalid listenInfo.flags");
		info.ipv6Only = ReadFlag(*flags, "ipv6Only", "listenInfo.flags.ipv6Only");
		info.udpReusePort = ReadFlag(*flags, "udpReusePort", "listenInfo.flags.udpReusePort");
	}
	info.exposeInternalIp = ReadFlag(value, "exposeInternalIp", "listenInfo.exposeInternalIp");
	info.sendBufferSize = ReadBufferSize(value, "sendBufferSize");
	info.recvBufferSize = ReadBufferSize(value, "recvBufferSize");
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
