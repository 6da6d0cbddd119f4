#!/usr/bin/env bash
# Parse and emit times of kyaml on the prometheus-operator bundle (4 MB, target: parse
# well under 100 ms) and on a kustomize-real output. Usage: bench/yaml.sh [FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p kyaml --example yaml_bench
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(/work/shared/corpus/raw/prometheus-operator/v0.84.1/bundle.yaml crates/kyaml/tests/fixtures/kustomize-real/neco-cert-manager.yaml)
fi
for f in "${files[@]}"; do
  if [ -f "$f" ]; then
    target/release/examples/yaml_bench "$f" 10
    # Wall-clock figures inflate on a shared machine; CPU time of one round (events + parse +
    # emit) is the steadier number.
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "  one round CPU: %U s user, %S s sys (load: $(cut -d' ' -f1 /proc/loadavg))" \
        target/release/examples/yaml_bench "$f" 1 2>&1 >/dev/null
    fi
  else
    echo "skipped $f (missing)"
  fi
done
