#include "WorkerSettings.hpp"

#include "../common/RequestError.hpp"

namespace mediaplane {

namespace {

uint16_t ReadPort(const Value& value, const char* key, uint16_t fallback) {
	double port = value.OptionalNumber(key, fallback);
	if (port < 0 || port > 65535 || static_cast<double>(static_cast<uint16_t>(port)) != port) {
		throw RequestError::Type(std::string("invalid ") + key);
	}
	return static_cast<uint16_t>(port);
}

} // namespace

void WorkerSettings::UpdateLogging(const Value& value) {
	const Value* level = value.Find("logLevel");
	if (level && !level->IsNull()) {
		if (!level->IsString() || !LogLevelFromName(level->AsString(), &logLevel)) {
			throw RequestError::Type("invalid logLevel");
		}
	}
	const Value* tags = value.Find("logTags");
	if (tags && !tags->IsNull()) {
		if (!tags->IsArray()) throw RequestError::Type("logTags must be an array");
		uint32_t mask = 0;
		for (const auto& tag : tags->AsArray()) {
			LogTag parsed;
			if (!tag.IsString() || !LogTagFromName(tag.AsString(), &parsed)) {
				throw RequestError::Type("invalid logTags entry");
			}
			mask |= static_cast<uint32_t>(parsed);
		}
		logTagMask = mask;
	}
}

WorkerSettings WorkerSettings::FromValue(const Value& value) {
	if (!value.IsObject()) throw RequestError::Type("settings must be an object");
	WorkerSettings settings;
	settings.UpdateLogging(value);
	settings.rtcMinPort = ReadPort(value, "rtcMinPort", settings.rtcMinPort);
	settings.rtcMaxPort = ReadPort(value, "rtcMaxPort", settings.rtcMaxPort);
	if (settings.rtcMinPort > settings.rtcMaxPort) {
		throw RequestError::Type("rtcMinPort must not be greater than rtcMaxPort");
	}
	settings.dtlsCertificateFile = value.OptionalString("dtlsCertificateFile", "");
	settings.dtlsPrivateKeyFile = value.OptionalString("dtlsPrivateKeyFile", "");
	settings.libwebrtcFieldTrials = value.OptionalString("libwebrtcFieldTrials", "");
	settings.enableTestHooks = value.OptionalBool("enableTestHooks", false);
	settings.udpSendMode = value.OptionalString("udpSendMode", settings.udpSendMode);
	if (settings.udpSendMode != "uring" && settings.udpSendMode != "sendmmsg" && settings.udpSendMode != "immediate") {
		throw RequestError::Type("invalid udpSendMode");
	}
	if (value.OptionalBool("disableLiburing", false) && settings.udpSendMode == "uring") settings.udpSendMode = "sendmmsg";
	return settings;
}

} // namespace mediaplane
