#!/usr/bin/env bash
# Builds sframe_bench, runs it pinned to one CPU with repetitions (in random
# order across benchmarks, so that a slow phase of the shared host spreads over
# all of them instead of hitting a few), writes JSON
# and prints the comparison tables (ours vs BoringSSL vs intel-ipsec-mb, in ns
# and core cycles per byte, with ratios).
#
# Environment: SFRAME_BENCH_CPU (default 1), SFRAME_BENCH_REPS (default 5),
# SFRAME_BENCH_MIN_TIME (seconds per repetition, default 0.05),
# SFRAME_BENCH_FILTER (regex, default all), SFRAME_BENCH_OUT (JSON path,
# default bench-results/sframe_bench.json). Extra arguments go to
# tools/bench_report.py (e.g. --plots docs/img --markdown docs/perf-tables.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh build bench plots
build=${SFRAME_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSFRAME_BUILD_BENCHMARKS=ON \
  -DSFRAME_BUILD_TESTS=OFF -DSFRAME_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target sframe_bench
out=${SFRAME_BENCH_OUT:-bench-results/sframe_bench.json}
mkdir -p "$(dirname "$out")"
taskset -c "${SFRAME_BENCH_CPU:-1}" "$build/bench/sframe_bench" \
  --benchmark_repetitions="${SFRAME_BENCH_REPS:-5}" \
  --benchmark_min_time="${SFRAME_BENCH_MIN_TIME:-0.05}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_filter="${SFRAME_BENCH_FILTER:-.}" \
  --benchmark_out="$out" --benchmark_out_format=json >/dev/null
# Debian's python3 (with python3-matplotlib), not a user-installed one.
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" tools/bench_report.py "$out" "$@"
