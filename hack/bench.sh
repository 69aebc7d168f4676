#!/usr/bin/env bash
# make bench: the benchmark suite in one run, each side by side with the peer
# its issue names, then one summary of the ratios and of the agent's and the
# webhook's RSS.
#
#   render   pkg/render vs kubectl kustomize           bench/render/compare.sh
#   seal     kubectl gitops seal vs kubeseal           bench/seal/compare.sh
#   diff     kubectl gitops diff vs kubectl diff       bench/diff (local control plane)
#   webhook  gitward-webhook vs an always-allow webhook, and its RSS   bench/webhook
#   agent    gitward-agent vs kubectl apply --server-side, and its RSS  bench/agent
#            (again with a 5 ms round trip to the API server for both)
#
# Reduced so that it is safe on a 2-core machine and ends in well under 15
# minutes: fewer repetitions, and 500 objects instead of 2,000 for the
# benchmarks on the control plane (kubectl diff takes minutes on 2,000).
# One benchmark at a time; each e2e benchmark starts and stops its own
# control plane. Full runs, as docs/benchmarks.md reports them:
#
#   BENCH_FULL=1 make bench        (about 30–40 minutes here)
#
# or each command of docs/benchmarks.md. Logs: .local/bench/<name>.log.
# BENCH_ONLY="render seal" runs a subset.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export GITWARD_TOOLS_BIN=${GITWARD_TOOLS_BIN:-$root/.cache/bin}
logs=$root/.local/bench
mkdir -p "$logs"

if [ "${BENCH_FULL:-0}" = 1 ]; then
  runs_script=7 n=2000 diff_runs=5 admission=20000x rss_watch=20s
else
  runs_script=3 n=500 diff_runs=3 admission=4000x rss_watch=10s
fi
only=${BENCH_ONLY:-render seal diff webhook agent}
gen=/work/shared/bench/gen-objects.py
[ -f "$gen" ] || echo "bench: warning: $gen (the shared object generator) is missing; diff and agent need it" >&2

started=$SECONDS
declare -A took=() status=()

# bench NAME CMD...: run CMD, show its output and keep it in NAME.log.
bench() {
  local name=$1 t0=$SECONDS rc=0
  shift
  printf '\n== %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$logs/$name.log" || rc=$?
  took[$name]=$((SECONDS - t0))
  status[$name]=$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")
  printf -- '-- %s: %s in %ss\n' "$name" "${status[$name]}" "${took[$name]}"
}

want() { case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

want render && bench render env RUNS=$runs_script bash bench/render/compare.sh
want seal && bench seal env RUNS=$runs_script bash bench/seal/compare.sh
want diff && bench diff go test -tags e2e -run '^TestDiffBench$' -v -count=1 -timeout 30m ./bench/diff/ \
  -args -n "$n" -runs "$diff_runs" -kubectl-runs 1
# Two runs: -benchtime is an iteration count, and one RSS iteration starts a webhook.
want webhook && bench webhook go test -tags e2e -run '^$' -bench '^BenchmarkAdmission$' \
  -benchtime "$admission" -count=1 -timeout 20m ./bench/webhook/
want webhook && bench webhook-rss go test -tags e2e -run '^$' -bench '^BenchmarkWebhookRSS$' \
  -benchtime 1x -count=1 -timeout 20m ./bench/webhook/
want agent && bench agent go test -tags e2e -run '^TestAgentBench$' -v -count=1 -timeout 30m ./bench/agent/ \
  -args -n "$n" -rss-watch "$rss_watch"
# The same with 5 ms between the API server and both clients, as when kubectl
# runs from a laptop or a CI runner (the agent runs in the cluster, so this
# is conservative for it).
want agent && bench agent-rtt go test -tags e2e -run '^TestAgentBench$' -v -count=1 -timeout 30m ./bench/agent/ \
  -args -n "$n" -rss-watch 0 -rtt 5ms

# The summary: one line per peer, read from the logs above.
line() { grep -h -m1 -E "$2" "$logs/$1.log" 2>/dev/null | sed -E 's/^[[:space:]]*([a-z_]+_test\.go:[0-9]+: )?//' || true; }
printf '\n================ summary (%s mode, %s objects on the control plane) ================\n' \
  "$([ "${BENCH_FULL:-0}" = 1 ] && echo full || echo reduced)" "$n"
if want render; then
  echo "render vs kubectl kustomize (lower is better; target <= 1.2x):"
  line render '^render.Dir \(default\)'
fi
if want seal; then
  echo "seal vs kubeseal (higher is better; target >= 1.8x):"
  line seal '^speed-up'
fi
if want diff; then
  echo "diff vs kubectl diff (how many times faster):"
  line diff 'kubectl gitops diff -f: median'
  line diff 'kubectl diff -f: +median'
  line diff 'ratio: '
fi
if want webhook; then
  echo "webhook vs always-allow (CPU per review; lower is better; target >= 0.7x throughput):"
  awk '/^BenchmarkAdmission/ {
      h = ($1 ~ /always-allow/) ? "allow" : "gitward"
      for (i = 2; i <= NF; i++) { if ($i == "cpu-us/review") cpu[h] += $(i-1); if ($i == "reviews/s") rps[h] += $(i-1) }
      n[h]++ }
    END { if (n["gitward"] && n["allow"]) {
      printf "  gitward-cache-hit %.0f us/review, %.0f reviews/s; always-allow %.0f us/review, %.0f reviews/s (means of %d rounds)\n",
        cpu["gitward"]/n["gitward"], rps["gitward"]/n["gitward"], cpu["allow"]/n["allow"], rps["allow"]/n["allow"], n["gitward"]
      printf "  ratio gitward/always-allow: by CPU per review %.2fx, by throughput %.2fx\n",
        (cpu["allow"]/n["allow"])/(cpu["gitward"]/n["gitward"]), (rps["gitward"]/n["gitward"])/(rps["allow"]/n["allow"]) } }' \
    "$logs/webhook.log" 2>/dev/null || true
  echo "webhook RSS (target VmRSS <= 64 MiB):"
  awk '/^BenchmarkWebhookRSS/ { out = " "; for (i = 3; i < NF; i++) if ($(i+1) ~ /MiB$/) out = out " " $(i+1) " " $i; print out }' \
    "$logs/webhook-rss.log" 2>/dev/null || true
fi
if want agent; then
  echo "agent vs kubectl apply --server-side, and its RSS:"
  line agent 'kubectl apply --server-side, cold'
  line agent 'agent cold apply'
  line agent 'CPU ratio'
  line agent 'binary RSS'
  echo "the same, 5 ms round trip to the API server for both:"
  line agent-rtt 'kubectl apply --server-side, cold'
  line agent-rtt 'agent cold apply'
fi
echo "runs:"
for name in render seal diff webhook webhook-rss agent agent-rtt; do
  [ -n "${status[$name]:-}" ] && printf '  %-11s %s in %ss   log: %s\n' "$name" "${status[$name]}" "${took[$name]}" "$logs/$name.log"
done
printf 'total: %ss. Full runs: BENCH_FULL=1 make bench, or the commands in docs/benchmarks.md.\n' $((SECONDS - started))
for name in "${!status[@]}"; do [ "${status[$name]}" = ok ] || exit 1; done
