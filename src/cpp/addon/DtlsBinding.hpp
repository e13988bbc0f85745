#pragma once
// Internal test hook that runs the engine's DTLS (DtlsCertificate + two DtlsTransports,
// client and server) in-process through the real addon, so that test/dtls.test.js and
// the benchmark exercise Node's own OpenSSL. Not public API: lib/ never re-exports it.

#include <napi.h>

namespace mediaplane {

// Adds dtlsLoopbackHandshake to the addon's exports.
void InitDtlsBinding(Napi::Env env, Napi::Object exports);

} // namespace mediaplane
