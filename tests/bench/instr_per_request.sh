#!/usr/bin/env bash
# instr_per_request.sh -- CPU instructions per request, vigil-node beside
# Debian's redis-server, counted by callgrind.
#
# Owns: the servers it starts (each under `valgrind --tool=callgrind` on a
# free loopback port, in a temporary directory, killed by pid on exit even
# after a failure), their callgrind dumps (deleted unless --keep) and the
# table it prints. Never part of the test command: numbers are reported, not
# asserted.
#
# Why: wall-clock throughput on a shared 2-core machine swings by 20% from
# run to run; the number of instructions a server executes for the same
# workload does not depend on the load beside it (it moves by well under 1%
# between runs). It is not time -- cache misses and syscalls cost more than
# their instruction count -- but a change in our code that adds work per
# request shows up here even when throughput is too noisy to see it.
#
# Method: for every test and pipeline depth, the counters of the server are
# zeroed (`callgrind_control -z`), one `redis-benchmark -t TEST -n REQUESTS
# -c CLIENTS -P PIPE` runs, the counters are dumped (`callgrind_control -d`)
# and the dump's total Ir is divided by REQUESTS. The count covers every
# thread of the server, the 50 connects and closes of the run and the cron
# ticks during it (a few instructions per request at 100,000 requests).
# Before the first test one unmeasured `-t set` run creates the key that
# GET and INCR read, so GET finds a value as in bench.sh.
#
# Usage: tests/bench/instr_per_request.sh [options]
#   --tests LIST      redis-benchmark tests (default set,get,incr,mset)
#   --pipelines "1 16"  pipeline depths (default "1 16")
#   --requests N      requests per run (default 100000)
#   --clients N       connections (default 50)
#   --datasize N      value size of SET/MSET in bytes (redis-benchmark -d;
#                     default 3)
#   --vigil PATH      vigil-node to measure (default: build build/ and use it)
#   --redis PATH      redis-server to measure (default: the one on PATH)
#   --only KIND       measure only vigil or only redis
#   --keep DIR        keep the callgrind dumps in DIR (one per cell, named
#                     KIND-TEST-PPIPE.callgrind) for callgrind_annotate
# Needs valgrind (apt-get install valgrind) and redis-tools.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VIGIL_ROOT=$(cd "$BENCH_DIR/../.." && pwd)

TESTS=set,get,incr,mset
PIPELINES="1 16"
REQUESTS=100000
CLIENTS=50
DATASIZE=3
VIGIL=""
REDIS=$(command -v redis-server || true)
ONLY=""
KEEP=""

WORK=""
PIDS=()
declare -A IPR=()

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
    if [ -n "$WORK" ]; then
        rm -rf "$WORK"
    fi
}

parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
        --tests) TESTS=$2; shift ;;
        --pipelines) PIPELINES=$2; shift ;;
        --requests) REQUESTS=$2; shift ;;
        --clients) CLIENTS=$2; shift ;;
        --datasize) DATASIZE=$2; shift ;;
        --vigil) VIGIL=$2; shift ;;
        --redis) REDIS=$2; shift ;;
        --only) ONLY=$2; shift ;;
        --keep) KEEP=$2; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done
    case $ONLY in
    "" | vigil | redis) ;;
    *) die "--only takes vigil or redis" ;;
    esac
}

