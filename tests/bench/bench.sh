#!/usr/bin/env bash
# bench.sh -- vigil-node against Debian's redis-server, side by side.
#
# Owns: the servers it starts (each on a free loopback port, in a temporary
# directory, killed by pid on exit even after a failure) and the tables it
# prints. Never part of the test command: numbers are reported, not asserted.
#
# Throughput: redis-benchmark -t TEST -n REQUESTS -c CLIENTS -P PIPE against
# each server, for every test and pipeline depth, RUNS times, alternating the
# servers run by run; the table shows medians and the vigil/redis ratio. A
# server that answers a test with errors gets "ERR" instead of a number
# (redis-benchmark 7 stops at the first error reply).
# Memory: fresh servers, VmRSS from /proc/PID/status before and after loading
# KEYS keys key:0..key:KEYS-1 with VALUE_LEN-byte string values through
# `redis-cli --pipe` (gen_keys.py writes the RESP), as KiB, bytes/key, ratio.
#
# Same settings for both: defaults, loopback, no persistence (redis gets
# --save "" --appendonly no, and vigil gets them too as soon as it knows them).
#
# Usage: tests/bench/bench.sh [options]
#   --tests LIST     comma-separated redis-benchmark tests (default set,get,incr,mset)
#   --pipelines "1 16"  pipeline depths      --runs N      runs per cell (default 3)
#   --requests N     requests per run (200000)  --clients N  connections (50)
#   --keys N         keys for the memory test (1000000), 0 skips it
#   --quick          smoke run: 20000 requests, 1 run, 100000 keys
#   --vigil PATH     vigil-node to test (default: build build/ and use it)
#   --tls            both servers serve only TLS (throwaway certificates from
#                    cluster-configs/gen-certs.sh, mutual TLS as in the sample
#                    config); redis-cli/redis-benchmark connect with --tls
# Extending: a new data type only needs its redis-benchmark test name in
# --tests (e.g. lpush,rpop,sadd,hset,zadd,lrange_100). A transport mode such
# as TLS adds its flags to CLIENT_ARGS (every redis-cli/redis-benchmark call)
# and to REDIS_ARGS/VIGIL_ARGS (both servers), in parse_args.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VIGIL_ROOT=$(cd "$BENCH_DIR/../.." && pwd)

TESTS=set,get,incr,mset
PIPELINES="1 16"
RUNS=3
REQUESTS=200000
CLIENTS=50
KEYS=1000000
VALUE_LEN=10
VIGIL=""
REDIS=$(command -v redis-server || true)
CLIENT_ARGS=() # flags for every redis-cli / redis-benchmark call
REDIS_ARGS=(--save "" --appendonly no)
VIGIL_ARGS=()
TLS=0

WORK=""
PIDS=()

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
        --runs) RUNS=$2; shift ;;
        --requests) REQUESTS=$2; shift ;;
        --clients) CLIENTS=$2; shift ;;
        --keys) KEYS=$2; shift ;;
        --vigil) VIGIL=$2; shift ;;
        --quick) REQUESTS=20000; RUNS=1; KEYS=100000 ;;
        --tls) TLS=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cli() { # cli PORT ARGS...
    local port=$1
    shift
    redis-cli -h 127.0.0.1 -p "$port" "${CLIENT_ARGS[@]}" "$@"
}

# True when vigil-node knows parameter $1. It never starts: the trailing bad
# port fails either way, and only an unknown name is a "Bad directive".
vigil_knows() {
    local out
    out=$(timeout 10 "$VIGIL" "--$1" bad-value --port not-a-port 2>&1 || true)
    ! printf '%s\n' "$out" | grep -q 'Bad directive'
}

# TLS mode: certificates once per run, the same files for both servers.
setup_tls() {
    local certs="$WORK/certs"
    mkdir -p "$certs"
    sh "$VIGIL_ROOT/cluster-configs/gen-certs.sh" "$certs" >/dev/null 2>&1 || die "gen-certs.sh failed"
    local server_tls=(--tls-cert-file "$certs/server.crt" --tls-key-file "$certs/server.key"
        --tls-ca-cert-file "$certs/ca.crt" --tls-auth-clients yes)
    REDIS_ARGS+=("${server_tls[@]}")
    VIGIL_ARGS+=("${server_tls[@]}")
    CLIENT_ARGS+=(--tls --cacert "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")
}

