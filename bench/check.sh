#!/usr/bin/env bash
# Times `vendor check` on the repository's own example (release build) and prints wall time
# (fastest and mean of RUNS runs) and peak memory (resident set, the largest of 5 runs) against
# the size of the vendored YAML, each with its ratio to the target: <= 100 ms and < 3x input
# (issue 15, item 16). The fastest run is the steadier figure on a shared machine; with
# INSTRUCTIONS=1 (valgrind installed) the instruction count of one run is printed as well.
#
# Usage: bench/check.sh            (VENDOR_BIN=path to time another build, RUNS=N)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --locked --quiet; fi
bin="${VENDOR_BIN:-$PWD/target/release/vendor}"
input=$(find upstream -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
runs=${RUNS:-20}
target_ms=100
target_ratio=3
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed for peak memory (apt-get install time)" >&2; exit 2; }

# Warm the page cache; a run that cannot check (status 2: usage or config error) is no figure.
status=0
"$bin" check -q >/dev/null 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
  echo "vendor check failed (exit $status):" >&2
  "$bin" check -q >&2 || true
  exit 2
fi
times=()
peak=0
rss_file=$(mktemp)
trap 'rm -f "$rss_file"' EXIT
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" check -q >/dev/null 2>&1 || true
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
for _ in 1 2 3 4 5; do
  # %M: the largest resident set of the process, in KiB.
  /usr/bin/time -f "%M" -o "$rss_file" "$bin" check -q >/dev/null 2>&1 || true
  rss=$(tail -1 "$rss_file")
  if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
done
printf '%s\n' "${times[@]}" | awk -v input="$input" -v peak="$peak" -v runs="$runs" \
  -v tms="$target_ms" -v tr="$target_ratio" '
  { us = $1; sum += us; if (best == "" || us < best) best = us }
  END {
    printf "input:        %.1f MiB of YAML under upstream/\n", input / 1048576
    printf "vendor check: best %.1f ms, mean %.1f ms over %d runs (target <= %d ms: best %.2fx, mean %.2fx of it)\n",
      best / 1000, sum / runs / 1000, runs, tms, best / 1000 / tms, sum / runs / 1000 / tms
    printf "peak memory:  %.1f MiB = %.2fx input (target < %dx)\n",
      peak / 1024, peak * 1024 / input, tr
  }'
if [ "${INSTRUCTIONS:-0}" = 1 ] && command -v valgrind >/dev/null; then
  n=$(RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" check -q 2>&1 >/dev/null |
    awk '/Collected/ {print $4}')
  echo "instructions: $n (callgrind, one thread)"
fi
