#include "DtlsBinding.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../engine/dtls/DtlsCertificate.hpp"
#include "../engine/dtls/DtlsTransport.hpp"
#include "../engine/srtp/SrtpSession.hpp"

namespace mediaplane {

namespace {

// dtlsLoopbackHandshake(options?) runs a DTLS client against a DTLS server on the
// calling thread, passing datagrams between them in memory with a clock of its own.
// Waiting for a retransmission is the one thing that takes real time: OpenSSL's DTLS
// timer is the wall clock (see DtlsTransport.hpp), so the loop sleeps until it is due,
// at most kMaxRealWaitMs per handshake; beyond that it only moves its own clock, which
// runs into the 30 s handshake deadline and fails.
constexpr uint64_t kMaxRealWaitMs = 5000;
constexpr int kMaxSteps = 10000;
constexpr uint32_t kMaxIterations = 100000;
// Shorter than the RFC's 1 s so that a test with a lost flight stays quick.
constexpr uint32_t kDefaultInitialRetransmitMs = 100;

struct LoopbackOptions {
	std::vector<SrtpCryptoSuite> clientSuites; // empty: the transport's default
	std::vector<SrtpCryptoSuite> serverSuites;
	bool corruptFingerprint = false; // the client is given a wrong server fingerprint
	bool dropFirstFlight = false;    // the client's first flight (ClientHello) is lost
	bool injectGarbage = false;      // malformed datagrams before every real one
	std::string forgeRecords;        // well-formed records with junk inside before every real one (kinds below)
	bool exchangeAppData = false;    // one application data record each way once connected
	bool closeAtEnd = false;         // the client sends close_notify once connected
	uint32_t iterations = 1;
	uint32_t initialRetransmitMs = kDefaultInitialRetransmitMs;
};

class Endpoint : public DtlsTransport::Listener {
public:
	void OnDtlsSendData(const uint8_t* data, size_t len) override { outbox.emplace_back(data, data + len); }
	void OnDtlsStateChange(DtlsState /*state*/) override {}
	void OnDtlsSrtpKeys(SrtpCryptoSuite s, const std::vector<uint8_t>& local, const std::vector<uint8_t>& remote) override {
		suite = s;
		localSendKey = local;
		remoteSendKey = remote;
	}
	void OnDtlsApplicationData(const uint8_t* data, size_t len) override {
		appData.assign(reinterpret_cast<const char*>(data), len);
	}

