#pragma once
// The trace events a Producer or Consumer emits once the application enables them
// (enableTraceEvent(types), mediasoup v3): which types are on, and the event itself.

#include <string>
#include <vector>

#include "../common/Value.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class StreamTraceEvents {
public:
	bool rtp = false;
	bool keyFrame = false;
	bool nack = false;
	bool pli = false;
	bool fir = false;

	// Replaces the enabled types with request data { types: [...] }. Unknown names are
	// ignored; `acceptSr` lets a producer keep 'sr' (listed, nothing emits it yet).
	void Enable(const Value& data, bool acceptSr);
	// The enabled types, for dump().traceEventTypes.
	Value TypesValue() const;
	// Emits a 'trace' event { type, timestamp, direction, info } for object `id`.
	static void Emit(const WorkerContext& context, const std::string& id, const char* type, const char* direction,
	                 Value info);

private:
	std::vector<std::string> types_;
};

} // namespace mediaplane
