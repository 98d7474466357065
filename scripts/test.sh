#!/usr/bin/env bash
# test.sh -- Vigil's one test command (also what CI runs through .ci/run).
#
# Owns: the order and pass/fail policy of every check. Steps, in order:
#   deps      install missing Debian packages (as root) or say which to install
#   format    clang-format --dry-run --Werror over our C sources
#   build     gcc, CMake's RelWithDebInfo (-O2 -g), in build/
#   unit      ctest in build/
#   integ     pytest tests/integration against build/vigil-node
#   asan-bld  the same with -DVIGIL_SANITIZE=ON (ASan + UBSan) in build-asan/
#   asan      ctest in build-asan/
#   asan-int  pytest tests/integration against build-asan/vigil-node; any
#             sanitizer report aborts the node and fails its test
#   difffuzz  tests/fuzz/difffuzz.py against build-asan/vigil-node and
#             redis-server: DIFFFUZZ_COMMANDS seeded commands (about a
#             minute), the same stream on every machine; a crash, a
#             sanitizer report or a divergence not in difffuzz_known.txt fails
#   tsan-bld  -DVIGIL_TSAN=ON (ThreadSanitizer) in build-tsan/
#   tsan      ctest in build-tsan/ (test_lazyfree stresses the free thread);
#             a "WARNING: ThreadSanitizer" line fails the test
#   tsan-int  the integration tests that drive the node's other threads (lazy free,
#             the loading thread) against build-tsan/vigil-node (TSAN_INTEG_TESTS)
#   release   gcc, CMAKE_BUILD_TYPE=Release (-O3), in build-release/
#   rel-unit  ctest in build-release/
#   clang     clang, RelWithDebInfo, in build-clang/ (builds only)
#   fuzz      tests/fuzz/run.sh for a few seconds per target (needs clang)
#   cycles    scripts/include-cycles.py: the include cycles between modules;
#             FAIL when one holds a module outside the request layer
# Every build is warning-free or fails (-Werror; VIGIL_WERROR=ON is the
# default). Every step runs even when an earlier one failed (unless it needs
# that step's output, then it is recorded as SKIP), then a summary is
# printed. Exit status: 0 only when no step failed. A step whose tests exist
# but collect nothing counts as failed.
#
# Environment:
#   FUZZ_SECONDS=10          seconds per libFuzzer target
#   DIFFFUZZ_COMMANDS=150000 commands of differential fuzzing against
#                            redis-server (tests/fuzz/difffuzz.py), seed
#                            DIFFFUZZ_SEED=1; DIFFFUZZ_SECONDS=N instead runs
#                            for N seconds (as long as you like)
#   VIGIL_FORMAT_CHECK=warn  list format problems without failing (default:
#                            error, as in CI)
#   VIGIL_SKIP="asan fuzz"   steps to skip, any of: format integ asan
#                            asan-int difffuzz tsan tsan-int release clang
#                            fuzz cycles
#                            ("asan" skips everything that needs build-asan/;
#                            for quick local runs; CI skips none)
set -uo pipefail

VIGIL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$VIGIL_ROOT" || exit 1
# shellcheck source=scripts/common.sh
. "$VIGIL_ROOT/scripts/common.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-10}
DIFFFUZZ_COMMANDS=${DIFFFUZZ_COMMANDS:-150000}
DIFFFUZZ_SEED=${DIFFFUZZ_SEED:-1}
DIFFFUZZ_SECONDS=${DIFFFUZZ_SECONDS:-}
# A sanitizer report kills the node at once (abort, not just exit 1) and
# goes to its stderr, where tests/integration/conftest.py looks for it.
# The integration tests worth a ThreadSanitizer node: those that make the
# node hand work to its lazy-free thread (the only other thread).
# aofcmds: two million commands replayed on the loop thread take minutes
# under TSan and involve no thread but the loop's.
TSAN_INTEG_TESTS="lazyfree or unlink or flush or (aof_load and not aofcmds)"
SAN_NODE_ENV=(ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1
    UBSAN_OPTIONS=abort_on_error=1:halt_on_error=1:print_stacktrace=1)
