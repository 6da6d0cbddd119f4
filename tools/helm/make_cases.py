#!/usr/bin/env python3
"""Write crates/helm-render/tests/real-charts/cases.json and expected/ with the oracle.

Per chart (a directory under real-charts/charts/): `default`, one case per ci/*.yaml
values file, `long-name` (a 53-character release name, Helm's maximum), `upgrade`
(--is-upgrade) and, where the chart or an enabled subchart ships crds/, `crds`
(--include-crds).  Every case gets --namespace and --kube-version 1.31.0.

Random content: each case is rendered twice; lines that differ between the
renders are recorded as `random_lines` (regular expressions, Python/RE2 syntax,
matched against a whole line).  Comparisons replace each matching line of both
sides by `<random>` and fold runs of such lines into one (see status.py).

Cases are run with the charts directory as the working directory; values-file
paths in args are relative to it.

Modes (tests/real_charts.rs runs every case in Helm 3 and Helm 4 mode): each case has
`helm3` and `helm4` objects (`exit_code`, `basis`, `note`), and `edits.json.gz` holds per mode
and case the line edits ([start, end, [lines]] over the expected file's lines) that turn the
expected file into that mode's expected output:
  * helm4: the oracle run with --helm-compat v4 (Helm 4's framing, errors and install order);
  * helm3: where Helm 3.16 and the oracle's Helm 4 engine differ (null-valued chart defaults,
    schema validator wording), the Helm 3 output is derived from Helm 3.16's source: the
    cases and their explanation are listed in HELM3_DERIVED below, and the derived text is
    vendor's Helm 3 output (--helm3-vendor), accepted only after review of the diff.

Usage: make_cases.py [--root crates/helm-render/tests/real-charts] [--only DIR ...]
       make_cases.py --edits-only [--helm3-vendor PATH]   (recompute modes and edits.json.gz)
"""
import argparse
import difflib
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

LONG_NAME = "a-release-name-of-exactly-fifty-three-characters-abcd"
assert len(LONG_NAME) == 53
KUBE = "1.31.0"


def has_crds(d):
    for root, dirs, files in os.walk(d):
        if os.path.basename(root) == "crds" and any(f.endswith((".yaml", ".yml", ".json")) for f in files):
            return True
        for f in files:
            if f.endswith(".tgz"):
                import tarfile
                try:
                    with tarfile.open(os.path.join(root, f)) as tf:
                        if any("/crds/" in m.name for m in tf.getmembers()):
                            return True
                except Exception:
                    pass
    return False


KEY_RX = re.compile(r'^(\s*(?:- )?(?:"[^"]*"|\'[^\']*\'|[^\s:#][^:#]*?)\s*:)(\s|$)')


def line_regex(line):
    m = KEY_RX.match(line)
    if m:
        return "^" + re.escape(m.group(1)) + r"\s.*$"
    indent = re.match(r"^\s*", line).group(0)
    if re.fullmatch(r"\s*[A-Za-z0-9+/=_\-.]+\s*", line):
        return "^" + re.escape(indent) + r"[A-Za-z0-9+/=_\-.]+\s*$"
    m = re.match(r"^(\s*[A-Za-z0-9_.\-]+:)\S", line)
    if m:  # e.g. htpasswd lines "user:$2a$10$..."
        return "^" + re.escape(m.group(1)) + r".*$"
    return "^" + re.escape(line) + "$"


