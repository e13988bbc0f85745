#pragma once
// Per-environment state of the addon. The addon can be loaded by the main thread and by
// several worker_threads at once; each gets its own AddonData (napi instance data), so
// nothing in the addon is a process-wide global except libsrtp's one-time init.

#include <napi.h>

namespace mediaplane {

class AddonData {
public:
	// Nothing per environment yet beyond what Node-API keeps for us: requests are
	// rejected with { errorKind, message } and the TypeScript layer makes the errors.

	static AddonData* Get(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
};

} // namespace mediaplane
