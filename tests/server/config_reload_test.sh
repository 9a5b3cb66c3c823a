#!/usr/bin/env bash
# sluiced reloads its configuration when the file changes (no SIGHUP), keeps
# serving, and refuses a broken file while keeping the running configuration.
# Usage: config_reload_test.sh BIN_DIR
set -euo pipefail
BIN="$1"
DIR="$(mktemp -d -t sluice-reload.XXXXXX)"
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

write_config() {  # qps
  cat >"$DIR/sluice.yaml.tmp" <<YAML
listen: unix://$DIR/sluice.sock
metrics_listen: ""
kube: { server: "http://127.0.0.1:9" }
budget: { qps: $1, burst: 10 }
YAML
  mv "$DIR/sluice.yaml.tmp" "$DIR/sluice.yaml"  # atomic, like a ConfigMap update
}
qps() { "$BIN/sluicectl" --address "unix://$DIR/sluice.sock" status -o json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["budget"]["qps"])'; }
wait_qps() {  # expected
  for _ in $(seq 1 100); do
    [ "$(qps 2>/dev/null || true)" = "$1" ] && return 0
    sleep 0.1
  done
  echo "FAIL: qps is $(qps 2>&1), expected $1" >&2
  exit 1
}

write_config 100
"$BIN/sluiced" --config "$DIR/sluice.yaml" --log-format json >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 1 100); do grep -q 'listening' "$DIR/out" 2>/dev/null && break; sleep 0.1; done
wait_qps 100
sleep 1.1        # a different modification time even on coarse clocks
write_config 250
wait_qps 250     # picked up within the 2 s poll
printf 'budget: { qps: -1 }\n' >"$DIR/sluice.yaml"
sleep 3
[ "$(qps)" = "250" ] || { echo "FAIL: a broken file changed the running config" >&2; exit 1; }
grep -q 'config reload refused' "$DIR/err" || { echo "FAIL: no log of the refusal" >&2; exit 1; }
echo "ok: reloaded on change, refused a broken file"
