// libFuzzer target: request sequences through the channel into a real engine worker
// (issue 14, "the channel"). What the addon does with a NativeWorker, without Node: a
// Channel whose main-side wake-up only signals this thread, a WorkerThread running
// Worker::Run on a thread of its own (uv loop, the RequestHandlerRegistry, every handler:
// routers, WebRtcServers, the four transports, producers, consumers, data producers and
// consumers, RTP observers), requests pushed as the addon pushes them, answers taken
// from the channel as the addon's DrainOutgoing takes them.
//
// Input: text, one request per line (what test/ sessions send, recorded; see
// fuzz/README.md):
//
//   [+]<method> [<handlerId>|- [<data>]]
//
//   method     a Method name ("router.createWebRtcTransport"); an unknown name is skipped
//              (the addon rejects it before it reaches the channel)
//   handlerId  the engine object addressed; "-" or nothing for none (worker.* methods)
//   data       JSON text, sent as the addon sends JSON (dataIsJson, parsed on the worker
//              thread); an object {"$hex":"0a1b.."} anywhere in it stands for a Buffer, and
//              such data is sent as a Value tree instead (requestWithBinary: producer.send,
//              dataProducer.send, PlainTransport SRTP keys, ...). Nothing: no data.
//   '+'        pipelined: pushed without waiting for the previous request's answer (a
//              line without it waits until every earlier request was answered, as an
//              application awaiting each call)
//
// plus "sleep <ms>" lines (at most 10 ms each, 20 ms per input) that let the worker's
// loop run its timers, and '#' comment lines. At most 64 requests per input.
//
// Network safety: transports and WebRtcServers open real sockets and a connected
// PlainTransport/PipeTransport sends to the address it was given. So that fuzzing never
// binds anything but loopback nor sends anywhere else, the harness rewrites the request
// data before it is sent: every string the engine would take as an IP address (what
// uv_ip4_addr/uv_ip6_addr accept: the engine's own parser) becomes 127.0.0.1 or ::1
// (announcedAddress/announcedIp excepted: they are only advertised), and every valid
// port (an integer 1..65535 under "port", "rtcpPort", "min", "max") is moved into
// 61000-61999, which is also the worker's rtcMinPort-rtcMaxPort (what "port": 0 picks
// from). That range is above both Linux's ephemeral ports (32768-60999) and the engine's
// default range (10000-59999), so the fuzzer's sockets do not take ports from other
// processes on the machine, and what it sends lands on its own sockets or nowhere.
// Invalid values (0, negative, fractional, out of range, non-IP strings) pass unchanged,
// so the engine's validation is fuzzed as well. Data that is not valid JSON is sent
// unchanged: the worker parses it with the same parser and rejects it.
//
// Invariants (a broken one traps; ASan, UBSan and LeakSanitizer run as well):
//  - every request the channel took gets exactly one response, accepted or rejected,
//    with the id it was sent with; a rejection carries a RequestError kind and a string
//    reason. Exception: after a fatal error the worker ends with requests still queued,
//    which the addon rejects itself when the thread ends ("@exit");
//  - the worker never fails fatally except for worker.simulateFatalError (test hooks are
//    on here), i.e. no request makes a handler throw FatalError or run out of memory;
//  - "@exit" comes exactly once, last; the worker thread ends within 10 s of close, and
//    each answer comes within 10 s (a hang is a finding even below libFuzzer's -timeout);
//  - after the input, closing every router and WebRtcServer that worker.dump lists leaves
//    the handler registry empty (nothing an input created outlives its router);
//  - the process has as many file descriptors open afterwards as before (sockets, the
//    loop's own fds: nothing leaks that LeakSanitizer cannot see).

#include <arpa/inet.h>
#include <dirent.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <uv.h>

#include "../src/cpp/engine/channel/Channel.hpp"
#include "../src/cpp/engine/channel/Method.hpp"
#include "../src/cpp/engine/common/JsonReader.hpp"
#include "../src/cpp/engine/common/RequestError.hpp"
#include "../src/cpp/engine/worker/WorkerSettings.hpp"
#include "../src/cpp/engine/worker/WorkerThread.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

