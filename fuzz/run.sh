#!/usr/bin/env bash
# Builds the engine's libFuzzer targets into build/fuzz/ and runs each one.
#
#   bash fuzz/run.sh [seconds-per-target]        (default 60; npm run fuzz -- 300)
#
# Environment:
#   FUZZ_TARGETS="stun_message srtp_unprotect"   run a subset (default: all)
#   FUZZ_BUILD_ONLY=1                            build, do not run
#   FUZZ_JOBS=N                                  parallel compile jobs (default: nproc)
#   FUZZ_OUT=dir                                 output directory (default: build/fuzz;
#                                                `node-gyp rebuild` deletes build/)
#
# Exits non-zero if a target fails to build or any target crashed, leaked, timed out
# or ran out of memory; the input that did it is kept in build/fuzz/artifacts/. See
# fuzz/README.md for reproducing a crash.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
	echo "usage: bash fuzz/run.sh [seconds-per-target]" >&2
	exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_TARGETS=(stun_message ice_server dtls_records srtp_unprotect rtp_forward dominant_speaker rtcp_compound sctp_association send_side_bwe tcp_framing json_request channel_requests transport_receive)
read -r -a TARGETS <<<"${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"

OUT="${FUZZ_OUT:-build/fuzz}"
OBJ="$OUT/obj"
ARTIFACTS="$OUT/artifacts"
mkdir -p "$OBJ" "$ARTIFACTS"
JOBS="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"

log() { printf '[fuzz] %s\n' "$*"; }

# ---- Toolchain -------------------------------------------------------------------

CLANG="${CLANG:-clang}"
CLANGXX="${CLANGXX:-clang++}"

# True when clang can link a libFuzzer binary (needs the compiler-rt fuzzer runtime,
# which Debian ships in libclang-rt-NN-dev, separately from clang itself).
can_link_fuzzer() {
	command -v "$CLANGXX" >/dev/null 2>&1 || return 1
	local probe="$OBJ/probe"
	printf '%s\n' '#include <cstdint>' '#include <cstddef>' \
		'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' >"$probe.cpp"
	"$CLANGXX" -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" >/dev/null 2>&1
}

if ! can_link_fuzzer; then
	if [ "$(id -u)" != "0" ]; then
		echo "clang with the libFuzzer runtime is missing; as root: apt-get install clang libclang-rt-14-dev" >&2
		exit 1
	fi
	log "installing clang and libclang-rt-14-dev with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends clang libclang-rt-14-dev
	can_link_fuzzer || { echo "clang still cannot link -fsanitize=fuzzer binaries" >&2; exit 1; }
fi

# ---- Dependencies ----------------------------------------------------------------

SRTP_DIR="deps/libsrtp-2.5.0"
if [ ! -f "$SRTP_DIR/srtp/srtp.c" ]; then
	log "fetching libsrtp"
	node deps/fetch-libsrtp.js
fi

NODE_INCLUDE="${NODE_INCLUDE:-/usr/include/node}"
if [ ! -f "$NODE_INCLUDE/openssl/ssl.h" ] || [ ! -f "$NODE_INCLUDE/uv.h" ]; then
	# Node's headers (its bundled OpenSSL 3.0 and libuv), as node-gyp uses them.
	NODE_INCLUDE="$(dirname "$(dirname "$(command -v node)")")/include/node"
fi
[ -f "$NODE_INCLUDE/openssl/ssl.h" ] || { echo "Node headers with openssl/ not found (set NODE_INCLUDE)" >&2; exit 1; }

# Runtime libraries for the fuzz binaries only (the addon takes these symbols from the
# node executable instead). Linked by full path: no -dev packages needed.
find_lib() {
	local name="$1" dir
	for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /lib/x86_64-linux-gnu; do
		[ -e "$dir/$name" ] && { echo "$dir/$name"; return 0; }
	done
	echo "missing runtime library $name (Debian: libssl3 / libuv1)" >&2
	return 1
}
LIBCRYPTO="$(find_lib libcrypto.so.3)"
LIBSSL="$(find_lib libssl.so.3)"
LIBUV="$(find_lib libuv.so.1)"

