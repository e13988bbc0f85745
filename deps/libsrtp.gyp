# libsrtp 2.5.0, compiled from its release source (unpacked into deps/libsrtp-2.5.0 by
# deps/fetch-libsrtp.js) as a static library linked into the addon. DESIGN.md §4.
#
# Crypto backend: OpenSSL, using the OpenSSL inside the node binary. node-gyp's
# addon.gypi puts Node's headers (including openssl/*.h) on every target's include
# path, and the node executable exports the OpenSSL symbols, so the addon links no
# libssl/libcrypto of its own: the EVP_* references stay undefined in the .node file
# and resolve against node at load time. Linking a second OpenSSL would be a bug.
#
# Used from binding.gyp as: "dependencies": ["deps/libsrtp.gyp:libsrtp"]
{
	'variables': {
		'libsrtp_dir': 'libsrtp-2.5.0',
		# 1 in the test-only ASan + UBSan build (binding.gyp, scripts/build-sanitized.js).
		'mediaplane_sanitize%': 0,
	},
	'targets': [
		{
			'target_name': 'libsrtp',
			'type': 'static_library',
			# node-gyp's addon.gypi clears product_prefix for every target; restore it
			# so the archive is the conventional libsrtp.a.
			'product_prefix': 'lib',
			# The same source set as libsrtp's own meson/CMake build with
			# crypto-library=openssl: the *_ossl.c backends replace the built-in
			# aes.c/aes_icm.c/hmac.c/sha1.c. The *_test_cases.c files are needed
			# because every cipher/auth type points at its self-test vectors.
			'sources': [
				'<(libsrtp_dir)/srtp/srtp.c',
				'<(libsrtp_dir)/crypto/cipher/cipher.c',
				'<(libsrtp_dir)/crypto/cipher/cipher_test_cases.c',
				'<(libsrtp_dir)/crypto/cipher/null_cipher.c',
				'<(libsrtp_dir)/crypto/cipher/aes_icm_ossl.c',
				'<(libsrtp_dir)/crypto/cipher/aes_gcm_ossl.c',
				'<(libsrtp_dir)/crypto/hash/auth.c',
				'<(libsrtp_dir)/crypto/hash/auth_test_cases.c',
				'<(libsrtp_dir)/crypto/hash/null_auth.c',
				'<(libsrtp_dir)/crypto/hash/hmac_ossl.c',
				'<(libsrtp_dir)/crypto/kernel/alloc.c',
				'<(libsrtp_dir)/crypto/kernel/crypto_kernel.c',
				'<(libsrtp_dir)/crypto/kernel/err.c',
				'<(libsrtp_dir)/crypto/kernel/key.c',
				'<(libsrtp_dir)/crypto/math/datatypes.c',
				'<(libsrtp_dir)/crypto/replay/rdb.c',
				'<(libsrtp_dir)/crypto/replay/rdbx.c',
			],
			'defines': [
				# Makes every libsrtp source include our hand-written config.h.
				'HAVE_CONFIG_H',
			],
			'include_dirs': [
				'srtp-config', # our hand-written config.h (not under libsrtp-*/: .gitignore skips those)
				'<(libsrtp_dir)/include',
				'<(libsrtp_dir)/crypto/include',
			],
			'cflags': [
				# The static library ends up inside a shared object (the .node file).
				'-fPIC',
				# Keep libsrtp's symbols private to the addon so they can never clash
				# with another copy of libsrtp loaded into the same Node process.
				'-fvisibility=hidden',
				# Third-party code compiled as-is: its warnings are not ours to fix.
				'-w',
			],
			'cflags!': ['-Wall', '-Wextra'],
			'conditions': [
				['mediaplane_sanitize==1', {
					'configurations': {
						'Release': {
							'cflags': ['-O1', '-g1', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined'],
						},
					},
				}],
				['mediaplane_sanitize==2', {
					'configurations': {
						'Release': {
							'cflags': ['-O1', '-g1', '-fno-omit-frame-pointer', '-fsanitize=thread'],
						},
					},
				}],
			],
			'xcode_settings': {
				'GCC_WARN_INHIBIT_ALL_WARNINGS': 'YES',
				'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
				'OTHER_CFLAGS': ['-fPIC'],
			},
			'direct_dependent_settings': {
				# Consumers include <srtp.h>, which is self-contained. crypto/include is
				# deliberately not exposed: its generic names (err.h, key.h, aes.h...)
				# would shadow system headers such as <err.h> in the addon's sources.
				'include_dirs': [
					'<(libsrtp_dir)/include',
				],
			},
		},
	],
}
