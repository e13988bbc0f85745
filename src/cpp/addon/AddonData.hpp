#pragma once
// Per-environment state of the addon. The addon can be loaded by the main thread and by
// several worker_threads at once; each gets its own AddonData (napi instance data), so
// nothing in the addon is a process-wide global except libsrtp's one-time init.

#include <napi.h>

namespace mediaplane {

class AddonData {
public:
	// The TypeScript layer hands over its error classes once at load, so engine
	// rejections arrive as the same InvalidStateError/UnsupportedError a user catches.
	Napi::FunctionReference invalidStateErrorClass;
	Napi::FunctionReference unsupportedErrorClass;

	static AddonData* Get(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
};

} // namespace mediaplane
