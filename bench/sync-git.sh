#!/usr/bin/env bash
# Sync time of one git entry (issue 14): kube-state-metrics `examples/standard` from a
# repository made here with the corpus files at two tags (v2.19.1, v2.20.0), over `file://` and
# over smart HTTP on loopback (`git http-backend`, bench/git_http_server.py). For each
# transport: cold (empty cache: ls-remote, shallow fetch of the tag's one commit into the bare
# cache repository, files written) and warm (cache kept, `upstream/` removed: ls-remote only,
# files from the cached commit). Best and mean of RUNS runs.
# Usage: bench/sync-git.sh [RUNS]   (VENDOR_BIN=path to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
BIN="${VENDOR_BIN:-$PWD/target/release/vendor}"
KSM=$ROOT/tests/fixtures/git/kube-state-metrics
command -v git >/dev/null || { echo "git is not installed" >&2; exit 1; }
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

# The upstream repository: a README, then examples/standard at each version, one tag each.
REPO=$WORK/srv/kube-state-metrics.git
mkdir -p "$WORK/srv" "$WORK/src"
(
  cd "$WORK/src"
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
  export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
  git init -q -b main . && echo kube-state-metrics > README.md && git add -A
  git commit -q -m init
  for v in v2.19.1 v2.20.0; do
    rm -rf examples/standard && mkdir -p examples && cp -r "$KSM/$v" examples/standard
    git add -A && git commit -q -m "$v" && git tag "$v"
  done
  git clone -q --bare . "$REPO"
)

python3 bench/git_http_server.py "$WORK/srv" &
SERVER=$!
for _ in $(seq 100); do [ -f "$WORK/srv/port" ] && break; sleep 0.1; done
HTTP_URL="http://127.0.0.1:$(cat "$WORK/srv/port")/kube-state-metrics.git"

# Best and mean wall time in ms of the runs given on stdin (ns, one a line).
stats() { sort -n | awk '{ s += $1; if (NR == 1) m = $1 } END { printf "best %.0f ms, mean %.0f ms", m / 1e6, s / NR / 1e6 }'; }

measure() {
  local label=$1 url=$2 proj=$WORK/proj-$1
  mkdir -p "$proj"
  cd "$proj"
  printf '[manifest.kube-state-metrics]\ngit = "%s"\nref = "v{version}"\npaths = ["examples/standard"]\nversion = "2.19.1"\n' "$url" > vendor.toml.orig
  export VENDOR_CACHE_DIR=$proj/cache
  : > "$WORK/cold" && : > "$WORK/warm"
  for _ in $(seq "$RUNS"); do
    rm -rf upstream "$VENDOR_CACHE_DIR" && cp vendor.toml.orig vendor.toml
    t0=$(date +%s%N); "$BIN" -q sync; t1=$(date +%s%N)
    echo $((t1 - t0)) >> "$WORK/cold"
    rm -rf upstream && cp vendor.toml.orig vendor.toml
    : > "$WORK/srv/requests.log"
    t0=$(date +%s%N); "$BIN" -q sync; t1=$(date +%s%N)
    echo $((t1 - t0)) >> "$WORK/warm"
  done
  "$BIN" -q check >/dev/null
  echo "$label cold (empty cache): $(stats < "$WORK/cold")"
  echo "$label warm (cached commit): $(stats < "$WORK/warm")"
  cd "$ROOT"
}

echo "git entry: kube-state-metrics examples/standard (6 files) at v2.19.1, $RUNS runs"
measure file "file://$REPO"
measure http "$HTTP_URL"
echo "http warm sync requests: $(grep -c . "$WORK/srv/requests.log") ($(grep -c 'git-upload-pack$' "$WORK/srv/requests.log") upload-pack)"
