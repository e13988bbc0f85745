#define MP_LOG_SOURCE "Worker"
#include "Worker.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <new>

#include "../common/CallbackGuard.hpp"
#include "../common/JsonReader.hpp"
#include "../dtls/DtlsCertificate.hpp"

namespace mediaplane {

namespace {

// How long the loop stays hot after the last request. Long enough to cover an
// application's turn-around between two awaited requests, short enough that an idle
// worker stops burning CPU almost at once.
constexpr uint64_t kHotPollNs = 300 * 1000;

double TimevalToMs(const timeval& tv) {
	return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
}

} // namespace

Worker::Worker(Channel& channel, WorkerSettings settings)
    : channel_(channel), settings_(std::move(settings)), logger_(channel) {
	logger_.SetLevel(settings_.logLevel);
	logger_.SetTags(settings_.logTagMask);
}

Worker::~Worker() {
	// Run() always closes; this is for a Worker destroyed without running.
	routers_.clear();
	webRtcServers_.clear();
}

std::string Worker::Run() {
	Logger::SetCurrent(&logger_);

	int error = uv_loop_init(&loop_);
	if (error != 0) {
		Logger::SetCurrent(nullptr);
		return std::string("uv_loop_init failed: ") + uv_strerror(error);
	}
	loopInitialized_ = true;
	SetFatalErrorHandler(
	    [](void* context, const char* reason) { static_cast<Worker*>(context)->Fail(reason); }, this);
	wakeup_.data = this;
	error = uv_async_init(&loop_, &wakeup_, &Worker::OnWakeup);
	if (error != 0) {
		uv_loop_close(&loop_);
		Logger::SetCurrent(nullptr);
		return std::string("uv_async_init failed: ") + uv_strerror(error);
	}

	uv_idle_init(&loop_, &hotPoll_);
	hotPoll_.data = this;
	if (settings_.udpSendMode != "immediate") {
		udpSendBatcher_ = std::make_unique<UdpSendBatcher>(&loop_, settings_.udpSendMode == "uring");
	}

	context_.loop = &loop_;
	context_.channel = &channel_;
	context_.registry = &registry_;
	context_.rtcMinPort = settings_.rtcMinPort;
	context_.rtcMaxPort = settings_.rtcMaxPort;
	context_.wallClockOffsetMs =
	    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
	    static_cast<int64_t>(uv_now(&loop_));
	{
		std::random_device random;
		context_.nextMediasoupPacketId = static_cast<uint32_t>(random()) & 0x7fffffffU;
	}
	context_.findWebRtcServer = [this](const std::string& id) -> WebRtcServer* {
		auto it = webRtcServers_.find(id);
		return it == webRtcServers_.end() ? nullptr : it->second.get();
	};
	std::string certificateError = SetUpCertificate();
	if (!certificateError.empty()) {
		// Ends the thread before "running": createWorker() rejects with this reason.
		Close();
		uv_run(&loop_, UV_RUN_DEFAULT);
		uv_loop_close(&loop_);
		SetFatalErrorHandler(nullptr, nullptr);
		Logger::SetCurrent(nullptr);
		return certificateError;
	}

	channel_.PushOutgoing(ChannelOutMessage::Notify("", "running", Value()));
	MP_DEBUG("worker thread running [pid:%d]", static_cast<int>(getpid()));
	// Requests queued before this point get a wake-up now.
	channel_.AttachWorkerWakeup(&wakeup_);

	uv_run(&loop_, UV_RUN_DEFAULT);

	// The loop ends only once every handle is closed, which Close() starts. Run again
	// defensively in case an engine object closed a handle late, then free the loop.
	Close();
	uv_run(&loop_, UV_RUN_DEFAULT);
	int closeResult = uv_loop_close(&loop_);
	if (closeResult != 0 && fatalError_.empty()) {
		fatalError_ = "uv_loop_close failed: handles still open";
	}
	MP_DEBUG("worker thread ending");
	SetFatalErrorHandler(nullptr, nullptr);
	Logger::SetCurrent(nullptr);
	return fatalError_;
}

void Worker::OnWakeup(uv_async_t* handle) {
	auto* worker = static_cast<Worker*>(handle->data);
	GuardCallback([worker]() { worker->ProcessRequests(); });
}

void Worker::OnHotPoll(uv_idle_t* handle) {
	auto* worker = static_cast<Worker*>(handle->data);
	if (uv_hrtime() - worker->lastRequestNs_ > kHotPollNs) {
		uv_idle_stop(handle);
		return;
	}
	// Poll politely: when this thread shares a core with the Node thread (or anything
	// else runnable), give it the core instead of spinning through our time slice.
	// On an idle core sched_yield returns at once.
	sched_yield();
}

void Worker::ProcessRequests() {
	channel_.TakeRequests(batch_);
	if (!batch_.empty() && !closed_) {
		lastRequestNs_ = uv_hrtime();
		if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&hotPoll_))) {
			uv_idle_start(&hotPoll_, &Worker::OnHotPoll);
		}
	}
	for (auto& request : batch_) {
		if (closed_) {
			channel_.PushOutgoing(ChannelOutMessage::Reject(
			    request.id, RequestError::Kind::WorkerClosedError, "worker closed"));
			continue;
		}
		Dispatch(request);
	}
	batch_.clear();
	if (channel_.IsCloseRequested()) Close();
}

