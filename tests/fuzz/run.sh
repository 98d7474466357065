#!/bin/sh
# tests/fuzz/run.sh -- build the libFuzzer targets with clang and run each one.
#
# Usage: tests/fuzz/run.sh [seconds-per-target]     (default 20, or $FUZZ_SECONDS)
# Environment: FUZZ_CC (default clang), FUZZ_BUILD_DIR (default <repo>/build-fuzz),
#              FUZZ_TARGETS (space-separated subset, e.g. "fuzz_config").
#
# Each tests/fuzz/fuzz_<name>.c is built in its own build directory with
# -fsanitize=fuzzer,address,undefined (the libraries under test are
# instrumented too), then run for the given time over its seed corpus in
# tests/fuzz/corpus/fuzz_<name>/. New inputs go to a scratch corpus inside the
# build directory, so the seeds in the repository are never modified. Exits
# non-zero if any target crashes, leaks or trips a sanitizer; the input that
# did it is kept as <build>/artifacts/<target>-crash-*. Without clang the run
# is skipped with a message and exit status 0.
set -eu

SECS=${1:-${FUZZ_SECONDS:-20}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
CC_BIN=${FUZZ_CC:-clang}

case $SECS in
'' | *[!0-9]*)
    echo "usage: $0 [seconds-per-target]" >&2
    exit 2
    ;;
esac

if ! command -v "$CC_BIN" >/dev/null 2>&1; then
    echo "fuzz: '$CC_BIN' not found; libFuzzer needs clang, skipping the fuzz run."
    exit 0
fi

if [ -n "${FUZZ_TARGETS:-}" ]; then
    TARGETS=$FUZZ_TARGETS
else
    TARGETS=
    for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
        [ -e "$src" ] || continue
        TARGETS="$TARGETS $(basename "$src" .c)"
    done
    TARGETS=${TARGETS# }
fi
if [ -z "$TARGETS" ]; then
    echo "fuzz: no tests/fuzz/fuzz_*.c targets found" >&2
    exit 1
fi

JOBS=$(nproc 2>/dev/null || echo 2)
echo "fuzz: building $TARGETS in $BUILD"
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CC_BIN" -DVIGIL_FUZZ=ON -DVIGIL_TESTS=OFF \
    -DVIGIL_SANITIZE=OFF >"$BUILD/configure.log" 2>&1 || {
    cat "$BUILD/configure.log" >&2
    exit 1
}
# shellcheck disable=SC2086 # TARGETS is a list of words
make -C "$BUILD" -j"$JOBS" $TARGETS

mkdir -p "$BUILD/artifacts"
FAILED=
for t in $TARGETS; do
    seeds="$ROOT/tests/fuzz/corpus/$t"
    work="$BUILD/corpus/$t"
    mkdir -p "$work"
    [ -d "$seeds" ] || seeds=
    echo "fuzz: running $t for ${SECS}s"
    # The scratch corpus comes first: libFuzzer writes new inputs there.
    # shellcheck disable=SC2086 # $seeds may be empty
    if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$BUILD/$t" -max_total_time="$SECS" -max_len=8192 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$BUILD/artifacts/$t-" "$work" $seeds; then
        echo "fuzz: $t FAILED (artifacts in $BUILD/artifacts/)" >&2
        FAILED="$FAILED $t"
    fi
done

if [ -n "$FAILED" ]; then
    echo "fuzz: failures:$FAILED" >&2
    exit 1
fi
echo "fuzz: all targets ran ${SECS}s without a crash: $TARGETS"
