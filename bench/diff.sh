#!/usr/bin/env bash
# Benchmark of `vendor diff` on the two 4 MB prometheus-operator bundles (v0.83.0 -> v0.84.1),
# against `diff -u` on the same files. Prints both times, the ratio, and peak memory of
# `vendor diff` relative to the input size. Targets: < 250 ms, peak RSS < 10x input.
#
# Usage: bench/diff.sh [RUNS]   (default 10; builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
OLD=tests/fixtures/diff/prometheus-operator/v0.83.0/bundle.yaml
NEW=tests/fixtures/diff/prometheus-operator/v0.84.1/bundle.yaml
BIN="${VENDOR_BIN:-$PWD/target/release/vendor}"

if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
input_bytes=$(( $(stat -c %s "$OLD") + $(stat -c %s "$NEW") ))

# Median wall time in milliseconds of RUNS runs of a command (output discarded).
median_ms() {
    local times=()
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null 2>&1 || true   # diff -u exits 1 when files differ
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'
}

if command -v hyperfine > /dev/null; then
    hyperfine --warmup 2 --runs "$RUNS" -i \
        "$BIN diff --color never $OLD $NEW" \
        "diff -u $OLD $NEW"
fi

"$BIN" diff --color never "$OLD" "$NEW" > /dev/null   # warm the page cache
vendor_ms=$(median_ms "$BIN" diff --color never "$OLD" "$NEW")
json_ms=$(median_ms "$BIN" diff --format json "$OLD" "$NEW")
diffu_ms=$(median_ms diff -u "$OLD" "$NEW")

echo "input: $OLD + $NEW = $(( input_bytes / 1024 )) KiB"
echo "vendor diff (human):  ${vendor_ms} ms (median of $RUNS)"
echo "vendor diff (json):   ${json_ms} ms (median of $RUNS)"
echo "diff -u:              ${diffu_ms} ms (median of $RUNS)"
awk -v v="$vendor_ms" -v d="$diffu_ms" 'BEGIN { printf "ratio vendor/diff -u:  %.2fx\n", v / d }'
awk -v v="$vendor_ms" 'BEGIN { printf "target < 250 ms:      %s\n", (v < 250 ? "met" : "NOT met") }'

if [ -x /usr/bin/time ]; then
    # CPU time is what the tool costs when the machine is shared (wall time includes waiting).
    cpu=$(/usr/bin/time -f '%U %S' "$BIN" diff --color never "$OLD" "$NEW" 2>&1 >/dev/null | tail -1)
    awk -v c="$cpu" 'BEGIN { split(c, t, " "); printf "vendor diff CPU time: %.0f ms (user+sys, all threads)\n", (t[1] + t[2]) * 1000 }'
    echo "load average:         $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
    peak_kb=$(/usr/bin/time -v "$BIN" diff --color never "$OLD" "$NEW" 2>&1 >/dev/null \
        | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
    awk -v p="$peak_kb" -v i="$input_bytes" 'BEGIN {
        printf "peak RSS:             %.1f MiB = %.1fx input (target < 10x): %s\n",
            p / 1024, p * 1024 / i, (p * 1024 / i < 10 ? "met" : "NOT met") }'
else
    echo "peak RSS:             /usr/bin/time not available"
fi
