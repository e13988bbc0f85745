#include "DataChannelEstablishment.hpp"

#include "ByteIo.hpp"

namespace mediaplane {
namespace sctp {

// RFC 8832 §5.1: type(1) channel type(1) priority(2) reliability(4) label length(2)
// protocol length(2) label protocol.
bool DataChannelOpen::Parse(const uint8_t* data, size_t len) {
	if (!data) return false;
	ByteReader r(data, len);
	if (r.U8() != DcepDataChannelOpen) return false;
	channelType = r.U8();
	priority = r.U16();
	reliabilityParameter = r.U32();
	const uint16_t labelLen = r.U16();
	const uint16_t protocolLen = r.U16();
	if (!r.Ok() || r.Remaining() != static_cast<size_t>(labelLen) + protocolLen) return false;
	label.assign(reinterpret_cast<const char*>(r.Here()), labelLen);
	r.Skip(labelLen);
	protocol.assign(reinterpret_cast<const char*>(r.Here()), protocolLen);
	return true;
}

std::vector<uint8_t> DataChannelOpen::Serialize() const {
	std::vector<uint8_t> out;
	ByteWriter w(out);
	const size_t labelLen = label.size() > 0xFFFF ? 0xFFFF : label.size();
	const size_t protocolLen = protocol.size() > 0xFFFF ? 0xFFFF : protocol.size();
	w.U8(DcepDataChannelOpen);
	w.U8(channelType);
	w.U16(priority);
	w.U32(reliabilityParameter);
	w.U16(static_cast<uint16_t>(labelLen));
	w.U16(static_cast<uint16_t>(protocolLen));
	w.Bytes(reinterpret_cast<const uint8_t*>(label.data()), labelLen);
	w.Bytes(reinterpret_cast<const uint8_t*>(protocol.data()), protocolLen);
	return out;
}

bool IsDataChannelAck(const uint8_t* data, size_t len) {
	return data && len == 1 && data[0] == DcepDataChannelAck;
}

std::vector<uint8_t> SerializeDataChannelAck() {
	return { DcepDataChannelAck };
}

} // namespace sctp
} // namespace mediaplane
