#!/usr/bin/env bash
# The Sluice demo (tools/dev demo runs this after building): kubesim with a
# mutating budget of a few hundred QPS, sluiced given the same budget, and
# sluice-loadgen submitting a few hundred Argo-style workflows (tens of
# thousands of pods); prints the report as a table. sluice-loadgen --spawn
# starts both servers on loopback ports and stops them at the end, also on
# error or Ctrl-C.
#
#   tools/demo.sh                       200 workflows x 100 pods at 400 QPS (~1 minute)
#   DEMO_QPS=300 DEMO_WORKFLOWS=300 tools/demo.sh
#   tools/demo.sh --wait finished       extra flags go to sluice-loadgen (not ones set here)
#
# Exits non-zero when a pod was not created, an intent was rejected, the
# APIServer answered 429, or the cluster does not hold exactly the pods made.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${SLUICE_BIN_DIR:-$ROOT/build/bin}"
WORKFLOWS="${DEMO_WORKFLOWS:-200}"
PODS="${DEMO_PODS:-100}"
QPS="${DEMO_QPS:-400}"

for b in sluice-loadgen sluiced kubesim; do
  [ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is missing: build first (tools/dev build)" >&2; exit 1; }
done

REPORT="$(mktemp -t sluice-demo-report.XXXXXX.json)"
trap 'rm -f "$REPORT"' EXIT

echo "demo: kubesim allows ${QPS} mutating requests/s; sluiced spends the same budget;" \
     "${WORKFLOWS} workflows x ${PODS} pods = $((WORKFLOWS * PODS)) pods" >&2
status=0
"$BIN/sluice-loadgen" --spawn \
  --workflows "$WORKFLOWS" --pods-per-workflow "$PODS" \
  --kubesim-args "--mutating-qps $QPS --nodes 200" \
  --sluiced-args "--apiserver-qps $QPS --log-level warn" \
  --timeout 110 --format table --report-json "$REPORT" "$@" || status=$?

if [ "$status" -eq 0 ] && [ -s "$REPORT" ]; then
  # Throttling is what Sluice exists to avoid: a 429 fails the demo.
  throttled=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["apiserver"]; print(a["status_429"] if a else 0)' "$REPORT")
  if [ "$throttled" != "0" ]; then
    echo "demo: kubesim answered 429 to $throttled requests" >&2
    status=1
  fi
fi
[ "$status" -eq 0 ] && echo "demo: ok" >&2 || echo "demo: FAILED (exit $status)" >&2
exit "$status"
