#!/usr/bin/env bash
# Sluice's figures in one run (tools/dev bench runs this after building):
#   1. engine micro benchmarks, briefly (intake, fair queue, token bucket);
#   2. gRPC intake: sluiced's service against a do-nothing service (a ratio);
#   3. end to end, sluice-loadgen --spawn against kubesim:
#      a. kubesim unthrottled: pod creates/s (target >= 5,000);
#      b. kubesim --mutating-qps Q, sluiced --apiserver-qps Q: creates/s as a
#         share of Q (target >= 98%) and 429 answers (target 0).
# Prints one table; the loadgen reports stay in $BENCH_OUT (default: a temp dir).
#
#   bench/run.sh                 everything (about 2 minutes)
#   BENCH_Q=500 bench/run.sh     another budget for 3b
#   bench/run.sh --e2e-only      skip 1 and 2
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${SLUICE_BIN_DIR:-$ROOT/build/bin}"
OUT="${BENCH_OUT:-$(mktemp -d -t sluice-bench.XXXXXX)}"
Q="${BENCH_Q:-1000}"
FAST_WORKFLOWS="${BENCH_FAST_WORKFLOWS:-200}"
FAST_PODS="${BENCH_FAST_PODS:-250}"       # 50,000 pods
QPS_PODS_PER_WORKFLOW="${BENCH_QPS_PODS:-150}"  # 200 x 150 = 30,000 pods: 30 s at Q=1000
E2E_ONLY=0
[ "${1:-}" = "--e2e-only" ] && E2E_ONLY=1
mkdir -p "$OUT"

log() { printf '[bench] %s\n' "$*" >&2; }
need() { [ -x "$BIN/$1" ] || { log "$BIN/$1 is missing: build first (tools/dev build)"; exit 1; }; }
for b in sluice-loadgen sluiced kubesim; do need "$b"; done
[ "$E2E_ONLY" -eq 1 ] || for b in bench_engine bench_grpc_intake; do need "$b"; done

ROWS=()
row() { ROWS+=("$1|$2|$3|$4"); }  # figure | value | target | verdict

# JSON field from a file: jget FILE 'expr' (python over the parsed object `d`).
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

if [ "$E2E_ONLY" -eq 0 ]; then
  log "engine micro benchmarks"
  "$BIN/bench_engine" --benchmark_min_time=0.3 --benchmark_format=json \
    --benchmark_out="$OUT/engine.json" --benchmark_out_format=json >/dev/null 2>"$OUT/engine.err"
  for name in "BM_EngineSubmitBatch/500" "BM_FairQueuePop/500" "BM_FairQueuePop/10000" \
              "BM_TokenBucketTryConsume"; do
    v=$(jget "$OUT/engine.json" "next((b['items_per_second'] for b in d['benchmarks'] if b['name']=='$name'), 0)")
    row "$name" "$(printf '%.2f M items/s' "$(python3 -c "print($v/1e6)")")" "" ""
  done

  log "gRPC intake (about 15 s)"
  "$BIN/bench_grpc_intake" >"$OUT/grpc_intake.txt" 2>&1
  ratio=$(sed -n 's/.*ratio \([0-9.]*\).*/\1/p' "$OUT/grpc_intake.txt" | tail -1)
  sluiced_rate=$(sed -n 's/.*sluiced \([0-9]*\) intents\/s.*/\1/p' "$OUT/grpc_intake.txt" | tail -1)
  verdict=$(python3 -c "print('ok' if float('${ratio:-0}') >= 0.5 else 'MISSED')")
  row "gRPC intake, sluiced / do-nothing" "${ratio:-?} (${sluiced_rate:-?} intents/s)" ">= 0.50" "$verdict"
fi

