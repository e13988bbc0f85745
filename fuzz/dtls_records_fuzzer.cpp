// libFuzzer target: DtlsTransport (src/cpp/engine/dtls/DtlsTransport.hpp) fed DTLS
// datagrams a remote peer controls. One ECDSA certificate is generated once (in
// LLVMFuzzerInitialize) and shared by every transport, as a worker shares its own.
//
// Byte 0 picks the mode, byte 1 options (fingerprint algorithm, a wrong fingerprint,
// SRTP profile list, MTU, what the listener does from inside its callbacks). Then:
//  mode 0  a server transport after Run(Server): each operation feeds it a
//          length-prefixed chunk of arbitrary bytes or ticks its timer;
//  mode 1  the same for a client transport (which has sent its ClientHello);
//  mode 2  a real client and a real server handshaking through a fuzzer-controlled
//          network: each operation delivers, drops, duplicates, reorders, truncates,
//          corrupts or glues the next datagram in flight, injects arbitrary bytes into
//          either side, ticks timers, sends application data or closes a side. When
//          the input runs out, what is still in flight is delivered unchanged, so many
//          inputs reach the connected state and then the post-handshake record paths.
//
// Invariants (a violation traps):
//  - every datagram the transport emits is a sequence of whole DTLS records, and is at
//    most GetMtu() bytes unless it is a single record;
//  - states only move forward (new -> connecting -> connected -> closed, failed/closed
//    terminal except failed -> closed); Failed comes with a reason;
//  - keys are reported at most once, before Connected, with SrtpMasterKeyLength bytes,
//    and SrtpSession::Create accepts them; when both sides connect they agree on the
//    profile and each side's send key is the other's receive key;
//  - a wrong remote fingerprint never reaches Connected;
//  - NextTimeoutMs(now) >= now; GetDroppedRecords() never decreases.

#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "../src/cpp/engine/dtls/DtlsCertificate.hpp"
#include "../src/cpp/engine/dtls/DtlsTransport.hpp"
#include "../src/cpp/engine/srtp/SrtpSession.hpp"
#include "FuzzSupport.hpp"

using mediaplane::DtlsCertificate;
using mediaplane::DtlsFingerprint;
using mediaplane::DtlsRole;
using mediaplane::DtlsState;
using mediaplane::DtlsTransport;
using mediaplane::SrtpCryptoSuite;
using mediaplane::SrtpSession;

namespace {

std::shared_ptr<DtlsCertificate> certificate;

constexpr size_t kRecordHeaderLength = 13;

bool WholeRecords(const uint8_t* data, size_t len) {
	size_t offset = 0;
	while (offset < len) {
		if (len - offset < kRecordHeaderLength) return false;
		const size_t fragment = (static_cast<size_t>(data[offset + 11]) << 8) | data[offset + 12];
		if (len - offset - kRecordHeaderLength < fragment) return false;
		offset += kRecordHeaderLength + fragment;
	}
	return true;
}

size_t RecordCount(const uint8_t* data, size_t len) {
	size_t offset = 0, n = 0;
	while (offset + kRecordHeaderLength <= len) {
		offset += kRecordHeaderLength + ((static_cast<size_t>(data[offset + 11]) << 8) | data[offset + 12]);
		++n;
	}
	return n;
}

int StateRank(DtlsState state) {
	switch (state) {
		case DtlsState::New: return 0;
		case DtlsState::Connecting: return 1;
		case DtlsState::Connected: return 2;
		case DtlsState::Failed: return 3;
		case DtlsState::Closed: return 4;
	}
	return -1;
}

struct Datagram {
	bool toServer;
	std::vector<uint8_t> bytes;
};

// What a listener does from inside its callbacks (allowed by the header: Close() and
// SendApplicationData(), never destroying the transport).
enum class CallbackAction { None, CloseOnKeys, CloseOnCertificate, SendOnConnected };

struct Side : DtlsTransport::Listener {
	DtlsTransport* transport = nullptr;
	std::deque<Datagram>* network = nullptr;
	bool isServer = false;
	CallbackAction action = CallbackAction::None;

	DtlsState state = DtlsState::New;
	int keysReported = 0;
	bool certificateReported = false;
	SrtpCryptoSuite suite = SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80;
	std::vector<uint8_t> localKey, remoteKey;
	size_t applicationBytes = 0;