# Report-only for now: files other helpers had open during the first
# reformat are not clang-formatted yet. Set to "error" once they are.
VIGIL_FORMAT_CHECK=${VIGIL_FORMAT_CHECK:-error}
VIGIL_SKIP=${VIGIL_SKIP:-}
SELF="$VIGIL_ROOT/scripts/test.sh"
PYTHON=/usr/bin/python3 # Debian's, which has python3-redis; not a pyenv shim

SUMMARY=()
FAILED=0
START_ALL=$SECONDS

# record NAME STATUS SECONDS NOTE
record() {
    SUMMARY+=("$(printf '%-8s %-5s %5ss  %s' "$1" "$2" "$3" "$4")")
    if [ "$2" = FAIL ]; then
        FAILED=1
    fi
}

skipped_by_user() {
    case " $VIGIL_SKIP " in
    *" $1 "*) record "$1" SKIP 0 "VIGIL_SKIP"; return 0 ;;
    esac
    return 1
}

# step NAME TIMEOUT-SECONDS CMD... -- run CMD under a time limit and record it.
step() {
    local name=$1 limit=$2 t0 rc
    shift 2
    vg_log "$name: $*"
    t0=$SECONDS
    timeout --kill-after=10 "$limit" "$@"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        record "$name" PASS $((SECONDS - t0)) ""
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        record "$name" FAIL $((SECONDS - t0)) "timed out after ${limit}s"
    else
        record "$name" FAIL $((SECONDS - t0)) "exit status $rc"
    fi
    return "$rc"
}

# C sources under our own directories, minus .clang-format-ignore entries.
format_sources() {
    local dir f pat ignored
    local patterns=()
    if [ -f .clang-format-ignore ]; then
        while IFS= read -r pat; do
            pat=${pat%%#*}
            pat=${pat%"${pat##*[![:space:]]}"}
            [ -n "$pat" ] && patterns+=("$pat")
        done <.clang-format-ignore
    fi
    for dir in proto node sentinel tests/unit tests/fuzz; do
        [ -d "$dir" ] || continue
        while IFS= read -r f; do
            f=${f#./}
            ignored=0
            for pat in "${patterns[@]}"; do
                # shellcheck disable=SC2053 # the pattern is meant to glob
                if [[ $f == $pat ]]; then
                    ignored=1
                    break
                fi
            done
            [ "$ignored" = 0 ] && printf '%s\n' "$f"
        done < <(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) | sort)
    done
}

step_format() {
    local t0=$SECONDS files
    skipped_by_user format && return
    mapfile -t files < <(format_sources)
    if [ "${#files[@]}" -eq 0 ]; then
        record format FAIL 0 "no C sources found"
        return
    fi
    vg_log "format: clang-format --dry-run --Werror on ${#files[@]} files"
    local bad=() f
    for f in "${files[@]}"; do
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ "${#bad[@]}" -eq 0 ]; then
        record format PASS $((SECONDS - t0)) "${#files[@]} files"
        return
    fi
    if [ "$VIGIL_FORMAT_CHECK" = warn ]; then
        printf 'not clang-formatted: %s\n' "${bad[@]}" >&2
        record format WARN $((SECONDS - t0)) "${#bad[@]} files not formatted (report only)"
    else
        clang-format --dry-run --Werror "${bad[@]}"
        record format FAIL $((SECONDS - t0)) "${#bad[@]} files: run clang-format -i on them"
    fi
}

have_unit_tests() {
    compgen -G 'tests/unit/test_*.c' >/dev/null
}

# ctest_step NAME BUILD-DIR
ctest_step() {
    if ! have_unit_tests; then
        record "$1" SKIP 0 "no tests/unit/test_*.c yet"
        return
    fi
    step "$1" 900 ctest --test-dir "$2" --output-on-failure --no-tests=error \
        --timeout 300 --parallel "$(nproc)"
}