constexpr size_t kMaxRequests = 64;
constexpr int kMaxSleepMsPerLine = 10;
constexpr int kMaxSleepMsPerInput = 20;
constexpr auto kAnswerTimeout = std::chrono::seconds(10);
constexpr uint16_t kPortMin = 61000;
constexpr uint16_t kPortMax = 61999;

// ---- Input --------------------------------------------------------------------------

struct Step {
	enum class Kind { Request, Sleep };
	Kind kind = Kind::Request;
	bool pipelined = false;
	Method method = Method::WorkerDump;
	std::string handlerId;
	std::string_view data; // empty: no data
	int sleepMs = 0;
};

std::string_view Trim(std::string_view s) {
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
	return s;
}

std::string_view NextToken(std::string_view& rest) {
	rest = Trim(rest);
	size_t end = rest.find_first_of(" \t");
	std::string_view token = rest.substr(0, end);
	rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
	return token;
}

std::vector<Step> ParseInput(std::string_view text) {
	std::vector<Step> steps;
	size_t requests = 0;
	int sleptMs = 0;
	while (!text.empty() && requests < kMaxRequests) {
		size_t nl = text.find('\n');
		std::string_view line = Trim(text.substr(0, nl));
		text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
		if (line.empty() || line.front() == '#') continue;
		Step step;
		if (line.front() == '+') {
			step.pipelined = true;
			line.remove_prefix(1);
		}
		std::string_view rest = line;
		std::string_view name = NextToken(rest);
		if (name == "sleep") {
			int ms = std::atoi(std::string(NextToken(rest)).c_str());
			ms = ms < 0 ? 0 : ms > kMaxSleepMsPerLine ? kMaxSleepMsPerLine : ms;
			if (sleptMs + ms > kMaxSleepMsPerInput) ms = kMaxSleepMsPerInput - sleptMs;
			sleptMs += ms;
			step.kind = Step::Kind::Sleep;
			step.sleepMs = ms;
			steps.push_back(step);
			continue;
		}
		if (!MethodFromName(name, &step.method)) continue;
		std::string_view handlerId = NextToken(rest);
		if (handlerId != "-") step.handlerId = std::string(handlerId);
		step.data = Trim(rest);
		steps.push_back(std::move(step));
		++requests;
	}
	return steps;
}

// ---- Request data: loopback rewriting, {"$hex"} buffers, JSON writer ------------------

bool IsIpForEngine(const std::string& s, bool* v6) {
	sockaddr_in in4;
	sockaddr_in6 in6;
	if (uv_ip4_addr(s.c_str(), 0, &in4) == 0) {
		*v6 = false;
		return true;
	}
	if (uv_ip6_addr(s.c_str(), 0, &in6) == 0) {
		*v6 = true;
		return true;
	}
	return false;
}

bool IsPortKey(std::string_view key) {
	return key == "port" || key == "rtcpPort" || key == "min" || key == "max";
}

// Rewrites `value` in place; returns true when it changed anything. `hasBytes` is set
// when a {"$hex"} object became a Buffer.
bool Sanitize(Value& value, std::string_view key, bool* hasBytes, int depth) {
	if (depth > 80) return false;
	bool changed = false;
	switch (value.GetType()) {
		case Value::Type::String: {
			if (key == "announcedAddress" || key == "announcedIp") break;
			bool v6 = false;
			if (IsIpForEngine(value.AsString(), &v6)) {
				const char* loopback = v6 ? "::1" : "127.0.0.1";
				if (value.AsString() != loopback) {
					value = Value(loopback);
					changed = true;
				}
			}
			break;
		}
		case Value::Type::Number: {
			if (!IsPortKey(key)) break;
			const double d = value.AsNumber();
			if (d >= 1 && d <= 65535 && d == static_cast<double>(static_cast<int>(d))) {
				const int port = static_cast<int>(d);
				const int moved = port >= kPortMin && port <= kPortMax ? port : kPortMin + port % 1000;
				if (moved != port) {
					value = Value(moved);
					changed = true;
				}
			}
			break;
		}
		case Value::Type::Array:
			for (Value& item : value.AsArray()) changed |= Sanitize(item, key, hasBytes, depth + 1);
			break;
		case Value::Type::Object: {
			Value::Object& object = value.AsObject();
			if (object.size() == 1 && object[0].first == "$hex" && object[0].second.IsString()) {
				const std::string& hex = object[0].second.AsString();
				Value::Bytes bytes = fuzz::BytesFromHex(hex);
				value = Value(std::move(bytes));
				*hasBytes = true;
				return true;
			}
			for (auto& [k, item] : object) changed |= Sanitize(item, k, hasBytes, depth + 1);
			break;
		}
		default: break;
	}
	return changed;
}

