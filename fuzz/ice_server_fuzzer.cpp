// libFuzzer target: the ICE-lite agent (src/cpp/engine/ice/IceServer.hpp) driven by a
// remote peer: STUN packets on several transport tuples, interleaved with consent
// timer ticks, tuple removals (TCP connections closing) and ICE restarts.
//
// The input is a small program. Byte 0 picks the consent timeout; then each operation
// is one opcode byte (low 3 bits: what; high 5 bits: how far the clock moves first)
// followed by its operands:
//   0,1  raw packet: tuple byte, length-prefixed bytes (fed as they are)
//   2-4  built check: tuple byte, 2 flag bytes, a 12-byte transaction id, PRIORITY,
//        tie-breaker, and the position/xor of an optional corrupted byte. The harness
//        builds a Binding request with the right (or deliberately wrong) credentials,
//        MESSAGE-INTEGRITY and FINGERPRINT, so the state machine is reached by more
//        than the rare random input that authenticates.
//   5    OnTimer(now)
//   6    RemoveTuple(tuple byte)
//   7    RestartIce() with fresh credentials
//
// Invariants checked after every operation (a violation traps):
//  - the set of valid tuples the listener was told about (added minus removed) equals
//    IsValidTuple() for every tuple, and never exceeds MaxTuples; no double add/remove;
//  - connected/completed => a selected tuple exists; a selected tuple is always valid
//    and is the one last reported through OnIceServerSelectedTuple;
//  - new/disconnected => no selected tuple and no valid tuples;
//  - the last reported state is GetState(); Closed and New are never reported;
//  - every response goes out on the tuple the request came on, parses, carries a valid
//    FINGERPRINT, echoes the transaction id, and a success response's
//    MESSAGE-INTEGRITY verifies with the password the request was keyed with;
//  - an authenticated check with the current credentials, PRIORITY and no
//    ICE-CONTROLLED gets a success response and validates its tuple; with USE-CANDIDATE
//    it makes the state completed and its tuple the selected one;
//  - GetDroppedPackets() never decreases; NextTimeoutMs(now) >= now.

#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

#include "../src/cpp/engine/ice/IceServer.hpp"
#include "../src/cpp/engine/ice/StunMessage.hpp"
#include "FuzzSupport.hpp"

using mediaplane::IceServer;
using mediaplane::IceState;
using mediaplane::StunMessage;
using mediaplane::TransportProtocol;
using mediaplane::TransportTuple;

