#include "NativeWorker.hpp"

#include <sched.h>

#include <optional>
#include <system_error>

#include "AddonData.hpp"
#include "ValueConversion.hpp"

namespace mediaplane {

Napi::Function NativeWorker::DefineClass(Napi::Env env) {
	return ObjectWrap<NativeWorker>::DefineClass(
	    env, "NativeWorker",
	    {
	        InstanceMethod<&NativeWorker::Request>("request"),
	        InstanceMethod<&NativeWorker::Close>("close"),
	        InstanceMethod<&NativeWorker::PendingRequests>("pendingRequests"),
	    });
}

NativeWorker::NativeWorker(const Napi::CallbackInfo& info) : ObjectWrap<NativeWorker>(info) {
	Napi::Env env = info.Env();
	if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
		throw Napi::TypeError::New(env, "NativeWorker(settings: object, onEvent: function)");
	}

	WorkerSettings settings;
	try {
		settings = WorkerSettings::FromValue(JsToValue(env, info[0]));
	} catch (const RequestError& error) {
		throw Napi::TypeError::New(env, error.what());
	}
	onEvent_ = Napi::Persistent(info[1].As<Napi::Function>());

	napi_value resourceName = Napi::String::New(env, "mediaplane:Worker");
	napi_status status = napi_create_threadsafe_function(
	    env, nullptr, nullptr, resourceName, 0 /* unlimited queue */, 1 /* the worker thread */,
	    nullptr, &NativeWorker::OnTsfnFinalize, this, &NativeWorker::CallJs, &tsfn_);
	if (status != napi_ok) throw Napi::Error::New(env, "cannot create the worker's wake-up");

	napi_threadsafe_function tsfn = tsfn_;
	channel_ = std::make_shared<Channel>([tsfn]() {
		// A signal only: the messages themselves wait in the channel's queue.
		napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
	});
	thread_ = std::make_unique<WorkerThread>(channel_, settings, [tsfn]() {
		napi_release_threadsafe_function(tsfn, napi_tsfn_release);
	});

	// Registered after the TSFN, so it runs before the TSFN's own env cleanup.
	napi_add_env_cleanup_hook(env, &NativeWorker::OnEnvCleanup, this);
	cleanupHookInstalled_ = true;
	// Stay alive until the TSFN is finalized (see the header).
	Ref();

	try {
		thread_->Start();
	} catch (const std::system_error& error) {
		threadExited_ = true;
		napi_remove_env_cleanup_hook(env, &NativeWorker::OnEnvCleanup, this);
		cleanupHookInstalled_ = false;
		napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
		throw Napi::Error::New(env, std::string("cannot start the worker thread: ") + error.what());
	}
}

NativeWorker::~NativeWorker() {
	// Normally the thread has ended long before; at env teardown the cleanup hook
	// joined it. Either way this returns at once.
	if (thread_) thread_->Stop();
}

Napi::Value NativeWorker::Request(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	napi_deferred deferred;
	napi_value promise;
	NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &deferred, &promise), Napi::Value());

	ChannelRequest request;
	std::string methodName = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
	if (!MethodFromName(methodName, &request.method)) {
		napi_reject_deferred(env, deferred,
		                     MakeError(env, RequestError::Kind::TypeError,
		                               "unknown channel method \"" + methodName + "\""));
		return Napi::Value(env, promise);
	}
	if (info[1].IsString()) request.handlerId = info[1].As<Napi::String>().Utf8Value();
	try {
		if (info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value() && info[2].IsString()) {
			// JSON text (see JsonReader.hpp for why): one copy here, parsed on the
			// worker thread.
			request.dataJson = info[2].As<Napi::String>().Utf8Value();
			request.dataIsJson = true;
		} else {
			request.data = JsToValue(env, info[2]);
		}
	} catch (const Napi::Error& error) {
		napi_reject_deferred(env, deferred, MakeError(env, RequestError::Kind::TypeError, error.Message()));
		return Napi::Value(env, promise);
	}

	request.id = ++nextRequestId_;
	uint32_t id = request.id;
	if (threadExited_ || !channel_->PushRequest(std::move(request))) {
		napi_reject_deferred(env, deferred, MakeError(env, RequestError::Kind::WorkerClosedError,
		                                              "worker closed"));
		return Napi::Value(env, promise);
	}
	pending_.emplace(id, deferred);
	return Napi::Value(env, promise);
}

Napi::Value NativeWorker::Close(const Napi::CallbackInfo& info) {
	// Non-blocking: the thread closes its engine objects and ends; the "@exit" message
	// then completes the close on this thread.
	channel_->RequestClose();
	return info.Env().Undefined();
}

Napi::Value NativeWorker::PendingRequests(const Napi::CallbackInfo& info) {
	// Called by the channel's polling loop while requests are in flight: yield the core
	// so that a worker thread sharing it can answer (see Channel.ts).
	if (!pending_.empty()) sched_yield();
	return Napi::Number::New(info.Env(), static_cast<double>(pending_.size()));
}

void NativeWorker::CallJs(napi_env env, napi_value /*jsCallback*/, void* context, void* /*data*/) {
	// env is null when the TSFN is torn down with signals still queued.
	if (env == nullptr) return;
	auto* self = static_cast<NativeWorker*>(context);
	if (self->envTearingDown_) return;
	// Nothing may escape into Node from here. Throwing the error back as a JS
	// exception can itself fail (for example while a worker_thread is terminating and
	// JS can no longer run); then there is nobody left to tell and it is dropped.
	try {
		try {
			self->DrainOutgoing(Napi::Env(env));
		} catch (const Napi::Error& error) {
			// An exception thrown by a JS listener: hand it back to Node as uncaught.
			error.ThrowAsJavaScriptException();
		} catch (const std::exception& error) {
			Napi::Error::New(env, error.what()).ThrowAsJavaScriptException();
		}
	} catch (...) {
	}
}

