#!/usr/bin/env python3
"""Conformance status of a vendor binary against the recorded Helm outputs.

Runs `VENDOR template ...` on every real-chart case (crates/helm-render/tests/real-charts/
cases.json; needs charts/ rebuilt by fetch_charts.py) and every suite case
(crates/helm-render/tests/suites/*.json, each rendered from a throwaway chart exactly as
extract_suites.py does for the oracle), compares with the expected outputs (ignoring the
recorded random lines / random cases) and writes docs/helm-conformance.md.

Usage: status.py --vendor PATH [--out docs/helm-conformance.md] [--jobs 2] [--only-suites]
                 [--json results.json]
"""
import argparse
import concurrent.futures as cf
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extract_suites import write_case_chart, parse_template_output  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
RC = os.path.join(ROOT, "crates", "helm-render", "tests", "real-charts")
SUITES = os.path.join(ROOT, "crates", "helm-render", "tests", "suites")
TIMEOUT = 120


def normalise(text, rx_list):
    if not rx_list:
        return text
    rxs = [re.compile(r) for r in rx_list]
    out = []
    for ln in text.split("\n"):
        if any(r.match(ln) for r in rxs):
            if out and out[-1] == "<random>":
                continue
            out.append("<random>")
        else:
            out.append(ln)
    return "\n".join(out)


def first_diff(want, got):
    wl, gl = want.split("\n"), got.split("\n")
    for i, (a, b) in enumerate(zip(wl, gl)):
        if a != b:
            ctx = wl[max(0, i - 3):i]
            return i + 1, a, b, ctx
    if len(wl) != len(gl):
        i = min(len(wl), len(gl))
        return i + 1, (wl[i] if i < len(wl) else "<end of output>"), (gl[i] if i < len(gl) else "<end of output>"), \
            wl[max(0, i - 3):i]
    return None


def run_vendor(vendor, args, cwd):
    try:
        p = subprocess.run([vendor, "template"] + args, cwd=cwd, capture_output=True, timeout=TIMEOUT)
        return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired:
        return "", "TIMEOUT after %ds" % TIMEOUT, -1


def chart_case(vendor, c):
    cdir = os.path.join(RC, "charts")
    ep = os.path.join(RC, c["expected"])
    if ep.endswith(".gz"):
        import gzip
        want = gzip.open(ep, "rb").read().decode("utf-8")
    else:
        want = open(ep, encoding="utf-8", newline="").read()
    out, err, code = run_vendor(vendor, [c["chart"]] + c["args"], cdir)
    got = out if c["exit_code"] == 0 else err
    rl = c.get("random_lines")
    w, g = normalise(want, rl), normalise(got, rl)
    res = {"name": c["name"], "chart": c["chart"], "ok": (code == 0) == (c["exit_code"] == 0) and w == g}
    if not res["ok"]:
        res["caveats"] = [k for k in ("oracle_caveat", "oracle_caveat_nulls") if c.get(k)]
        res["exit"] = code
        res["want_exit"] = c["exit_code"]
        res["stderr"] = err[-2000:]
        d = first_diff(w, g)
        if d:
            res["diff"] = d
    return res


def suite_case(vendor, suite, c, work):
    d = tempfile.mkdtemp(dir=work)
    try:
        cd = os.path.join(d, "suite")
        write_case_chart(cd, c["template"], c["values"])
        out, err, code = run_vendor(vendor, [cd, "--name", "r", "--kube-version", "1.31.0"], d)
        kind, res = parse_template_output(out, err, code)
        if "expected" in c:
            ok = kind == "ok" and (c.get("random") or res == c["expected"])
            want = ("ok", c["expected"])
        else:
            ok = kind == "error" and (c.get("random") or res == c["expected_error"])
            want = ("error", c["expected_error"])
        r = {"name": c["name"], "suite": suite, "ok": ok}
        if not ok:
            r["template"] = c["template"]
            r["values"] = c["values"]
            r["want"] = want
            r["got"] = (kind, res)
        return r
    finally:
        shutil.rmtree(d, ignore_errors=True)