namespace {

class NullSender : public mediaplane::PacketSender {
public:
	void SendPacket(const uint8_t*, size_t, const sockaddr*) override {}
};

NullSender udpSocket;
NullSender tcpConnectionA;
NullSender tcpConnectionB;

// 36 tuples: 18 remote addresses (IPv4 and IPv6 alternating), each seen over UDP and
// over a TCP connection; tuples 0..2 are the usual ones (operand byte < 0x80).
constexpr size_t kTupleCount = 36;

std::vector<TransportTuple> MakeTuples() {
	std::vector<TransportTuple> tuples(kTupleCount);
	for (size_t i = 0; i < kTupleCount; ++i) {
		TransportTuple& t = tuples[i];
		const size_t address = i / 2;
		const bool tcp = i % 2 == 1;
		t.protocol = tcp ? TransportProtocol::Tcp : TransportProtocol::Udp;
		t.sender = tcp ? (address % 3 == 0 ? &tcpConnectionA : &tcpConnectionB) : &udpSocket;
		if (address % 2 == 0) {
			auto* local = reinterpret_cast<sockaddr_in*>(&t.localAddress);
			local->sin_family = AF_INET;
			local->sin_port = htons(40000);
			local->sin_addr.s_addr = htonl(0x7F000001);
			auto* remote = reinterpret_cast<sockaddr_in*>(&t.remoteAddress);
			remote->sin_family = AF_INET;
			remote->sin_port = htons(static_cast<uint16_t>(50000 + address));
			remote->sin_addr.s_addr = htonl(0xC0000200 + static_cast<uint32_t>(address)); // 192.0.2.x
		} else {
			auto* local = reinterpret_cast<sockaddr_in6*>(&t.localAddress);
			local->sin6_family = AF_INET6;
			local->sin6_port = htons(40000);
			local->sin6_addr = in6addr_loopback;
			auto* remote = reinterpret_cast<sockaddr_in6*>(&t.remoteAddress);
			remote->sin6_family = AF_INET6;
			remote->sin6_port = htons(static_cast<uint16_t>(50000 + address));
			inet_pton(AF_INET6, "2001:db8::", &remote->sin6_addr);
			remote->sin6_addr.s6_addr[15] = static_cast<uint8_t>(address);
		}
	}
	return tuples;
}

const std::vector<TransportTuple> kTuples = MakeTuples();

int IndexOf(const TransportTuple& tuple) {
	for (size_t i = 0; i < kTupleCount; ++i) {
		if (kTuples[i].SameAs(tuple)) return static_cast<int>(i);
	}
	return -1;
}

size_t TupleFromByte(uint8_t b) {
	return (b & 0x80) ? (b & 0x7F) % kTupleCount : b % 3;
}

struct Model : IceServer::Listener {
	bool valid[kTupleCount] = {};
	size_t validCount = 0;
	int lastSelected = -1;
	bool stateReported = false;
	IceState lastState = IceState::New;

	// Set around each ProcessStunPacket call.
	const TransportTuple* currentTuple = nullptr;
	const uint8_t* requestTransactionId = nullptr; // null: raw packet
	const std::string* requestPassword = nullptr;  // the key of a built request
	const std::vector<std::string>* allPasswords = nullptr;
	int successResponses = 0;
	int errorResponses = 0;

	void OnIceServerSendStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple) override {
		FUZZ_CHECK(currentTuple != nullptr && tuple.SameAs(*currentTuple));
		const std::vector<uint8_t> copy(data, data + len);
		std::unique_ptr<StunMessage> response = StunMessage::Parse(copy.data(), copy.size());
		FUZZ_CHECK(response != nullptr);
		FUZZ_CHECK(response->GetMethod() == StunMessage::MethodBinding);
		FUZZ_CHECK(response->HasFingerprint() && response->HasValidFingerprint());
		if (requestTransactionId) {
			FUZZ_CHECK(std::memcmp(response->GetTransactionId(), requestTransactionId, StunMessage::TransactionIdLength) == 0);
		}
		if (response->GetClass() == StunMessage::Class::SuccessResponse) {
			++successResponses;
			FUZZ_CHECK(response->HasXorMappedAddress());
			FUZZ_CHECK(mediaplane::SameAddress(response->GetXorMappedAddress(),
			    reinterpret_cast<const sockaddr*>(&tuple.remoteAddress)));
			FUZZ_CHECK(response->HasMessageIntegrity());
			if (requestPassword) {
				FUZZ_CHECK(response->CheckMessageIntegrity(*requestPassword));
			} else {
				bool any = false;
				for (const std::string& password : *allPasswords) any = any || response->CheckMessageIntegrity(password);
				FUZZ_CHECK(any);
			}
		} else {
			FUZZ_CHECK(response->GetClass() == StunMessage::Class::ErrorResponse);
			FUZZ_CHECK(response->HasErrorCode());
			const uint16_t code = response->GetErrorCode();
			FUZZ_CHECK(code == 400 || code == 401 || code == 487);
			++errorResponses;
		}
	}
	void OnIceServerTupleAdded(const TransportTuple& tuple) override {
		const int i = IndexOf(tuple);
		FUZZ_CHECK(i >= 0 && !valid[i]);
		valid[i] = true;
		++validCount;
		FUZZ_CHECK(validCount <= IceServer::MaxTuples);
	}
	void OnIceServerSelectedTuple(const TransportTuple& tuple) override {
		const int i = IndexOf(tuple);
		FUZZ_CHECK(i >= 0 && valid[i]);
		lastSelected = i;
	}
	void OnIceServerStateChange(IceState state) override {
		FUZZ_CHECK(state != IceState::Closed && state != IceState::New);
		FUZZ_CHECK(!stateReported || state != lastState);
		stateReported = true;
		lastState = state;
	}
	void OnIceServerTupleRemoved(const TransportTuple& tuple) override {
		const int i = IndexOf(tuple);
		FUZZ_CHECK(i >= 0 && valid[i]);
		valid[i] = false;
		--validCount;
	}
};