	std::deque<std::vector<uint8_t>> outbox;
	std::optional<SrtpCryptoSuite> suite;
	std::vector<uint8_t> localSendKey;
	std::vector<uint8_t> remoteSendKey;
	std::string appData;
};

struct LoopbackOutcome {
	DtlsState clientState = DtlsState::New;
	DtlsState serverState = DtlsState::New;
	std::optional<SrtpCryptoSuite> suite; // when both agree
	bool keysMatch = false;
	size_t keyLength = 0;
	std::string failureReason;
	std::string clientFailureReason;
	std::string serverFailureReason;
	uint64_t droppedRecords = 0;
	uint64_t droppedDatagrams = 0; // by dropFirstFlight
	uint64_t clientDatagrams = 0;
	uint64_t serverDatagrams = 0;
	uint64_t realWaitMs = 0;
	std::string serverReceived;
	std::string clientReceived;
	std::optional<DtlsState> serverStateAfterClose;
};

bool IsTerminal(DtlsState state) {
	return state == DtlsState::Connected || state == DtlsState::Failed || state == DtlsState::Closed;
}

DtlsFingerprint Sha256Fingerprint(const DtlsCertificate& certificate) {
	for (const DtlsFingerprint& fingerprint : certificate.GetFingerprints()) {
		if (fingerprint.algorithm == "sha-256") return fingerprint;
	}
	return {};
}

// Feeds `to` datagrams that must all be dropped: random bytes, a truncated copy of a
// real datagram, a record too short to be protected, and a header with nothing after it.
void InjectGarbage(DtlsTransport& to, const std::vector<uint8_t>& real, std::mt19937& rng, uint64_t nowMs) {
	std::vector<uint8_t> junk(1 + rng() % 200);
	for (uint8_t& b : junk) b = static_cast<uint8_t>(rng());
	to.ProcessDtlsData(junk.data(), junk.size(), nowMs);
	if (real.size() > 14) to.ProcessDtlsData(real.data(), real.size() - 1 - rng() % 13, nowMs);
	std::vector<uint8_t> shortRecord = {23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 7, 0, 10};
	shortRecord.resize(shortRecord.size() + 10, 0x5A);
	to.ProcessDtlsData(shortRecord.data(), shortRecord.size(), nowMs);
	to.ProcessDtlsData(shortRecord.data(), 13, nowMs);
}

// Kinds of forged record, each a well-formed DTLS 1.2 record header (RFC 6347 §4.1)
// around junk, as a peer (or anyone spoofing its address) could send in the middle of
// a handshake: "handshake" (epoch 0, a handshake header of a random type, length and
// message_seq), "alert" (epoch 0, warning or fatal, random description), "ccs" (epoch 0
// ChangeCipherSpec), "appdata" (epoch 0 application data), "protected" (epoch 1, fails
// authentication), "epoch" (an epoch no one is at), "sequence" (epoch 0 handshake record
// with a sequence number far ahead), or "all" of these; and "fatalAlert", a well-formed
// fatal handshake_failure alert (RFC 5246 §7.2), which must end the handshake.
bool ForgeKindSelected(const std::string& selected, const char* kind) {
	return selected == "all" || selected == kind;
}

void AppendRecordHeader(std::vector<uint8_t>& out, uint8_t type, uint16_t epoch, uint64_t sequence, size_t length) {
	out.push_back(type);
	out.push_back(0xFE);
	out.push_back(0xFD);
	out.push_back(static_cast<uint8_t>(epoch >> 8));
	out.push_back(static_cast<uint8_t>(epoch));
	for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(sequence >> shift));
	out.push_back(static_cast<uint8_t>(length >> 8));
	out.push_back(static_cast<uint8_t>(length));
}

void ForgeRecords(DtlsTransport& to, const std::string& kinds, std::mt19937& rng, uint64_t nowMs) {
	auto junk = [&](size_t n) {
		std::vector<uint8_t> bytes(n);
		for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
		return bytes;
	};
	auto send = [&](uint8_t type, uint16_t epoch, uint64_t sequence, const std::vector<uint8_t>& body) {
		std::vector<uint8_t> record;
		AppendRecordHeader(record, type, epoch, sequence, body.size());
		record.insert(record.end(), body.begin(), body.end());
		to.ProcessDtlsData(record.data(), record.size(), nowMs);
	};
	const uint64_t smallSequence = rng() % 8;
	if (ForgeKindSelected(kinds, "handshake")) {
		std::vector<uint8_t> body = junk(12 + rng() % 120);
		const size_t fragment = body.size() - 12;
		body[5] = 0; // fragment_offset 0 (bytes 6..8) and fragment_length = what follows
		body[6] = 0;
		body[7] = 0;
		body[8] = 0;
		body[9] = static_cast<uint8_t>(fragment >> 16);
		body[10] = static_cast<uint8_t>(fragment >> 8);
		body[11] = static_cast<uint8_t>(fragment);
		if (rng() % 2) { // a whole message: length == fragment_length
			body[1] = body[9];
			body[2] = body[10];
			body[3] = body[11];
		}
		send(22, 0, smallSequence, body);
	}
	if (ForgeKindSelected(kinds, "alert")) {
		// Malformed: a level other than warning(1)/fatal(2), a description no registry
		// has, or a length other than 2.
		switch (rng() % 3) {
			case 0: send(21, 0, smallSequence, {static_cast<uint8_t>(3 + rng() % 253), 40}); break;
			case 1: send(21, 0, smallSequence, {2, static_cast<uint8_t>(200 + rng() % 50)}); break;
			default: send(21, 0, smallSequence, junk(3 + rng() % 10)); break;
		}
	}
	if (kinds == "fatalAlert") send(21, 0, smallSequence, {2, 40}); // a genuine handshake_failure
	if (ForgeKindSelected(kinds, "ccs")) send(20, 0, smallSequence, rng() % 2 ? std::vector<uint8_t>{1} : junk(1 + rng() % 4));
	if (ForgeKindSelected(kinds, "appdata")) send(23, 0, smallSequence, junk(1 + rng() % 64));
	if (ForgeKindSelected(kinds, "protected")) send(static_cast<uint8_t>(20 + rng() % 4), 1, smallSequence, junk(24 + rng() % 64));
	if (ForgeKindSelected(kinds, "epoch")) {
		send(static_cast<uint8_t>(20 + rng() % 4), static_cast<uint16_t>(2 + rng() % 65534), rng(), junk(24 + rng() % 64));
	}
	if (ForgeKindSelected(kinds, "sequence")) {
		// A well-formed Certificate fragment (a message either side may receive) that only
		// its record sequence number gives away.
		std::vector<uint8_t> body = junk(12 + rng() % 40);
		const size_t fragment = body.size() - 12;
		body[0] = 11;
		body[1] = 0;
		body[2] = 0;
		body[3] = static_cast<uint8_t>(fragment);
		std::fill(body.begin() + 6, body.begin() + 11, 0);
		body[11] = static_cast<uint8_t>(fragment);
		send(22, 0, 1000 + rng() % 100000, body);
	}
}

LoopbackOutcome RunLoopback(const LoopbackOptions& options, const std::shared_ptr<DtlsCertificate>& clientCertificate,
    const std::shared_ptr<DtlsCertificate>& serverCertificate, std::mt19937& rng) {
	LoopbackOutcome outcome;
	Endpoint clientEndpoint;
	Endpoint serverEndpoint;
	DtlsTransport client(clientEndpoint, clientCertificate);
	DtlsTransport server(serverEndpoint, serverCertificate);
	if (!options.clientSuites.empty()) client.SetSrtpCryptoSuites(options.clientSuites);
	if (!options.serverSuites.empty()) server.SetSrtpCryptoSuites(options.serverSuites);
	client.SetInitialRetransmitMs(options.initialRetransmitMs);
	server.SetInitialRetransmitMs(options.initialRetransmitMs);

	DtlsFingerprint serverSeenByClient = Sha256Fingerprint(*serverCertificate);
	if (options.corruptFingerprint && !serverSeenByClient.value.empty()) {
		char& digit = serverSeenByClient.value[0];
		digit = digit == 'A' ? 'B' : 'A';
	}

	uint64_t now = 0;
	server.Run(DtlsRole::Server, Sha256Fingerprint(*clientCertificate), now);
	client.Run(DtlsRole::Client, serverSeenByClient, now);
	if (options.dropFirstFlight) {
		outcome.droppedDatagrams += clientEndpoint.outbox.size();
		clientEndpoint.outbox.clear();
	}

	auto deliverAll = [&]() {
		while (!clientEndpoint.outbox.empty() || !serverEndpoint.outbox.empty()) {
			if (!clientEndpoint.outbox.empty()) {
				std::vector<uint8_t> datagram = std::move(clientEndpoint.outbox.front());
				clientEndpoint.outbox.pop_front();
				if (options.injectGarbage) InjectGarbage(server, datagram, rng, now);
				if (!options.forgeRecords.empty()) ForgeRecords(server, options.forgeRecords, rng, now);
				server.ProcessDtlsData(datagram.data(), datagram.size(), now);
			}
			if (!serverEndpoint.outbox.empty()) {
				std::vector<uint8_t> datagram = std::move(serverEndpoint.outbox.front());
				serverEndpoint.outbox.pop_front();
				if (options.injectGarbage) InjectGarbage(client, datagram, rng, now);
				if (!options.forgeRecords.empty()) ForgeRecords(client, options.forgeRecords, rng, now);
				client.ProcessDtlsData(datagram.data(), datagram.size(), now);
			}
		}
	};

	for (int step = 0; step < kMaxSteps; ++step) {
		deliverAll();
		if (IsTerminal(client.GetState()) && IsTerminal(server.GetState())) break;
		const uint64_t next = std::min(client.NextTimeoutMs(now), server.NextTimeoutMs(now));
		if (next == UINT64_MAX) break; // nothing left that could make progress
		if (next > now) {
			const uint64_t wait = next - now;
			if (outcome.realWaitMs + wait <= kMaxRealWaitMs) {
				std::this_thread::sleep_for(std::chrono::milliseconds(wait));
				outcome.realWaitMs += wait;
			}
			now = next;
		}
		client.OnTimer(now);
		server.OnTimer(now);
	}

	if (client.GetState() == DtlsState::Connected && server.GetState() == DtlsState::Connected) {
		if (options.exchangeAppData) {
			static const char kPing[] = "ping from client";
			static const char kPong[] = "pong from server";
			client.SendApplicationData(reinterpret_cast<const uint8_t*>(kPing), sizeof(kPing) - 1);
			server.SendApplicationData(reinterpret_cast<const uint8_t*>(kPong), sizeof(kPong) - 1);
			deliverAll();
			outcome.serverReceived = serverEndpoint.appData;
			outcome.clientReceived = clientEndpoint.appData;
		}
	}

	outcome.clientState = client.GetState();
	outcome.serverState = server.GetState();
	if (clientEndpoint.suite && serverEndpoint.suite && *clientEndpoint.suite == *serverEndpoint.suite) {
		outcome.suite = clientEndpoint.suite;
		const size_t expected = SrtpMasterKeyLength(*outcome.suite);
		outcome.keyLength = clientEndpoint.localSendKey.size();
		outcome.keysMatch = outcome.keyLength == expected && clientEndpoint.localSendKey == serverEndpoint.remoteSendKey &&
		                    clientEndpoint.remoteSendKey == serverEndpoint.localSendKey &&
		                    clientEndpoint.remoteSendKey.size() == expected &&
		                    clientEndpoint.localSendKey != clientEndpoint.remoteSendKey;
	}
	outcome.failureReason = !client.GetFailureReason().empty() ? client.GetFailureReason() : server.GetFailureReason();
	outcome.clientFailureReason = client.GetFailureReason();
	outcome.serverFailureReason = server.GetFailureReason();

	if (options.closeAtEnd && client.GetState() == DtlsState::Connected) {
		client.Close();
		deliverAll();
		outcome.serverStateAfterClose = server.GetState();
	}

	outcome.droppedRecords = client.GetDroppedRecords() + server.GetDroppedRecords();
	outcome.clientDatagrams = client.GetSentDatagrams();
	outcome.serverDatagrams = server.GetSentDatagrams();
	return outcome;
}

// "AEAD_AES_128_GCM:AES_CM_128_HMAC_SHA1_80" (':' or ',' separated, mediasoup names).
std::vector<SrtpCryptoSuite> ParseSuites(Napi::Env env, const Napi::Value& value, const char* field) {
	const std::string prefix = std::string("dtlsLoopbackHandshake(): options.") + field;
	if (!value.IsString()) throw Napi::TypeError::New(env, prefix + " must be a string");
	const std::string text = value.As<Napi::String>().Utf8Value();
	std::vector<SrtpCryptoSuite> suites;
	size_t start = 0;
	while (start <= text.size()) {
		size_t end = text.find_first_of(":,", start);
		if (end == std::string::npos) end = text.size();
		std::string name = text.substr(start, end - start);
		const size_t first = name.find_first_not_of(" \t");
		const size_t last = name.find_last_not_of(" \t");
		name = first == std::string::npos ? std::string() : name.substr(first, last - first + 1);
		const std::optional<SrtpCryptoSuite> suite = SrtpCryptoSuiteFromName(name);
		if (!suite) throw Napi::TypeError::New(env, prefix + ": unknown SRTP crypto suite '" + name + "'");
		suites.push_back(*suite);
		start = end + 1;
	}
	return suites;
}

bool ParseBoolean(Napi::Env env, const Napi::Object& object, const char* field) {
	if (!object.Has(field)) return false;
	Napi::Value value = object.Get(field);
	if (value.IsUndefined()) return false;
	if (!value.IsBoolean()) {
		throw Napi::TypeError::New(env, std::string("dtlsLoopbackHandshake(): options.") + field + " must be a boolean");
	}
	return value.As<Napi::Boolean>().Value();
}

uint32_t ParseInteger(Napi::Env env, const Napi::Object& object, const char* field, uint32_t min, uint32_t max,
    uint32_t fallback) {
	if (!object.Has(field)) return fallback;
	Napi::Value value = object.Get(field);
	if (value.IsUndefined()) return fallback;
	const std::string message = std::string("dtlsLoopbackHandshake(): options.") + field + " must be an integer from " +
	                            std::to_string(min) + " to " + std::to_string(max);
	if (!value.IsNumber()) throw Napi::TypeError::New(env, message);
	const double number = value.As<Napi::Number>().DoubleValue();
	if (!(number >= min && number <= max) || number != static_cast<double>(static_cast<uint32_t>(number))) {
		throw Napi::TypeError::New(env, message);
	}
	return static_cast<uint32_t>(number);
}

LoopbackOptions ParseOptions(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	LoopbackOptions options;
	if (info.Length() < 1 || info[0].IsUndefined()) return options;
	if (!info[0].IsObject()) throw Napi::TypeError::New(env, "dtlsLoopbackHandshake(): options must be an object");
	Napi::Object object = info[0].As<Napi::Object>();
	if (object.Has("clientSuites") && !object.Get("clientSuites").IsUndefined()) {
		options.clientSuites = ParseSuites(env, object.Get("clientSuites"), "clientSuites");
	}
	if (object.Has("serverSuites") && !object.Get("serverSuites").IsUndefined()) {
		options.serverSuites = ParseSuites(env, object.Get("serverSuites"), "serverSuites");
	}
	options.corruptFingerprint = ParseBoolean(env, object, "corruptFingerprint");
	options.dropFirstFlight = ParseBoolean(env, object, "dropFirstFlight");
	options.injectGarbage = ParseBoolean(env, object, "injectGarbage");
	options.exchangeAppData = ParseBoolean(env, object, "exchangeAppData");
	if (object.Has("forgeRecords") && !object.Get("forgeRecords").IsUndefined()) {
		static const char* const kKinds[] = {
		    "all", "handshake", "alert", "ccs", "appdata", "protected", "epoch", "sequence", "fatalAlert"};
		Napi::Value value = object.Get("forgeRecords");
		const std::string kind = value.IsString() ? value.As<Napi::String>().Utf8Value() : std::string();
		if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
			throw Napi::TypeError::New(env,
			    "dtlsLoopbackHandshake(): options.forgeRecords must be one of all, handshake, alert, ccs, appdata, "
			    "protected, epoch, sequence, fatalAlert");
		}
		options.forgeRecords = kind;
	}
	options.closeAtEnd = ParseBoolean(env, object, "closeAtEnd");
	options.iterations = ParseInteger(env, object, "iterations", 1, kMaxIterations, 1);
	options.initialRetransmitMs =
	    ParseInteger(env, object, "initialRetransmitMs", 10, 1000, kDefaultInitialRetransmitMs);
	return options;
}

