#pragma once
// The JS-visible handle of one worker thread (class `NativeWorker` in the addon's
// exports; used only by src/ts/Channel.ts).
//
//   new NativeWorker(settings, onEvent)
//   nativeWorker.request(method, handlerId, data) -> Promise
//   nativeWorker.close()
//   nativeWorker.pendingRequests() -> number of requests awaiting a response
//
// The out-direction of the channel wakes the main thread through a
// napi_threadsafe_function. Its lifetime rules, which are easy to get wrong:
// - The worker thread holds the TSFN's only thread reference and releases it as its
//   very last act, after queuing the "@exit" message; the TSFN then finalizes once the
//   main thread has drained that message, and only then may this object be collected
//   (it keeps a strong reference to itself until OnTsfnFinalize).
// - While the worker runs, the TSFN keeps the Node event loop alive, as a child process
//   does for mediasoup; after close() nothing of ours holds the loop.
// - If the JS environment (main thread or a worker_thread) is torn down with workers
//   still open, an env cleanup hook, registered after the TSFN so that it runs before
//   the TSFN's own teardown, stops and joins the thread without calling into JS.

#include <memory>
#include <unordered_map>
#include <vector>

#include <napi.h>

#include "../engine/channel/Channel.hpp"
#include "../engine/worker/WorkerThread.hpp"

namespace mediaplane {

class NativeWorker : public Napi::ObjectWrap<NativeWorker> {
public:
	static Napi::Function DefineClass(Napi::Env env);

	explicit NativeWorker(const Napi::CallbackInfo& info);
	~NativeWorker() override;

private:
	Napi::Value Request(const Napi::CallbackInfo& info);
	Napi::Value Close(const Napi::CallbackInfo& info);
	Napi::Value PendingRequests(const Napi::CallbackInfo& info);

	static void CallJs(napi_env env, napi_value jsCallback, void* context, void* data);
	static void OnTsfnFinalize(napi_env env, void* finalizeData, void* context);
	static void OnEnvCleanup(void* arg);

	void DrainOutgoing(Napi::Env env);
	void OnThreadExited(Napi::Env env, const mediaplane::Value& exitData);
	void RejectAllPending(Napi::Env env, const char* reason);
	napi_value MakeError(Napi::Env env, RequestError::Kind kind, const std::string& message);

	std::shared_ptr<Channel> channel_;
	std::unique_ptr<WorkerThread> thread_;
	napi_threadsafe_function tsfn_ = nullptr;
	Napi::FunctionReference onEvent_;
	std::unordered_map<uint32_t, napi_deferred> pending_;
	uint32_t nextRequestId_ = 0;
	std::vector<ChannelOutMessage> drained_; // reused between wake-ups
	uint64_t reportedDroppedNotifications_ = 0;
	bool threadExited_ = false;
	bool cleanupHookInstalled_ = false;
	bool envTearingDown_ = false;
};

} // namespace mediaplane
