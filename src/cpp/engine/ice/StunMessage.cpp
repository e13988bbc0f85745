#define MP_LOG_SOURCE "StunMessage"

#include "StunMessage.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace mediaplane {

namespace {

constexpr size_t kAttributeHeaderLength = 4;
constexpr size_t kMessageIntegrityLength = 20; // HMAC-SHA1 (RFC 5389 §15.4)
constexpr size_t kFingerprintLength = 4;
constexpr uint32_t kFingerprintXor = 0x5354554e; // "STUN" (RFC 5389 §15.5)
// RFC 5389 §15.3: USERNAME MUST be less than 513 bytes; §15.6: the reason phrase is
// at most 763 bytes.
constexpr size_t kMaxUsernameLength = 512;
constexpr size_t kMaxReasonLength = 763;

uint16_t ReadU16(const uint8_t* p) {
	return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint32_t ReadU32(const uint8_t* p) {
	return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
	       (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

uint64_t ReadU64(const uint8_t* p) {
	return (static_cast<uint64_t>(ReadU32(p)) << 32) | ReadU32(p + 4);
}

void WriteU16(uint8_t* p, uint16_t v) {
	p[0] = static_cast<uint8_t>(v >> 8);
	p[1] = static_cast<uint8_t>(v);
}

void WriteU32(uint8_t* p, uint32_t v) {
	p[0] = static_cast<uint8_t>(v >> 24);
	p[1] = static_cast<uint8_t>(v >> 16);
	p[2] = static_cast<uint8_t>(v >> 8);
	p[3] = static_cast<uint8_t>(v);
}

size_t Padded(size_t n) {
	return (n + 3) & ~static_cast<size_t>(3);
}

// Message type layout (RFC 5389 §6): the 12 method bits M11..M0 are interleaved with
// the class bits C1 (bit 8) and C0 (bit 4) of the 14-bit type field.
uint16_t EncodeType(StunMessage::Class messageClass, uint16_t method) {
	const uint16_t c = static_cast<uint16_t>(messageClass);
	return static_cast<uint16_t>(
	    (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
	    ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

// Table for the reflected CRC-32 polynomial 0xEDB88320 (RFC 5389 §15.5 refers to the
// CRC-32 of ITU-T V.42 / ISO 3309), built at compile time.
struct Crc32Table {
	uint32_t entries[256];
	constexpr Crc32Table() : entries() {
		for (uint32_t i = 0; i < 256; ++i) {
			uint32_t c = i;
			for (int k = 0; k < 8; ++k) c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
			entries[i] = c;
		}
	}
};

constexpr Crc32Table kCrc32Table;

// Appends one attribute, value zero-padded to a 4-byte boundary (RFC 5389 §15).
void AppendAttribute(std::vector<uint8_t>& out, uint16_t type, const uint8_t* value, size_t length) {
	const size_t at = out.size();
	out.resize(at + kAttributeHeaderLength + Padded(length), 0);
	WriteU16(&out[at], type);
	WriteU16(&out[at + 2], static_cast<uint16_t>(length));
	if (length) std::memcpy(&out[at + kAttributeHeaderLength], value, length);
}

// Sets the header's message length to `bodyLength` (bytes after the 20-byte header).
void SetBodyLength(std::vector<uint8_t>& out, size_t bodyLength) {
	WriteU16(&out[2], static_cast<uint16_t>(bodyLength));
}

bool ComputeHmacSha1(const std::string& key, const uint8_t* data, size_t len, uint8_t out[kMessageIntegrityLength]) {
	unsigned int outLen = 0;
	// HMAC() is OpenSSL's one-shot MAC and is not deprecated in 3.0 (HMAC_CTX is).
	const unsigned char* result = HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data, len, out, &outLen);
	return result != nullptr && outLen == kMessageIntegrityLength;
}

const char* ReasonPhrase(uint16_t code) {
	// RFC 5389 §15.6 and RFC 8445 §16.1 (487).
	switch (code) {
		case 300: return "Try Alternate";
		case 400: return "Bad Request";
		case 401: return "Unauthorized";
		case 420: return "Unknown Attribute";
		case 438: return "Stale Nonce";
		case 487: return "Role Conflict";
		case 500: return "Server Error";
		default: return "";
	}
}

} // namespace

uint32_t StunMessage::Crc32(const uint8_t* data, size_t len) {
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < len; ++i) crc = kCrc32Table.entries[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

bool StunMessage::LooksLikeStun(const uint8_t* data, size_t len) {
	return data != nullptr && len >= HeaderLength && data[0] <= 3 && ReadU32(data + 4) == MagicCookie;
}

StunMessage::StunMessage(Class messageClass, uint16_t method, const uint8_t transactionId[TransactionIdLength])
    : class_(messageClass), method_(static_cast<uint16_t>(method & 0x0FFF)) {
	std::memcpy(transactionId_, transactionId, TransactionIdLength);
}

std::unique_ptr<StunMessage> StunMessage::Parse(const uint8_t* data, size_t len) {
	if (!LooksLikeStun(data, len)) return nullptr;
	// RFC 5389 §6: the most significant two bits are zero (checked above through the
	// first byte being <= 3), the length counts the bytes after the header and, since
	// every attribute is padded to 4 bytes, is a multiple of 4.
	const uint16_t type = ReadU16(data);
	const size_t bodyLength = ReadU16(data + 2);
	if (bodyLength % 4 != 0 || bodyLength != len - HeaderLength) return nullptr;

	std::unique_ptr<StunMessage> message(new StunMessage());
	message->method_ = static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
	message->class_ = static_cast<Class>(((type & 0x0100) >> 7) | ((type & 0x0010) >> 4));
	std::memcpy(message->transactionId_, data + 8, TransactionIdLength);

	size_t offset = HeaderLength;
	while (offset < len) {
		// `offset` stays a multiple of 4 and len - offset >= 4 here, since both len
		// and bodyLength are multiples of 4; checked anyway so that no read can overrun.
		if (len - offset < kAttributeHeaderLength) return nullptr;
		const uint16_t attrType = ReadU16(data + offset);
		const size_t attrLength = ReadU16(data + offset + 2);
		const size_t valueOffset = offset + kAttributeHeaderLength;
		if (Padded(attrLength) > len - valueOffset) return nullptr;

		// RFC 5389 §15.5: FINGERPRINT, when present, is the last attribute.
		if (message->hasFingerprint_) return nullptr;

		if (attrType == AttrFingerprint) {
			if (attrLength != kFingerprintLength) return nullptr;
			message->hasFingerprint_ = true;
			message->fingerprintOffset_ = offset;
		} else if (message->hasMessageIntegrity_) {
			// RFC 5389 §15.4: attributes after MESSAGE-INTEGRITY, except FINGERPRINT,
			// are ignored (they are not covered by the HMAC).
		} else if (attrType == AttrMessageIntegrity) {
			if (attrLength != kMessageIntegrityLength) return nullptr;
			message->hasMessageIntegrity_ = true;
			message->messageIntegrityOffset_ = offset;
		} else if (!message->ParseAttribute(attrType, data + valueOffset, attrLength)) {
			return nullptr;
		}
		offset = valueOffset + Padded(attrLength);
	}

	message->raw_.assign(data, data + len);
	return message;
}

// Returns false for a known attribute whose value cannot be right. Unknown attributes
// are skipped: ICE-lite answers checks from every browser, and those add their own
// (e.g. GOOG-NETWORK-INFO); RFC 5389 §7.3.1's 420 for unknown comprehension-required
// attributes is not sent (see IceServer.cpp). Only the first occurrence of an attribute
// is used (RFC 5389 §15).
bool StunMessage::ParseAttribute(uint16_t type, const uint8_t* value, size_t length) {
	switch (type) {
		case AttrUsername:
			if (length > kMaxUsernameLength) return false;
			if (!hasUsername_) {
				username_.assign(reinterpret_cast<const char*>(value), length);
				hasUsername_ = true;
			}
			return true;

		case AttrPriority: // RFC 8445 §16.1: 32-bit unsigned integer
			if (length != 4) return false;
			if (!hasPriority_) {
				priority_ = ReadU32(value);
				hasPriority_ = true;
			}
			return true;

		case AttrUseCandidate: // RFC 8445 §16.1: no content
			if (length != 0) return false;
			useCandidate_ = true;
			return true;

		case AttrIceControlled: // RFC 8445 §16.1: 64-bit tie-breaker
			if (length != 8) return false;
			if (!hasIceControlled_) {
				iceControlled_ = ReadU64(value);
				hasIceControlled_ = true;
			}
			return true;

		case AttrIceControlling:
			if (length != 8) return false;
			if (!hasIceControlling_) {
				iceControlling_ = ReadU64(value);
				hasIceControlling_ = true;
			}
			return true;

		case AttrErrorCode: {
			// RFC 5389 §15.6: 21 reserved bits, 3-bit class (3..6), 8-bit number (0..99),
			// then the reason phrase.
			if (length < 4 || length - 4 > kMaxReasonLength) return false;
			const unsigned errorClass = value[2] & 0x07;
			const unsigned number = value[3];
			if (errorClass < 3 || errorClass > 6 || number > 99) return false;
			if (!hasErrorCode_) {
				errorCode_ = static_cast<uint16_t>(errorClass * 100 + number);
				errorReason_.assign(reinterpret_cast<const char*>(value + 4), length - 4);
				hasErrorCode_ = true;
			}
			return true;
		}

		case AttrXorMappedAddress: {
			// RFC 5389 §15.2: reserved byte, family, X-Port, X-Address (4 or 16 bytes).
			if (length < 4) return false;
			const uint8_t family = value[1];
			const uint16_t port = static_cast<uint16_t>(ReadU16(value + 2) ^ (MagicCookie >> 16));
			if (family == 0x01) {
				if (length != 8) return false;
				if (!hasXorMappedAddress_) {
					sockaddr_in address{};
					address.sin_family = AF_INET;
					address.sin_port = htons(port);
					address.sin_addr.s_addr = htonl(ReadU32(value + 4) ^ MagicCookie);
					std::memcpy(&xorMappedAddress_, &address, sizeof(address));
					hasXorMappedAddress_ = true;
				}
				return true;
			}
			if (family == 0x02) {
				if (length != 20) return false;
				if (!hasXorMappedAddress_) {
					// XOR with the magic cookie followed by the transaction id.
					uint8_t mask[16];
					WriteU32(mask, MagicCookie);
					std::memcpy(mask + 4, transactionId_, TransactionIdLength);
					sockaddr_in6 address{};
					address.sin6_family = AF_INET6;
					address.sin6_port = htons(port);
					for (size_t i = 0; i < 16; ++i) address.sin6_addr.s6_addr[i] = value[4 + i] ^ mask[i];
					std::memcpy(&xorMappedAddress_, &address, sizeof(address));
					hasXorMappedAddress_ = true;
				}
				return true;
			}
			return false;
		}

		default:
			// REALM, NONCE, SOFTWARE and anything unknown: not needed by ICE.
			return true;
	}
}

bool StunMessage::CheckMessageIntegrity(const std::string& password) const {
	if (!hasMessageIntegrity_ || raw_.size() < messageIntegrityOffset_ + kAttributeHeaderLength + kMessageIntegrityLength) {
		return false;
	}
	// RFC 5389 §15.4: the HMAC covers the message up to (not including) the
	// MESSAGE-INTEGRITY attribute, with the header's length field set as if the
	// message ended right after MESSAGE-INTEGRITY (so FINGERPRINT is excluded).
	std::vector<uint8_t> covered(raw_.begin(), raw_.begin() + static_cast<std::ptrdiff_t>(messageIntegrityOffset_));
	SetBodyLength(covered, messageIntegrityOffset_ + kAttributeHeaderLength + kMessageIntegrityLength - HeaderLength);
	uint8_t expected[kMessageIntegrityLength];
	if (!ComputeHmacSha1(password, covered.data(), covered.size(), expected)) return false;
	return CRYPTO_memcmp(expected, &raw_[messageIntegrityOffset_ + kAttributeHeaderLength], kMessageIntegrityLength) == 0;
}

bool StunMessage::HasValidFingerprint() const {
	if (!hasFingerprint_ || raw_.size() < fingerprintOffset_ + kAttributeHeaderLength + kFingerprintLength) {
		return false;
	}
	// RFC 5389 §15.5: CRC-32 of the message up to (not including) FINGERPRINT, XORed
	// with 0x5354554e. FINGERPRINT is last, so the length field already counts it.
	const uint32_t expected = Crc32(raw_.data(), fingerprintOffset_) ^ kFingerprintXor;
	return ReadU32(&raw_[fingerprintOffset_ + kAttributeHeaderLength]) == expected;
}

void StunMessage::SetUsername(std::string username) {
	if (username.size() > kMaxUsernameLength) username.resize(kMaxUsernameLength);
	username_ = std::move(username);
	hasUsername_ = true;
}

void StunMessage::SetPriority(uint32_t priority) {
	priority_ = priority;
	hasPriority_ = true;
}

void StunMessage::SetIceControlling(uint64_t tieBreaker) {
	iceControlling_ = tieBreaker;
	hasIceControlling_ = true;
}

void StunMessage::SetIceControlled(uint64_t tieBreaker) {
	iceControlled_ = tieBreaker;
	hasIceControlled_ = true;
}

void StunMessage::SetErrorCode(uint16_t code, std::string reason) {
	if (reason.size() > kMaxReasonLength) reason.resize(kMaxReasonLength);
	errorCode_ = code;
	errorReason_ = std::move(reason);
	hasErrorCode_ = true;
}

void StunMessage::SetXorMappedAddress(const sockaddr* address) {
	if (address == nullptr) return;
	if (address->sa_family == AF_INET) {
		std::memcpy(&xorMappedAddress_, address, sizeof(sockaddr_in));
		hasXorMappedAddress_ = true;
	} else if (address->sa_family == AF_INET6) {
		std::memcpy(&xorMappedAddress_, address, sizeof(sockaddr_in6));
		hasXorMappedAddress_ = true;
	}
}

std::vector<uint8_t> StunMessage::Serialize(const std::string* integrityKey, bool fingerprint) const {
	std::vector<uint8_t> out(HeaderLength, 0);
	out.reserve(128);
	WriteU16(&out[0], EncodeType(class_, method_));
	WriteU32(&out[4], MagicCookie);
	std::memcpy(&out[8], transactionId_, TransactionIdLength);

	if (hasUsername_) {
		AppendAttribute(out, AttrUsername, reinterpret_cast<const uint8_t*>(username_.data()), username_.size());
	}
	if (hasErrorCode_) {
		std::vector<uint8_t> value(4 + errorReason_.size(), 0);
		value[2] = static_cast<uint8_t>((errorCode_ / 100) & 0x07);
		value[3] = static_cast<uint8_t>(errorCode_ % 100);
		if (!errorReason_.empty()) std::memcpy(&value[4], errorReason_.data(), errorReason_.size());
		AppendAttribute(out, AttrErrorCode, value.data(), value.size());
	}
	if (hasXorMappedAddress_) {
		// RFC 5389 §15.2: X-Port is the port XOR the cookie's top 16 bits; X-Address is
		// the address XOR the cookie (IPv4) or XOR cookie || transaction id (IPv6).
		const auto* address = reinterpret_cast<const sockaddr*>(&xorMappedAddress_);
		uint8_t value[20] = { 0 };
		if (address->sa_family == AF_INET) {
			const auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
			value[1] = 0x01;
			WriteU16(value + 2, static_cast<uint16_t>(ntohs(in4->sin_port) ^ (MagicCookie >> 16)));
			WriteU32(value + 4, ntohl(in4->sin_addr.s_addr) ^ MagicCookie);
			AppendAttribute(out, AttrXorMappedAddress, value, 8);
		} else {
			const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
			uint8_t mask[16];
			WriteU32(mask, MagicCookie);
			std::memcpy(mask + 4, transactionId_, TransactionIdLength);
			value[1] = 0x02;
			WriteU16(value + 2, static_cast<uint16_t>(ntohs(in6->sin6_port) ^ (MagicCookie >> 16)));
			for (size_t i = 0; i < 16; ++i) value[4 + i] = in6->sin6_addr.s6_addr[i] ^ mask[i];
			AppendAttribute(out, AttrXorMappedAddress, value, 20);
		}
	}
	if (hasPriority_) {
		uint8_t value[4];
		WriteU32(value, priority_);
		AppendAttribute(out, AttrPriority, value, 4);
	}
	if (useCandidate_) AppendAttribute(out, AttrUseCandidate, nullptr, 0);
	if (hasIceControlled_) {
		uint8_t value[8];
		WriteU32(value, static_cast<uint32_t>(iceControlled_ >> 32));
		WriteU32(value + 4, static_cast<uint32_t>(iceControlled_));
		AppendAttribute(out, AttrIceControlled, value, 8);
	}
	if (hasIceControlling_) {
		uint8_t value[8];
		WriteU32(value, static_cast<uint32_t>(iceControlling_ >> 32));
		WriteU32(value + 4, static_cast<uint32_t>(iceControlling_));
		AppendAttribute(out, AttrIceControlling, value, 8);
	}

	if (integrityKey) {
		// RFC 5389 §15.4: length field first counts MESSAGE-INTEGRITY, then the HMAC is
		// taken over everything before it.
		SetBodyLength(out, out.size() - HeaderLength + kAttributeHeaderLength + kMessageIntegrityLength);
		uint8_t hmac[kMessageIntegrityLength] = { 0 };
		ComputeHmacSha1(*integrityKey, out.data(), out.size(), hmac);
		AppendAttribute(out, AttrMessageIntegrity, hmac, kMessageIntegrityLength);
	}
	if (fingerprint) {
		// RFC 5389 §15.5: the length field counts FINGERPRINT before the CRC is taken.
		SetBodyLength(out, out.size() - HeaderLength + kAttributeHeaderLength + kFingerprintLength);
		uint8_t value[4];
		WriteU32(value, Crc32(out.data(), out.size()) ^ kFingerprintXor);
		AppendAttribute(out, AttrFingerprint, value, kFingerprintLength);
	}
	SetBodyLength(out, out.size() - HeaderLength);
	return out;
}

std::vector<uint8_t> StunMessage::BuildSuccessResponse(
    const StunMessage& request, const sockaddr* mappedAddress, const std::string& password) {
	StunMessage response(Class::SuccessResponse, request.method_, request.transactionId_);
	response.SetXorMappedAddress(mappedAddress);
	return response.Serialize(&password, true);
}

std::vector<uint8_t> StunMessage::BuildErrorResponse(
    const StunMessage& request, uint16_t code, const std::string* password) {
	StunMessage response(Class::ErrorResponse, request.method_, request.transactionId_);
	response.SetErrorCode(code, ReasonPhrase(code));
	return response.Serialize(password, true);
}

} // namespace mediaplane