# The listening flags: plaintext on PORT, or TLS only on PORT.
port_args() { # port_args PORT
    if [ "$TLS" = 1 ]; then
        printf '%s\n' --port 0 --tls-port "$1"
    else
        printf '%s\n' --port "$1"
    fi
}

# start_server KIND NAME: sets STARTED_PID and STARTED_PORT.
start_server() {
    local kind=$1 name=$2 dir port i
    dir="$WORK/$name"
    mkdir -p "$dir"
    port=$(free_port)
    local listen
    mapfile -t listen < <(port_args "$port")
    case $kind in
    redis)
        "$REDIS" --bind 127.0.0.1 "${listen[@]}" --dir "$dir" --logfile "$dir/log" \
            --daemonize no "${REDIS_ARGS[@]}" &
        ;;
    vigil)
        "$VIGIL" --bind 127.0.0.1 "${listen[@]}" --dir "$dir" --logfile "$dir/log" \
            "${VIGIL_ARGS[@]}" &
        ;;
    esac
    STARTED_PID=$!
    STARTED_PORT=$port
    PIDS+=("$STARTED_PID")
    for i in $(seq 100); do
        if [ "$(cli "$port" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/log" >&2 || true
    die "$kind ($name) did not start on port $port (try $i)"
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

rss_kib() { # rss_kib PID
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# One redis-benchmark run: prints requests/s, or ERR when the server replied
# with errors.
bench_once() { # bench_once PORT TEST PIPE
    local out
    out=$(redis-benchmark -h 127.0.0.1 -p "$1" "${CLIENT_ARGS[@]}" -t "$2" -n "$REQUESTS" \
        -c "$CLIENTS" -P "$3" --csv 2>&1) || {
        echo ERR
        return
    }
    if printf '%s\n' "$out" | grep -q -i 'error'; then
        log "$2 -P $3 on port $1: $(printf '%s\n' "$out" | grep -i -m1 error)"
        echo ERR
        return
    fi
    printf '%s\n' "$out" | awk -F'","' '/^"/ && $1 != "\"test" { gsub(/"/, "", $2); print $2; exit }'
}

median() { # median VALUES... (ERR if any run failed or gave no number)
    local v
    for v in "$@"; do
        if [[ ! $v =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
            echo ERR
            return
        fi
    done
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() { # ratio VIGIL REDIS
    if [ "$1" = ERR ] || [ "$2" = ERR ]; then
        echo "-"
    else
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'
    fi
}

throughput() {
    local redis_port vigil_port test pipe run kind port key
    declare -A results=()
    start_server redis redis-tp
    redis_port=$STARTED_PORT
    start_server vigil vigil-tp
    vigil_port=$STARTED_PORT
    for test in ${TESTS//,/ }; do
        for pipe in $PIPELINES; do
            for run in $(seq "$RUNS"); do
                for kind in redis vigil; do
                    port=$redis_port
                    [ "$kind" = vigil ] && port=$vigil_port
                    log "$test -P $pipe run $run/$RUNS: $kind"
                    key="$test|$pipe|$kind"
                    results[$key]="${results[$key]:-} $(bench_once "$port" "$test" "$pipe")"
                done
            done
        done
    done
    printf '\n### Throughput (requests/s, median of %s runs; -n %s -c %s)\n\n' \
        "$RUNS" "$REQUESTS" "$CLIENTS"
    printf '| test | -P | redis-server | vigil-node | vigil/redis |\n'
    printf '|------|---:|-------------:|-----------:|------------:|\n'
    local r v
    for test in ${TESTS//,/ }; do
        for pipe in $PIPELINES; do
            # shellcheck disable=SC2086 # the lists are space-separated numbers
            r=$(median ${results["$test|$pipe|redis"]})
            # shellcheck disable=SC2086
            v=$(median ${results["$test|$pipe|vigil"]})
            printf '| %s | %s | %s | %s | %s |\n' "${test^^}" "$pipe" "$r" "$v" "$(ratio "$v" "$r")"
        done
    done
}

# load_keys KIND: a fresh server's RSS before and after loading the keys.
# Sets MEM_EMPTY and MEM_LOADED (KiB).
load_keys() {
    local kind=$1 pid port out dbsize
    start_server "$kind" "$kind-mem"
    pid=$STARTED_PID
    port=$STARTED_PORT
    sleep 0.5
    MEM_EMPTY=$(rss_kib "$pid")
    log "memory: loading $KEYS keys into $kind"
    out=$(cli "$port" --pipe <"$WORK/keys.resp" 2>&1)
    if ! printf '%s\n' "$out" | grep -q "errors: 0, replies: $KEYS"; then
        die "$kind: loading keys failed: $out"
    fi
    sleep 1
    MEM_LOADED=$(rss_kib "$pid")
    dbsize=$(cli "$port" dbsize 2>&1)
    # --pipe already saw KEYS replies without errors; DBSIZE double-checks.
    case $dbsize in
    "$KEYS") ;;
    *[!0-9]*) log "$kind: DBSIZE answered '$dbsize'; relying on the --pipe reply count" ;;
    *) die "$kind holds $dbsize keys, expected $KEYS" ;;
    esac
    stop_server "$pid"
}

memory() {
    local redis_m vigil_m rd vd
    log "memory: generating RESP for $KEYS keys"
    python3 "$BENCH_DIR/gen_keys.py" "$KEYS" "$VALUE_LEN" >"$WORK/keys.resp"
    load_keys redis
    redis_m=("$MEM_EMPTY" "$MEM_LOADED")
    load_keys vigil
    vigil_m=("$MEM_EMPTY" "$MEM_LOADED")
    rd=$((redis_m[1] - redis_m[0]))
    vd=$((vigil_m[1] - vigil_m[0]))
    printf '\n### Memory (%s keys key:N, %s-byte values; VmRSS)\n\n' "$KEYS" "$VALUE_LEN"
    printf '| server | empty KiB | loaded KiB | delta KiB | bytes/key |\n'
    printf '|--------|----------:|-----------:|----------:|----------:|\n'
    printf '| redis-server | %s | %s | %s | %s |\n' "${redis_m[0]}" "${redis_m[1]}" "$rd" \
        "$(awk -v d="$rd" -v k="$KEYS" 'BEGIN { printf "%.1f", d * 1024 / k }')"
    printf '| vigil-node | %s | %s | %s | %s |\n' "${vigil_m[0]}" "${vigil_m[1]}" "$vd" \
        "$(awk -v d="$vd" -v k="$KEYS" 'BEGIN { printf "%.1f", d * 1024 / k }')"
    printf '\nvigil/redis memory ratio (delta): %s\n' "$(ratio "$vd" "$rd")"
}

main() {
    parse_args "$@"
    command -v redis-benchmark >/dev/null || die "redis-benchmark missing: apt-get install redis-tools"
    [ -n "$REDIS" ] || die "redis-server missing: apt-get install redis-server"
    if [ -z "$VIGIL" ]; then
        # shellcheck source=scripts/common.sh
        . "$VIGIL_ROOT/scripts/common.sh"
        log "building build/"
        vg_build "$VIGIL_ROOT/build" >/dev/null
        VIGIL="$VIGIL_ROOT/build/vigil-node"
    fi
    [ -x "$VIGIL" ] || die "no vigil-node at $VIGIL"
    local p
    for p in save appendonly; do
        if vigil_knows "$p"; then
            [ "$p" = save ] && VIGIL_ARGS+=(--save "")
            [ "$p" = appendonly ] && VIGIL_ARGS+=(--appendonly no)
        fi
    done
    WORK=$(mktemp -d)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    if [ "$TLS" = 1 ]; then
        setup_tls
    fi

    printf '## Vigil vs redis-server%s\n\n' "$([ "$TLS" = 1 ] && echo ' over TLS')"
    printf -- '- date: %s\n- machine: %s cores, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    printf -- '- redis: %s\n- vigil: %s\n' "$("$REDIS" --version)" "$("$VIGIL" --version)"
    if [ "$VIGIL" = "$VIGIL_ROOT/build/vigil-node" ] && command -v git >/dev/null; then
        printf -- '- source: commit %s%s\n' "$(git -C "$VIGIL_ROOT" rev-parse --short HEAD)" \
            "$(git -C "$VIGIL_ROOT" diff --quiet HEAD -- proto node CMakeLists.txt || echo ' + local changes')"
    fi
    printf -- '- load average at start (1/5/15 min): %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    throughput
    if [ "$KEYS" -gt 0 ]; then
        memory
    fi
}

main "$@"
