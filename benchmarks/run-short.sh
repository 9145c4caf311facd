#!/usr/bin/env bash
# Runs the short benchmark suite (a representative subset, BenchmarkDotNet's short job) and writes the report:
#   benchmarks/results/README.md      headline ratios, machine, SDK, date, and every table
#   benchmarks/results/<Class>.md     BenchmarkDotNet's GitHub-markdown table per benchmark class
#   benchmarks/results/<Class>.json   BenchmarkDotNet's JSON report (brief) per benchmark class
#   benchmarks/results/replay-cli.json  `allocators replay` of the 8.9 M-call trace, end to end (time, calls/s, max RSS)
# Environment: BENCH_JOB (default short; `dry` for a fast smoke run), BENCH_RESULTS (default benchmarks/results),
# BENCH_SKIP_CLI=1 to skip the end-to-end CLI replay, BENCH_CLI_CALLS (default 8900000), BENCH_CLI_RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
job="${BENCH_JOB:-short}"
results="${BENCH_RESULTS:-$root/benchmarks/results}"
cli_calls="${BENCH_CLI_CALLS:-8900000}"
project=benchmarks/Allocators.Benchmarks
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ALLOCATORS_BENCH_SUITE=short

artifacts=$(mktemp -d "${TMPDIR:-/tmp}/allocators-bench-artifacts.XXXXXX")
trap 'rm -rf "$artifacts"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

dotnet build -c Release "$project" -nologo -v quiet
classes=(TraceReplayBenchmarks SyntheticWorkloadBenchmarks FixedSizeChurnBenchmarks PowerOfTwoChurnBenchmarks AllocateFreeBenchmarks ReplayEngineBenchmarks)
filters=()
for c in "${classes[@]}"; do filters+=("*.${c}.*"); done
dotnet run -c Release --no-build --project "$project" -- \
  --job "$job" --filter "${filters[@]}" --artifacts "$artifacts"

mkdir -p "$results"
rm -f "$results"/*.md "$results"/*.json "$results"/*.log
for c in "${classes[@]}"; do
  md=$(ls "$artifacts"/results/*."$c"-report-github.md 2>/dev/null | head -1 || true)
  js=$(ls "$artifacts"/results/*."$c"-report-brief.json 2>/dev/null | head -1 || true)
  [ -n "$md" ] && cp "$md" "$results/$c.md"
  [ -n "$js" ] && cp "$js" "$results/$c.json"
done

# End to end: `allocators replay` of a multi-million-call text trace through the glibc strategy.
cli_line="(skipped)"
if [ "${BENCH_SKIP_CLI:-0}" != 1 ] && [ -x /usr/bin/time ]; then
  # The tool as shipped: a ReadyToRun publish for this machine's runtime (less JIT at start-up than a plain build).
  cli_dir="$artifacts/cli"
  dotnet publish -c Release -r linux-x64 --self-contained false src/Cli -o "$cli_dir" -nologo -v quiet
  cli_dll="$cli_dir/allocators.dll"
  trace=$(dotnet "$project/bin/Release/net10.0/Allocators.Benchmarks.dll" write-trace-cached "$cli_calls" | tail -1)
  # Several runs (BENCH_CLI_RUNS, default 3): a single start-up on a shared VM swings by a third; the line reports the
  # median time, lists every run, and the largest max RSS.
  runs="${BENCH_CLI_RUNS:-3}"
  timing=$(mktemp)
  cli_log="$results/replay-cli.log"
  times=()
  max_rss_kib=0
  failed=0
  for ((run = 1; run <= runs; run++)); do
    if /usr/bin/time -f '%e %M' -o "$timing" dotnet "$cli_dll" replay "$trace" --strategy glibc > "$cli_log" 2>&1; then
      read -r seconds rss_kib < "$timing"
      times+=("$seconds")
      if [ "$rss_kib" -gt "$max_rss_kib" ]; then max_rss_kib=$rss_kib; fi
    else
      failed=1
      break
    fi
  done
  if [ "$failed" = 0 ]; then
    all_runs=$(printf '%s s, ' "${times[@]}"); all_runs=${all_runs%, }
    seconds=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    calls_per_second=$(awk -v c="$cli_calls" -v s="$seconds" 'BEGIN { printf "%.0f", c / s }')
    runs_json=$(printf '%s, ' "${times[@]}"); runs_json="[${runs_json%, }]"
    cat > "$results/replay-cli.json" <<JSON
{ "command": "allocators replay <trace> --strategy glibc (ReadyToRun publish, linux-x64)", "calls": $cli_calls, "runs": $runs_json,
  "medianSeconds": $seconds, "callsPerSecond": $calls_per_second, "maxRssKiB": $max_rss_kib }
JSON
    cli_line=$(awk -v c="$cli_calls" -v s="$seconds" -v r="$max_rss_kib" -v all="$all_runs" 'BEGIN {
      cps = c / s; rss = r / 1024;
      printf "| `allocators replay` (end to end, process start included) | %d calls | median %.2f s (runs: %s) | %.2f M calls/s (target >= 5: %s) | max RSS %.0f MiB (target <= 400: %s) |",
        c, s, all, cps / 1e6, (cps >= 5e6 ? "met" : "missed"), rss, (rss <= 400 ? "met" : "missed") }')
  else
    cli_line="| \`allocators replay\` | $cli_calls calls | failed: see replay-cli.log | | |"
  fi
  rm -f "$timing"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "# Benchmark results (short suite)"
  echo
  echo "- Date: $started; job: \`$job\`; command: \`benchmarks/run-short.sh\`"
  echo "- Machine: $cpu, $(nproc) logical cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- SDK: .NET $(dotnet --version); glibc $(ldd --version | head -1 | awk '{ print $NF }')"
  echo "- Load average (1/5/15 min) before: $load_before; after: $load_after"
  echo
  echo "## Headline"
  echo
  dotnet "$project/bin/Release/net10.0/Allocators.Benchmarks.dll" summarize "$results"
  echo
  echo "| Engine | Trace | Time | Throughput | Tool memory |"
  echo "|---|---|---:|---|---|"
  echo "$cli_line"
  for c in "${classes[@]}"; do
    [ -f "$results/$c.md" ] || continue
    echo
    echo "## $c"
    echo
    cat "$results/$c.md"
  done
} > "$results/README.md"

echo
echo "Report: $results/README.md"
echo "Tables: $(ls "$results"/*.md | grep -v README | tr '\n' ' ')"
echo "JSON:   $(ls "$results"/*.json | tr '\n' ' ')"
