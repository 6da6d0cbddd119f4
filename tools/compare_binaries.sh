#!/usr/bin/env bash
# Byte-identity check of `vendor template` between two builds: runs both binaries on the
# real-chart corpus and Helm's golden cases and compares stdout, stderr and exit code.
#
# Usage: tools/compare_binaries.sh BASE_BIN NEW_BIN [CORPUS_DIR]
#   CORPUS_DIR defaults to ../shared/corpus, then /work/shared/corpus.
# Cases:
#   - helm-real/cases.json: each case's args on its chart (cwd = charts/);
#   - every chart under charts/ (a directory with Chart.yaml, two levels down): no flags,
#     --include-crds, and -f with each of its ci/*-values.yaml files;
#   - helm-golden/*/cases.json: each argv as given, and with `--kube-version 1.20.0` added
#     when the case has none (as the golden tests run them), cwd = the version directory.
# A case whose output differs between two runs of BASE_BIN is reported as nondeterministic
# and not counted as a difference. Exit status: 0 when there are no differences.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,16p' "$0" >&2
  exit 2
fi
base=$(realpath "$1")
new=$(realpath "$2")
corpus="${3:-}"
for c in "$corpus" "$(dirname "$0")/../../shared/corpus" ../shared/corpus /work/shared/corpus; do
  if [ -n "$c" ] && [ -d "$c/charts" ]; then corpus=$(realpath "$c"); break; fi
done
[ -d "$corpus/charts" ] || { echo "no corpus found" >&2; exit 2; }

python3 - "$base" "$new" "$corpus" <<'PY'
import json, os, subprocess, sys, glob

base, new, corpus = sys.argv[1:4]
cases = []  # (label, cwd, argv)

charts = os.path.join(corpus, "charts")
real = json.load(open(os.path.join(corpus, "helm-real", "cases.json")))
for c in real["cases"]:
    cases.append((f"helm-real/{c['name']}", charts, ["template", *c["args"], c["chart"]]))

for chart_yaml in sorted(glob.glob(os.path.join(charts, "*", "*", "Chart.yaml"))):
    chart = os.path.relpath(os.path.dirname(chart_yaml), charts)
    cases.append((f"charts/{chart} (defaults)", charts, ["template", chart]))
    cases.append((f"charts/{chart} --include-crds", charts, ["template", "--include-crds", chart]))
    for values in sorted(glob.glob(os.path.join(charts, chart, "ci", "*.yaml"))):
        rel = os.path.relpath(values, charts)
        cases.append((f"charts/{chart} -f {os.path.basename(values)}", charts,
                      ["template", "-f", rel, chart]))

for cases_json in sorted(glob.glob(os.path.join(corpus, "helm-golden", "*", "cases.json"))):
    vdir = os.path.dirname(cases_json)
    version = os.path.basename(vdir)
    for c in json.load(open(cases_json))["cases"]:
        argv = list(c["argv"])
        cases.append((f"helm-golden/{version}/{c['name']}", vdir, argv))
        if not any(a.startswith("--kube-version") for a in argv):
            cases.append((f"helm-golden/{version}/{c['name']} (kube 1.20.0)", vdir,
                          [argv[0], "--kube-version", "1.20.0", *argv[1:]]))

def run(binary, cwd, argv):
    p = subprocess.run([binary, *argv], cwd=cwd, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr

def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a.split(b"\n"), b.split(b"\n"))):
        if x != y:
            return f"line {i + 1}: {x[:120]!r} vs {y[:120]!r}"
    return f"lengths {len(a)} vs {len(b)} bytes"

diffs = nondet = 0
for label, cwd, argv in cases:
    b = run(base, cwd, argv)
    n = run(new, cwd, argv)
    if b == n:
        continue
    if run(base, cwd, argv) != b:
        nondet += 1
        print(f"NONDETERMINISTIC {label}")
        continue
    diffs += 1
    what = []
    if b[0] != n[0]:
        what.append(f"exit {b[0]} vs {n[0]}")
    if b[1] != n[1]:
        what.append("stdout " + first_diff(b[1], n[1]))
    if b[2] != n[2]:
        what.append("stderr " + first_diff(b[2], n[2]))
    print(f"DIFF {label} ({' '.join(argv)}): {'; '.join(what)}")

print(f"compared {len(cases)} cases: {len(cases) - diffs - nondet} identical, "
      f"{diffs} differences, {nondet} nondeterministic")
sys.exit(1 if diffs else 0)
PY