def md_escape(s, n=300):
    s = s if len(s) <= n else s[:n] + "…"
    return "`` " + s.replace("`", "'").replace("\n", "⏎") + " ``" if s else "(empty)"


def classify_suite_failure(r):
    wk, wv = r["want"]
    gk, gv = r["got"]
    if wk == "ok" and gk == "error":
        m = re.search(r'function "(\w+)" not defined', gv)
        if m:
            return "function not defined: " + m.group(1)
        return "vendor fails where Helm renders"
    if wk == "error" and gk == "ok":
        return "vendor renders where Helm fails"
    if wk == "error":
        return "different error text"
    return "different output"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vendor", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "helm-conformance.md"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only-suites", action="store_true")
    ap.add_argument("--json", help="also write raw results here")
    ap.add_argument("--fuzz", nargs="*", default=[], help="summary.json files of fuzz.py runs to list")
    a = ap.parse_args()
    vendor = os.path.abspath(a.vendor)
    work = tempfile.mkdtemp()
    chart_results = []
    suite_results = {}
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        if not a.only_suites:
            cases = json.load(open(os.path.join(RC, "cases.json")))["cases"]
            if not os.path.isdir(os.path.join(RC, "charts")):
                print("real-charts/charts missing: run tools/helm/fetch_charts.py --pin "
                      "crates/helm-render/tests/real-charts/sources.json", file=sys.stderr)
                cases = []
            chart_results = list(ex.map(lambda c: chart_case(vendor, c), cases))
        for fn in sorted(os.listdir(SUITES)):
            if not fn.endswith(".json"):
                continue
            doc = json.load(open(os.path.join(SUITES, fn)))
            suite = doc["suite"]
            suite_results[suite] = list(ex.map(lambda c: suite_case(vendor, suite, c, work), doc["cases"]))
    shutil.rmtree(work, ignore_errors=True)
    if a.json:
        json.dump({"charts": chart_results, "suites": suite_results}, open(a.json, "w"), indent=1)

    ver = subprocess.run([vendor, "--version"], capture_output=True, text=True).stdout.strip()
    L = ["# Helm conformance status", "",
         "Generated by `tools/helm/status.py --vendor %s` (%s) on %s." % (
             os.path.basename(vendor), ver or "?", datetime.date.today().isoformat()), "",
         "Expected outputs come from `tools/helm/oracle.py` (Helm's Go engine v4.2.3 from "
         "helm-python-sdk 0.2.2, framed as `helm template` v3.16 prints; verified byte-identical on "
         "61/62 recorded corpus cases by `tools/helm/check_oracle.py`). Random lines "
         "(`random_lines` in cases.json) and random suite cases are ignored.", ""]
    L += ["## Data and tools", "",
          "- `tools/helm/oracle.py` — `helm template` CLI emulation over Helm's Go engine; "
          "`tools/helm/check_oracle.py` verifies it on /work/shared/corpus (helm-real 14/14, "
          "helm-golden v3.21.4 22/23, v4.2.4 25/25 byte-identical; the one miss is `issue-9027`, where "
          "Helm 4 and Helm 3 coalesce null parent values into subcharts differently).",
          "- Oracle limits: `--set` integers reach the engine as float64; `.Capabilities.HelmVersion` is "
          "the library's v4.2; default `.Capabilities.APIVersions` is Helm 4.2.3's list; values.schema.json "
          "errors are worded by Helm 4's validator; null-valued parent values do not delete subchart "
          "defaults (Helm 4 coalescing); exec errors are rewritten from Helm 4's multi-line form to Helm 3's "
          "one-line form.",
          "- `tools/helm/fetch_charts.py` — rebuilds `crates/helm-render/tests/real-charts/charts/` from "
          "repository snapshots (`--pin real-charts/sources.json` for the recorded commits); "
          "`tools/helm/make_cases.py` writes `cases.json` + gzip'd `expected/` with the oracle.",
          "- `tools/helm/extract_suites.py` — Sprig v3.3.0, Go text/template (Go 1.24 via go-task/template) "
          "and Helm v3.16.4 engine test tables as `crates/helm-render/tests/suites/*.json`.",
          "- `tools/helm/status.py` (this report) and `tools/helm/fuzz.py` (differential fuzzer).", ""]
    L += ["## Summary", "", "| set | cases | agree | differ |", "|---|---:|---:|---:|"]
    tot_c = len(chart_results)
    ok_c = sum(r["ok"] for r in chart_results)
    L.append("| real charts (all) | %d | %d | %d |" % (tot_c, ok_c, tot_c - ok_c))
    for s, rs in suite_results.items():
        L.append("| suite %s | %d | %d | %d |" % (s, len(rs), sum(r["ok"] for r in rs),
                                                  len(rs) - sum(r["ok"] for r in rs)))
    L += ["", "## Real charts", "", "| chart | cases | agree | differ |", "|---|---:|---:|---:|"]
    per = {}
    for r in chart_results:
        per.setdefault(r["chart"], []).append(r)
    for ch in sorted(per):
        rs = per[ch]
        L.append("| %s | %d | %d | %d |" % (ch, len(rs), sum(x["ok"] for x in rs), sum(not x["ok"] for x in rs)))
    L += ["", "### Differing real-chart cases", ""]
    for r in chart_results:
        if r["ok"]:
            continue
        L.append("- **%s** (exit %s, want %s)%s" % (r["name"], r.get("exit"), r.get("want_exit"),
                                                 " — oracle caveat: " + ", ".join(r["caveats"])
                                                 if r.get("caveats") else ""))
        if "diff" in r:
            ln, w, g, ctx = r["diff"]
            L.append("  - first difference at line %d: expected %s, got %s" % (ln, md_escape(w, 200),
                                                                                md_escape(g, 200)))
        if r.get("exit") not in (0, None) and r.get("stderr"):
            L.append("  - stderr: %s" % md_escape(r["stderr"].strip(), 400))
    for s, rs in suite_results.items():
        bad = [r for r in rs if not r["ok"]]
        L += ["", "## Suite %s: %d differing cases" % (s, len(bad)), ""]
        groups = {}
        for r in bad:
            groups.setdefault(classify_suite_failure(r), []).append(r)
        for g in sorted(groups, key=lambda k: -len(groups[k])):
            L.append("### %s (%d)" % (g, len(groups[g])))
            L.append("")
            for r in groups[g]:
                L.append("- **%s** template %s values %s" % (r["name"], md_escape(r["template"], 160),
                                                             md_escape(json.dumps(r["values"]), 100)))
                L.append("  - expected (%s): %s" % (r["want"][0], md_escape(str(r["want"][1]), 300)))
                L.append("  - got (%s): %s" % (r["got"][0], md_escape(str(r["got"][1]), 300)))
            L.append("")
    for fzp in a.fuzz:
        fz = json.load(open(fzp))
        st = fz["stats"]
        L += ["", "## Differential fuzzing (tools/helm/fuzz.py), seed %s" % fz["seed"], ""]
        if st.get("cases", -1) >= 0:
            L.append("%s s: %d cases (%d rendered by Helm, %d Helm errors), %d differing, %d distinct "
                     "signatures. Each distinct difference (minimised reproducer):" % (
                         fz["seconds"], st["cases"], st["oracle_ok"], st["oracle_error"],
                         st["differences"], st["distinct"]))
        else:
            L.append("%s. %d distinct signatures:" % (fz["seconds"], st["distinct"]))
        L.append("")
        for x in fz["distinct"]:
            L.append("- **%s** ×%d: template %s values %s" % (x["kind"], x["count"], md_escape(x["template"], 200),
                                                           md_escape(json.dumps(x["values"]), 120)))
            L.append("  - Helm (%s): %s" % (x["oracle"][0], md_escape(str(x["oracle"][1]), 240)))
            L.append("  - vendor (%s): %s" % (x["vendor"][0], md_escape(str(x["vendor"][1]), 240)))
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(L) + "\n")
    print("charts %d/%d; " % (ok_c, tot_c) + "; ".join(
        "%s %d/%d" % (s, sum(r["ok"] for r in rs), len(rs)) for s, rs in suite_results.items()))


if __name__ == "__main__":
    main()
