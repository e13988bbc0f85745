// AES_CM_128_HMAC_SHA1_80 SRTP (RFC 3711) for the forwarding benchmark's load tools,
// written against the system OpenSSL (libcrypto.so.3): key derivation (§4.3.1, kdr 0),
// AES-CM encryption (§4.1.1, via EVP aes-128-ctr) and the HMAC-SHA1 tag truncated to
// 80 bits (§4.2). Only what a single-SSRC sender and a sampling receiver need; not a
// general SRTP implementation (no replay list, no MKI, RTP only). bench/forwarding.js
// checks it against the addon's libsrtp (srtpProtect/srtpUnprotect) before every run.
#ifndef FORWARDING_SRTP_LITE_H
#define FORWARDING_SRTP_LITE_H

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define SRTP_TAG_LEN 10

typedef struct {
	EVP_CIPHER_CTX* ctr; // aes-128-ctr keyed with the session encryption key
	EVP_CIPHER_CTX* ecb; // aes-128-ecb, same key: one keystream block at a time
	uint8_t salt[14];    // session salt
	SHA_CTX inner;       // HMAC-SHA1 state after (auth key ^ ipad)
	SHA_CTX outer;       // ... and after (auth key ^ opad)
} srtp_lite;

// AES-CM key derivation: label 0 = encryption key, 1 = auth key, 2 = salt.
static void srtp_lite_kdf(const uint8_t masterKey[16], const uint8_t masterSalt[14], uint8_t label,
                          uint8_t* out, int len) {
	uint8_t iv[16] = { 0 };
	uint8_t zeros[32] = { 0 };
	int outLen = 0;
	memcpy(iv, masterSalt, 14);
	iv[7] ^= label;
	EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, masterKey, iv);
	EVP_EncryptUpdate(ctx, out, &outLen, zeros, len);
	EVP_CIPHER_CTX_free(ctx);
}

// keySalt: the 30-byte master key || master salt (the keyBase64 of srtpParameters).
static int srtp_lite_init(srtp_lite* s, const uint8_t keySalt[30]) {
	uint8_t encKey[16], authKey[20], pad[64];
	srtp_lite_kdf(keySalt, keySalt + 16, 0, encKey, 16);
	srtp_lite_kdf(keySalt, keySalt + 16, 1, authKey, 20);
	srtp_lite_kdf(keySalt, keySalt + 16, 2, s->salt, 14);
	s->ctr = EVP_CIPHER_CTX_new();
	s->ecb = EVP_CIPHER_CTX_new();
	if (!s->ctr || !s->ecb) return -1;
	if (EVP_EncryptInit_ex(s->ctr, EVP_aes_128_ctr(), NULL, encKey, NULL) != 1) return -1;
	if (EVP_EncryptInit_ex(s->ecb, EVP_aes_128_ecb(), NULL, encKey, NULL) != 1) return -1;
	EVP_CIPHER_CTX_set_padding(s->ecb, 0);
	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < 20; i++) pad[i] ^= authKey[i];
	SHA1_Init(&s->inner);
	SHA1_Update(&s->inner, pad, 64);
	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < 20; i++) pad[i] ^= authKey[i];
	SHA1_Init(&s->outer);
	SHA1_Update(&s->outer, pad, 64);
	return 0;
}

static size_t srtp_lite_header_len(const uint8_t* p, size_t len) {
	if (len < 12) return 0;
	size_t h = 12 + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < h + 4) return 0;
		h += 4 + 4u * ((p[h + 2] << 8) | p[h + 3]);
	}
	return h <= len ? h : 0;
}

// The AES-CM counter block for (SSRC, index) with block counter `block`.
static void srtp_lite_iv(const srtp_lite* s, uint32_t ssrc, uint64_t index, uint16_t block, uint8_t iv[16]) {
	memcpy(iv, s->salt, 14);
	iv[14] = (uint8_t)(block >> 8);
	iv[15] = (uint8_t)block;
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (8 * (5 - i)));
}

static void srtp_lite_tag(const srtp_lite* s, const uint8_t* p, size_t len, uint32_t roc, uint8_t tag[20]) {
	uint8_t rocBytes[4] = { (uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc };
	uint8_t innerDigest[20];
	SHA_CTX c = s->inner;
	SHA1_Update(&c, p, len);
	SHA1_Update(&c, rocBytes, 4);
	SHA1_Final(innerDigest, &c);
	c = s->outer;
	SHA1_Update(&c, innerDigest, 20);
	SHA1_Final(tag, &c);
}

// Protects the RTP packet p[0..len) in place with packet index `index` (ROC << 16 | SEQ)
// and appends the tag; returns the new length (len + 10) or 0. p needs room for the tag.
static size_t srtp_lite_protect(srtp_lite* s, uint8_t* p, size_t len, uint64_t index) {
	size_t h = srtp_lite_header_len(p, len);
	if (!h) return 0;
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
	uint8_t iv[16], tag[20];
	int outLen = 0;
	srtp_lite_iv(s, ssrc, index, 0, iv);
	EVP_EncryptInit_ex(s->ctr, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(s->ctr, p + h, &outLen, p + h, (int)(len - h));
	srtp_lite_tag(s, p, len, (uint32_t)(index >> 16), tag);
	memcpy(p + len, tag, SRTP_TAG_LEN);
	return len + SRTP_TAG_LEN;
}

// Checks the tag of an SRTP packet (len includes the tag): 1 = authentic.
static int srtp_lite_verify(const srtp_lite* s, const uint8_t* p, size_t len, uint32_t roc) {
	uint8_t tag[20];
	if (len < 12 + SRTP_TAG_LEN) return 0;
	srtp_lite_tag(s, p, len - SRTP_TAG_LEN, roc, tag);
	return memcmp(tag, p + len - SRTP_TAG_LEN, SRTP_TAG_LEN) == 0;
}

// Decrypts the payload bytes [from, from + n) (offsets from the start of the payload,
// within one 16-byte block) into out: one AES block instead of the whole packet.
static void srtp_lite_peek(const srtp_lite* s, const uint8_t* payload, uint32_t ssrc, uint64_t index,
                           size_t from, size_t n, uint8_t* out) {
	uint8_t iv[16], ks[16];
	int outLen = 0;
	srtp_lite_iv(s, ssrc, index, (uint16_t)(from / 16), iv);
	EVP_EncryptUpdate(s->ecb, ks, &outLen, iv, 16);
	for (size_t i = 0; i < n; i++) out[i] = payload[from + i] ^ ks[(from % 16) + i];
}

// Full unprotect (self-test): verifies, decrypts in place, returns the RTP length or 0.
static size_t srtp_lite_unprotect(srtp_lite* s, uint8_t* p, size_t len, uint64_t index) {
	if (!srtp_lite_verify(s, p, len, (uint32_t)(index >> 16))) return 0;
	len -= SRTP_TAG_LEN;
	size_t h = srtp_lite_header_len(p, len);
	if (!h) return 0;
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
	uint8_t iv[16];
	int outLen = 0;
	srtp_lite_iv(s, ssrc, index, 0, iv);
	EVP_EncryptInit_ex(s->ctr, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(s->ctr, p + h, &outLen, p + h, (int)(len - h));
	return len;
}

#endif
