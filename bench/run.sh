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
#   bench/run.sh --scenarios-only   only 4
#   4. the load scenarios (sluice-loadgen --scenario, tools/loadgen/README.md):
#      quota and its --baseline, unknown-limit, fanout (full and small, the
#      small one beside its Argo-controller baseline), burst, steady. Headline
#      ratios: Sluice against the baseline (time to create all pods),
#      achieved rate against kubesim's limit, intake against a do-nothing gRPC
#      service (from 2). Each scenario also leaves NAME.svg beside NAME.json.
#   BENCH_SCENARIOS=0 skips 4; BENCH_BASELINE_SCALE (default 0.05: 2,525 pods,
#   about 2 minutes at the baseline's 20 QPS) and BENCH_QUOTA_SCALE (0.5)
#   size the runs the baseline takes part in. The whole bench: ~14 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${SLUICE_BIN_DIR:-$ROOT/build/bin}"
OUT="${BENCH_OUT:-$(mktemp -d -t sluice-bench.XXXXXX)}"
Q="${BENCH_Q:-1000}"
FAST_WORKFLOWS="${BENCH_FAST_WORKFLOWS:-200}"
FAST_PODS="${BENCH_FAST_PODS:-250}"       # 50,000 pods
QPS_PODS_PER_WORKFLOW="${BENCH_QPS_PODS:-150}"  # 200 x 150 = 30,000 pods: 30 s at Q=1000
E2E_ONLY=0
SCENARIOS_ONLY=0
[ "${1:-}" = "--e2e-only" ] && E2E_ONLY=1
[ "${1:-}" = "--scenarios-only" ] && { E2E_ONLY=1; SCENARIOS_ONLY=1; }
SCENARIOS="${BENCH_SCENARIOS:-1}"
BASELINE_SCALE="${BENCH_BASELINE_SCALE:-0.05}"
QUOTA_SCALE="${BENCH_QUOTA_SCALE:-0.5}"
INTAKE_RATIO=
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
  INTAKE_RATIO="${ratio:-}"
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
if [ "$SCENARIOS_ONLY" -eq 0 ]; then
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
fi  # SCENARIOS_ONLY

# 4. Scenarios. scen NAME [flags]: one run, report in $OUT/NAME.json (+ .svg).
scen() {
  local name="$1"; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  run_loadgen "$name" --seed 7 "$@"
  echo "$load" >"$OUT/$name.load"
}
fig() { jget "$OUT/$1.json" "$2" 2>/dev/null || echo "?"; }
have() { [ -s "$OUT/$1.json" ]; }
fmt() { python3 -c "import sys; v=sys.argv[1]; print('n/a' if v in ('None','?','') else ('%.${2:-3}f' % float(v)))" "$1"; }
judge() { python3 -c "import sys; v=sys.argv[1]; print('MISSED' if v in ('None','?','') or not ($2) else 'ok')" "$1"; }

