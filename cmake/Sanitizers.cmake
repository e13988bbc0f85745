# MEDIAPLANE_SANITIZE: test-only instrumented builds, applied to everything compiled
# here, libsrtp included. Never shipped.
#   address  ASan + UBSan (-fno-sanitize-recover=undefined): test/sanitized-socket.test.js
#            loads this addon with libasan preloaded; the C++ unit tests run in it too
#   thread   ThreadSanitizer: test/sanitized-thread.test.js
#   fuzzer   libFuzzer coverage + ASan + UBSan, clang only: fuzz/run.sh
# -O1 comes after the build type's -O3 on the command line, so it wins.
set(_mp_debug -O1 -g1 -fno-omit-frame-pointer)
if(MEDIAPLANE_SANITIZE STREQUAL "address")
	add_compile_options(${_mp_debug} -fsanitize=address,undefined -fno-sanitize-recover=undefined)
	add_link_options(-fsanitize=address,undefined)
elseif(MEDIAPLANE_SANITIZE STREQUAL "thread")
	add_compile_options(${_mp_debug} -fsanitize=thread)
	add_link_options(-fsanitize=thread)
elseif(MEDIAPLANE_SANITIZE STREQUAL "fuzzer")
	if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
		message(FATAL_ERROR "MEDIAPLANE_SANITIZE=fuzzer needs clang (CC=clang CXX=clang++)")
	endif()
	add_compile_options(-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
	add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(NOT MEDIAPLANE_SANITIZE STREQUAL "")
	message(FATAL_ERROR "MEDIAPLANE_SANITIZE must be '', address, thread or fuzzer, not '${MEDIAPLANE_SANITIZE}'")
endif()