Napi::Value DtlsLoopbackHandshake(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const LoopbackOptions options = ParseOptions(info);

	std::string error;
	std::shared_ptr<DtlsCertificate> clientCertificate = DtlsCertificate::Generate(&error);
	if (!clientCertificate) throw Napi::Error::New(env, "dtlsLoopbackHandshake(): " + error);
	std::shared_ptr<DtlsCertificate> serverCertificate = DtlsCertificate::Generate(&error);
	if (!serverCertificate) throw Napi::Error::New(env, "dtlsLoopbackHandshake(): " + error);

	std::mt19937 rng(0x6d70u);
	LoopbackOutcome last;
	uint32_t connectedCount = 0;
	const auto start = std::chrono::steady_clock::now();
	for (uint32_t i = 0; i < options.iterations; ++i) {
		last = RunLoopback(options, clientCertificate, serverCertificate, rng);
		if (last.clientState == DtlsState::Connected && last.serverState == DtlsState::Connected && last.keysMatch) {
			++connectedCount;
		}
	}
	const double elapsedMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

	// Field meanings: state is "connected" only if every iteration connected on both
	// sides with matching keys; everything else describes the last iteration, except
	// elapsedMs (all iterations, wall clock) and connectedCount.
	Napi::Object result = Napi::Object::New(env);
	result.Set("state", connectedCount == options.iterations ? "connected" : "failed");
	result.Set("clientState", DtlsStateName(last.clientState));
	result.Set("serverState", DtlsStateName(last.serverState));
	result.Set("suite", last.suite ? Napi::Value(Napi::String::New(env, SrtpCryptoSuiteName(*last.suite)))
	                               : Napi::Value(env.Null()));
	result.Set("keysMatch", last.keysMatch);
	result.Set("keyLength", static_cast<double>(last.keyLength));
	result.Set("elapsedMs", elapsedMs);
	result.Set("iterations", static_cast<double>(options.iterations));
	result.Set("connectedCount", static_cast<double>(connectedCount));
	result.Set("failureReason", last.failureReason);
	result.Set("clientFailureReason", last.clientFailureReason);
	result.Set("serverFailureReason", last.serverFailureReason);
	result.Set("droppedRecords", static_cast<double>(last.droppedRecords));
	result.Set("droppedDatagrams", static_cast<double>(last.droppedDatagrams));
	result.Set("clientDatagrams", static_cast<double>(last.clientDatagrams));
	result.Set("serverDatagrams", static_cast<double>(last.serverDatagrams));
	result.Set("retransmitWaitMs", static_cast<double>(last.realWaitMs));
	if (options.exchangeAppData) {
		result.Set("serverReceived", last.serverReceived);
		result.Set("clientReceived", last.clientReceived);
	}
	if (options.closeAtEnd) {
		result.Set("serverStateAfterClose", last.serverStateAfterClose
		                                        ? Napi::Value(Napi::String::New(env, DtlsStateName(*last.serverStateAfterClose)))
		                                        : Napi::Value(env.Null()));
	}

	Napi::Array fingerprints = Napi::Array::New(env);
	uint32_t index = 0;
	for (const DtlsFingerprint& fingerprint : serverCertificate->GetFingerprints()) {
		Napi::Object entry = Napi::Object::New(env);
		entry.Set("algorithm", fingerprint.algorithm);
		entry.Set("value", fingerprint.value);
		fingerprints.Set(index++, entry);
	}
	result.Set("fingerprints", fingerprints);
	result.Set("certificatePem", serverCertificate->GetPem());
	return result;
}

} // namespace

void InitDtlsBinding(Napi::Env env, Napi::Object exports) {
	exports.Set("dtlsLoopbackHandshake", Napi::Function::New(env, DtlsLoopbackHandshake, "dtlsLoopbackHandshake"));
}

} // namespace mediaplane
