#!/usr/bin/env bash
# Runs a command with the local cloud peers and moto's server up, then stops both.
#
#   Tests/CloudPeers/run_with_peers.sh swift test --filter CloudClientsTests
#
# Starts, on free 127.0.0.1 ports:
#   - python3 Tests/CloudPeers/cloud_peers.py --port P1        (GCP, Keystone, Azure stand-ins)
#   - INITIAL_NO_AUTH_ACTION_COUNT=0 moto_server -H 127.0.0.1 -p P2   (AWS, signatures checked)
# exports CUMULUS_TEST_CLOUD_PEERS_URL and CUMULUS_TEST_MOTO_URL for the command, and stops the
# two processes by PID when the command ends (or this script is interrupted). Exits with the
# command's status. Needs: python3 with `cryptography` and `moto[server]` installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
logs="${CLOUD_PEERS_LOG_DIR:-$(mktemp -d -t cloud-peers.XXXXXX)}"
python="${PYTHON:-python3}"

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

peers_port="$(free_port)"
"$python" "$here/cloud_peers.py" --port "$peers_port" >"$logs/cloud-peers.out" 2>"$logs/cloud-peers.err" &
pids+=($!)

moto_port="$(free_port)"
# moto checks SigV4 signatures (against keys its IAM issued) only while its request counter is
# past INITIAL_NO_AUTH_ACTION_COUNT; 0 means from the first request. `python3 -m moto.server`
# is the same program as the moto_server entry point, without depending on PATH.
INITIAL_NO_AUTH_ACTION_COUNT=0 "$python" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$logs/moto.out" 2>&1 &
pids+=($!)

wait_for() {  # name, check command...
    local name="$1"; shift
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    echo "run_with_peers: $name did not start; logs in $logs" >&2
    exit 1
}
wait_for "cloud peers" grep -qx ready "$logs/cloud-peers.out"
wait_for "moto server" "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$moto_port/moto-api/', timeout=2)"

export CUMULUS_TEST_CLOUD_PEERS_URL="http://127.0.0.1:$peers_port"
export CUMULUS_TEST_MOTO_URL="http://127.0.0.1:$moto_port"
echo "run_with_peers: peers $CUMULUS_TEST_CLOUD_PEERS_URL, moto $CUMULUS_TEST_MOTO_URL, logs $logs" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
