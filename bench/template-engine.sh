#!/usr/bin/env bash
# Benchmark of the Go template engine (crates/gotemplate, with the Sprig and Helm functions of
# crates/helm-render): parse + render of every ingress-nginx 4.15.1 template with default values.
# Prints per-iteration figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p helm-render --example template_bench >/dev/null 2>&1 ||
  cargo build --release -p helm-render --example template_bench
./target/release/examples/template_bench "${1:-200}"
