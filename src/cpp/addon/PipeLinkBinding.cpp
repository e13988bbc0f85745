#include "PipeLinkBinding.hpp"

#include "../engine/net/InProcessPipeLink.hpp"

namespace mediaplane {

namespace {

Napi::Value InProcessPipeLinks(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	std::vector<InProcessPipeLink::Snapshot> links = InProcessPipeLink::List();
	Napi::Array result = Napi::Array::New(env, links.size());
	for (size_t i = 0; i < links.size(); ++i) {
		const InProcessPipeLink::Snapshot& link = links[i];
		Napi::Object item = Napi::Object::New(env);
		item.Set("id", link.id);
		Napi::Array sides = Napi::Array::New(env, 2);
		for (uint32_t side = 0; side < 2; ++side) {
			Napi::Object counters = Napi::Object::New(env);
			counters.Set("attached", link.attached[side]);
			counters.Set("sent", static_cast<double>(link.sent[side]));
			counters.Set("received", static_cast<double>(link.received[side]));
			counters.Set("dropped", static_cast<double>(link.dropped[side]));
			counters.Set("oversize", static_cast<double>(link.oversize[side]));
			counters.Set("wakeups", static_cast<double>(link.wakeups[side]));
			sides.Set(side, counters);
		}
		item.Set("sides", sides);
		result.Set(static_cast<uint32_t>(i), item);
	}
	return result;
}

} // namespace

void InitPipeLinkBinding(Napi::Env env, Napi::Object exports) {
	exports.Set("inProcessPipeLinks", Napi::Function::New(env, InProcessPipeLinks, "inProcessPipeLinks"));
}

} // namespace mediaplane
