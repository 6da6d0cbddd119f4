#!/usr/bin/env bash
# Sync speed: 100 charts from a loopback Helm repository with 50 ms latency per request
# (target < 2 s with default parallelism), a warm-cache second sync (target: no archive
# downloaded), and reading a ~20 MB index.yaml (target < 200 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
cargo build --release --quiet --example index_parse
BIN="${VENDOR_BIN:-$PWD/target/release/vendor}"
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/sync_server.py "$WORK/srv" tests/fixtures/sources/charts/metallb/0.15.3 100 0.05 &
SERVER=$!
for _ in $(seq 200); do [ -f "$WORK/srv/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/srv/port")
BASE="http://127.0.0.1:$PORT"
echo "index.yaml (20 MB) size: $(du -h "$WORK/srv/big/index.yaml" | cut -f1)"

ms() { echo $(( ($2 - $1) / 1000000 )); }

mkdir -p "$WORK/proj"
cd "$WORK/proj"
for i in $(seq -f "%03g" 0 99); do
  printf '[chart.c%s]\nrepo = "%s/repo"\nchart = "chart-%s"\nversion = "1.0.0"\n\n' "$i" "$BASE" "$i"
done > vendor.toml
export VENDOR_CACHE_DIR="$WORK/cache"

cp vendor.toml vendor.toml.orig
for run in 1 2 3; do
  rm -rf upstream "$VENDOR_CACHE_DIR"; cp vendor.toml.orig vendor.toml; sync
  : > "$WORK/srv/requests.log"
  t0=$(date +%s%N); "$BIN" -q sync; t1=$(date +%s%N)
  echo "cold sync #$run, 100 charts, 50 ms latency, default -j: $(ms "$t0" "$t1") ms ($(grep -c '\.tgz' "$WORK/srv/requests.log") archive requests, $(wc -l < "$WORK/srv/requests.log") requests)"
done
# The network part alone: --locked fetches and verifies everything but writes no tree.
rm -rf "$VENDOR_CACHE_DIR"
t0=$(date +%s%N); "$BIN" -q sync --locked 2>/dev/null || true; t1=$(date +%s%N)
echo "cold fetch + verify only (sync --locked, empty cache): $(ms "$t0" "$t1") ms"
"$BIN" -q sync

: > "$WORK/srv/requests.log"
t0=$(date +%s%N); "$BIN" -q sync; t1=$(date +%s%N)
echo "second sync (warm cache, nothing changed): $(ms "$t0" "$t1") ms ($(wc -l < "$WORK/srv/requests.log") requests, $(grep -c '\.tgz' "$WORK/srv/requests.log" || true) archive downloads)"

mv upstream "$WORK/old-upstream" && sync
: > "$WORK/srv/requests.log"
t0=$(date +%s%N); "$BIN" -q sync; t1=$(date +%s%N)
echo "sync into a fresh checkout (warm cache, every tree written): $(ms "$t0" "$t1") ms ($(grep -c '\.tgz' "$WORK/srv/requests.log" || true) archive downloads)"

t0=$(date +%s%N); "$BIN" -q sync --locked; t1=$(date +%s%N)
echo "sync --locked, nothing to do: $(ms "$t0" "$t1") ms"

# Reading the 20 MB index: `vendor outdated` on one chart of it (download on loopback + parse).
mkdir -p "$WORK/big" && cd "$WORK/big"
printf '[chart.big]\nrepo = "%s/big"\nchart = "big-chart-3"\nversion = "7.0.0"\ntrack = "~7.1"\n' "$BASE" > vendor.toml
best=999999
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N); "$BIN" -q outdated > /dev/null; t1=$(date +%s%N)
  d=$(( $(ms "$t0" "$t1") - 50 )); [ "$d" -lt "$best" ] && best=$d
done
echo "outdated over the 20 MB index (download + parse, minus the 50 ms latency), best of 5: $best ms"

"$ROOT"/target/release/examples/index_parse "$WORK/srv/big/index.yaml"
