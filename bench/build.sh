#!/usr/bin/env bash
# `vendor build` speed: the ten kustomize-real corpus overlays with `vendor build` (release) and
# `kubectl kustomize` side by side (target: >= 30x faster), then the 4 MB prometheus-operator
# bundle with five patches (target: < 150 ms), then a `helmCharts` overlay (ingress-nginx) with
# `vendor build --enable-helm` against `vendor template` on the same chart (the difference is
# kustomize's work). Uses hyperfine when installed.
# Usage: bench/build.sh [RUNS]   (CORPUS=/path/to/shared/corpus for the prometheus bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
CORPUS=${CORPUS:-../shared/corpus}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
BIN="${VENDOR_BIN:-$PWD/target/release/vendor}"
FIX=crates/kustomize/tests/fixtures
CASES=(neco-admission neco-argocd neco-cert-manager neco-elastic neco-kube-metrics-adapter
       neco-logging neco-metallb neco-moco neco-rook-overlay-gcp/overlays/gcp neco-topolvm)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Mean wall time in ms of RUNS runs of "$@" (stdout/stderr discarded).
mean_ms() {
  local runs=$1; shift
  local start end
  start=$(now_ms)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(now_ms)
  echo $(( (end - start) / runs ))
}

# "MEAN MIN": mean and fastest wall time in ms (with a decimal) of RUNS runs of "$@". On a shared,
# loaded machine the fastest run is the better estimate of the unloaded time.
mean_min_ms() {
  local runs=$1; shift
  local t0 t1 sum=0 min=
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    sum=$((sum + t1 - t0))
    if [ -z "$min" ] || [ $((t1 - t0)) -lt "$min" ]; then min=$((t1 - t0)); fi
  done
  awk -v s="$sum" -v m="$min" -v r="$runs" 'BEGIN { printf "%.1f %.1f", s / r / 1e6, m / 1e6 }'
}

# CPU time in ms of one run (all threads), when perf is available: on a loaded machine wall
# time mostly measures the scheduler.
cpu_ms() {
  if command -v perf >/dev/null 2>&1; then
    perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%d", $1 }'
  else
    echo -
  fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') on $(nproc) CPUs"
has_kubectl=1
command -v kubectl >/dev/null 2>&1 || has_kubectl=0
printf '%-40s %18s %18s %14s %14s\n' overlay "vendor mean/min" "kubectl mean/min" "ratio mean/min" "vendor cpu ms"
total_v=0; total_k=0; min_v=0; min_k=0
ratio() { awk -v k="$1" -v v="$2" 'BEGIN { printf "%.1fx", k / (v > 0 ? v : 0.1) }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }
for c in "${CASES[@]}"; do
  read -r v vmin <<<"$(mean_min_ms "$RUNS" "$BIN" build "$FIX/$c")"
  if [ $has_kubectl = 1 ]; then
    read -r k kmin <<<"$(mean_min_ms "$RUNS" kubectl kustomize "$FIX/$c")"
    r="$(ratio "$k" "$v")/$(ratio "$kmin" "$vmin")"
  else
    k=-; kmin=-; r=-
  fi
  printf '%-40s %18s %18s %14s %14s\n' "$c" "$v/$vmin" "$k/$kmin" "$r" "$(cpu_ms "$BIN" build "$FIX/$c")"
  total_v=$(add "$total_v" "$v"); min_v=$(add "$min_v" "$vmin")
  if [ $has_kubectl = 1 ]; then total_k=$(add "$total_k" "$k"); min_k=$(add "$min_k" "$kmin"); fi
done
if [ $has_kubectl = 1 ]; then
  printf '%-40s %18s %18s %14s\n' TOTAL "$total_v/$min_v" "$total_k/$min_k" \
    "$(ratio "$total_k" "$total_v")/$(ratio "$min_k" "$min_v")"
else
  echo "kubectl not installed: no comparison"
fi

BUNDLE="$CORPUS/raw/prometheus-operator/v0.83.0/bundle.yaml"
if [ -f "$BUNDLE" ]; then
  cp "$BUNDLE" bench/build-prometheus/bundle.yaml
  echo
  echo "prometheus-operator bundle ($(du -h "$BUNDLE" | cut -f1)) + 5 patches (target < 150 ms):"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "$((RUNS * 2))" "$BIN build bench/build-prometheus"
  else
    echo "  vendor build: $(mean_ms $((RUNS * 2)) "$BIN" build bench/build-prometheus) ms wall (mean of $((RUNS * 2))), $(cpu_ms "$BIN" build bench/build-prometheus) ms CPU"
    [ $has_kubectl = 1 ] && echo "  kubectl kustomize: $(mean_ms 2 kubectl kustomize bench/build-prometheus) ms (mean of 2)"
  fi
else
  echo "prometheus-operator bundle not found at $BUNDLE: skipped"
fi

CHART="$CORPUS/charts/ingress-nginx/4.15.1"
if [ -d "$CHART" ]; then
  HELM_DIR=$(mktemp -d)
  trap 'rm -rf "$HELM_DIR"' EXIT
  mkdir -p "$HELM_DIR/charts"
  ln -s "$(cd "$CHART" && pwd)" "$HELM_DIR/charts/ingress-nginx"
  cat >"$HELM_DIR/kustomization.yaml" <<'K'
helmCharts:
- name: ingress-nginx
  releaseName: ingress-nginx
  namespace: ingress-nginx
  kubeVersion: 1.31.0
namespace: ingress-nginx
commonLabels:
  team: edge
K
  echo
  echo "helmCharts overlay (ingress-nginx 4.15.1) against vendor template on the same chart:"
  b=$(mean_ms "$((RUNS * 2))" "$BIN" build --enable-helm "$HELM_DIR")
  t=$(mean_ms "$((RUNS * 2))" "$BIN" template --name ingress-nginx --namespace ingress-nginx --kube-version 1.31.0 "$CHART")
  printf '  vendor build --enable-helm: %s ms wall, %s ms CPU\n' "$b" "$(cpu_ms "$BIN" build --enable-helm "$HELM_DIR")"
  printf '  vendor template:            %s ms wall, %s ms CPU\n' "$t" "$(cpu_ms "$BIN" template --name ingress-nginx --namespace ingress-nginx --kube-version 1.31.0 "$CHART")"
else
  echo "ingress-nginx chart not found at $CHART: helmCharts overlay skipped"
fi
