// Module entry point. Node-API modules are loaded once per environment (the main
// thread and each worker_thread that requires the addon); everything an environment
// needs lives in its own AddonData (napi instance data), freed when it exits.

#include <napi.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <uv.h>

#include "AddonData.hpp"
#include "NativeWorker.hpp"
#include "DtlsBinding.hpp"
#include "SrtpBinding.hpp"
#include "PipeLinkBinding.hpp"
#include "../engine/srtp/SrtpLibrary.hpp"

namespace mediaplane {

// The library versions this addon runs with. OpenSSL and libuv are Node's own copies,
// so their runtime versions match `process.versions`.
static Napi::Object Versions(Napi::Env env) {
	Napi::Object versions = Napi::Object::New(env);
	versions.Set("libsrtp", SrtpLibrary::Version());
	versions.Set("openssl", OpenSSL_version(OPENSSL_VERSION));
	versions.Set("opensslHeaders", OPENSSL_VERSION_TEXT);
	versions.Set("libuv", uv_version_string());
	versions.Set("napi", NAPI_VERSION);
	return versions;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
	env.SetInstanceData<AddonData>(new AddonData());
	exports.Set("NativeWorker", NativeWorker::DefineClass(env));
	exports.Set("versions", Versions(env));
	InitSrtpBinding(env, exports);
	InitDtlsBinding(env, exports);
	InitPipeLinkBinding(env, exports);
	return exports;
}

} // namespace mediaplane

static Napi::Object InitMediaplane(Napi::Env env, Napi::Object exports) {
	return mediaplane::Init(env, exports);
}

NODE_API_MODULE(mediaplane, InitMediaplane)
