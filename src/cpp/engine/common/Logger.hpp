#pragma once
// Engine logging. Each worker thread has one Logger (reached through a thread_local
// pointer, since every engine object lives on exactly one worker thread). A line that
// passes the worker's `logLevel` / `logTags` filter is sent to JS as a channel
// notification, where the TypeScript layer prints it through the `debug` package under
// `mediaplane:` namespaces. Filtering happens here so that disabled lines cost one
// comparison and never cross the thread boundary.

#include <cstdarg>
#include <cstdint>
#include <string>
#include <vector>

namespace mediaplane {

class Channel;

enum class LogLevel { Debug = 0, Warn = 1, Error = 2, None = 3 };

// mediasoup's log tags; a debug line carrying a tag is shown only when that tag is on.
enum class LogTag : uint32_t {
	None = 0,
	Info = 1u << 0,
	Ice = 1u << 1,
	Dtls = 1u << 2,
	Rtp = 1u << 3,
	Srtp = 1u << 4,
	Rtcp = 1u << 5,
	Rtx = 1u << 6,
	Bwe = 1u << 7,
	Score = 1u << 8,
	Simulcast = 1u << 9,
	Svc = 1u << 10,
	Sctp = 1u << 11,
	Message = 1u << 12,
};

bool LogLevelFromName(const std::string& name, LogLevel* level);
const char* LogLevelName(LogLevel level);
// Returns false when the name is unknown.
bool LogTagFromName(const std::string& name, LogTag* tag);

class Logger {
public:
	explicit Logger(Channel& channel) : channel_(channel) {}

	void SetLevel(LogLevel level) { level_ = level; }
	void SetTags(uint32_t tagMask) { tagMask_ = tagMask; }
	LogLevel GetLevel() const { return level_; }

	bool Enabled(LogLevel level, LogTag tag) const {
		if (level < level_) return false;
		// Tags only narrow debug output; warnings and errors always pass.
		if (level == LogLevel::Debug && tag != LogTag::None) {
			return (tagMask_ & static_cast<uint32_t>(tag)) != 0;
		}
		return true;
	}

	void Write(LogLevel level, const char* source, const char* format, ...)
	    __attribute__((format(printf, 4, 5)));

	// The logger of the worker thread this code runs on (nullptr elsewhere).
	static Logger* Current();
	static void SetCurrent(Logger* logger);

private:
	Channel& channel_;
	LogLevel level_ = LogLevel::Error;
	uint32_t tagMask_ = 0;
};

} // namespace mediaplane

// `MP_LOG_SOURCE` names the class or file a line comes from; each .cpp defines it.
#define MP_LOG(level, tag, ...)                                                        \
	do {                                                                               \
		::mediaplane::Logger* mpLogger = ::mediaplane::Logger::Current();              \
		if (mpLogger && mpLogger->Enabled(level, tag)) {                               \
			mpLogger->Write(level, MP_LOG_SOURCE, __VA_ARGS__);                        \
		}                                                                              \
	} while (false)

#define MP_DEBUG(...) MP_LOG(::mediaplane::LogLevel::Debug, ::mediaplane::LogTag::None, __VA_ARGS__)
#define MP_DEBUG_TAG(tag, ...) MP_LOG(::mediaplane::LogLevel::Debug, ::mediaplane::LogTag::tag, __VA_ARGS__)
#define MP_WARN(...) MP_LOG(::mediaplane::LogLevel::Warn, ::mediaplane::LogTag::None, __VA_ARGS__)
#define MP_ERROR(...) MP_LOG(::mediaplane::LogLevel::Error, ::mediaplane::LogTag::None, __VA_ARGS__)