# ---- Build -----------------------------------------------------------------------

SAN_COMPILE=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
SAN_LINK=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
CXXFLAGS=(-std=c++17 "${SAN_COMPILE[@]}" -Wall -Wno-unused-parameter -isystem "$NODE_INCLUDE")
SRTP_CFLAGS=("${SAN_COMPILE[@]}" -w -DHAVE_CONFIG_H -Ideps/srtp-config -I"$SRTP_DIR/include"
	-I"$SRTP_DIR/crypto/include" -isystem "$NODE_INCLUDE")

E=src/cpp/engine
# Engine sources per target (Logger/Channel/Value: the MP_* log macros).
COMMON_SRCS=("$E/common/Logger.cpp" "$E/channel/Channel.cpp" "$E/common/Value.cpp")
declare -A TARGET_SRCS=(
	[stun_message]="$E/ice/StunMessage.cpp $E/net/TransportTuple.cpp"
	[ice_server]="$E/ice/IceServer.cpp $E/ice/StunMessage.cpp $E/net/TransportTuple.cpp"
	[dtls_records]="$E/dtls/DtlsTransport.cpp $E/dtls/DtlsRecordScreen.cpp $E/dtls/DtlsCertificate.cpp $E/srtp/SrtpSession.cpp $E/srtp/SrtpLibrary.cpp"
	[srtp_unprotect]="$E/srtp/SrtpSession.cpp $E/srtp/SrtpLibrary.cpp"
	[rtp_forward]="$(cd "$ROOT" && echo $E/rtp/*.cpp $E/rtp/codecs/*.cpp) $E/rtc/RtpStreamRewriter.cpp $E/rtc/LayerSelector.cpp $E/rtc/SimulcastLayers.cpp $E/rtc/SvcLayers.cpp $E/rtc/Vp8PictureRewriter.cpp $(cd "$ROOT" && echo $E/rtcp/*.cpp) $E/transport/TransportCcReceiver.cpp $E/common/RateCalculator.cpp"
	[dominant_speaker]="$E/observer/DominantSpeakerDetector.cpp"
	[rtcp_compound]="$(cd "$ROOT" && echo $E/rtcp/*.cpp)"
	[sctp_association]="$(cd "$ROOT" && echo $E/sctp/*.cpp)"
	[send_side_bwe]="$(cd "$ROOT" && echo $E/bwe/*.cpp $E/rtcp/*.cpp) $E/transport/PacketPacer.cpp"
	[tcp_framing]="$E/net/Rfc4571Framer.cpp"
	[json_request]="$E/common/JsonReader.cpp"
	# The whole engine (binding.gyp's engine sources) but the COMMON_SRCS above.
	[channel_requests]="$(cd "$ROOT" && find $E -name '*.cpp' ! -path $E/common/Logger.cpp ! -path $E/channel/Channel.cpp ! -path $E/common/Value.cpp | LC_ALL=C sort | tr '\n' ' ')"
)
# The transports' receive path: the whole engine, as channel_requests.
TARGET_SRCS[transport_receive]="${TARGET_SRCS[channel_requests]}"
declare -A TARGET_SRTP=([dtls_records]=1 [srtp_unprotect]=1 [channel_requests]=1 [transport_receive]=1)
# -max_len where 2048 is too short (a session of requests with their RTP parameters).
declare -A TARGET_MAX_LEN=([channel_requests]=16384 [transport_receive]=4096)

