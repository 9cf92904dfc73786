#!/usr/bin/env bash
# The main job without an Azure account: start the local ARM emulator, then `up`, `ips` and
# `down` against it, then stop the emulator. Everything lives in .demo/ and on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== coreos-lab demo: build, list and delete the lab in a local Azure emulator"
BIN=.venv/bin
DEMO=$PWD/.demo
rm -rf "$DEMO/emulator" "$DEMO/state"
mkdir -p "$DEMO"

# COREOS_LAB_EMULATOR_DIR and COREOS_LAB_CLOUD, as the emulator's client module writes them.
eval "$("$BIN/python" -m coreos_lab.emulator.client "$DEMO/emulator")"
export COREOS_LAB_STATE_DIR=$DEMO/state
export COREOS_LAB_NAME=demo-lab
# A key of the demo's own, so the demo never touches ~/.ssh.
export COREOS_LAB_SSH_KEY=$DEMO/id_rsa_coreos_azure_lab
# The public discovery service is out of reach here; static bootstrap needs none.
export COREOS_LAB_BOOTSTRAP=static
# Documentation range (RFC 5737): the NSG opens SSH to it alone.
export COREOS_LAB_SSH_FROM=203.0.113.0/24
SCALE=${DEMO_LATENCY_SCALE:-0.05}

echo "== starting the ARM emulator (latency at ${SCALE} of Azure's)"
"$BIN/coreos-lab" emulator --port 0 --latency-scale "$SCALE" > "$DEMO/emulator.log" 2>&1 &
EMULATOR=$!
trap 'kill $EMULATOR 2>/dev/null; wait $EMULATOR 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$COREOS_LAB_EMULATOR_DIR/connection.json" ] && break
  kill -0 $EMULATOR 2>/dev/null || { cat "$DEMO/emulator.log"; exit 1; }
  sleep 0.1
done
[ -s "$COREOS_LAB_EMULATOR_DIR/connection.json" ] || { echo "emulator did not start"; exit 1; }

echo "== coreos-lab up"
"$BIN/coreos-lab" up
echo "== coreos-lab ips"
"$BIN/coreos-lab" ips
echo "== coreos-lab down --yes"
"$BIN/coreos-lab" down --yes
echo "== demo finished: the lab was built, listed and deleted"