void Worker::Dispatch(ChannelRequest& request) {
	try {
		if (request.dataIsJson) {
			request.data = ParseJson(request.dataJson);
			request.dataJson = std::string();
		}
		Value result;
		if (IsWorkerMethod(request.method)) {
			result = HandleRequest(request);
		} else {
			RequestHandler* handler = registry_.Find(request.handlerId);
			if (!handler) {
				throw RequestError(RequestError::Kind::NotFoundError,
				                   "no engine object with id \"" + request.handlerId + "\"");
			}
			result = handler->HandleRequest(request);
		}
		channel_.PushOutgoing(ChannelOutMessage::Accept(request.id, std::move(result)));
	} catch (const RequestError& error) {
		channel_.PushOutgoing(ChannelOutMessage::Reject(request.id, error.GetKind(), error.what()));
	} catch (const FatalError& error) {
		channel_.PushOutgoing(
		    ChannelOutMessage::Reject(request.id, RequestError::Kind::Error, error.what()));
		Fail(error.what());
	} catch (const std::bad_alloc&) {
		channel_.PushOutgoing(
		    ChannelOutMessage::Reject(request.id, RequestError::Kind::Error, "out of memory"));
		Fail("out of memory");
	} catch (const std::exception& error) {
		// A handler bug, not a reason to stop the worker: reject and report it.
		MP_ERROR("request %s failed: %s", MethodName(request.method), error.what());
		channel_.PushOutgoing(
		    ChannelOutMessage::Reject(request.id, RequestError::Kind::Error, error.what()));
	}
}

Value Worker::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::WorkerDump: return Dump();
		case Method::WorkerGetResourceUsage: return GetResourceUsage();
		case Method::WorkerUpdateSettings: {
			WorkerSettings updated = settings_;
			updated.UpdateLogging(request.data);
			settings_ = updated;
			logger_.SetLevel(settings_.logLevel);
			logger_.SetTags(settings_.logTagMask);
			MP_DEBUG("settings updated [logLevel:%s]", LogLevelName(settings_.logLevel));
			return Value();
		}
		case Method::WorkerCreateRouter: CreateRouter(request.data); return Value();
		case Method::WorkerCloseRouter: CloseRouter(request.data); return Value();
		case Method::WorkerCreateWebRtcServer: return CreateWebRtcServer(request.data);
		case Method::WorkerCloseWebRtcServer: CloseWebRtcServer(request.data); return Value();
		case Method::WorkerSimulateFatalError:
			if (!settings_.enableTestHooks) {
				throw RequestError(RequestError::Kind::Error, "test hooks are disabled");
			}
			throw FatalError("simulated fatal error");
		default:
			throw RequestError(RequestError::Kind::Error,
			                   std::string("unknown worker method ") + MethodName(request.method));
	}
}

void Worker::CreateRouter(const Value& data) {
	const std::string& routerId = data.RequireString("routerId");
	if (routers_.count(routerId) != 0) {
		throw RequestError(RequestError::Kind::Error, "router \"" + routerId + "\" already exists");
	}
	auto router = std::make_unique<Router>(context_, routerId);
	routers_.emplace(routerId, std::move(router));
}

void Worker::CloseRouter(const Value& data) {
	const std::string& routerId = data.RequireString("routerId");
	auto it = routers_.find(routerId);
	if (it == routers_.end()) {
		throw RequestError(RequestError::Kind::NotFoundError,
		                   "router \"" + routerId + "\" not found");
	}
	routers_.erase(it);
}

std::string Worker::SetUpCertificate() {
	if (settings_.dtlsCertificateFile.empty()) return ""; // generated on first use
	std::string error;
	context_.certificate =
	    DtlsCertificate::LoadFromFiles(settings_.dtlsCertificateFile, settings_.dtlsPrivateKeyFile, &error);
	if (!context_.certificate) return "DTLS certificate: " + error;
	return "";
}