# pytest_step NAME NODE-BINARY [ENV=VALUE...] [-k EXPR] [--tsan] -- the
# integration suite (or the tests -k selects) against one vigil-node build;
# --tsan runs it through tsan_run.
pytest_step() {
    local name=$1 node=$2 env=() select=() runner=()
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
        -k) select=(-k "$2"); shift 2 ;;
        --tsan) runner=("$SELF" --tsan-run); shift ;;
        *) env+=("$1"); shift ;;
        esac
    done
    if ! compgen -G 'tests/integration/test_*.py' >/dev/null; then
        record "$name" SKIP 0 "no tests/integration/test_*.py yet"
        return
    fi
    # Exit status 5 (nothing collected) is a failure here: test files exist.
    step "$name" 1500 "${runner[@]}" env VIGIL_NODE="$VIGIL_ROOT/$node" "${env[@]}" \
        "$PYTHON" -m pytest -q -p no:cacheprovider "${select[@]}" tests/integration
    if [ $? -eq 5 ]; then
        SUMMARY[-1]=$(printf '%-8s %-5s %5ss  %s' "$name" FAIL 0 "pytest collected no tests (exit 5)")
    fi
}

step_integration() {
    skipped_by_user integ && return
    pytest_step integ build/vigil-node
}

# The ASan build's unit tests, integration suite and differential fuzzing.
step_asan() {
    if skipped_by_user asan; then
        record asan-int SKIP 0 "VIGIL_SKIP asan"
        record difffuzz SKIP 0 "VIGIL_SKIP asan"
        return
    fi
    if ! step asan-bld 900 "$SELF" --build build-asan -DVIGIL_TESTS=ON -DVIGIL_SANITIZE=ON; then
        record asan SKIP 0 "ASan build failed"
        record asan-int SKIP 0 "ASan build failed"
        record difffuzz SKIP 0 "ASan build failed"
        return
    fi
    ctest_step asan build-asan
    skipped_by_user asan-int || pytest_step asan-int build-asan/vigil-node "${SAN_NODE_ENV[@]}"
    step_difffuzz
}

# Differential fuzzing: the same random commands to the ASan vigil-node and
# to redis-server, replies compared.
step_difffuzz() {
    skipped_by_user difffuzz && return
    if [ ! -f tests/fuzz/difffuzz.py ]; then
        record difffuzz SKIP 0 "no tests/fuzz/difffuzz.py yet"
        return
    fi
    local budget=(--commands "$DIFFFUZZ_COMMANDS") limit=900
    if [ -n "$DIFFFUZZ_SECONDS" ]; then
        budget=(--seconds "$DIFFFUZZ_SECONDS")
        limit=$((DIFFFUZZ_SECONDS + 600))
    fi
    step difffuzz "$limit" env "${SAN_NODE_ENV[@]}" \
        "$PYTHON" tests/fuzz/difffuzz.py --vigil build-asan/vigil-node \
        --seed "$DIFFFUZZ_SEED" --shrink-seconds 30 "${budget[@]}"
}

# Unit tests under ThreadSanitizer (criterion itself cannot run there: the
# test files link tests/unit/tsan/runner.c instead).
step_tsan() {
    skipped_by_user tsan && return
    if step tsan-bld 900 "$SELF" --build build-tsan -DVIGIL_TESTS=ON -DVIGIL_TSAN=ON; then
        if have_unit_tests; then
            step tsan 900 "$SELF" --tsan-run ctest --test-dir build-tsan --output-on-failure \
                --no-tests=error --timeout 600 --parallel "$(nproc)"
        else
            record tsan SKIP 0 "no tests/unit/test_*.c yet"
        fi
        skipped_by_user tsan-int ||
            pytest_step tsan-int build-tsan/vigil-node -k "$TSAN_INTEG_TESTS" --tsan
    else
        record tsan SKIP 0 "TSan build failed"
        record tsan-int SKIP 0 "TSan build failed"
    fi
}

