# The libFuzzer targets (fuzz/<name>_fuzzer.cpp; fuzz/run.sh builds and runs them).
# Each links the engine libraries; the linker takes only the objects it needs. With no
# node to provide them, OpenSSL and libuv come from the system's shared libraries,
# linked by full path so that no -dev package is needed (Debian: libssl3, libuv1).
if(NOT MEDIAPLANE_SANITIZE STREQUAL "fuzzer")
	message(FATAL_ERROR "MEDIAPLANE_BUILD_FUZZERS needs MEDIAPLANE_SANITIZE=fuzzer")
endif()
set(MEDIAPLANE_FUZZ_TARGETS stun_message ice_server dtls_records srtp_unprotect rtp_forward
	dominant_speaker rtcp_compound sctp_association send_side_bwe tcp_framing json_request
	channel_requests transport_receive)
foreach(_mp_lib IN ITEMS ssl crypto uv)
	set(_mp_so "lib${_mp_lib}.so.3")
	if(_mp_lib STREQUAL "uv")
		set(_mp_so "libuv.so.1")
	endif()
	find_library(MEDIAPLANE_FUZZ_LIB_${_mp_lib} NAMES "${_mp_so}" "${_mp_lib}" REQUIRED)
endforeach()
foreach(_mp_target IN LISTS MEDIAPLANE_FUZZ_TARGETS)
	add_executable(${_mp_target}_fuzzer fuzz/${_mp_target}_fuzzer.cpp)
	target_compile_options(${_mp_target}_fuzzer PRIVATE -Wall -Wno-unused-parameter)
	target_link_options(${_mp_target}_fuzzer PRIVATE -fsanitize=fuzzer)
	target_link_libraries(${_mp_target}_fuzzer PRIVATE mediaplane_io
		${MEDIAPLANE_FUZZ_LIB_ssl} ${MEDIAPLANE_FUZZ_LIB_crypto} ${MEDIAPLANE_FUZZ_LIB_uv})
endforeach()