run_loadgen() {  # name, then sluice-loadgen flags
  local name="$1"; shift
  log "loadgen: $name"
  if ! "$BIN/sluice-loadgen" --spawn --format json --report-json "$OUT/$name.json" "$@" \
      >/dev/null 2>"$OUT/$name.err"; then
    log "loadgen $name failed:"; tail -5 "$OUT/$name.err" >&2
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
# 3a: unthrottled. No simulated kubelet: pods stay Pending, so both servers
# spend their CPU on creates, watches and events only.
run_loadgen unthrottled --workflows "$FAST_WORKFLOWS" --pods-per-workflow "$FAST_PODS" \
  --kubesim-args "--no-kubelet" --sluiced-args "--apiserver-qps 0 --log-level warn" --timeout 120
f="$OUT/unthrottled.json"
if [ -s "$f" ]; then
  rate=$(jget "$f" "round(d['creates_per_second'])")
  verdict=$(jget "$f" "'ok' if d['complete'] and d['creates_per_second'] >= 5000 else 'MISSED'")
  row "creates/s, kubesim unthrottled ($(jget "$f" "d['pods']") pods)" "$rate" ">= 5000" "$verdict"
  row "  submit->created p50 / p99 ms" "$(jget "$f" "'%.0f / %.0f' % (d['submit_to_create_ms']['p50'], d['submit_to_create_ms']['p99'])")" "" ""
  row "  intake intents/s" "$(jget "$f" "round(d['intake_intents_per_second'])")" "" ""
  row "  CPU us per pod: sluiced / kubesim / loadgen" "$(jget "$f" "' / '.join('%.0f' % (d['cpu_seconds'].get(k, 0) * 1e6 / max(d['created'], 1)) for k in ('sluiced', 'kubesim', 'loadgen'))")" "" ""
  row "  machine load average (1 min) before" "$LOAD_BEFORE" "" ""
  row "  fairness (Jain, backlogged)" "$(jget "$f" "'%.4f' % d['fairness_jain'] if d['fairness_jain'] is not None else 'n/a'")" "" ""
else
  row "creates/s, kubesim unthrottled" "failed" ">= 5000" "MISSED"
fi

# 3b: kubesim throttles at Q (APF-like, 429 beyond), sluiced spends Q.
run_loadgen "qps$Q" --workflows 200 --pods-per-workflow "$QPS_PODS_PER_WORKFLOW" \
  --kubesim-args "--mutating-qps $Q" --sluiced-args "--apiserver-qps $Q --log-level warn" \
  --timeout 120
f="$OUT/qps$Q.json"
if [ -s "$f" ]; then
  share=$(jget "$f" "'%.1f%%' % (100.0 * d['creates_per_second'] / $Q)")
  verdict=$(jget "$f" "'ok' if d['complete'] and d['creates_per_second'] >= 0.98 * $Q else 'MISSED'")
  row "creates/s at --mutating-qps $Q ($(jget "$f" "d['pods']") pods)" "$(jget "$f" "round(d['creates_per_second'])") = $share of Q" ">= 98% of Q" "$verdict"
  n429=$(jget "$f" "d['apiserver']['status_429'] if d['apiserver'] else -1")
  row "  429 answers" "$n429" "0" "$([ "$n429" = "0" ] && echo ok || echo MISSED)"
  row "  kubesim peak writes in 1 s" "$(jget "$f" "d['apiserver']['max_admitted_mutating_per_second'] if d['apiserver'] else '?'")" "" ""
  row "  submit->created p50 / p99 ms" "$(jget "$f" "'%.0f / %.0f' % (d['submit_to_create_ms']['p50'], d['submit_to_create_ms']['p99'])")" "" ""
  row "  fairness (Jain, backlogged)" "$(jget "$f" "'%.4f' % d['fairness_jain'] if d['fairness_jain'] is not None else 'n/a'")" "" ""
else
  row "creates/s at --mutating-qps $Q" "failed" ">= 98% of Q" "MISSED"
fi

printf '\n%-48s %-28s %-14s %s\n' "figure" "value" "target" ""
printf '%-48s %-28s %-14s %s\n' "------" "-----" "------" ""
missed=0
for r in "${ROWS[@]}"; do
  IFS='|' read -r name value target verdict <<<"$r"
  printf '%-48s %-28s %-14s %s\n' "$name" "$value" "$target" "$verdict"
  [ "$verdict" = "MISSED" ] && missed=1
done
echo
log "reports in $OUT"
exit "$missed"
