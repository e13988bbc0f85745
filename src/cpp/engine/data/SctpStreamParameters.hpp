#pragma once
// The delivery settings of one data channel's SCTP stream (mediasoup's
// SctpStreamParameters; RFC 8831 §6.1 and RFC 3758 for the partial-reliability limits).

#include <cstdint>
#include <string>

#include "../common/Value.hpp"

namespace mediaplane {

struct SctpStreamParameters {
	uint16_t streamId = 0;
	bool ordered = true;
	int32_t maxPacketLifeTime = -1; // ms; -1: none
	int32_t maxRetransmits = -1;    // -1: none

	// Reads { streamId, ordered?, maxPacketLifeTime?, maxRetransmits? }; RequestError
	// (TypeError) naming the field when one is invalid.
	static SctpStreamParameters FromValue(const Value& value);
	Value ToValue() const;
};

// The fields a transport.produceData / transport.consumeData request gives a data
// producer and a data consumer alike: how it carries messages (`type` 'sctp', on the
// stream of `sctpStreamParameters`, or 'direct'), and the data channel's label and
// protocol. RequestError (TypeError) naming the field when one is invalid.
struct DataChannelFields {
	bool sctp = false;
	SctpStreamParameters sctpStreamParameters;
	std::string label;
	std::string protocol;

	static DataChannelFields FromRequest(const Value& data);
};

} // namespace mediaplane
