#pragma once
// Conversion between JS values and the engine's Value tree. Main thread only.

#include <napi.h>

#include "../engine/common/Value.hpp"

namespace mediaplane {

// Throws Napi::TypeError for values that cannot cross the channel (functions, symbols,
// bigints, cycles deeper than the nesting limit). `undefined` object fields are
// skipped, as JSON does.
Value JsToValue(napi_env env, napi_value value);
napi_value ValueToJs(napi_env env, const Value& value);
// Hands a byte vector to JS as a Buffer without copying it: the Buffer owns the
// vector's memory and frees it when collected (DirectTransport's rtp/rtcp events).
napi_value BytesToJsBuffer(napi_env env, Value::Bytes&& bytes);

} // namespace mediaplane
