#pragma once
// The three kinds of message that cross the channel between the Node main thread and a
// worker thread. They are plain values: moved into a queue on one thread, moved out on
// the other, never shared.

#include <cstdint>
#include <string>

#include "../common/RequestError.hpp"
#include "../common/Value.hpp"
#include "Method.hpp"

namespace mediaplane {

// Main thread → worker. `id` pairs the response with the promise waiting for it.
struct ChannelRequest {
	uint32_t id = 0;
	Method method = Method::WorkerDump;
	std::string handlerId; // the engine object addressed; empty for worker.* methods
	Value data;
	// Most requests arrive as JSON text, parsed into `data` on the worker thread before
	// dispatch (common/JsonReader.hpp says why); binary-carrying ones arrive as `data`.
	std::string dataJson;
	bool dataIsJson = false;
};

// Worker → main thread: either the answer to a request or an event.
struct ChannelOutMessage {
	enum class Kind { Response, Notification };
	Kind kind = Kind::Response;

	// Response fields.
	uint32_t requestId = 0;
	bool accepted = false;
	RequestError::Kind errorKind = RequestError::Kind::Error;

	// Notification fields: the engine object that emits (an id, or empty for the
	// worker itself) and the event name.
	std::string targetId;
	std::string event;

	// Response payload, the rejection message (as a string Value), or the event data.
	Value data;

	static ChannelOutMessage Accept(uint32_t requestId, Value data) {
		ChannelOutMessage message;
		message.kind = Kind::Response;
		message.requestId = requestId;
		message.accepted = true;
		message.data = std::move(data);
		return message;
	}

	static ChannelOutMessage Reject(uint32_t requestId, RequestError::Kind errorKind,
	                                std::string reason) {
		ChannelOutMessage message;
		message.kind = Kind::Response;
		message.requestId = requestId;
		message.accepted = false;
		message.errorKind = errorKind;
		message.data = Value(std::move(reason));
		return message;
	}

	static ChannelOutMessage Notify(std::string targetId, std::string event, Value data) {
		ChannelOutMessage message;
		message.kind = Kind::Notification;
		message.targetId = std::move(targetId);
		message.event = std::move(event);
		message.data = std::move(data);
		return message;
	}
};

} // namespace mediaplane
