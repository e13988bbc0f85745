// libFuzzer target: StunMessage::Parse (src/cpp/engine/ice/StunMessage.hpp) on arbitrary
// bytes, i.e. any UDP datagram or RFC 4571 frame a remote peer can send to an ICE port.
//
// When the bytes parse, every getter is read, MESSAGE-INTEGRITY and FINGERPRINT are
// checked, success and error responses are built from the request, and these
// invariants are enforced (a violation traps, so libFuzzer keeps the input):
//  - a parsed message re-serializes (with MESSAGE-INTEGRITY and FINGERPRINT) into bytes
//    that parse again to the same class, method, transaction id and attributes, and
//    whose MESSAGE-INTEGRITY and FINGERPRINT verify;
//  - every response built parses, is of the right class, echoes the method and
//    transaction id, and its FINGERPRINT (and MESSAGE-INTEGRITY when keyed) verifies;
//  - the success response's XOR-MAPPED-ADDRESS decodes to the address given.

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "../src/cpp/engine/ice/StunMessage.hpp"
#include "../src/cpp/engine/net/TransportTuple.hpp"
#include "FuzzSupport.hpp"

using mediaplane::StunMessage;

namespace {

const std::string kPassword = "somepassword";

sockaddr_storage MakeV4() {
	sockaddr_storage storage{};
	auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
	in4->sin_family = AF_INET;
	in4->sin_port = htons(32853);
	inet_pton(AF_INET, "192.0.2.1", &in4->sin_addr);
	return storage;
}

sockaddr_storage MakeV6() {
	sockaddr_storage storage{};
	auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(32853);
	inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &in6->sin6_addr);
	return storage;
}

const sockaddr_storage kV4 = MakeV4();
const sockaddr_storage kV6 = MakeV6();

void CheckSameAttributes(const StunMessage& a, const StunMessage& b) {
	FUZZ_CHECK(a.GetClass() == b.GetClass());
	FUZZ_CHECK(a.GetMethod() == b.GetMethod());
	FUZZ_CHECK(std::memcmp(a.GetTransactionId(), b.GetTransactionId(), StunMessage::TransactionIdLength) == 0);
	FUZZ_CHECK(a.HasUsername() == b.HasUsername());
	FUZZ_CHECK(a.GetUsername() == b.GetUsername());
	FUZZ_CHECK(a.HasPriority() == b.HasPriority());
	FUZZ_CHECK(a.GetPriority() == b.GetPriority());
	FUZZ_CHECK(a.HasUseCandidate() == b.HasUseCandidate());
	FUZZ_CHECK(a.HasIceControlling() == b.HasIceControlling());
	FUZZ_CHECK(a.GetIceControlling() == b.GetIceControlling());
	FUZZ_CHECK(a.HasIceControlled() == b.HasIceControlled());
	FUZZ_CHECK(a.GetIceControlled() == b.GetIceControlled());
	FUZZ_CHECK(a.HasErrorCode() == b.HasErrorCode());
	FUZZ_CHECK(a.GetErrorCode() == b.GetErrorCode());
	FUZZ_CHECK(a.GetErrorReason() == b.GetErrorReason());
	FUZZ_CHECK(a.HasXorMappedAddress() == b.HasXorMappedAddress());
	if (a.HasXorMappedAddress()) {
		FUZZ_CHECK(mediaplane::SameAddress(a.GetXorMappedAddress(), b.GetXorMappedAddress()));
	}
}