def random_lines(runs):
    rx = []
    base = runs[0].splitlines()
    for other in runs[1:]:
        sm = difflib.SequenceMatcher(None, base, other.splitlines(), autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                continue
            for ln in base[i1:i2] + other.splitlines()[j1:j2]:
                r = line_regex(ln)
                if r not in rx:
                    rx.append(r)
    return rx


def null_paths(chart_dir):
    """Null leaves in the values.yaml files of a chart tree (unpacked subcharts included).
    Helm 3.16 keeps such keys in .Values (toYaml prints `key: null`); Helm 4, and so the
    oracle, drops them.  Cases of such charts carry `oracle_caveat_nulls`."""
    import yaml
    out = []

    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                if x is None:
                    out.append(path + str(k))
                else:
                    walk(x, path + str(k) + ".")
    for root, dirs, files in os.walk(chart_dir):
        if "values.yaml" in files and "Chart.yaml" in files:
            try:
                v = yaml.safe_load(open(os.path.join(root, "values.yaml"))) or {}
            except Exception:
                continue
            rel = os.path.relpath(root, chart_dir)
            walk(v, "" if rel == "." else rel.replace(os.sep, "/") + ":")
    return out


# Cases whose Helm 3 output differs from the oracle's (Helm 4 engine) output, with why: a
# glob over case names -> explanation. Each was checked by reading Helm v3.16.4's source.
HELM3_DERIVED = {
    "jenkins-5.9.53/*": (
        "the agent template id is `sha256sum (toYaml .Values.agent)`; Helm 3.16 keeps the "
        "null-valued keys of values.yaml (pkg/chartutil/coalesce.go coalesceValues copies a "
        "default with `v[key] = val` even when val is nil), so the hashed YAML has their "
        "`key: null` lines and the id differs from Helm 4's, which drops them (cleanNilValues); "
        "for the same reason the controller's probes, written with toYaml, keep "
        "`initialDelaySeconds: null`"),
    "external-dns-1.21.1/*": (
        "values.yaml sets `policy:` (null) and the schema requires a string; Helm 3.16 keeps the "
        "null key (coalesceValues) and validates with xeipuuv/gojsonschema, which reports "
        "`policy: Invalid type. Expected: string, given: null`; Helm 4 drops the key and its "
        "validator (santhosh-tekuri/jsonschema) reports the missing property instead"),
}


def line_edits(base: str, target: str, random=()):
    """[[start, end, [lines]]] turning base's lines into target's (split on \\n); a change
    of random lines only (the case's random_lines) is not recorded."""
    rxs = [re.compile(r) for r in random]
    is_random = lambda ln: any(r.match(ln) for r in rxs)  # noqa: E731
    a, b = base.split("\n"), target.split("\n")
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1 and all(map(is_random, a[i1:i2] + b[j1:j2])):
            continue
        out.append([i1, i2, b[j1:j2]])
    return out


def edits_only(root, helm3_vendor):
    """Recomputes each case's helm3/helm4 objects and edits.json.gz."""
    import fnmatch
    import gzip
    import subprocess
    casesp = os.path.join(root, "cases.json")
    doc = json.load(open(casesp))
    editsp = os.path.join(root, "edits.json.gz")
    old = json.load(gzip.open(editsp)) if os.path.exists(editsp) else {}
    edits = {"helm3": {}, "helm4": {}}
    os.chdir(os.path.join(root, "charts"))
    for c in doc["cases"]:
        base = gzip.open(os.path.join(root, c["expected"])).read().decode("utf-8")
        out, err, code = oracle.run(["template", c["chart"]] + c["args"] + ["--helm-compat", "v4"])
        text = out if code == 0 else err
        c["helm4"] = {"exit_code": code, "basis": "oracle --helm-compat v4 (Helm 4.2.3 engine)"}
        if text != base or code != c["exit_code"]:
            edits["helm4"][c["name"]] = line_edits(base, text, c.get("random_lines", ()))
        note = next((n for g, n in HELM3_DERIVED.items() if fnmatch.fnmatch(c["name"], g)), None)
        if note is None:
            c["helm3"] = {"exit_code": c["exit_code"], "basis": "oracle (Helm 3.16 framing)"}
            continue
        c["helm3"] = {"basis": "derived from Helm 3.16's source", "note": note}
        if helm3_vendor:
            p = subprocess.run([helm3_vendor, "template", c["chart"]] + c["args"], capture_output=True)
            vcode = p.returncode
            vtext = (p.stdout if vcode == 0 else p.stderr).decode("utf-8")
            c["helm3"]["exit_code"] = vcode
            edits["helm3"][c["name"]] = line_edits(base, vtext, c.get("random_lines", ()))
            print("%s: helm3 derived, %d edits" % (c["name"], len(edits["helm3"][c["name"]])), file=sys.stderr)
        else:
            prev = old.get("helm3", {}).get(c["name"])
            c["helm3"]["exit_code"] = c.get("helm3", {}).get("exit_code", c["exit_code"])
            if prev is not None:
                edits["helm3"][c["name"]] = prev
    with open(casesp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with gzip.GzipFile(editsp, "wb", 9, mtime=0) as f:
        f.write(json.dumps(edits, indent=0, sort_keys=True).encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--root", default=os.path.join(here, "..", "..", "crates", "helm-render", "tests",
                                                   "real-charts"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--resume", action="store_true", help="reuse per-chart results of an earlier run")
    ap.add_argument("--shard", type=lambda s: tuple(int(x) for x in s.split("/")),
                    help="I/N: only charts with index %% N == I; writes per-chart results only")
    ap.add_argument("--edits-only", action="store_true",
                    help="recompute the helm3/helm4 mode data and edits.json.gz of the existing cases")
    ap.add_argument("--helm3-vendor", help="vendor binary whose Helm 3 output becomes the derived helm3 text")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    if a.edits_only:
        edits_only(root, a.helm3_vendor)
        return
    cdir = os.path.join(root, "charts")
    edir = os.path.join(root, "expected")
    os.makedirs(edir, exist_ok=True)
    casesp = os.path.join(root, "cases.json")
    old = json.load(open(casesp)) if os.path.exists(casesp) else {"cases": []}
    sources = {s["dir"]: s for s in json.load(open(os.path.join(root, "sources.json")))["charts"]}
    cases = [c for c in old["cases"] if a.only and c["chart"] not in a.only]
    os.chdir(cdir)
    fragd = os.path.join(root, ".cases.d")
    os.makedirs(fragd, exist_ok=True)
    for d in sorted(os.listdir(cdir)):
        if a.only and d not in a.only:
            continue
        if d not in sources:
            continue
        if a.shard and (sorted(sources).index(d) % a.shard[1]) != a.shard[0]:
            continue
        fragp = os.path.join(fragd, d + ".json")
        if a.resume and os.path.exists(fragp):
            cases.extend(json.load(open(fragp)))
            continue
        mine = []
        chart = sources[d]["chart"]
        ns = "ns-" + chart[:20]
        base = ["--namespace", ns, "--kube-version", KUBE]
        todo = [("default", ["--name", chart] + base)]
        for vf in sorted(glob.glob(os.path.join(d, "ci", "*.yaml")) + glob.glob(os.path.join(d, "ci", "*.yml"))):
            todo.append(("ci-" + os.path.splitext(os.path.basename(vf))[0], ["--name", chart] + base + ["-f", vf]))
        todo.append(("long-name", ["--name", LONG_NAME] + base))
        todo.append(("upgrade", ["--name", chart] + base + ["--is-upgrade"]))
        if has_crds(d):
            todo.append(("crds", ["--name", chart] + base + ["--include-crds"]))
        for cname, args in todo:
            name = "%s/%s" % (d, cname)
            runs = [oracle.run(["template", d] + args) for _ in range(2)]
            out, err, code = runs[0]
            text = out if code == 0 else err
            ext = ".yaml" if code == 0 else ".err"
            fn = "%s--%s%s" % (d, cname, ext)
            import gzip
            with gzip.GzipFile(os.path.join(edir, fn + ".gz"), "wb", 9, mtime=0) as f:
                f.write(text.encode("utf-8"))
            fn += ".gz"
            rl = random_lines([(r[0] if code == 0 else r[1]) for r in runs])
            c = {"name": name, "chart": d, "args": args, "exit_code": code, "expected": "expected/" + fn}
            if rl:
                c["random_lines"] = rl
            nulls = null_paths(d)
            if nulls:
                c["oracle_caveat_nulls"] = nulls[:20] + (["..."] if len(nulls) > 20 else [])
            if code != 0 and "values don't meet the specifications of the schema" in text:
                c["oracle_caveat"] = ("values.schema.json error text is Helm 4's (santhosh-tekuri/jsonschema); "
                                      "Helm 3.16 (xeipuuv/gojsonschema) words schema errors differently and may "
                                      "not reject these values at all")
            mine.append(c)
            print("%-60s exit=%d %7d bytes%s" % (name, code, len(text), " random=%d" % len(rl) if rl else ""),
                  file=sys.stderr)
        with open(fragp, "w") as f:
            json.dump(mine, f)
        cases.extend(mine)
    if a.shard:
        return
    for fn in os.listdir(fragd):
        if fn[:-5] in sources and not any(c["chart"] == fn[:-5] for c in cases):
            cases.extend(json.load(open(os.path.join(fragd, fn))))
    cases.sort(key=lambda c: c["name"])
    doc = {
        "reference": "oracle: tools/helm/oracle.py (helm template v3.16 output framing; Helm Go engine v4.2.3 "
                     "from helm-python-sdk 0.2.2)",
        "notes": ["args are helm-template flags; run with cwd = real-charts/charts; the chart argument is "
                  "`chart` (a directory under charts/)",
                  "expected holds stdout when exit_code is 0, else stderr",
                  "random_lines: regexes (whole line); before comparing, each matching line on both sides is "
                  "replaced by <random> and runs of <random> lines are folded into one",
                  "charts/ is not committed (size); rebuild it with tools/helm/fetch_charts.py --pin "
                  "real-charts/sources.json",
                  "expected files are gzip-compressed (gzip -n); compare the decompressed bytes",
                  "oracle_caveat_nulls: the chart's values.yaml files hold null leaves; Helm 3.16 keeps those "
                  "keys in .Values (toYaml prints `key: null`) while Helm 4, hence the oracle, drops them, so a "
                  "difference there may be the oracle's"],
        "cases": cases,
    }
    with open(casesp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
