#pragma once
// Internal test helpers that expose the engine's SRTP layer to JavaScript, so that
// test/srtp.test.js can check libsrtp (and our wrapper) against published vectors
// without a network peer. Not public API: lib/ never re-exports them.

#include <napi.h>

namespace mediaplane {

// Adds srtpProtect, srtpUnprotect and srtpVersion to the addon's exports.
void InitSrtpBinding(Napi::Env env, Napi::Object exports);

} // namespace mediaplane
