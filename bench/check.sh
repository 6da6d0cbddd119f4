#!/usr/bin/env bash
# Times `vendor check` on the repository's own example (release build) and prints wall time
# and peak memory against the size of the vendored YAML. Targets: < 300 ms, < 5x input.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${VENDOR_BIN:-$PWD/target/release/vendor}"
input=$(find upstream -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
runs=${RUNS:-10}
"$bin" check -q >/dev/null || true   # warm the page cache
best=""
total=0
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" check -q >/dev/null || true
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  total=$(( total + ms ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "input:        $(( input / 1024 )) KiB of YAML under upstream/"
echo "vendor check: best ${best} ms, mean $(( total / runs )) ms over ${runs} runs (target < 300 ms)"
if [ -x /usr/bin/time ]; then
  rss=$( { /usr/bin/time -f "%M" "$bin" check -q >/dev/null; } 2>&1 | tail -1 ) || true
  echo "peak memory:  $(( rss / 1024 )) MiB = $(awk "BEGIN{printf \"%.1f\", $rss*1024/$input}")x input (target < 5x)"
else
  echo "peak memory:  /usr/bin/time not installed (apt-get install time)"
fi
