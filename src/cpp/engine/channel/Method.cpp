#include "Method.hpp"

namespace mediaplane {

namespace {

struct MethodEntry {
	Method method;
	const char* name;
};

constexpr MethodEntry kMethods[] = {
	{ Method::WorkerDump, "worker.dump" },
	{ Method::WorkerGetResourceUsage, "worker.getResourceUsage" },
	{ Method::WorkerUpdateSettings, "worker.updateSettings" },
	{ Method::WorkerCreateRouter, "worker.createRouter" },
	{ Method::WorkerCloseRouter, "worker.closeRouter" },
	{ Method::WorkerSimulateFatalError, "worker.simulateFatalError" },
	{ Method::RouterDump, "router.dump" },
};

} // namespace

bool MethodFromName(std::string_view name, Method* method) {
	for (const auto& entry : kMethods) {
		if (name == entry.name) {
			*method = entry.method;
			return true;
		}
	}
	return false;
}

const char* MethodName(Method method) {
	for (const auto& entry : kMethods) {
		if (entry.method == method) return entry.name;
	}
	return "unknown";
}

} // namespace mediaplane