void NativeWorker::DrainOutgoing(Napi::Env env) {
	// Notifications the channel dropped while this thread did not keep up (see
	// Channel::kMaxPendingNotifications): said once per batch, as an engine log line.
	const uint64_t dropped = channel_->TakeOutgoing(drained_);
	if (dropped > reportedDroppedNotifications_) {
		mediaplane::Value line = mediaplane::Value::MakeObject();
		line.Set("level", "warn");
		line.Set("source", "Channel");
		line.Set("text", std::to_string(dropped - reportedDroppedNotifications_) +
		                     " notifications dropped: the main thread did not take them in time (" +
		                     std::to_string(dropped) + " in all)");
		reportedDroppedNotifications_ = dropped;
		drained_.insert(drained_.begin(), ChannelOutMessage::Notify("", "log", std::move(line)));
	}
	const mediaplane::Value* exitData = nullptr;
	// A throwing event listener must not cost the rest of the batch its delivery (a
	// lost response would leave a promise pending forever): remember the first error,
	// deliver everything, then rethrow it.
	std::optional<Napi::Error> listenerError;
	for (auto& message : drained_) {
		Napi::HandleScope scope(env);
		if (message.kind == ChannelOutMessage::Kind::Response) {
			auto it = pending_.find(message.requestId);
			if (it == pending_.end()) continue;
			napi_deferred deferred = it->second;
			pending_.erase(it);
			if (message.accepted) {
				napi_resolve_deferred(env, deferred, ValueToJs(env, message.data));
			} else {
				const std::string& reason =
				    message.data.IsString() ? message.data.AsString() : std::string("request failed");
				napi_reject_deferred(env, deferred, MakeError(env, message.errorKind, reason));
			}
			continue;
		}
		if (message.event == "@exit") {
			exitData = &message.data;
			continue;
		}
		try {
			// Packet events carry bytes: give them to JS without another copy.
			napi_value data = message.data.IsBytes()
			                      ? BytesToJsBuffer(env, std::move(const_cast<mediaplane::Value::Bytes&>(message.data.AsBytes())))
			                      : ValueToJs(env, message.data);
			onEvent_.Call({ Napi::String::New(env, message.targetId),
			                Napi::String::New(env, message.event),
			                Napi::Value(env, data) });
		} catch (const Napi::Error& error) {
			if (!listenerError) listenerError = error;
		}
	}
	if (exitData) OnThreadExited(env, *exitData);
	drained_.clear();
	if (listenerError) throw *listenerError;
}

void NativeWorker::OnThreadExited(Napi::Env env, const mediaplane::Value& exitData) {
	if (threadExited_) return;
	threadExited_ = true;
	thread_->Join();
	if (cleanupHookInstalled_) {
		napi_remove_env_cleanup_hook(env, &NativeWorker::OnEnvCleanup, this);
		cleanupHookInstalled_ = false;
	}
	RejectAllPending(env, "worker closed, pending request aborted");
	onEvent_.Call({ Napi::String::New(env, ""), Napi::String::New(env, "@exit"),
	                Napi::Value(env, ValueToJs(env, exitData)) });
}

void NativeWorker::RejectAllPending(Napi::Env env, const char* reason) {
	auto pending = std::move(pending_);
	pending_.clear();
	for (auto& entry : pending) {
		napi_reject_deferred(env, entry.second,
		                     MakeError(env, RequestError::Kind::WorkerClosedError, reason));
	}
}

// Requests are rejected with a plain { errorKind, message } object, never an Error:
// an Error made here would belong to the realm that loaded the addon and fail
// `instanceof` in another one (Jest runs tests in a vm context). The TypeScript layer
// turns it into an error of the caller's realm (errors.ts, errorFromEngine).
napi_value NativeWorker::MakeError(Napi::Env env, RequestError::Kind kind,
                                   const std::string& message) {
	const char* kindName = "Error";
	switch (kind) {
		case RequestError::Kind::TypeError: kindName = "TypeError"; break;
		case RequestError::Kind::UnsupportedError: kindName = "UnsupportedError"; break;
		case RequestError::Kind::WorkerClosedError: kindName = "WorkerClosedError"; break;
		case RequestError::Kind::NotFoundError: kindName = "NotFoundError"; break;
		case RequestError::Kind::Error: break;
	}
	Napi::Object descriptor = Napi::Object::New(env);
	descriptor.Set("errorKind", kindName);
	descriptor.Set("message", message);
	return descriptor;
}

void NativeWorker::OnTsfnFinalize(napi_env env, void* /*finalizeData*/, void* context) {
	auto* self = static_cast<NativeWorker*>(context);
	self->tsfn_ = nullptr;
	// From here on the object may be collected like any other.
	if (!self->envTearingDown_ && env != nullptr) self->Unref();
}

void NativeWorker::OnEnvCleanup(void* arg) {
	auto* self = static_cast<NativeWorker*>(arg);
	self->envTearingDown_ = true;
	self->cleanupHookInstalled_ = false;
	self->thread_->Stop();
	self->threadExited_ = true;
}

} // namespace mediaplane
