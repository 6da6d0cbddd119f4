#!/usr/bin/env bash
# Whole-process timing of `vendor template` on real charts (release build).
# Targets: ingress-nginx default values < 15 ms; metallb with subcharts < 30 ms.
# Also: bench/charts/keys (five 4096-bit RSA keys from genPrivateKey and a genCA) rendered by
# vendor and, where helm-python-sdk is installed, by Helm's Go engine (tools/helm/oracle.py),
# alternating runs so both see the same machine load.
# Usage: bench/template.sh [CHARTS_DIR]   (default: ../shared/corpus/charts or /work/shared/corpus/charts)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
charts="${1:-}"
for c in "$charts" ../shared/corpus/charts /work/shared/corpus/charts crates/helm-render/tests/fixtures/helm/charts; do
  if [ -n "$c" ] && [ -d "$c/ingress-nginx" ]; then charts="$c"; break; fi
done
if [ -z "${VENDOR_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${VENDOR_BIN:-$PWD/target/release/vendor}"
python3 - "$bin" "$root" <<'PY'
import os, resource, statistics, subprocess, sys, time
binary, root = sys.argv[1:3]
chart = os.path.join(root, "bench", "charts", "keys")
runs = 5
cmds = {"vendor": [binary, "template", chart]}
try:
    import helm_python  # noqa: F401
    cmds["helm (oracle)"] = [sys.executable, os.path.join(root, "tools", "helm", "oracle.py"), "template", chart]
except ImportError:
    print("keys chart: helm-python-sdk not installed, vendor only")
walls = {k: [] for k in cmds}
cpus = {k: [] for k in cmds}
for _ in range(runs):
    for k, cmd in cmds.items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls[k].append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus[k].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
for k in cmds:
    print(f"keys (5 RSA-4096 + genCA) {k:<14} wall median {statistics.median(walls[k]):5.2f} s  "
          f"min {min(walls[k]):5.2f} s  cpu median {statistics.median(cpus[k]):5.2f} s  ({runs} runs)")
PY

cd "$charts"

cases=(
  "ingress-nginx-default|15|template --name ingress-nginx --namespace ingress-nginx --kube-version 1.31.0 ingress-nginx/4.15.1"
  "metallb-default|30|template --name metallb --namespace metallb-system --kube-version 1.31.0 metallb/0.16.1"
  "metallb-frr-crds|30|template --name metallb --namespace metallb-system --set frrk8s.enabled=true --include-crds --kube-version 1.31.0 metallb/0.16.1"
)

if command -v hyperfine >/dev/null; then
  for c in "${cases[@]}"; do
    IFS='|' read -r name target args <<<"$c"
    echo "== $name (target < ${target} ms)"
    hyperfine --warmup 3 --runs 30 -N "$bin $args" 2>/dev/null | grep -E "Time|Range"
  done
  exit 0
fi

runs=30
if command -v python3 >/dev/null; then
  # Wall time is meaningless on a loaded machine; report CPU time (user+sys) per run as well.
  for c in "${cases[@]}"; do
    IFS='|' read -r name target args <<<"$c"
    # shellcheck disable=SC2086
    python3 - "$name" "$target" "$runs" "$bin" $args <<'PY'
import resource, subprocess, sys, time
name, target, n, *cmd = sys.argv[1:]
n = int(n)
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
walls = []
before = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append((time.perf_counter() - t) * 1000)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000 / n
walls.sort()
print(f"{name:<22} cpu {cpu:6.2f} ms/run  wall median {walls[n // 2]:6.2f} ms  min {walls[0]:6.2f} ms  (target < {target} ms)")
PY
  done
  exit 0
fi

for c in "${cases[@]}"; do
  IFS='|' read -r name target args <<<"$c"
  # shellcheck disable=SC2086
  "$bin" $args >/dev/null 2>&1 || true
  times=()
  for _ in $(seq $runs); do
    s=$(date +%s%N)
    # shellcheck disable=SC2086
    "$bin" $args >/dev/null 2>&1 || true
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  median=${sorted[$((runs / 2))]}
  min=${sorted[0]}
  printf '%-22s median %6.2f ms  min %6.2f ms  (target < %s ms)\n' "$name" \
    "$(echo "$median / 1000" | bc -l)" "$(echo "$min / 1000" | bc -l)" "$target"
done