void WriteJsonString(const std::string& s, std::string& out) {
	out += '"';
	for (unsigned char c : s) {
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20) {
			char escape[8];
			std::snprintf(escape, sizeof(escape), "\\u%04x", c);
			out += escape;
		} else {
			out += static_cast<char>(c);
		}
	}
	out += '"';
}

void WriteJson(const Value& value, std::string& out) {
	switch (value.GetType()) {
		case Value::Type::Null: out += "null"; break;
		case Value::Type::Bool: out += value.AsBool() ? "true" : "false"; break;
		case Value::Type::Number: {
			const double d = value.AsNumber();
			if (d != d) {
				out += "null";
			} else if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
				out += d > 0 ? "1e999" : "-1e999";
			} else {
				char number[40];
				std::snprintf(number, sizeof(number), "%.17g", d);
				out += number;
			}
			break;
		}
		case Value::Type::String: WriteJsonString(value.AsString(), out); break;
		case Value::Type::Array: {
			out += '[';
			bool first = true;
			for (const Value& item : value.AsArray()) {
				if (!first) out += ',';
				first = false;
				WriteJson(item, out);
			}
			out += ']';
			break;
		}
		case Value::Type::Object: {
			out += '{';
			bool first = true;
			for (const auto& [key, item] : value.AsObject()) {
				if (!first) out += ',';
				first = false;
				WriteJsonString(key, out);
				out += ':';
				WriteJson(item, out);
			}
			out += '}';
			break;
		}
		case Value::Type::Bytes: out += "null"; break; // not reached: bytes go as a tree
	}
}

ChannelRequest MakeRequest(const Step& step) {
	ChannelRequest request;
	request.method = step.method;
	request.handlerId = step.handlerId;
	if (step.data.empty()) return request; // no data: a null Value, as the addon sends
	Value parsed;
	try {
		parsed = ParseJson(step.data);
	} catch (const RequestError&) {
		// Not JSON: the worker's parser (the same one) rejects it; nothing to rewrite.
		request.dataJson = std::string(step.data);
		request.dataIsJson = true;
		return request;
	}
	bool hasBytes = false;
	const bool changed = Sanitize(parsed, "", &hasBytes, 0);
	if (hasBytes) {
		request.data = std::move(parsed);
	} else if (changed) {
		WriteJson(parsed, request.dataJson);
		request.dataIsJson = true;
	} else {
		request.dataJson = std::string(step.data);
		request.dataIsJson = true;
	}
	return request;
}

// ---- The main side of the channel -------------------------------------------------

bool Verbose();

size_t CountOpenFds() { return fuzz::OpenDescriptors(false).size(); }

class MainSide {
public:
	MainSide() {
		channel_ = std::make_shared<Channel>([this] { Wake(); });
	}

	std::shared_ptr<Channel>& channel() { return channel_; }
	void Wake() {
		std::lock_guard<std::mutex> lock(mutex_);
		woken_ = true;
		cv_.notify_one();
	}

	// Pushes a request as the addon does; false when the channel refused it (the addon
	// then rejects it with WorkerClosedError itself).
	bool Push(ChannelRequest&& request, uint32_t* id) {
		request.id = *id = ++nextId_;
		if (Verbose()) {
			std::fprintf(stderr, "-> %u %s %s\n", *id, MethodName(request.method), request.handlerId.c_str());
		}
		if (exited_ || !channel_->PushRequest(std::move(request))) {
			if (Verbose()) std::fprintf(stderr, "<- %u refused by the channel\n", *id);
			refused_ = true;
			return false;
		}
		pending_.insert(*id);
		return true;
	}

