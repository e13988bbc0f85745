#include "SctpStreamParameters.hpp"

#include <cmath>

#include "../common/RequestError.hpp"

namespace mediaplane {

namespace {

// An optional non-negative integer field below `max`, or -1 when absent.
int32_t OptionalLimit(const Value& value, const char* key, double max) {
	const Value* field = value.Find(key);
	if (!field || field->IsNull()) return -1;
	if (!field->IsNumber() || field->AsNumber() < 0 || field->AsNumber() > max ||
	    std::floor(field->AsNumber()) != field->AsNumber()) {
		throw RequestError::Type(std::string("invalid sctpStreamParameters.") + key);
	}
	return static_cast<int32_t>(field->AsNumber());
}

} // namespace

SctpStreamParameters SctpStreamParameters::FromValue(const Value& value) {
	if (!value.IsObject()) throw RequestError::Type("invalid sctpStreamParameters");
	SctpStreamParameters params;
	const Value* streamId = value.Find("streamId");
	if (!streamId || !streamId->IsNumber() || streamId->AsNumber() < 0 || streamId->AsNumber() > 65534 ||
	    std::floor(streamId->AsNumber()) != streamId->AsNumber()) {
		throw RequestError::Type("invalid sctpStreamParameters.streamId");
	}
	params.streamId = static_cast<uint16_t>(streamId->AsNumber());
	params.maxPacketLifeTime = OptionalLimit(value, "maxPacketLifeTime", 65535);
	params.maxRetransmits = OptionalLimit(value, "maxRetransmits", 65535);
	// The TypeScript layer resolved `ordered` and refused a pair of non-zero limits; a
	// zero lifetime next to a retransmission limit leaves the latter in force.
	if (params.maxPacketLifeTime >= 0 && params.maxRetransmits >= 0) params.maxPacketLifeTime = -1;
	const bool partial = params.maxPacketLifeTime > 0 || params.maxRetransmits > 0;
	params.ordered = value.OptionalBool("ordered", !partial);
	return params;
}

Value SctpStreamParameters::ToValue() const {
	Value value = Value::MakeObject();
	value.Set("streamId", static_cast<uint32_t>(streamId));
	value.Set("ordered", ordered);
	if (maxPacketLifeTime >= 0) value.Set("maxPacketLifeTime", maxPacketLifeTime);
	if (maxRetransmits >= 0) value.Set("maxRetransmits", maxRetransmits);
	return value;
}

DataChannelFields DataChannelFields::FromRequest(const Value& data) {
	DataChannelFields fields;
	const std::string& type = data.RequireString("type");
	if (type == "sctp") {
		fields.sctp = true;
		const Value* params = data.Find("sctpStreamParameters");
		if (!params) throw RequestError::Type("missing sctpStreamParameters");
		fields.sctpStreamParameters = SctpStreamParameters::FromValue(*params);
	} else if (type != "direct") {
		throw RequestError::Type("invalid type");
	}
	fields.label = data.OptionalString("label", "");
	fields.protocol = data.OptionalString("protocol", "");
	return fields;
}

} // namespace mediaplane
