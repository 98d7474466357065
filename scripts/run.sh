#!/usr/bin/env bash
# run.sh -- build Vigil and run one vigil-node, AUTH on, in the foreground.
#
# Owns: the local single-node start-up. Steps: install missing build
# packages (as root; otherwise it says what to install), build build/, then
# exec build/vigil-node with cluster-configs/local/node1.ini from inside
# cluster-configs/local/ (so the config's relative paths resolve there; data
# goes to cluster-configs/local/data/node1/). The node stays in the
# foreground, logging to the terminal: Ctrl-C (SIGINT) or SIGTERM stops it.
# No pid file is written.
#
# TLS: when cluster-configs/gen-certs.sh exists and the built binary knows
# the tls-port parameter, run.sh generates the certificates once into
# cluster-configs/local/certs/ (ca.crt, server.*, client.*), turns the
# plaintext port off and serves TLS on the same port (7001), with the
# certificate, key and CA passed as tls-* parameters on the command line.
# Without either, it serves plaintext on 7001 and says so.
#
# Usage: scripts/run.sh [--no-tls] [--name value ...]
#   --no-tls        serve plaintext even when TLS is available
#   --name value    any further vigil-node parameter, e.g. --port 7002
#                   (with TLS on, --port sets the TLS port)
# Environment: VIGIL_PASSWORD overrides the config's requirepass.
set -euo pipefail

VIGIL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/common.sh
. "$VIGIL_ROOT/scripts/common.sh"

LOCAL_DIR="$VIGIL_ROOT/cluster-configs/local"
CONFIG=node1.ini
NODE="$VIGIL_ROOT/build/vigil-node"
GEN_CERTS="$VIGIL_ROOT/cluster-configs/gen-certs.sh"
CERT_DIR="$LOCAL_DIR/certs"

use_tls=1
if [ "${1:-}" = --no-tls ]; then
    use_tls=0
    shift
fi

# Read `key = value` from the config (first match, any section).
config_value() {
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\\([^;]*[^;[:space:]]\\).*/\\1/p" \
        "$LOCAL_DIR/$CONFIG" | head -n1
}

# True when the binary has a tls-port parameter. An invalid value makes the
# node exit at once either way; only the error text differs.
node_knows_tls() {
    local out
    out=$(timeout 10 "$NODE" --tls-port not-a-port 2>&1 || true)
    ! printf '%s' "$out" | grep -q 'Bad directive'
}

# Print the first existing file among the candidates in $CERT_DIR.
pick_cert() {
    local f
    for f in "$@"; do
        if [ -f "$CERT_DIR/$f" ]; then
            printf '%s\n' "$CERT_DIR/$f"
            return 0
        fi
    done
    return 1
}

# The tls-* arguments, one per line, for the files gen-certs.sh wrote.
tls_args() {
    local ca cert key
    ca=$(pick_cert ca.crt) || return 1
    cert=$(pick_cert server.crt) || return 1
    key=$(pick_cert server.key) || return 1
    pick_cert client.crt >/dev/null || return 1
    printf '%s\n' --tls-cert-file "$cert" --tls-key-file "$key" --tls-ca-cert-file "$ca"
}

# shellcheck disable=SC2153 # the package lists come from common.sh
vg_ensure_pkgs "${VIGIL_BUILD_PKGS[@]}" redis-tools openssl
vg_log "building build/"
vg_build "$VIGIL_ROOT/build" >/dev/null

port=$(config_value port)
password=${VIGIL_PASSWORD:-$(config_value requirepass)}
# --port and --requirepass from the command line replace the config's (with
# TLS on, the port given is the TLS port); other parameters pass through.
passthrough=()
while [ $# -gt 0 ]; do
    case $1 in
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --requirepass) password=${2:?--requirepass needs a value}; shift 2 ;;
    *) passthrough+=("$1"); shift ;;
    esac
done
args=("$LOCAL_DIR/$CONFIG" --requirepass "$password")

tls=0
if [ "$use_tls" = 1 ] && [ -x "$GEN_CERTS" ] && node_knows_tls; then
    if ! tls_args >/dev/null; then
        vg_log "generating TLS certificates with cluster-configs/gen-certs.sh"
        "$GEN_CERTS" "$CERT_DIR" >/dev/null
    fi
    if ! tls_text=$(tls_args); then
        vg_log "gen-certs.sh left no CA/node certificate in $CERT_DIR; cannot start with TLS"
        exit 1
    fi
    mapfile -t extra <<<"$tls_text"
    args+=(--port 0 --tls-port "$port" "${extra[@]}")
    tls=1
else
    if [ "$use_tls" = 1 ]; then
        vg_log "TLS is not available (needs cluster-configs/gen-certs.sh and a node with tls-port): plaintext"
    fi
    args+=(--port "$port")
fi
args+=("${passthrough[@]}")

mkdir -p "$LOCAL_DIR/data/node1"
cat <<EOF

vigil-node: 127.0.0.1:$port, AUTH on$([ "$tls" = 1 ] && echo ", TLS on" || echo ", TLS off"), config cluster-configs/local/$CONFIG
It runs in the foreground (no pid file); stop it with Ctrl-C.
Connect from another terminal with:
EOF
if [ "$tls" = 1 ]; then
    # The client certificate lets redis-cli in when tls-auth-clients is on.
    printf '  redis-cli -h 127.0.0.1 -p %s --tls --cacert %s \\\n' "$port" "$CERT_DIR/ca.crt"
    printf '      --cert %s --key %s -a %s --no-auth-warning\n\n' \
        "$CERT_DIR/client.crt" "$CERT_DIR/client.key" "$password"
else
    printf '  redis-cli -h 127.0.0.1 -p %s -a %s --no-auth-warning\n\n' "$port" "$password"
fi
cd "$LOCAL_DIR"
exec "$NODE" "${args[@]}"
