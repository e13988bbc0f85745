#include "Logger.hpp"

#include <cstdio>

#include "../channel/Channel.hpp"

namespace mediaplane {

namespace {

thread_local Logger* currentLogger = nullptr;

struct TagName {
	LogTag tag;
	const char* name;
};

constexpr TagName kTagNames[] = {
	{ LogTag::Info, "info" },   { LogTag::Ice, "ice" },
	{ LogTag::Dtls, "dtls" },   { LogTag::Rtp, "rtp" },
	{ LogTag::Srtp, "srtp" },   { LogTag::Rtcp, "rtcp" },
	{ LogTag::Rtx, "rtx" },     { LogTag::Bwe, "bwe" },
	{ LogTag::Score, "score" }, { LogTag::Simulcast, "simulcast" },
	{ LogTag::Svc, "svc" },     { LogTag::Sctp, "sctp" },
	{ LogTag::Message, "message" },
};

} // namespace

bool LogLevelFromName(const std::string& name, LogLevel* level) {
	if (name == "debug") *level = LogLevel::Debug;
	else if (name == "warn") *level = LogLevel::Warn;
	else if (name == "error") *level = LogLevel::Error;
	else if (name == "none") *level = LogLevel::None;
	else return false;
	return true;
}

const char* LogLevelName(LogLevel level) {
	switch (level) {
		case LogLevel::Debug: return "debug";
		case LogLevel::Warn: return "warn";
		case LogLevel::Error: return "error";
		case LogLevel::None: return "none";
	}
	return "none";
}

bool LogTagFromName(const std::string& name, LogTag* tag) {
	for (const auto& entry : kTagNames) {
		if (name == entry.name) {
			*tag = entry.tag;
			return true;
		}
	}
	return false;
}

void Logger::Write(LogLevel level, const char* source, const char* format, ...) {
	char buffer[1024];
	va_list args;
	va_start(args, format);
	int length = std::vsnprintf(buffer, sizeof(buffer), format, args);
	va_end(args);
	if (length < 0) return;

	Value data = Value::MakeObject();
	data.Set("level", LogLevelName(level));
	data.Set("source", source);
	data.Set("text", std::string(buffer));
	channel_.PushOutgoing(ChannelOutMessage::Notify("", "log", std::move(data)));
}

Logger* Logger::Current() { return currentLogger; }

void Logger::SetCurrent(Logger* logger) { currentLogger = logger; }

} // namespace mediaplane