	// Takes answers until `done()` or the worker thread has ended; false on timeout.
	template <typename Done>
	bool WaitUntil(Done&& done) {
		const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
		for (;;) {
			Drain();
			if (done() || exited_) return true;
			std::unique_lock<std::mutex> lock(mutex_);
			if (!cv_.wait_until(lock, deadline, [this] { return woken_; })) return false;
			woken_ = false; // before Drain(): a push after it wakes us again
		}
	}

	bool AllAnswered() const { return pending_.empty(); }
	// The worker is closing or gone: the channel refused a request, a request was
	// rejected with WorkerClosedError, or "@exit" came.
	bool Closing() const { return refused_ || closedRejection_ || exited_; }
	bool Exited() const { return exited_; }
	bool ExitedFatally() const { return !fatalError_.empty(); }
	const std::string& FatalErrorText() const { return fatalError_; }

	// The last answer to `id` (accepted data), when it was accepted.
	const Value* AcceptedData(uint32_t id) const {
		for (const auto& [answered, data] : accepted_) {
			if (answered == id) return &data;
		}
		return nullptr;
	}

private:
	void Drain() {
		channel_->TakeOutgoing(scratch_);
		for (ChannelOutMessage& message : scratch_) {
			FUZZ_CHECK(!exited_); // nothing after "@exit"
			if (message.kind == ChannelOutMessage::Kind::Response) {
				// Exactly one answer per request taken: known id, not answered before.
				FUZZ_CHECK(pending_.erase(message.requestId) == 1);
				if (Verbose()) {
					std::fprintf(stderr, "<- %u %s%s%s\n", message.requestId,
					             message.accepted ? "accepted" : "rejected: ",
					             message.accepted ? "" : std::to_string(static_cast<int>(message.errorKind)).c_str(),
					             message.accepted || !message.data.IsString() ? "" : (" " + message.data.AsString()).c_str());
				}
				if (message.accepted) {
					accepted_.emplace_back(message.requestId, std::move(message.data));
					if (accepted_.size() > 8) accepted_.erase(accepted_.begin());
				} else {
					const int kind = static_cast<int>(message.errorKind);
					FUZZ_CHECK(kind >= static_cast<int>(RequestError::Kind::Error) &&
					           kind <= static_cast<int>(RequestError::Kind::NotFoundError));
					FUZZ_CHECK(message.data.IsString());
					if (message.errorKind == RequestError::Kind::WorkerClosedError) closedRejection_ = true;
				}
			} else if (message.event == "@exit") {
				FUZZ_CHECK(message.targetId.empty());
				exited_ = true;
				if (const Value* fatal = message.data.Find("fatalError")) {
					FUZZ_CHECK(fatal->IsString());
					fatalError_ = fatal->AsString();
					if (fatalError_.empty()) fatalError_ = "(empty)";
				}
			}
		}
		scratch_.clear();
	}

	std::shared_ptr<Channel> channel_;
	std::mutex mutex_;
	std::condition_variable cv_;
	bool woken_ = false;
	std::vector<ChannelOutMessage> scratch_;
	std::set<uint32_t> pending_;
	std::vector<std::pair<uint32_t, Value>> accepted_;
	uint32_t nextId_ = 0;
	bool exited_ = false;
	bool refused_ = false;
	bool closedRejection_ = false;
	std::string fatalError_;
};

// MEDIAPLANE_FUZZ_VERBOSE=1: each request and its answer on stderr (to check what a
// seed reaches).
bool Verbose() {
	static const bool verbose = [] {
		const char* on = std::getenv("MEDIAPLANE_FUZZ_VERBOSE");
		return on && on[0] == '1';
	}();
	return verbose;
}

bool LoggingOff() {
	const char* off = std::getenv("MEDIAPLANE_FUZZ_NO_LOG");
	return off && off[0] == '1';
}

// worker.dump's ids under `key` (routerIds, webRtcServerIds).
std::vector<std::string> DumpIds(const Value& dump, const char* key) {
	std::vector<std::string> ids;
	const Value* list = dump.Find(key);
	FUZZ_CHECK(list && list->IsArray());
	for (const Value& id : list->AsArray()) {
		FUZZ_CHECK(id.IsString());
		ids.push_back(id.AsString());
	}
	return ids;
}