void CheckResponse(const std::vector<uint8_t>& bytes, const StunMessage& request, StunMessage::Class expectedClass,
    const std::string* password) {
	FUZZ_CHECK(StunMessage::LooksLikeStun(bytes.data(), bytes.size()));
	std::unique_ptr<StunMessage> response = StunMessage::Parse(bytes.data(), bytes.size());
	FUZZ_CHECK(response != nullptr);
	FUZZ_CHECK(response->GetClass() == expectedClass);
	FUZZ_CHECK(response->GetMethod() == request.GetMethod());
	FUZZ_CHECK(std::memcmp(response->GetTransactionId(), request.GetTransactionId(), StunMessage::TransactionIdLength) == 0);
	FUZZ_CHECK(response->HasFingerprint() && response->HasValidFingerprint());
	FUZZ_CHECK(response->HasMessageIntegrity() == (password != nullptr));
	if (password) {
		FUZZ_CHECK(response->CheckMessageIntegrity(*password));
		FUZZ_CHECK(!response->CheckMessageIntegrity(*password + "x"));
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;

	// Exact-size heap copy: ASan reports any read past the datagram.
	const std::vector<uint8_t> packet(data, data + size);
	const bool looksLikeStun = StunMessage::LooksLikeStun(packet.data(), packet.size());
	std::unique_ptr<StunMessage> message = StunMessage::Parse(packet.data(), packet.size());
	if (!message) {
		logging.Drain();
		return 0;
	}
	FUZZ_CHECK(looksLikeStun);
	FUZZ_CHECK(size >= StunMessage::HeaderLength && size % 4 == 0);

	// Getters (volatile sink so nothing is optimized away).
	volatile uint64_t sink = 0;
	sink += static_cast<uint8_t>(message->GetClass());
	sink += message->GetMethod();
	sink += message->GetTransactionId()[0];
	if (message->HasUsername()) sink += message->GetUsername().size();
	if (message->HasPriority()) sink += message->GetPriority();
	sink += message->HasUseCandidate();
	if (message->HasIceControlling()) sink += message->GetIceControlling();
	if (message->HasIceControlled()) sink += message->GetIceControlled();
	if (message->HasErrorCode()) {
		FUZZ_CHECK(message->GetErrorCode() >= 300 && message->GetErrorCode() <= 699);
		sink += message->GetErrorCode() + message->GetErrorReason().size();
	}
	if (message->HasXorMappedAddress()) {
		const sockaddr* address = message->GetXorMappedAddress();
		FUZZ_CHECK(address->sa_family == AF_INET || address->sa_family == AF_INET6);
		sink += mediaplane::AddressToString(address).size() + mediaplane::AddressPort(address);
	}
	const bool integrity = message->CheckMessageIntegrity(kPassword);
	FUZZ_CHECK(!integrity || message->HasMessageIntegrity());
	const bool fingerprint = message->HasValidFingerprint();
	FUZZ_CHECK(!fingerprint || message->HasFingerprint());
	sink += integrity + fingerprint;
	(void)sink;

	// Round trip through the builder: parse(serialize(m)) carries the same attributes and
	// the hashes the serializer adds verify.
	{
		const std::vector<uint8_t> bytes = message->Serialize(&kPassword, true);
		std::unique_ptr<StunMessage> again = StunMessage::Parse(bytes.data(), bytes.size());
		FUZZ_CHECK(again != nullptr);
		CheckSameAttributes(*message, *again);
		FUZZ_CHECK(again->HasMessageIntegrity() && again->CheckMessageIntegrity(kPassword));
		FUZZ_CHECK(again->HasFingerprint() && again->HasValidFingerprint());

		const std::vector<uint8_t> plain = message->Serialize(nullptr, false);
		std::unique_ptr<StunMessage> plainAgain = StunMessage::Parse(plain.data(), plain.size());
		FUZZ_CHECK(plainAgain != nullptr);
		CheckSameAttributes(*message, *plainAgain);
		FUZZ_CHECK(!plainAgain->HasMessageIntegrity() && !plainAgain->HasFingerprint());
		FUZZ_CHECK(!plainAgain->CheckMessageIntegrity(kPassword) && !plainAgain->HasValidFingerprint());
	}

	// Responses, as IceServer builds them.
	for (const sockaddr_storage* mapped : {&kV4, &kV6}) {
		const auto* address = reinterpret_cast<const sockaddr*>(mapped);
		const std::vector<uint8_t> success = StunMessage::BuildSuccessResponse(*message, address, kPassword);
		CheckResponse(success, *message, StunMessage::Class::SuccessResponse, &kPassword);
		std::unique_ptr<StunMessage> parsed = StunMessage::Parse(success.data(), success.size());
		FUZZ_CHECK(parsed->HasXorMappedAddress());
		FUZZ_CHECK(mediaplane::SameAddress(parsed->GetXorMappedAddress(), address));
	}
	for (uint16_t code : {400, 401, 487}) {
		CheckResponse(StunMessage::BuildErrorResponse(*message, code, nullptr), *message,
		    StunMessage::Class::ErrorResponse, nullptr);
		CheckResponse(StunMessage::BuildErrorResponse(*message, code, &kPassword), *message,
		    StunMessage::Class::ErrorResponse, &kPassword);
		std::vector<uint8_t> bytes = StunMessage::BuildErrorResponse(*message, code, nullptr);
		FUZZ_CHECK(StunMessage::Parse(bytes.data(), bytes.size())->GetErrorCode() == code);
	}

	logging.Drain();
	return 0;
}