# tsan_run CMD... -- run a TSan-built program. Kernels with more ASLR bits
# than gcc 12's TSan knows make it die at start-up ("unexpected memory
# mapping"): then once more with address randomisation off for CMD only.
tsan_run() {
    local log rc
    log=$(mktemp) || return 1
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ] && grep -q 'ThreadSanitizer: unexpected memory mapping' "$log"; then
        vg_log "tsan: retrying with address randomisation off (setarch -R)"
        setarch "$(uname -m)" -R "$@"
        rc=$?
    fi
    rm -f "$log"
    return "$rc"
}

# Other compilers and optimisation levels: what a packager or a newer
# toolchain would build must be warning-free too.
step_other_builds() {
    if ! skipped_by_user release; then
        if step release 900 "$SELF" --build build-release -DCMAKE_BUILD_TYPE=Release \
            -DVIGIL_TESTS=ON; then
            ctest_step rel-unit build-release
        else
            record rel-unit SKIP 0 "Release build failed"
        fi
    fi
    skipped_by_user clang && return
    if ! command -v clang >/dev/null 2>&1; then
        record clang SKIP 0 "clang not installed"
        return
    fi
    step clang 900 "$SELF" --build build-clang -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_TESTS=ON
}

step_fuzz() {
    skipped_by_user fuzz && return
    if [ ! -x tests/fuzz/run.sh ]; then
        record fuzz SKIP 0 "no tests/fuzz/run.sh yet"
        return
    fi
    if ! vg_can_fuzz; then
        record fuzz SKIP 0 "clang with libFuzzer runtime not available"
        return
    fi
    export FUZZ_SECONDS
    step fuzz 900 tests/fuzz/run.sh "$FUZZ_SECONDS"
}

# The layer rule (docs/ARCHITECTURE.md): only the request layer may include
# itself in a knot; a cycle holding any other module fails the step.
REQUEST_LAYER=acl,acl_cats,acl_cmds,acl_internal,blocking,client,client_pause,cmd_util,command,latency,monitor
REQUEST_LAYER+=,multi,notify,propagate,pubsub,reply,slowlog,stats
step_cycles() {
    skipped_by_user cycles && return
    step cycles 60 "$PYTHON" scripts/include-cycles.py --allow "$REQUEST_LAYER"
}

main() {
    local t0=$SECONDS
    # shellcheck disable=SC2153 # the package lists come from common.sh
    if ! vg_ensure_pkgs "${VIGIL_BUILD_PKGS[@]}" "${VIGIL_TEST_PKGS[@]}" -- "${VIGIL_FUZZ_PKGS[@]}"; then
        record deps FAIL $((SECONDS - t0)) "missing packages (see above)"
        print_summary
        exit 1
    fi
    vg_ensure_fuzzer_runtime
    record deps PASS $((SECONDS - t0)) ""

    step_format

    if step build 900 "$SELF" --build build -DVIGIL_TESTS=ON; then
        ctest_step unit build
        step_integration
    else
        record unit SKIP 0 "build failed"
        record integ SKIP 0 "build failed"
    fi

    step_asan
    step_tsan
    step_other_builds
    step_fuzz
    step_cycles
    print_summary
    exit "$FAILED"
}

print_summary() {
    local line
    printf '\n==== Vigil test summary (%ss) ====\n' $((SECONDS - START_ALL))
    for line in "${SUMMARY[@]}"; do
        printf '%s\n' "$line"
    done
    if [ "$FAILED" = 0 ]; then
        printf 'RESULT: PASS\n'
    else
        printf 'RESULT: FAIL\n'
    fi
}

# `timeout` runs programs, not shell functions: re-enter this script to build.
# Our builds keep warnings fatal even where a cache says VIGIL_WERROR=OFF.
if [ "${1:-}" = --build ]; then
    shift
    vg_build "$@" -DVIGIL_WERROR=ON
    exit $?
fi
if [ "${1:-}" = --tsan-run ]; then
    shift
    tsan_run "$@"
    exit $?
fi

main "$@"
