#pragma once
// Test hook: inProcessPipeLinks() lists the in-process pipe links alive in this process
// (engine/net/InProcessPipeLink) with each side's counters, so tests can check that a
// pipeToRouter() pair carries its packets through the link and leaves none behind.

#include <napi.h>

namespace mediaplane {

void InitPipeLinkBinding(Napi::Env env, Napi::Object exports);

} // namespace mediaplane
