#!/usr/bin/env bash
# Byte-identity check between two builds: runs both binaries on the corpus and the repository's
# own example and compares stdout, stderr and exit code: `vendor template` (real charts, Helm's
# golden cases), `vendor build` (the real kustomize overlays), `vendor diff` (release manifests
# across versions, every format), and `vendor check` / `vendor images` on the example.
#
# Usage: tools/compare_binaries.sh BASE_BIN NEW_BIN [CORPUS_DIR]
#   CORPUS_DIR defaults to ../shared/corpus, then /work/shared/corpus.
# Cases:
#   - helm-real/cases.json: each case's args on its chart (cwd = charts/);
#   - every chart under charts/ (a directory with Chart.yaml, two levels down): no flags,
#     --include-crds, and -f with each of its ci/*-values.yaml files;
#   - helm-golden/*/cases.json: each argv as given, and with `--kube-version 1.20.0` added
#     when the case has none (as the golden tests run them), cwd = the version directory;
#   - kustomize-real/cases.json: `build` of each case's build directory;
#   - raw/: `diff` of consecutive versions of each release manifest, in every format;
#   - the repository root: `check` and `images` in their formats.
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

repo=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$base" "$new" "$corpus" "$repo" <<'PY'
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

real_k = os.path.join(corpus, "kustomize-real")
if os.path.isfile(os.path.join(real_k, "cases.json")):
    for c in json.load(open(os.path.join(real_k, "cases.json")))["cases"]:
        cases.append((f"kustomize-real/{c['case']}", real_k,
                      ["build", os.path.join(c["case"], c["build_dir"])]))

raw = os.path.join(corpus, "raw")
for project in sorted(os.listdir(raw)) if os.path.isdir(raw) else []:
    versions = sorted(v for v in os.listdir(os.path.join(raw, project))
                      if os.path.isdir(os.path.join(raw, project, v)))
    for old, newv in zip(versions, versions[1:]):
        for f in sorted(os.listdir(os.path.join(raw, project, newv))):
            a = os.path.join(project, old, f)
            b = os.path.join(project, newv, f)
            if not os.path.exists(os.path.join(raw, a)):
                continue
            for fmt in ("human", "json", "markdown", "github"):
                cases.append((f"raw/diff {a} {b} ({fmt})", raw,
                              ["diff", "--color", "never", "--format", fmt, a, b]))

repo = sys.argv[4]
for argv in (["check", "--color", "never"], ["check", "--format", "json"],
             ["check", "--format", "github"], ["check", "--format", "sarif"],
             ["images"], ["images", "--format", "json"]):
    cases.append((f"example: {' '.join(argv)}", repo, argv))

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