void CheckInvariants(const IceServer& server, const Model& model, uint64_t nowMs) {
	for (size_t i = 0; i < kTupleCount; ++i) FUZZ_CHECK(server.IsValidTuple(kTuples[i]) == model.valid[i]);
	const TransportTuple* selected = server.GetSelectedTuple();
	const IceState state = server.GetState();
	FUZZ_CHECK(state != IceState::Closed);
	if (model.stateReported) FUZZ_CHECK(state == model.lastState);
	else FUZZ_CHECK(state == IceState::New);
	if (state == IceState::Connected || state == IceState::Completed) FUZZ_CHECK(selected != nullptr);
	if (state == IceState::New || state == IceState::Disconnected) {
		FUZZ_CHECK(selected == nullptr);
		FUZZ_CHECK(model.validCount == 0);
	}
	if (selected) {
		FUZZ_CHECK(server.IsValidTuple(*selected));
		FUZZ_CHECK(model.lastSelected >= 0 && kTuples[model.lastSelected].SameAs(*selected));
	}
	FUZZ_CHECK(server.NextTimeoutMs(nowMs) >= nowMs);
	if (model.validCount == 0) FUZZ_CHECK(server.NextTimeoutMs(nowMs) == UINT64_MAX);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	fuzz::FuzzInput in(data, size);

	static const uint32_t kConsentTimeouts[] = {30000, 0, 1000, 5000};
	const uint32_t consentTimeoutMs = kConsentTimeouts[in.U8() % 4];

	// Credentials: index 0 is the initial pair; RestartIce appends one.
	std::vector<std::string> ufrags = {"localufrag0000AA"};
	std::vector<std::string> passwords = {"localpassword0000000000000000AAA"};

	Model model;
	model.allPasswords = &passwords;
	IceServer server(model, ufrags[0], passwords[0], consentTimeoutMs);
	uint64_t nowMs = 1000;
	uint64_t dropped = 0;

	for (int ops = 0; !in.Empty() && ops < 256; ++ops) {
		const uint8_t op = in.U8();
		nowMs += static_cast<uint64_t>(op >> 3) * 137;
		switch (op & 7) {
			case 0:
			case 1: {
				const TransportTuple& tuple = kTuples[TupleFromByte(in.U8())];
				const std::vector<uint8_t> packet = in.Chunk();
				model.currentTuple = &tuple;
				model.requestTransactionId = nullptr;
				model.requestPassword = nullptr;
				server.ProcessStunPacket(packet.data(), packet.size(), tuple, nowMs);
				model.currentTuple = nullptr;
				break;
			}
			case 2:
			case 3:
			case 4: {
				const size_t tupleIndex = TupleFromByte(in.U8());
				const TransportTuple& tuple = kTuples[tupleIndex];
				const uint16_t flags = in.U16();
				uint8_t transactionId[StunMessage::TransactionIdLength];
				for (uint8_t& b : transactionId) b = in.U8();
				const uint32_t priority = in.U32();
				const uint64_t tieBreaker = in.U64();
				const uint8_t corruptAt = in.U8();
				const uint8_t corruptXor = in.U8();

				const bool useCandidate = flags & 0x0001;
				const bool noPriority = flags & 0x0002;
				const bool controlling = !(flags & 0x0004);
				const bool controlled = flags & 0x0008;
				const unsigned credentials = (flags >> 4) & 3; // 0 current, 1 previous, 2 bad ufrag, 3 bad password
				const bool noFingerprint = flags & 0x0040;
				const bool noUsername = flags & 0x0080;
				const bool noIntegrity = flags & 0x0100;
				const bool indication = flags & 0x0200;
				const bool otherMethod = flags & 0x0400;
				const bool corrupt = (flags & 0x0800) && corruptXor != 0;
				const bool remoteEmpty = flags & 0x1000; // "LFRAG:" with nothing after

				const size_t current = ufrags.size() - 1;
				const size_t which = credentials == 1 && current > 0 ? current - 1 : current;
				std::string ufrag = ufrags[which];
				std::string password = passwords[which];
				if (credentials == 2) ufrag[flags % ufrag.size()] ^= 0x01;
				if (credentials == 3) password[flags % password.size()] ^= 0x01;

				StunMessage request(indication ? StunMessage::Class::Indication : StunMessage::Class::Request,
				    otherMethod ? 0x002 : StunMessage::MethodBinding, transactionId);
				if (!noUsername) request.SetUsername(ufrag + (remoteEmpty ? ":" : ":remoteufrag"));
				if (!noPriority) request.SetPriority(priority);
				request.SetUseCandidate(useCandidate);
				if (controlling) request.SetIceControlling(tieBreaker);
				if (controlled) request.SetIceControlled(tieBreaker);
				std::vector<uint8_t> packet = request.Serialize(noIntegrity ? nullptr : &password, !noFingerprint);
				if (corrupt) packet[corruptAt % packet.size()] ^= corruptXor;

				const bool expectSuccess = credentials == 0 && !noUsername && !noIntegrity && !noPriority &&
				                           !controlled && !indication && !otherMethod && !corrupt;
				const int successesBefore = model.successResponses;
				model.currentTuple = &tuple;
				model.requestTransactionId = corrupt ? nullptr : transactionId;
				model.requestPassword = corrupt || credentials >= 2 ? nullptr : &passwords[which];
				server.ProcessStunPacket(packet.data(), packet.size(), tuple, nowMs);
				model.currentTuple = nullptr;

				if (expectSuccess) {
					FUZZ_CHECK(model.successResponses == successesBefore + 1);
					FUZZ_CHECK(server.IsValidTuple(tuple));
					FUZZ_CHECK(server.GetState() == IceState::Connected || server.GetState() == IceState::Completed);
					if (useCandidate) {
						FUZZ_CHECK(server.GetState() == IceState::Completed);
						FUZZ_CHECK(server.GetSelectedTuple() && server.GetSelectedTuple()->SameAs(tuple));
					}
				}
				if (credentials >= 2 || noUsername || noIntegrity || indication || otherMethod) {
					FUZZ_CHECK(model.successResponses == successesBefore);
				}
				break;
			}
			case 5:
				server.OnTimer(nowMs);
				break;
			case 6:
				server.RemoveTuple(kTuples[TupleFromByte(in.U8())]);
				break;
			case 7: {
				const size_t n = ufrags.size();
				ufrags.push_back("localufrag" + std::to_string(1000 + n) + "BB");
				passwords.push_back("localpassword" + std::to_string(100000 + n) + "0000000000000BBB");
				server.RestartIce(ufrags.back(), passwords.back());
				FUZZ_CHECK(server.GetUsernameFragment() == ufrags.back());
				FUZZ_CHECK(server.GetPassword() == passwords.back());
				break;
			}
		}
		FUZZ_CHECK(server.GetDroppedPackets() >= dropped);
		dropped = server.GetDroppedPackets();
		CheckInvariants(server, model, nowMs);
	}

	logging.Drain();
	return 0;
}
