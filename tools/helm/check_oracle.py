#!/usr/bin/env python3
"""Verify tools/helm/oracle.py against the recorded Helm outputs in the shared corpus.

  * helm-real/cases.json   (helm template v3.16.4): stdout (exit 0) or stderr (exit 1), byte-exact
  * helm-golden/v3.21.4 and v4.2.4 cases.json: Helm's own TestTemplateCmd goldens; stdout+stderr
    in one buffer, CRLF->LF only.  The goldens were produced by a test build whose default
    Kubernetes version is v1.20.0, so the oracle runs them with --default-kube-version 1.20.0;
    the v4 goldens run with --helm-compat v4.

Usage: check_oracle.py [--corpus /work/shared/corpus] [-v]
Exit code 0 when every case agrees.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402


def first_diff(a, b):
    al, bl = a.splitlines(True), b.splitlines(True)
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return "line %d: expected %r got %r" % (i + 1, x, y)
    if len(al) != len(bl):
        return "length: expected %d lines got %d" % (len(al), len(bl))
    return "no line difference (trailing bytes?)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/shared/corpus")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    total = {}
    fails = []

    real = os.path.join(a.corpus, "helm-real")
    d = json.load(open(os.path.join(real, "cases.json")))
    cwd = os.getcwd()
    os.chdir(os.path.join(a.corpus, "charts"))
    try:
        for c in d["cases"]:
            out, err, code = oracle.run(["template", c["chart"]] + c["args"])
            want = open(os.path.join(real, c["expected"]), encoding="utf-8").read()
            got = out if c["exit_code"] == 0 else err
            ok = code == c["exit_code"] and got == want
            total.setdefault("helm-real", [0, 0])[0 if ok else 1] += 1
            if not ok:
                fails.append(("helm-real", c["name"], first_diff(want, got) + " exit=%d" % code))
    finally:
        os.chdir(cwd)

    for ver, compat in (("v3.21.4", "v3"), ("v4.2.4", "v4")):
        base = os.path.join(a.corpus, "helm-golden", ver)
        d = json.load(open(os.path.join(base, "cases.json")))
        os.chdir(base)
        try:
            for c in d["cases"]:
                want = open(c["golden"], encoding="utf-8").read().replace("\r\n", "\n")
                ok = True
                detail = ""
                for _ in range(c.get("repeat", 0) + 1):
                    out, err, code = oracle.run(c["argv"] + ["--helm-compat", compat,
                                                             "--default-kube-version", "1.20.0"])
                    got = (out + err).replace("\r\n", "\n")
                    if (code != 0) != c["want_error"] or got != want:
                        ok = False
                        detail = first_diff(want, got) + " exit=%d" % code
                        break
                key = "helm-golden/" + ver
                total.setdefault(key, [0, 0])[0 if ok else 1] += 1
                if not ok:
                    fails.append((key, c["name"], detail))
        finally:
            os.chdir(cwd)

    for k, (ok, bad) in total.items():
        print("%-22s %3d/%d byte-identical" % (k, ok, ok + bad))
    for f in fails:
        print("DIFF %s :: %s :: %s" % f)
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
