#!/usr/bin/env bash
# The Python client example (tools/python) against real kubesim and sluiced
# processes: a 40-stock backtest workflow is submitted and every pod created
# and finished; a pod with an invalid name is rejected alone, with its field.
# Usage: python_client_test.sh SOURCE_DIR BIN_DIR
set -euo pipefail
SRC="$1"
BIN="$2"
PY=/usr/bin/python3  # Debian's, with python3-grpcio (not a pyenv shim)
DIR="$(mktemp -d -t sluice-python.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

"$SRC/tools/python/gen_stubs.sh" "$DIR/stubs" >/dev/null

"$BIN/kubesim" --listen 127.0.0.1:0 --run-ms 300 --start-ms 50 --schedule-ms 10 \
  >"$DIR/kubesim.out" 2>"$DIR/kubesim.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q 'listening' "$DIR/kubesim.out" 2>/dev/null && break; sleep 0.1; done
KUBE="$(sed -n 's/^kubesim listening on //p' "$DIR/kubesim.out" | head -1)"
[ -n "$KUBE" ] || { echo "FAIL: kubesim did not start" >&2; cat "$DIR/kubesim.err" >&2; exit 1; }

"$BIN/sluiced" --listen "unix://$DIR/sluice.sock" --metrics-listen off --kube-server "$KUBE" \
  --log-format json >"$DIR/sluiced.out" 2>"$DIR/sluiced.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q 'listening' "$DIR/sluiced.out" 2>/dev/null && break; sleep 0.1; done

SYMBOLS="$(printf 'S%02d,' $(seq 1 40))"
OUT="$("$PY" "$SRC/tools/python/submit_workflow.py" --stubs "$DIR/stubs" \
  --address "unix://$DIR/sluice.sock" --namespace quant --workflow bt \
  --symbols "$SYMBOLS" --wait finished --timeout 60)"
echo "$OUT"
grep -q '40 pods, 40 accepted' <<<"$OUT" || { echo "FAIL: not every pod accepted" >&2; exit 1; }
grep -q '40 of 40 pods finished' <<<"$OUT" || { echo "FAIL: not every pod finished" >&2; exit 1; }

# One invalid name (an underscore) among valid ones: only it is rejected.
set +e
OUT="$("$PY" "$SRC/tools/python/submit_workflow.py" --stubs "$DIR/stubs" \
  --address "unix://$DIR/sluice.sock" --namespace quant --workflow bt2 \
  --symbols "A,B_C,D" --wait created --timeout 30)"
RC=$?
set -e
echo "$OUT"
[ "$RC" = 1 ] || { echo "FAIL: exit $RC with a rejected pod" >&2; exit 1; }
grep -q 'quant/bt2-b_c: REJECTED name: ' <<<"$OUT" || { echo "FAIL: no rejection line" >&2; exit 1; }
grep -q '3 pods, 2 accepted' <<<"$OUT" || { echo "FAIL: the rest of the batch" >&2; exit 1; }
grep -q '2 of 2 pods created' <<<"$OUT" || { echo "FAIL: accepted pods not created" >&2; exit 1; }
echo "ok: python client submitted, followed, and saw the rejection with its field"
