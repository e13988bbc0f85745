#pragma once
// A STUN message (RFC 5389, updated by RFC 8489) as ICE connectivity checks use it:
// parsed from the wire, or built and serialized. Only the attributes ICE needs are
// understood (USERNAME, MESSAGE-INTEGRITY, FINGERPRINT, XOR-MAPPED-ADDRESS,
// ERROR-CODE and the ICE attributes of RFC 8445 §16.1); others are skipped.
//
// Parsing never reads outside the given buffer and returns nullptr for anything that
// is not a well-formed STUN message. Nothing here throws (apart from std::bad_alloc).
// A parsed message keeps a copy of its bytes so that MESSAGE-INTEGRITY and FINGERPRINT
// can be checked after parsing.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mediaplane {

class StunMessage {
public:
	// The two class bits of the message type (RFC 5389 §6).
	enum class Class : uint8_t { Request = 0, Indication = 1, SuccessResponse = 2, ErrorResponse = 3 };

	static constexpr uint16_t MethodBinding = 0x001; // RFC 5389 §18.1
	static constexpr size_t HeaderLength = 20;
	static constexpr size_t TransactionIdLength = 12;
	static constexpr uint32_t MagicCookie = 0x2112A442; // RFC 5389 §6

	// Attribute types (RFC 5389 §18.2, RFC 8445 §16.1).
	enum AttributeType : uint16_t {
		AttrMappedAddress = 0x0001,
		AttrUsername = 0x0006,
		AttrMessageIntegrity = 0x0008,
		AttrErrorCode = 0x0009,
		AttrUnknownAttributes = 0x000A,
		AttrRealm = 0x0014,
		AttrNonce = 0x0015,
		AttrXorMappedAddress = 0x0020,
		AttrPriority = 0x0024,
		AttrUseCandidate = 0x0025,
		AttrSoftware = 0x8022,
		AttrFingerprint = 0x8028,
		AttrIceControlled = 0x8029,
		AttrIceControlling = 0x802A,
	};

	// RFC 7983 §7 demultiplexing: the first byte of a STUN message is 0..3. We also
	// require a full header and the magic cookie (RFC 5389 §6), which tells STUN apart
	// from anything else a peer may send on the same 5-tuple.
	static bool LooksLikeStun(const uint8_t* data, size_t len);

	// Parses one complete STUN message (a UDP datagram, or one RFC 4571 frame on TCP).
	// Returns nullptr when the input is malformed: short header, top two bits set, no
	// magic cookie, length field not a multiple of 4 or not matching `len`, an
	// attribute overrunning the message, a known attribute with an impossible length,
	// or an attribute after FINGERPRINT. Attributes after MESSAGE-INTEGRITY other than
	// FINGERPRINT are ignored (RFC 5389 §15.4).
	static std::unique_ptr<StunMessage> Parse(const uint8_t* data, size_t len);

	// Responses to a parsed request, serialized and ready to send. Both echo the
	// request's method and transaction id (RFC 5389 §7.3.1) and end with FINGERPRINT,
	// which ICE connectivity checks must use (RFC 8445 §7; RFC 5389 §15.5).
	//
	// Success: XOR-MAPPED-ADDRESS of `mappedAddress` (the request's source address; RFC
	// 5389 §15.2), then MESSAGE-INTEGRITY keyed with `password` (short-term credential,
	// RFC 5389 §10.1.2).
	static std::vector<uint8_t> BuildSuccessResponse(
	    const StunMessage& request, const sockaddr* mappedAddress, const std::string& password);
	// Error: ERROR-CODE with `code` and its standard reason phrase (RFC 5389 §15.6),
	// then MESSAGE-INTEGRITY when `password` is given. Pass nullptr for a request that
	// could not be authenticated (400 without credentials, 401), since the peer could
	// not check it anyway (RFC 5389 §10.1.2).
	static std::vector<uint8_t> BuildErrorResponse(
	    const StunMessage& request, uint16_t code, const std::string* password);

	// CRC-32 (ISO-HDLC / IEEE 802.3, the one FINGERPRINT uses: RFC 5389 §15.5).
	static uint32_t Crc32(const uint8_t* data, size_t len);

