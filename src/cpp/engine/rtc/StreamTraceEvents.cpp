#include "StreamTraceEvents.hpp"

namespace mediaplane {

void StreamTraceEvents::Enable(const Value& data, bool acceptSr) {
	types_.clear();
	rtp = keyFrame = nack = pli = fir = false;
	for (const Value& type : data.RequireArray("types")) {
		if (!type.IsString()) continue;
		const std::string& name = type.AsString();
		if (name == "rtp") rtp = true;
		else if (name == "keyframe") keyFrame = true;
		else if (name == "nack") nack = true;
		else if (name == "pli") pli = true;
		else if (name == "fir") fir = true;
		else if (!(acceptSr && name == "sr")) continue;
		types_.push_back(name);
	}
}

Value StreamTraceEvents::TypesValue() const {
	Value types = Value::MakeArray();
	for (const auto& type : types_) types.Push(type);
	return types;
}

void StreamTraceEvents::Emit(const WorkerContext& context, const std::string& id, const char* type,
                             const char* direction, Value info) {
	Value trace = Value::MakeObject();
	trace.Set("type", type);
	trace.Set("timestamp", static_cast<uint64_t>(context.NowMs()));
	trace.Set("direction", direction);
	trace.Set("info", std::move(info));
	context.Emit(id, "trace", std::move(trace));
}

} // namespace mediaplane
