#!/usr/bin/env bash
# Builds the engine's libFuzzer targets into build/fuzz/ and runs each one.
#
#   bash fuzz/run.sh [seconds-per-target]        (default 60; npm run fuzz -- 300)
#
# Environment:
#   FUZZ_TARGETS="stun_message srtp_unprotect"   run a subset (default: all)
#   FUZZ_BUILD_ONLY=1                            build, do not run
#   FUZZ_JOBS=N                                  parallel compile jobs (default: nproc)
#   FUZZ_OUT=dir                                 output directory (default: build/fuzz)
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
# -max_len where 2048 is too short (a session of requests with their RTP parameters).
declare -A TARGET_MAX_LEN=([channel_requests]=16384 [transport_receive]=4096)

OUT="${FUZZ_OUT:-build/fuzz}"
ARTIFACTS="$OUT/artifacts"
OBJ="$OUT/probe"
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

# ---- Build -----------------------------------------------------------------------

# The "fuzz" CMake preset (CMakeLists.txt, cmake/Fuzzers.cmake): the engine libraries
# compiled with -fsanitize=fuzzer-no-link,address,undefined, one executable per target.
# CMake rebuilds only what changed. Builds on this machine are serialised through flock.
command -v cmake >/dev/null 2>&1 || node scripts/build-native.js --ensure-cmake >/dev/null
LOCK=()
command -v flock >/dev/null 2>&1 && LOCK=(flock "${MEDIAPLANE_BUILD_LOCK:-/tmp/mediaplane-build.lock}")
# (A configure that failed leaves CMakeCache.txt but no Makefile: configure again then.)
if [ ! -f "$OUT/Makefile" ] && [ ! -f "$OUT/build.ninja" ]; then
	"${LOCK[@]}" cmake --preset fuzz -B "$OUT" -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_CXX_COMPILER="$CLANGXX" \
		-DMEDIAPLANE_NODE_EXECUTABLE="$(command -v node)" >"$OUT/configure.log" 2>&1 ||
		{ cat "$OUT/configure.log" >&2; echo "cmake configure failed" >&2; exit 1; }
fi
BUILD_TARGETS=()
for t in "${TARGETS[@]}"; do
	[[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
	BUILD_TARGETS+=("${t}_fuzzer")
done
log "building ${#BUILD_TARGETS[@]} targets with $JOBS jobs"
"${LOCK[@]}" cmake --build "$OUT" --parallel "$JOBS" --target "${BUILD_TARGETS[@]}" ||
	{ echo "compilation failed" >&2; exit 1; }

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