	// A message to build: set attributes, then Serialize().
	StunMessage(Class messageClass, uint16_t method, const uint8_t transactionId[TransactionIdLength]);

	// Serializes the message. With `integrityKey`, MESSAGE-INTEGRITY is appended
	// (HMAC-SHA1 keyed with it, RFC 5389 §15.4); with `fingerprint`, FINGERPRINT last.
	// Attribute padding is zero bytes (RFC 8489 §14).
	std::vector<uint8_t> Serialize(const std::string* integrityKey, bool fingerprint) const;

	// Parsed: true when MESSAGE-INTEGRITY is present and its HMAC-SHA1, keyed with
	// `password` (short-term credentials use the password itself as the key, RFC 5389
	// §15.4), matches the message up to that attribute with the header length adjusted
	// to end right after it.
	bool CheckMessageIntegrity(const std::string& password) const;
	// Parsed: true when FINGERPRINT is present and equals the CRC-32 of the message up
	// to it XOR 0x5354554e (RFC 5389 §15.5).
	bool HasValidFingerprint() const;

	Class GetClass() const { return class_; }
	uint16_t GetMethod() const { return method_; }
	const uint8_t* GetTransactionId() const { return transactionId_; }

	bool HasUsername() const { return hasUsername_; }
	const std::string& GetUsername() const { return username_; }
	bool HasPriority() const { return hasPriority_; }
	uint32_t GetPriority() const { return priority_; }
	bool HasUseCandidate() const { return useCandidate_; }
	bool HasIceControlling() const { return hasIceControlling_; }
	uint64_t GetIceControlling() const { return iceControlling_; } // tie-breaker
	bool HasIceControlled() const { return hasIceControlled_; }
	uint64_t GetIceControlled() const { return iceControlled_; }   // tie-breaker
	bool HasErrorCode() const { return hasErrorCode_; }
	uint16_t GetErrorCode() const { return errorCode_; }
	const std::string& GetErrorReason() const { return errorReason_; }
	bool HasXorMappedAddress() const { return hasXorMappedAddress_; }
	// AF_INET or AF_INET6 socket address, port included.
	const sockaddr* GetXorMappedAddress() const { return reinterpret_cast<const sockaddr*>(&xorMappedAddress_); }
	bool HasMessageIntegrity() const { return hasMessageIntegrity_; }
	bool HasFingerprint() const { return hasFingerprint_; }

	void SetUsername(std::string username);
	void SetPriority(uint32_t priority);
	void SetUseCandidate(bool useCandidate) { useCandidate_ = useCandidate; }
	void SetIceControlling(uint64_t tieBreaker);
	void SetIceControlled(uint64_t tieBreaker);
	void SetErrorCode(uint16_t code, std::string reason);
	// Ignored unless `address` is AF_INET or AF_INET6.
	void SetXorMappedAddress(const sockaddr* address);

private:
	StunMessage() = default;
	bool ParseAttribute(uint16_t type, const uint8_t* value, size_t length);

	Class class_ = Class::Request;
	uint16_t method_ = 0;
	uint8_t transactionId_[TransactionIdLength] = { 0 };

	// The wire bytes of a parsed message (empty for one being built).
	std::vector<uint8_t> raw_;

	bool hasUsername_ = false;
	std::string username_;
	bool hasPriority_ = false;
	uint32_t priority_ = 0;
	bool useCandidate_ = false;
	bool hasIceControlling_ = false;
	uint64_t iceControlling_ = 0;
	bool hasIceControlled_ = false;
	uint64_t iceControlled_ = 0;
	bool hasErrorCode_ = false;
	uint16_t errorCode_ = 0;
	std::string errorReason_;
	bool hasXorMappedAddress_ = false;
	sockaddr_storage xorMappedAddress_{};
	bool hasMessageIntegrity_ = false;
	size_t messageIntegrityOffset_ = 0; // of the attribute header, in raw_
	bool hasFingerprint_ = false;
	size_t fingerprintOffset_ = 0; // of the attribute header, in raw_
};

} // namespace mediaplane