size_t RegisteredHandlers(const Value& dump) {
	const Value* handlers = dump.Find("channelMessageHandlers");
	FUZZ_CHECK(handlers && handlers->IsObject());
	const Value* ids = handlers->Find("channelRequestHandlers");
	FUZZ_CHECK(ids && ids->IsArray());
	return ids->AsArray().size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	static unsigned runs = 0;
	++runs;
	const std::vector<Step> steps =
	    ParseInput(std::string_view(reinterpret_cast<const char*>(data), size));

	// Lazily opened process-wide fds (the first runs) are not a leak.
	const size_t fdsBefore = CountOpenFds();
	{
		MainSide main;
		WorkerSettings settings;
		if (!LoggingOff()) {
			settings.logLevel = LogLevel::Debug;
			settings.logTagMask = 0xFFFFFFFFu;
		}
		settings.rtcMinPort = kPortMin;
		settings.rtcMaxPort = kPortMax;
		settings.enableTestHooks = true;
		WorkerThread thread(main.channel(), settings, [&main] { main.Wake(); });
		thread.Start();

		bool simulatedFatal = false;
		for (const Step& step : steps) {
			if (step.kind == Step::Kind::Sleep) {
				std::this_thread::sleep_for(std::chrono::milliseconds(step.sleepMs));
				continue;
			}
			// A request the application awaits: everything before it answered first.
			if (!step.pipelined) FUZZ_CHECK(main.WaitUntil([&] { return main.AllAnswered(); }));
			if (step.method == Method::WorkerSimulateFatalError) simulatedFatal = true;
			uint32_t id = 0;
			main.Push(MakeRequest(step), &id);
		}
		FUZZ_CHECK(main.WaitUntil([&] { return main.AllAnswered(); }));

		// Closing every router and WebRtcServer must unregister every engine object.
		if (!main.Closing()) {
			uint32_t dumpId = 0;
			main.Push(ChannelRequest{}, &dumpId); // worker.dump
			FUZZ_CHECK(main.WaitUntil([&] { return main.AllAnswered(); }));
			if (const Value* dump = main.AcceptedData(dumpId)) {
				for (const std::string& routerId : DumpIds(*dump, "routerIds")) {
					ChannelRequest close;
					close.method = Method::WorkerCloseRouter;
					close.data = Value::MakeObject();
					close.data.Set("routerId", routerId);
					uint32_t id = 0;
					main.Push(std::move(close), &id);
				}
				for (const std::string& serverId : DumpIds(*dump, "webRtcServerIds")) {
					ChannelRequest close;
					close.method = Method::WorkerCloseWebRtcServer;
					close.data = Value::MakeObject();
					close.data.Set("webRtcServerId", serverId);
					uint32_t id = 0;
					main.Push(std::move(close), &id);
				}
				main.Push(ChannelRequest{}, &dumpId);
				FUZZ_CHECK(main.WaitUntil([&] { return main.AllAnswered(); }));
				if (const Value* after = main.AcceptedData(dumpId)) {
					FUZZ_CHECK(RegisteredHandlers(*after) == 0);
				} else {
					FUZZ_CHECK(main.Closing()); // worker.dump itself cannot fail otherwise
				}
			} else {
				FUZZ_CHECK(main.Closing());
			}
		}

		// Close as NativeWorker::Close does; the thread must end and say so.
		main.channel()->RequestClose();
		FUZZ_CHECK(main.WaitUntil([&] { return main.Exited(); }));
		FUZZ_CHECK(main.Exited());
		thread.Join();
		// Only the test hook may take the fatal path; with it, requests still queued are
		// the addon's to reject.
		if (main.ExitedFatally()) {
			if (!simulatedFatal) std::fprintf(stderr, "fatal error: %s\n", main.FatalErrorText().c_str());
			FUZZ_CHECK(simulatedFatal && main.FatalErrorText() == "simulated fatal error");
		} else {
			FUZZ_CHECK(main.AllAnswered());
		}
	}
	const size_t fdsAfter = CountOpenFds();
	if (runs > 2 && fdsAfter > fdsBefore) {
		std::fprintf(stderr, "file descriptors: %zu before the input, %zu after\n", fdsBefore, fdsAfter);
		FUZZ_CHECK(fdsAfter <= fdsBefore);
	}
	logging.Drain();
	return 0;
}
