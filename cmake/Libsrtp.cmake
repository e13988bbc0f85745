# libsrtp 2.5.0 from its release source, built by its own CMakeLists.txt with the
# OpenSSL backend (cmake/FindOpenSSL.cmake points that at Node's OpenSSL headers).
# Target: srtp2, a static library of position-independent, hidden-visibility objects,
# so its symbols never clash with another libsrtp in the same process.
set(MEDIAPLANE_LIBSRTP_DIR "${CMAKE_CURRENT_SOURCE_DIR}/deps/libsrtp-2.5.0" CACHE PATH "libsrtp release source")
if(NOT EXISTS "${MEDIAPLANE_LIBSRTP_DIR}/CMakeLists.txt")
	message(STATUS "mediaplane: obtaining the libsrtp release source (deps/fetch-libsrtp.js)")
	execute_process(COMMAND "${MEDIAPLANE_NODE_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/deps/fetch-libsrtp.js"
		RESULT_VARIABLE _mp_fetch_result)
	if(NOT _mp_fetch_result EQUAL 0 OR NOT EXISTS "${MEDIAPLANE_LIBSRTP_DIR}/CMakeLists.txt")
		message(FATAL_ERROR "mediaplane: libsrtp's source is missing; run node deps/fetch-libsrtp.js")
	endif()
endif()

set(ENABLE_OPENSSL ON CACHE BOOL "" FORCE)
set(TEST_APPS OFF CACHE BOOL "" FORCE)
set(BUILD_WITH_WARNINGS OFF CACHE BOOL "" FORCE)
set(BUILD_WITH_SANITIZERS OFF CACHE BOOL "" FORCE)
set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
# libsrtp's config.h takes its PACKAGE_STRING ("libsrtp2 2.5.0", srtp_get_version_string())
# and its library VERSION from CMAKE_PROJECT_NAME/VERSION, which name the top-level
# project: give it its own in a function scope.
function(mediaplane_add_libsrtp)
	set(CMAKE_PROJECT_NAME libsrtp2)
	set(CMAKE_PROJECT_VERSION 2.5.0)
	add_subdirectory("${MEDIAPLANE_LIBSRTP_DIR}" "${CMAKE_CURRENT_BINARY_DIR}/libsrtp" EXCLUDE_FROM_ALL)
endfunction()
mediaplane_add_libsrtp()
# Third-party code compiled as-is: its warnings are not ours to fix.
target_compile_options(srtp2 PRIVATE -w)
# Users of srtp2 see include/ only: <srtp.h> is self-contained, and crypto/include's
# generic names (err.h, key.h, aes.h) would shadow system headers such as <err.h>.
set_target_properties(srtp2 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "$<BUILD_INTERFACE:${MEDIAPLANE_LIBSRTP_DIR}/include>")