# True when vigil-node knows parameter $1 (older builds lack save and
# appendonly). It never starts: the bad port fails either way, and only an
# unknown name is a "Bad directive".
vigil_knows() {
    local out
    out=$(timeout 10 "$VIGIL" "--$1" bad-value --port not-a-port 2>&1 || true)
    ! printf '%s\n' "$out" | grep -q 'Bad directive'
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server KIND: the server under callgrind; sets STARTED_PID, _PORT, _DIR.
start_server() {
    local kind=$1 dir port i bin args=()
    dir="$WORK/$kind"
    mkdir -p "$dir"
    port=$(free_port)
    bin=$REDIS
    args=(--save "" --appendonly no --daemonize no)
    if [ "$kind" = vigil ]; then
        bin=$VIGIL
        args=()
        vigil_knows save && args+=(--save "")
        vigil_knows appendonly && args+=(--appendonly no)
    fi
    valgrind --tool=callgrind --compress-strings=no --compress-pos=no --callgrind-out-file="$dir/cg.out" "$bin" --bind 127.0.0.1 \
        --port "$port" --dir "$dir" --logfile "$dir/log" "${args[@]}" 2>"$dir/valgrind.log" &
    STARTED_PID=$!
    STARTED_PORT=$port
    STARTED_DIR=$dir
    PIDS+=("$STARTED_PID")
    for i in $(seq 300); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/valgrind.log" "$dir/log" >&2 || true
    die "$kind did not start under callgrind on port $port (try $i)"
}

stop_server() { # stop_server PID
    local pid=$1 keep=() p
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${PIDS[@]}"; do
        [ "$p" = "$pid" ] || keep+=("$p")
    done
    PIDS=("${keep[@]}")
}

# measure_cell KIND PID PORT DIR TEST PIPE DUMPNO: prints Ir per request.
measure_cell() {
    local kind=$1 pid=$2 port=$3 dir=$4 test=$5 pipe=$6 n=$7 out dump ir
    callgrind_control -z "$pid" >/dev/null 2>&1 || die "callgrind_control -z $pid failed"
    out=$(redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -n "$REQUESTS" -c "$CLIENTS" \
        -P "$pipe" -d "$DATASIZE" --csv 2>&1) || die "redis-benchmark $test -P $pipe on $kind failed: $out"
    if printf '%s\n' "$out" | grep -q -i 'error'; then
        die "$kind answered $test with errors: $(printf '%s\n' "$out" | grep -i -m1 error)"
    fi
    callgrind_control --dump="$test-P$pipe" "$pid" >/dev/null 2>&1 || die "callgrind_control -d $pid failed"
    dump="$dir/cg.out.$n"
    [ -s "$dump" ] || die "no callgrind dump $dump"
    ir=$(awk '/^summary:/ { print $2; exit }' "$dump")
    [ -n "$ir" ] || die "no summary line in $dump"
    if [ -n "$KEEP" ]; then
        cp "$dump" "$KEEP/$kind-$test-P$pipe.callgrind"
    fi
    awk -v ir="$ir" -v n="$REQUESTS" 'BEGIN { printf "%.0f\n", ir / n }'
}

measure() { # measure KIND
    local kind=$1 pid port dir test pipe n=0
    start_server "$kind"
    pid=$STARTED_PID
    port=$STARTED_PORT
    dir=$STARTED_DIR
    redis-benchmark -h 127.0.0.1 -p "$port" -t set -n 1000 -c 1 -d "$DATASIZE" -q >/dev/null
    for test in ${TESTS//,/ }; do
        for pipe in $PIPELINES; do
            n=$((n + 1))
            log "$kind: $test -P $pipe"
            IPR["$test|$pipe|$kind"]=$(measure_cell "$kind" "$pid" "$port" "$dir" "$test" "$pipe" "$n")
        done
    done
    stop_server "$pid"
}

cell() { # cell TEST PIPE KIND
    printf '%s' "${IPR["$1|$2|$3"]:--}"
}

report() {
    local test pipe r v ratio
    printf '\n### Instructions per request (callgrind Ir; -n %s -c %s -d %s)\n\n' "$REQUESTS" \
        "$CLIENTS" "$DATASIZE"
    printf '| test | -P | redis-server | vigil-node | vigil/redis |\n'
    printf '|------|---:|-------------:|-----------:|------------:|\n'
    for test in ${TESTS//,/ }; do
        for pipe in $PIPELINES; do
            r=$(cell "$test" "$pipe" redis)
            v=$(cell "$test" "$pipe" vigil)
            ratio=-
            if [ "$r" != - ] && [ "$v" != - ]; then
                ratio=$(awk -v a="$v" -v b="$r" 'BEGIN { printf "%.2f", a / b }')
            fi
            printf '| %s | %s | %s | %s | %s |\n' "${test^^}" "$pipe" "$r" "$v" "$ratio"
        done
    done
}

main() {
    parse_args "$@"
    command -v valgrind >/dev/null || die "valgrind missing: apt-get install valgrind"
    command -v callgrind_control >/dev/null || die "callgrind_control missing (part of valgrind)"
    command -v redis-benchmark >/dev/null || die "redis-benchmark missing: apt-get install redis-tools"
    if [ "$ONLY" != vigil ]; then
        if [ -z "$REDIS" ] || [ ! -x "$REDIS" ]; then
            die "redis-server missing: apt-get install redis-server"
        fi
    fi
    if [ "$ONLY" != redis ] && [ -z "$VIGIL" ]; then
        # shellcheck source=scripts/common.sh
        . "$VIGIL_ROOT/scripts/common.sh"
        log "building build/"
        vg_build "$VIGIL_ROOT/build" >/dev/null
        VIGIL="$VIGIL_ROOT/build/vigil-node"
    fi
    if [ "$ONLY" != redis ]; then
        [ -x "$VIGIL" ] || die "no vigil-node at $VIGIL"
    fi
    if [ -n "$KEEP" ]; then
        mkdir -p "$KEEP"
    fi
    WORK=$(mktemp -d)
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    printf '## Instructions per request, vigil vs redis-server\n\n'
    printf -- '- date: %s\n- machine: %s cores, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    printf -- '- valgrind: %s\n' "$(valgrind --version)"
    [ "$ONLY" = vigil ] || printf -- '- redis: %s\n' "$("$REDIS" --version)"
    [ "$ONLY" = redis ] || printf -- '- vigil: %s\n' "$("$VIGIL" --version)"
    if [ "$ONLY" != redis ] && [ "$VIGIL" = "$VIGIL_ROOT/build/vigil-node" ] &&
        command -v git >/dev/null; then
        printf -- '- source: commit %s%s\n' "$(git -C "$VIGIL_ROOT" rev-parse --short HEAD)" \
            "$(git -C "$VIGIL_ROOT" diff --quiet HEAD -- proto node CMakeLists.txt ||
                echo ' + local changes')"
    fi
    [ "$ONLY" = vigil ] || measure redis
    [ "$ONLY" = redis ] || measure vigil
    report
}

main "$@"
