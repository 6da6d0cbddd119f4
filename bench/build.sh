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
printf '%-40s %12s %14s %8s %14s\n' overlay "vendor (ms)" "kubectl (ms)" ratio "vendor cpu ms"
total_v=0; total_k=0
for c in "${CASES[@]}"; do
  v=$(mean_ms "$RUNS" "$BIN" build "$FIX/$c")
  if [ $has_kubectl = 1 ]; then
    k=$(mean_ms "$RUNS" kubectl kustomize "$FIX/$c")
    ratio=$(awk -v k="$k" -v v="$v" 'BEGIN { printf "%.1fx", k / (v > 0 ? v : 1) }')
  else
    k=-; ratio=-
  fi
  printf '%-40s %12s %14s %8s %14s\n' "$c" "$v" "$k" "$ratio" "$(cpu_ms "$BIN" build "$FIX/$c")"
  total_v=$((total_v + v)); [ $has_kubectl = 1 ] && total_k=$((total_k + k))
done
if [ $has_kubectl = 1 ]; then
  printf '%-40s %12s %14s %8s\n' TOTAL "$total_v" "$total_k" \
    "$(awk -v k="$total_k" -v v="$total_v" 'BEGIN { printf "%.1fx", k / (v > 0 ? v : 1) }')"
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