if [ "$SCENARIOS" = "1" ]; then
  scen quota --scenario quota --scale "$QUOTA_SCALE"
  scen quota-baseline --scenario quota --scale "$QUOTA_SCALE" --baseline
  if have quota && have quota-baseline; then
    s=$(fig quota "d['elapsed_seconds']"); b=$(fig quota-baseline "d['elapsed_seconds']")
    row "quota (scale $QUOTA_SCALE): every pod finished, Sluice vs baseline" "$(fmt "$s" 1) s vs $(fmt "$b" 1) s = $(python3 -c "print('%.1fx' % ($b/$s))")" "" ""
    u=$(fig quota "d['quota_utilization']"); ub=$(fig quota-baseline "d['quota_utilization']")
    row "  quota_utilization Sluice / baseline" "$(fmt "$u") / $(fmt "$ub")" ">= 0.95" "$(judge "$u" "float(v) >= 0.95")"
    n403=$(fig quota "d['apiserver']['status_403']"); b403=$(fig quota-baseline "d['apiserver']['status_403']")
    row "  403 answers Sluice / baseline" "$n403 / $b403" "0" "$([ "$n403" = "0" ] && echo ok || echo MISSED)"
    row "  load average (1 min) before" "$(cat "$OUT/quota.load") / $(cat "$OUT/quota-baseline.load")" "" ""
  else
    row "quota" "failed" "" "MISSED"
  fi

  scen unknown-limit --scenario unknown-limit
  if have unknown-limit; then
    lu=$(fig unknown-limit "d['limit_utilization']")
    row "unknown-limit 600->300->900/s: achieved / limit" "$(fmt "$lu")" ">= 0.90" "$(judge "$lu" "float(v) >= 0.9")"
    cv=$(fig unknown-limit "d['convergence_seconds']")
    row "  convergence_seconds (worst of 3)" "$(fmt "$cv" 2) ($(fig unknown-limit "', '.join('%.2f' % d['convergence_seconds_step%d' % i] for i in range(3))"))" "<= 5" "$(judge "$cv" "float(v) <= 5")"
    ts=$(fig unknown-limit "d['throttled_share']")
    row "  throttled_share (429s / writes)" "$(fmt "$ts" 4)" "< 0.01" "$(judge "$ts" "float(v) < 0.01")"
    row "  load average (1 min) before" "$(cat "$OUT/unknown-limit.load")" "" ""
  else
    row "unknown-limit" "failed" "" "MISSED"
  fi

  scen fanout --scenario fanout
  if have fanout; then
    fj=$(fig fanout "d['fairness_jain']")
    row "fanout 50,000 + 500 small: fairness_jain" "$(fmt "$fj" 4)" ">= 0.99" "$(judge "$fj" "float(v) >= 0.99")"
    sr=$(fig fanout "d['small_first_create_worst_ratio']")
    row "  small_first_create_worst_ratio (sluiced clock)" "$(fmt "$sr" 2) (loadgen clock $(fmt "$(fig fanout "d['small_first_create_worst_ratio_loadgen_clock']")" 2))" "<= 1" "$(judge "$sr" "float(v) <= 1")"
    row "  creates/s at 1000/s" "$(fig fanout "round(d['creates_per_second'])")" "" ""
    row "  load average (1 min) before" "$(cat "$OUT/fanout.load")" "" ""
  else
    row "fanout" "failed" "" "MISSED"
  fi

  # The same with sluiced's pipeline kept short: fewer writes in flight and a
  # smaller burst, so a newly arrived workflow waits behind fewer of the big
  # one's intents already taken from the fair queue.
  scen fanout-short-pipeline --scenario fanout --sluiced-args "--max-inflight 4 --apiserver-burst 10"
  if have fanout-short-pipeline; then
    fj=$(fig fanout-short-pipeline "d['fairness_jain']")
    sr=$(fig fanout-short-pipeline "d['small_first_create_worst_ratio']")
    row "fanout, sluiced --max-inflight 4 --apiserver-burst 10" "Jain $(fmt "$fj" 4), ratio $(fmt "$sr" 2), $(fig fanout-short-pipeline "round(d['creates_per_second'])") creates/s" "Jain>=0.99, <=1" "$(judge "$fj $sr" "'None' not in v and float(v.split()[0]) >= 0.99 and float(v.split()[1]) <= 1")"
  fi

  scen fanout-small --scenario fanout --scale "$BASELINE_SCALE"
  scen baseline --scenario baseline --scale "$BASELINE_SCALE" --timeout 900
  if have fanout-small && have baseline; then
    s=$(fig fanout-small "d['time_to_create_all_seconds']"); b=$(fig baseline "d['time_to_create_all_seconds']")
    row "Sluice vs baseline: time to create all (fanout x$BASELINE_SCALE, $(fig baseline "d['pods']") pods)" "$(fmt "$s" 1) s vs $(fmt "$b" 1) s = $(python3 -c "print('%.1fx' % ($b/$s))")" "" ""
    row "  baseline: small_first_create_worst_ratio" "$(fmt "$(fig baseline "d['small_first_create_worst_ratio']")" 1)" "" ""
  else
    row "Sluice vs baseline (fanout)" "failed" "" "MISSED"
  fi

  scen burst --scenario burst
  if have burst; then
    row "burst: 5,000 workflows in 1 s, 20,000 pods" "$(fmt "$(fig burst "d['elapsed_seconds']")" 1) s, $(fig burst "round(d['creates_per_second'])") creates/s = $(fig burst "'%.1f%%' % (d['creates_per_second'] / 10)") of 1000" "" ""
    row "  fairness_jain / small_first_create_worst_ratio" "$(fmt "$(fig burst "d['fairness_jain']")" 4) / $(fmt "$(fig burst "d['small_first_create_worst_ratio']")" 2)" "" ""
  fi
  scen steady --scenario steady
  if have steady; then
    row "steady: Poisson 50 workflows/s for 60 s" "p50/p99 submit->created $(fig steady "'%.0f / %.0f ms' % (d['submit_to_create_ms']['p50'], d['submit_to_create_ms']['p99'])")" "" ""
  fi
  if [ -n "$INTAKE_RATIO" ]; then
    row "intake vs a do-nothing gRPC service" "$INTAKE_RATIO" ">= 0.50" "$(judge "$INTAKE_RATIO" "float(v) >= 0.5")"
  fi
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
