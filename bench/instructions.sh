#!/usr/bin/env bash
# Instruction counts (valgrind callgrind, one thread) of representative commands for two builds,
# with the ratio: a steady comparison on a loaded or shared machine, where wall time is noise.
# Usage: bench/instructions.sh OLD_BIN NEW_BIN   (CORPUS=/path/to/shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1")
new=$(realpath "$2")
corpus=${CORPUS:-/work/shared/corpus}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }
count() {
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/Collected/ {print $4}'
}
cases=(
  "check -q"
  "build $corpus/kustomize-real/neco-argocd"
  "diff $corpus/raw/prometheus-operator/v0.83.0/bundle.yaml $corpus/raw/prometheus-operator/v0.84.1/bundle.yaml"
  "template $corpus/charts/ingress-nginx/4.15.1"
)
printf '%-12s %15s %15s %8s\n' command old new ratio
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  a=$(count "$old" $c); b=$(count "$new" $c)
  printf '%-12s %15s %15s %8s\n' "${c%% *}" "$a" "$b" "$(awk "BEGIN{printf \"%.3f\", $b/$a}")"
done
