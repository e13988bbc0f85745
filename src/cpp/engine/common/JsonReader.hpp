#pragma once
// Parses JSON text (RFC 8259) into a Value tree.
//
// Why the channel carries JSON text for most requests: converting a JS object into a
// Value with Node-API costs several calls per property (property names, each property,
// its type, its key's string), about 25 us on the main thread for a consume() request
// of ~150 values. JSON.stringify does the same walk inside V8 in ~4 us, and this reader
// parses the text on the worker thread, off the application's thread. Requests that
// carry binary data (DirectTransport packets) still use the typed conversion.
//
// Strict: exactly one value, whitespace around it, no trailing commas, no comments,
// nesting bounded (kMaxDepth), strings must be valid escapes (\uXXXX surrogate pairs
// are joined into UTF-8). Malformed text throws RequestError(TypeError).

#include <string_view>

#include "Value.hpp"

namespace mediaplane {

Value ParseJson(std::string_view text);

} // namespace mediaplane