# The same source list as deps/libsrtp.gyp (OpenSSL backend).
SRTP_SRCS=(srtp/srtp.c crypto/cipher/cipher.c crypto/cipher/cipher_test_cases.c crypto/cipher/null_cipher.c
	crypto/cipher/aes_icm_ossl.c crypto/cipher/aes_gcm_ossl.c crypto/hash/auth.c crypto/hash/auth_test_cases.c
	crypto/hash/null_auth.c crypto/hash/hmac_ossl.c crypto/kernel/alloc.c crypto/kernel/crypto_kernel.c
	crypto/kernel/err.c crypto/kernel/key.c crypto/math/datatypes.c crypto/replay/rdb.c crypto/replay/rdbx.c)

# obj name for a source path
obj_of() { local s="${1//\//_}"; echo "$OBJ/${s%.*}.o"; }

# Compile jobs: "<compiler> <source> <object>" lines, run $JOBS at a time. An object is
# rebuilt when it is missing, when its source or any header it included (clang's -MMD
# dependency file) is newer, or when the compile flags changed.
FLAGS_ID="$(printf '%s\n' "${CXXFLAGS[*]}" "${SRTP_CFLAGS[*]}" "$($CLANGXX --version | head -1)" | cksum)"
if [ "$(cat "$OBJ/flags" 2>/dev/null || true)" != "$FLAGS_ID" ]; then
	rm -f "$OBJ"/*.o "$OBJ"/*.d
	printf '%s\n' "$FLAGS_ID" >"$OBJ/flags"
fi
JOBLIST="$OBJ/jobs.txt"
: >"$JOBLIST"
needs_build() {
	local src="$1" obj="$2" dep
	[ -f "$obj" ] && [ -f "${obj%.o}.d" ] || return 0
	[ "$src" -nt "$obj" ] && return 0
	for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "${obj%.o}.d"); do
		[ -e "$dep" ] || return 0
		[ "$dep" -nt "$obj" ] && return 0
	done
	return 1
}
add_job() {
	local compiler="$1" src="$2" obj
	obj="$(obj_of "$src")"
	if needs_build "$src" "$obj"; then
		printf '%s %s %s\n' "$compiler" "$src" "$obj" >>"$JOBLIST"
	fi
}

declare -A SEEN=()
NEED_SRTP=0
for t in "${TARGETS[@]}"; do
	[ -n "${TARGET_SRCS[$t]+x}" ] || { echo "unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
	[ -n "${TARGET_SRTP[$t]+x}" ] && NEED_SRTP=1
	for s in fuzz/${t}_fuzzer.cpp "${COMMON_SRCS[@]}" ${TARGET_SRCS[$t]}; do
		[ -n "${SEEN[$s]+x}" ] && continue
		SEEN[$s]=1
		add_job cxx "$s"
	done
done
if [ "$NEED_SRTP" = 1 ]; then
	for s in "${SRTP_SRCS[@]}"; do add_job cc "$SRTP_DIR/$s"; done
fi

compile_one() {
	local compiler="$1" src="$2" obj="$3"
	if [ "$compiler" = cc ]; then
		"$CLANG" "${SRTP_CFLAGS[@]}" -MMD -MF "${obj%.o}.d" -c "$src" -o "$obj"
	else
		local extra=()
		# (srtp2/srtp.h reaches the transports and everything above them through
		# PlainTransport.hpp/WebRtcTransport.hpp.)
		[[ "$src" == fuzz/* || "$src" == src/cpp/engine/* ]] && extra=(-I"$SRTP_DIR/include")
		"$CLANGXX" "${CXXFLAGS[@]}" "${extra[@]}" -MMD -MF "${obj%.o}.d" -c "$src" -o "$obj"
	fi
}
export -f compile_one
export CLANG CLANGXX SRTP_DIR
export CXXFLAGS_STR="${CXXFLAGS[*]}" SRTP_CFLAGS_STR="${SRTP_CFLAGS[*]}"

if [ -s "$JOBLIST" ]; then
	log "compiling $(wc -l <"$JOBLIST") files with $JOBS jobs"
	# Arrays do not cross `export`; rebuild them from strings in the child shells.
	if ! xargs -P "$JOBS" -L 1 bash -c 'read -r -a CXXFLAGS <<<"$CXXFLAGS_STR"; read -r -a SRTP_CFLAGS <<<"$SRTP_CFLAGS_STR"; compile_one "$@"' _ <"$JOBLIST"; then
		echo "compilation failed" >&2
		exit 1
	fi
fi

if [ "$NEED_SRTP" = 1 ]; then
	SRTP_OBJS=()
	for s in "${SRTP_SRCS[@]}"; do SRTP_OBJS+=("$(obj_of "$SRTP_DIR/$s")"); done
	rm -f "$OBJ/libsrtp-fuzz.a"
	ar rcs "$OBJ/libsrtp-fuzz.a" "${SRTP_OBJS[@]}"
fi

for t in "${TARGETS[@]}"; do
	objs=("$(obj_of "fuzz/${t}_fuzzer.cpp")")
	for s in "${COMMON_SRCS[@]}" ${TARGET_SRCS[$t]}; do objs+=("$(obj_of "$s")"); done
	libs=()
	[ -n "${TARGET_SRTP[$t]+x}" ] && libs+=("$OBJ/libsrtp-fuzz.a")
	libs+=("$LIBSSL" "$LIBCRYPTO" "$LIBUV" -lpthread)
	"$CLANGXX" "${SAN_LINK[@]}" "${objs[@]}" "${libs[@]}" -o "$OUT/${t}_fuzzer"
	log "built $OUT/${t}_fuzzer"
done

[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# ---- Run -------------------------------------------------------------------------

# Each target: new inputs go to build/fuzz/corpus/<name> (not committed); the committed
# seeds in fuzz/corpus/<name> are read as a second corpus directory.
FAILED=()
SUMMARY=()
for t in "${TARGETS[@]}"; do
	mkdir -p "$OUT/corpus/$t" "$ARTIFACTS"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	# Committed seeds, where the target has some (libFuzzer exits on a missing directory).
	seeds=()
	[ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
	logfile="$OUT/$t.log"
	log "running $t for ${SECONDS_PER_TARGET}s (log: $logfile)"
	set +e
	ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
		"$OUT/${t}_fuzzer" \
		-max_total_time="$SECONDS_PER_TARGET" -max_len="${TARGET_MAX_LEN[$t]:-2048}" -rss_limit_mb=2048 -timeout=20 \
		-print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" "${dict[@]}" \
		"$OUT/corpus/$t" "${seeds[@]}" >"$logfile" 2>&1
	rc=$?
	set -e
	stats="$(grep -sE '^#[0-9]+' "$logfile" | tail -1 || true)"
	execs="$(grep -sE '^stat::average_exec_per_sec' "$logfile" | awk '{print $2}' || true)"
	cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$logfile" 2>/dev/null | tail -1 || true)"
	ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' "$logfile" 2>/dev/null | tail -1 || true)"
	if [ "$rc" -ne 0 ]; then
		FAILED+=("$t")
		SUMMARY+=("$t: FAILED (exit $rc) cov=${cov:-?} ft=${ft:-?} exec/s=${execs:-?}")
		log "$t FAILED (exit $rc); the end of $logfile:"
		tail -40 "$logfile" || true
	else
		SUMMARY+=("$t: ok cov=${cov:-?} ft=${ft:-?} exec/s=${execs:-?}")
	fi
	[ -n "$stats" ] && log "$t: $stats"
done

echo
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "${#TARGETS[@]} targets: $(( ${#TARGETS[@]} - ${#FAILED[@]} )) passed, ${#FAILED[@]} failed"
if [ "${#FAILED[@]}" -ne 0 ]; then
	echo "crash artifacts: $ARTIFACTS/ (reproduce: $OUT/<target>_fuzzer <artifact>)"
	exit 1
fi
