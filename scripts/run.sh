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
# TLS: node1.ini is TLS-only (port 0, tls-port 7001, mutual TLS). run.sh
# creates the throwaway CA and certificates it names once, with
# cluster-configs/gen-certs.sh, into cluster-configs/local/certs/.
#
# Usage: scripts/run.sh [--no-tls] [--name value ...]
#   --no-tls        serve plaintext on the same port instead (development)
#   --name value    any further vigil-node parameter, e.g. --port 7002
#                   (--port sets the port clients use, TLS or not)
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

# True when every file TLS needs is in $CERT_DIR.
certs_ready() {
    local f
    for f in ca.crt server.crt server.key client.crt client.key; do
        [ -f "$CERT_DIR/$f" ] || return 1
    done
}

# shellcheck disable=SC2153 # the package lists come from common.sh
vg_ensure_pkgs "${VIGIL_BUILD_PKGS[@]}" redis-tools openssl
vg_log "building build/"
vg_build "$VIGIL_ROOT/build" >/dev/null

port=$(config_value tls-port)
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
if [ "$use_tls" = 1 ]; then
    if ! certs_ready; then
        vg_log "generating TLS certificates with cluster-configs/gen-certs.sh"
        "$GEN_CERTS" "$CERT_DIR" >/dev/null
        certs_ready || { vg_log "gen-certs.sh left no CA/node certificate in $CERT_DIR"; exit 1; }
    fi
    args+=(--tls-port "$port")
    tls=1
else
    args+=(--port "$port" --tls-port 0)
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