const std::shared_ptr<DtlsCertificate>& WorkerContext::GetCertificate() const {
	if (!certificate) {
		std::string error;
		certificate = DtlsCertificate::Generate(&error);
		if (!certificate) throw RequestError(RequestError::Kind::Error, "cannot generate the DTLS certificate: " + error);
	}
	return certificate;
}

Value Worker::CreateWebRtcServer(const Value& data) {
	const std::string& serverId = data.RequireString("webRtcServerId");
	if (registry_.Find(serverId)) {
		throw RequestError(RequestError::Kind::Error, "id \"" + serverId + "\" already exists");
	}
	auto server = std::make_unique<WebRtcServer>(context_, serverId, data);
	Value dump = server->Dump();
	webRtcServers_.emplace(serverId, std::move(server));
	return dump;
}

void Worker::CloseWebRtcServer(const Value& data) {
	const std::string& serverId = data.RequireString("webRtcServerId");
	auto it = webRtcServers_.find(serverId);
	if (it == webRtcServers_.end()) {
		throw RequestError::NotFound("WebRtcServer \"" + serverId + "\" not found");
	}
	webRtcServers_.erase(it);
}

Value Worker::Dump() const {
	Value routerIds = Value::MakeArray();
	for (const auto& entry : routers_) routerIds.Push(entry.first);
	Value handlerIds = Value::MakeArray();
	for (const auto& id : registry_.Ids()) handlerIds.Push(id);

	Value handlers = Value::MakeObject();
	handlers.Set("channelRequestHandlers", std::move(handlerIds));
	handlers.Set("channelNotificationHandlers", Value::MakeArray());

	Value dump = Value::MakeObject();
	dump.Set("pid", static_cast<int64_t>(getpid()));
	Value webRtcServerIds = Value::MakeArray();
	for (const auto& entry : webRtcServers_) webRtcServerIds.Push(entry.first);
	dump.Set("webRtcServerIds", std::move(webRtcServerIds));
	dump.Set("routerIds", std::move(routerIds));
	dump.Set("channelMessageHandlers", std::move(handlers));
	if (udpSendBatcher_) {
		Value liburing = udpSendBatcher_->DumpLibUring();
		if (!liburing.IsNull()) dump.Set("liburing", std::move(liburing));
	}
	return dump;
}

Value Worker::GetResourceUsage() const {
	// RUSAGE_THREAD: this worker thread's own usage, not the whole Node process's.
	// (Linux reports ru_maxrss for the whole process even here.)
	rusage usage{};
	if (getrusage(RUSAGE_THREAD, &usage) != 0) {
		throw RequestError(RequestError::Kind::Error, "getrusage failed");
	}
	Value result = Value::MakeObject();
	result.Set("ru_utime", TimevalToMs(usage.ru_utime));
	result.Set("ru_stime", TimevalToMs(usage.ru_stime));
	result.Set("ru_maxrss", static_cast<int64_t>(usage.ru_maxrss));
	result.Set("ru_ixrss", static_cast<int64_t>(usage.ru_ixrss));
	result.Set("ru_idrss", static_cast<int64_t>(usage.ru_idrss));
	result.Set("ru_isrss", static_cast<int64_t>(usage.ru_isrss));
	result.Set("ru_minflt", static_cast<int64_t>(usage.ru_minflt));
	result.Set("ru_majflt", static_cast<int64_t>(usage.ru_majflt));
	result.Set("ru_nswap", static_cast<int64_t>(usage.ru_nswap));
	result.Set("ru_inblock", static_cast<int64_t>(usage.ru_inblock));
	result.Set("ru_oublock", static_cast<int64_t>(usage.ru_oublock));
	result.Set("ru_msgsnd", static_cast<int64_t>(usage.ru_msgsnd));
	result.Set("ru_msgrcv", static_cast<int64_t>(usage.ru_msgrcv));
	result.Set("ru_nsignals", static_cast<int64_t>(usage.ru_nsignals));
	result.Set("ru_nvcsw", static_cast<int64_t>(usage.ru_nvcsw));
	result.Set("ru_nivcsw", static_cast<int64_t>(usage.ru_nivcsw));
	return result;
}

void Worker::Close() {
	if (closed_) return;
	closed_ = true;
	routers_.clear();
	webRtcServers_.clear();
	// After the sockets: their last datagrams are flushed as they go.
	if (udpSendBatcher_) udpSendBatcher_->Close();
	channel_.DetachWorkerWakeup();
	uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
	uv_close(reinterpret_cast<uv_handle_t*>(&hotPoll_), nullptr);
}

void Worker::Fail(const std::string& reason) {
	if (fatalError_.empty()) fatalError_ = reason;
	MP_ERROR("fatal error, closing the worker: %s", reason.c_str());
	Close();
}

} // namespace mediaplane
