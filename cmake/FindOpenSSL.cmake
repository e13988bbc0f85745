# Replaces CMake's FindOpenSSL for libsrtp's own CMakeLists (ENABLE_OPENSSL=ON).
#
# The addon must use the OpenSSL inside the `node` executable, never a second copy:
# libsrtp and the engine compile against Node's own OpenSSL headers (<node>/include/node,
# MEDIAPLANE_NODE_INCLUDE_DIR) and leave every EVP_* symbol undefined, resolved against
# node when the addon loads. So OpenSSL::Crypto here is headers only. Executables with no
# node to resolve against (fuzz targets) add the system's libcrypto themselves.
if(NOT MEDIAPLANE_NODE_INCLUDE_DIR OR NOT EXISTS "${MEDIAPLANE_NODE_INCLUDE_DIR}/openssl/opensslv.h")
	message(FATAL_ERROR "FindOpenSSL (mediaplane): MEDIAPLANE_NODE_INCLUDE_DIR has no openssl/opensslv.h")
endif()
set(OPENSSL_FOUND TRUE)
set(OpenSSL_FOUND TRUE)
set(OPENSSL_INCLUDE_DIR "${MEDIAPLANE_NODE_INCLUDE_DIR}")
set(OPENSSL_CRYPTO_LIBRARY "")
set(OPENSSL_LIBRARIES "")
# (Node's opensslv.h dispatches to a per-architecture copy; any of them has the version.)
file(GLOB_RECURSE _mp_ossl_version_headers "${MEDIAPLANE_NODE_INCLUDE_DIR}/openssl/archs/*/opensslv.h")
set(OPENSSL_VERSION "3")
foreach(_mp_header IN LISTS _mp_ossl_version_headers)
	file(STRINGS "${_mp_header}" _mp_line REGEX "define +OPENSSL_FULL_VERSION_STR")
	string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" _mp_version "${_mp_line}")
	if(_mp_version)
		set(OPENSSL_VERSION "${_mp_version}")
		break()
	endif()
endforeach()
if(NOT TARGET OpenSSL::Crypto)
	add_library(OpenSSL::Crypto INTERFACE IMPORTED)
	set_target_properties(OpenSSL::Crypto PROPERTIES
		INTERFACE_INCLUDE_DIRECTORIES "${MEDIAPLANE_NODE_INCLUDE_DIR}")
endif()