	void OnDtlsSendData(const uint8_t* data, size_t len) override {
		FUZZ_CHECK(data != nullptr && len > 0);
		FUZZ_CHECK(WholeRecords(data, len));
		FUZZ_CHECK(len <= transport->GetMtu() || RecordCount(data, len) == 1);
		if (network && network->size() < 256) network->push_back(Datagram{!isServer, std::vector<uint8_t>(data, data + len)});
	}
	void OnDtlsStateChange(DtlsState next) override {
		FUZZ_CHECK(next != state);
		// Forward only; Failed and Closed are terminal except Failed -> Closed.
		FUZZ_CHECK(StateRank(next) > StateRank(state));
		if (next == DtlsState::Connected) {
			FUZZ_CHECK(keysReported == 1 && certificateReported);
			FUZZ_CHECK(transport->GetSrtpCryptoSuite().has_value());
		}
		if (next == DtlsState::Failed) FUZZ_CHECK(!transport->GetFailureReason().empty());
		state = next;
		if (next == DtlsState::Connected && action == CallbackAction::SendOnConnected) {
			static const uint8_t hello[] = "application data from a callback";
			FUZZ_CHECK(transport->SendApplicationData(hello, sizeof(hello)));
		}
	}
	void OnDtlsSrtpKeys(SrtpCryptoSuite negotiated, const std::vector<uint8_t>& localSendKey,
	    const std::vector<uint8_t>& remoteSendKey) override {
		FUZZ_CHECK(keysReported == 0 && state == DtlsState::Connecting && certificateReported);
		++keysReported;
		suite = negotiated;
		const size_t keyLen = mediaplane::SrtpMasterKeyLength(negotiated);
		FUZZ_CHECK(localSendKey.size() == keyLen && remoteSendKey.size() == keyLen);
		localKey = localSendKey;
		remoteKey = remoteSendKey;
		std::string error;
		FUZZ_CHECK(SrtpSession::Create(SrtpSession::Direction::Outbound, negotiated, localSendKey.data(), keyLen, &error));
		FUZZ_CHECK(SrtpSession::Create(SrtpSession::Direction::Inbound, negotiated, remoteSendKey.data(), keyLen, &error));
		if (action == CallbackAction::CloseOnKeys) transport->Close();
	}
	void OnDtlsRemoteCertificate(const std::string& pem) override {
		FUZZ_CHECK(!certificateReported);
		FUZZ_CHECK(pem.find("-----BEGIN CERTIFICATE-----") == 0);
		certificateReported = true;
		if (action == CallbackAction::CloseOnCertificate) transport->Close();
	}
	void OnDtlsApplicationData(const uint8_t* data, size_t len) override {
		FUZZ_CHECK(state == DtlsState::Connected || transport->GetState() == DtlsState::Connected);
		FUZZ_CHECK(len <= 16384);
		if (len) applicationBytes += data[0] + data[len - 1];
	}
};

void CheckTransport(const DtlsTransport& transport, const Side& side, uint64_t nowMs, uint64_t* dropped) {
	FUZZ_CHECK(transport.GetState() == side.state);
	FUZZ_CHECK(transport.NextTimeoutMs(nowMs) >= nowMs);
	if (transport.GetState() != DtlsState::Connecting) FUZZ_CHECK(transport.NextTimeoutMs(nowMs) == UINT64_MAX);
	FUZZ_CHECK(transport.GetDroppedRecords() >= *dropped);
	*dropped = transport.GetDroppedRecords();
	FUZZ_CHECK((transport.GetState() == DtlsState::Failed) == !transport.GetFailureReason().empty() ||
	           transport.GetState() == DtlsState::Closed);
}

void Deliver(DtlsTransport& transport, const std::vector<uint8_t>& bytes, uint64_t nowMs) {
	// Exact-size copy: ASan flags reads past the datagram.
	const std::vector<uint8_t> copy(bytes);
	transport.ProcessDtlsData(copy.data(), copy.size(), nowMs);
}

const std::vector<std::vector<SrtpCryptoSuite>> kSuiteLists = {
    {},  // the default (all four)
    {SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80},
    {SrtpCryptoSuite::AEAD_AES_128_GCM, SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32},
    {SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32},
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
	std::string error;
	certificate = DtlsCertificate::Generate(&error);
	if (!certificate) {
		__builtin_fprintf(stderr, "DtlsCertificate::Generate failed: %s\n", error.c_str());
		__builtin_trap();
	}
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	fuzz::FuzzInput in(data, size);

	const uint8_t mode = in.U8() % 3;
	const uint8_t options = in.U8();
	const auto& fingerprints = certificate->GetFingerprints();
	DtlsFingerprint fingerprint = fingerprints[(options & 7) % fingerprints.size()];
	const bool wrongFingerprint = (options & 7) == 7;
	if (wrongFingerprint) fingerprint.value[0] = fingerprint.value[0] == 'A' ? 'B' : 'A';
	const auto& suitesClient = kSuiteLists[(options >> 3) & 3];
	const CallbackAction action = static_cast<CallbackAction>((options >> 5) & 3);
	const bool smallMtu = options & 0x80;

	uint64_t nowMs = 1000000;
	std::deque<Datagram> network;

	Side serverSide, clientSide;
	serverSide.isServer = true;
	serverSide.action = clientSide.action = action;
	DtlsTransport server(serverSide, certificate);
	DtlsTransport client(clientSide, certificate);
	serverSide.transport = &server;
	clientSide.transport = &client;
	if (smallMtu) {
		server.SetMtu(300);
		client.SetMtu(300);
	}
	if (!suitesClient.empty()) FUZZ_CHECK(client.SetSrtpCryptoSuites(suitesClient));
	FUZZ_CHECK(!client.SetSrtpCryptoSuites({}));
	server.SetInitialRetransmitMs(options);
	client.SetInitialRetransmitMs(options);
	uint64_t serverDropped = 0, clientDropped = 0;

	if (mode == 0 || mode == 1) {
		// One transport facing arbitrary bytes; what it sends is only checked.
		DtlsTransport& transport = mode == 0 ? server : client;
		Side& side = mode == 0 ? serverSide : clientSide;
		transport.Run(mode == 0 ? DtlsRole::Server : DtlsRole::Client, fingerprint, nowMs);
		FUZZ_CHECK(transport.GetState() == DtlsState::Connecting);
		for (int ops = 0; !in.Empty() && ops < 64; ++ops) {
			const uint8_t op = in.U8();
			nowMs += static_cast<uint64_t>(op >> 2) * 100;
			if ((op & 3) == 3) {
				transport.OnTimer(nowMs);
			} else {
				Deliver(transport, in.Chunk(), nowMs);
			}
			CheckTransport(transport, side, nowMs, mode == 0 ? &serverDropped : &clientDropped);
		}
		transport.Close();
		FUZZ_CHECK(transport.GetState() == DtlsState::Closed);
		logging.Drain();
		return 0;
	}

	// Mode 2: a handshake through a hostile network.
	serverSide.network = &network;
	clientSide.network = &network;
	server.Run(DtlsRole::Server, fingerprint, nowMs);
	client.Run(DtlsRole::Client, fingerprint, nowMs);

	auto target = [&](bool toServer) -> DtlsTransport& { return toServer ? server : client; };
	int deliveries = 0;
	for (int ops = 0; !in.Empty() && ops < 128; ++ops) {
		const uint8_t op = in.U8();
		nowMs += static_cast<uint64_t>(op >> 5) * 250;
		const uint8_t what = op & 0x1F;
		if (what >= 10 && what <= 14 && network.empty()) continue;
		switch (what) {
			case 10: // drop
				network.pop_front();
				break;
			case 11: { // corrupt one byte
				Datagram d = std::move(network.front());
				network.pop_front();
				const uint16_t at = in.U16();
				const uint8_t x = in.U8();
				d.bytes[at % d.bytes.size()] ^= x ? x : 1;
				Deliver(target(d.toServer), d.bytes, nowMs);
				break;
			}
			case 12: { // truncate
				Datagram d = std::move(network.front());
				network.pop_front();
				d.bytes.resize(in.U16() % d.bytes.size());
				Deliver(target(d.toServer), d.bytes, nowMs);
				break;
			}
			case 13: { // duplicate
				Datagram d = std::move(network.front());
				network.pop_front();
				Deliver(target(d.toServer), d.bytes, nowMs);
				Deliver(target(d.toServer), d.bytes, nowMs);
				break;
			}
			case 14: // reorder
				network.push_back(std::move(network.front()));
				network.pop_front();
				break;
			case 15:
			case 16: // inject arbitrary bytes
				Deliver(target(what == 15), in.Chunk(), nowMs);
				break;
			case 17: // glue arbitrary bytes after the next datagram
				if (!network.empty()) {
					Datagram d = std::move(network.front());
					network.pop_front();
					const std::vector<uint8_t> tail = in.Chunk();
					d.bytes.insert(d.bytes.end(), tail.begin(), tail.end());
					Deliver(target(d.toServer), d.bytes, nowMs);
				}
				break;
			case 18:
				server.OnTimer(nowMs);
				client.OnTimer(nowMs);
				break;
			case 19:
			case 20: { // application data
				DtlsTransport& from = target(what == 19);
				const std::vector<uint8_t> payload = in.Chunk();
				const bool sent = from.SendApplicationData(payload.data(), payload.size());
				if (sent) FUZZ_CHECK(from.GetState() == DtlsState::Connected && !payload.empty());
				break;
			}
			case 21:
				target(in.U8() & 1).Close();
				break;
			default: // deliver
				if (!network.empty()) {
					Datagram d = std::move(network.front());
					network.pop_front();
					Deliver(target(d.toServer), d.bytes, nowMs);
					++deliveries;
				}
				break;
		}
		CheckTransport(server, serverSide, nowMs, &serverDropped);
		CheckTransport(client, clientSide, nowMs, &clientDropped);
	}
	// The network calms down: deliver what is in flight.
	for (int i = 0; i < 64 && !network.empty(); ++i) {
		Datagram d = std::move(network.front());
		network.pop_front();
		Deliver(target(d.toServer), d.bytes, nowMs);
		CheckTransport(server, serverSide, nowMs, &serverDropped);
		CheckTransport(client, clientSide, nowMs, &clientDropped);
	}
	(void)deliveries;

	if (wrongFingerprint) {
		FUZZ_CHECK(serverSide.keysReported == 0 && clientSide.keysReported == 0);
	}
	if (serverSide.keysReported && clientSide.keysReported) {
		FUZZ_CHECK(serverSide.suite == clientSide.suite);
		FUZZ_CHECK(serverSide.localKey == clientSide.remoteKey);
		FUZZ_CHECK(serverSide.remoteKey == clientSide.localKey);
	}
	server.Close();
	client.Close();
	FUZZ_CHECK(server.GetState() == DtlsState::Closed && client.GetState() == DtlsState::Closed);

	logging.Drain();
	return 0;
}
