/*
 * Hand-written config.h for libsrtp 2.5.0 as built by deps/libsrtp.gyp
 * (deps/srtp-config/config.h; the libsrtp sources include it as <config.h>).
 *
 * libsrtp normally generates this file with configure, CMake or meson. We compile it
 * with node-gyp instead (DESIGN.md §4), so the few answers those tools would probe for
 * are fixed here. Supported targets: Linux and macOS on x86_64 and arm64 (all
 * little-endian, all with a C99 <stdint.h>). Anything compiler-dependent is decided
 * from the compiler's own predefined macros, not from the build machine.
 */
#ifndef MEDIAPLANE_LIBSRTP_CONFIG_H
#define MEDIAPLANE_LIBSRTP_CONFIG_H

/* Reported by srtp_get_version_string() / srtp_get_version(). */
#define PACKAGE_VERSION "2.5.0"
#define PACKAGE_STRING "libsrtp2 2.5.0"

/*
 * Crypto backend: OpenSSL (the copy inside the node binary; its headers come from
 * node-gyp's include path /usr/include/node/openssl). OPENSSL selects the *_ossl.c
 * cipher and HMAC implementations; GCM enables the AEAD_AES_*_GCM suites of RFC 7714,
 * which only the external-crypto backends provide. OPENSSL_KDF is left undefined:
 * stock OpenSSL has no kdf_srtp(), so libsrtp's own AES-CM KDF (RFC 3711 §4.3) is used.
 */
#define OPENSSL 1
#define GCM 1

/*
 * Byte order and CPU class. WORDS_BIGENDIAN stays undefined on little-endian targets;
 * defined from the compiler so a big-endian cross build would still be correct.
 * CPU_CISC/CPU_RISC only matter to the built-in AES (aes.c), which this build does not
 * compile; they are set as configure would set them so the file stays truthful.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WORDS_BIGENDIAN 1
#endif

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define CPU_CISC 1
#define HAVE_X86 1 /* lets datatypes.h use the bswap instruction */
#else
#define CPU_RISC 1
#endif

/*
 * Headers the library sources test for (the configure script probes more, but only
 * its test programs use the rest). htonl/ntohl come from <netinet/in.h> on POSIX and
 * <winsock2.h> on Windows.
 */
#define HAVE_STDINT_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_STDLIB_H 1
#define HAVE_SYS_TYPES_H 1
#if defined(_WIN32)
#define HAVE_WINSOCK2_H 1
#else
#define HAVE_NETINET_IN_H 1
#endif
#if defined(__linux__)
#define HAVE_BYTESWAP_H 1 /* glibc/musl only; macOS has no <byteswap.h> */
#endif

/* C99 fixed-width types come from <stdint.h>; integers.h then defines none itself. */
#define HAVE_UINT8_T 1
#define HAVE_UINT16_T 1
#define HAVE_UINT32_T 1
#define HAVE_UINT64_T 1
#define HAVE_INT32_T 1
#define SIZEOF_UNSIGNED_LONG __SIZEOF_LONG__
#define SIZEOF_UNSIGNED_LONG_LONG __SIZEOF_LONG_LONG__

/*
 * Logging: neither ERR_REPORTING_STDOUT nor ERR_REPORTING_FILE is defined, so libsrtp
 * writes nothing to the process's stdout/stderr (an in-process library must not).
 * ENABLE_DEBUG_LOGGING is off.
 */

#endif /* MEDIAPLANE_LIBSRTP_CONFIG_H */
