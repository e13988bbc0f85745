#include "SrtpBinding.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../engine/srtp/SrtpLibrary.hpp"
#include "../engine/srtp/SrtpSession.hpp"

namespace mediaplane {

namespace {

struct OneShotArgs {
	SrtpCryptoSuite suite;
	Napi::Buffer<uint8_t> key;
	Napi::Buffer<uint8_t> packet;
	bool isRtcp;
};

// Validates (suiteName, keyMaterial, packet, isRtcp); throws a JS TypeError naming the
// offending argument, as the API does for bad input.
OneShotArgs ParseArgs(const Napi::CallbackInfo& info, const char* fn) {
	Napi::Env env = info.Env();
	const std::string usage = std::string(fn) + "(suiteName, keyMaterial, packet, isRtcp): ";
	if (info.Length() < 4) throw Napi::TypeError::New(env, usage + "expected 4 arguments");
	if (!info[0].IsString()) throw Napi::TypeError::New(env, usage + "suiteName must be a string");
	const std::string name = info[0].As<Napi::String>().Utf8Value();
	const std::optional<SrtpCryptoSuite> suite = SrtpCryptoSuiteFromName(name);
	if (!suite) throw Napi::TypeError::New(env, usage + "unknown suiteName '" + name + "'");
	if (!info[1].IsBuffer()) throw Napi::TypeError::New(env, usage + "keyMaterial must be a Buffer");
	if (!info[2].IsBuffer()) throw Napi::TypeError::New(env, usage + "packet must be a Buffer");
	if (!info[3].IsBoolean()) throw Napi::TypeError::New(env, usage + "isRtcp must be a boolean");
	Napi::Buffer<uint8_t> key = info[1].As<Napi::Buffer<uint8_t>>();
	if (key.Length() != SrtpMasterKeyLength(*suite)) {
		throw Napi::TypeError::New(env, usage + "keyMaterial must be " + std::to_string(SrtpMasterKeyLength(*suite)) +
		    " bytes (master key || master salt) for " + name);
	}
	return {*suite, key, info[2].As<Napi::Buffer<uint8_t>>(), info[3].As<Napi::Boolean>().Value()};
}

// Runs one packet through a fresh session. A fresh session means a known state: the
// first SRTCP index is 1 and the RTP rollover counter 0, which is what the published
// test vectors assume.
Napi::Value OneShot(const Napi::CallbackInfo& info, SrtpSession::Direction direction, const char* fn) {
	Napi::Env env = info.Env();
	OneShotArgs args = ParseArgs(info, fn);

	std::string error;
	std::unique_ptr<SrtpSession> session =
	    SrtpSession::Create(direction, args.suite, args.key.Data(), args.key.Length(), &error);
	if (!session) throw Napi::Error::New(env, std::string(fn) + ": " + error);

	// Work on a copy with trailer room: the caller's Buffer stays untouched.
	size_t len = args.packet.Length();
	std::vector<uint8_t> data(len + SrtpSession::MaxTrailerLength);
	std::copy(args.packet.Data(), args.packet.Data() + len, data.begin());

	bool ok;
	if (direction == SrtpSession::Direction::Outbound) {
		ok = args.isRtcp ? session->ProtectRtcp(data.data(), &len, data.size())
		                 : session->ProtectRtp(data.data(), &len, data.size());
	} else {
		ok = args.isRtcp ? session->UnprotectRtcp(data.data(), &len) : session->UnprotectRtp(data.data(), &len);
	}
	if (!ok) {
		const char* code = SrtpSession::ErrorName(session->LastError());
		Napi::Error err = Napi::Error::New(env, std::string(fn) + " failed: " + code);
		err.Set("code", Napi::String::New(env, code));
		throw err;
	}
	return Napi::Buffer<uint8_t>::Copy(env, data.data(), len);
}

Napi::Value SrtpProtect(const Napi::CallbackInfo& info) {
	return OneShot(info, SrtpSession::Direction::Outbound, "srtpProtect");
}

Napi::Value SrtpUnprotect(const Napi::CallbackInfo& info) {
	return OneShot(info, SrtpSession::Direction::Inbound, "srtpUnprotect");
}

Napi::Value SrtpVersion(const Napi::CallbackInfo& info) {
	return Napi::String::New(info.Env(), SrtpLibrary::Version());
}

} // namespace

void InitSrtpBinding(Napi::Env env, Napi::Object exports) {
	exports.Set("srtpProtect", Napi::Function::New(env, SrtpProtect, "srtpProtect"));
	exports.Set("srtpUnprotect", Napi::Function::New(env, SrtpUnprotect, "srtpUnprotect"));
	exports.Set("srtpVersion", Napi::Function::New(env, SrtpVersion, "srtpVersion"));
}

} // namespace mediaplane
