#!/usr/bin/env python3
"""Run `vendor build` on every krusty fixture and compare with kubectl's output.

    tools/krusty/status.py [--vendor PATH] [--json FILE|-] [--no-doc] [-j N] [--only REGEXP]

For each case under crates/kustomize/tests/krusty/ the binary is run as

    vendor build [--enable-helm] [--load-restrictor X] input/<dir>

from the case directory (the flags only where case.json asks for them), and
the case gets one status:

    identical        stdout is byte-for-byte expected.yaml (where vendor fails closed on an
                     error-level finding that kustomize ignores, with that code allowed: -A)
    differs          vendor builds, but the output is not expected.yaml
    refused          vendor fails (exit 2) where kubectl builds
    accepts-invalid  vendor builds where kubectl fails
    rejected-ok      both fail (vendor: exit 2, or exit 1 with an error-level finding)
    excluded         not run: plugin-exec / network / unparsed case, or no reference

It writes docs/kustomize-conformance.md (unless --no-doc) and, with --json,
the same results as JSON.  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "crates" / "kustomize" / "tests" / "krusty"
DOC = REPO_ROOT / "docs" / "kustomize-conformance.md"
DEFAULT_VENDOR = "/work/bin/vendor-baseline"

STATUSES = ["identical", "differs", "refused", "accepts-invalid", "rejected-ok", "excluded"]


def vendor_args(vendor: str, meta: dict) -> list[str]:
    o = meta.get("options") or {}
    args = [vendor, "build"]
    if o.get("enable_helm"):
        args.append("--enable-helm")
    lr = o.get("load_restrictor")
    if lr and lr != "LoadRestrictionsRootOnly":
        args += ["--load-restrictor", lr]
    d = meta.get("dir") or "."
    args.append("input" if d == "." else f"input/{d}")
    return args


def first_error_line(stderr: str) -> str:
    """The first error of a failed run, as one line.  vendor reports through
    miette (`  x message`, continued on `  | ...` lines, then `help: ...`);
    clap and other errors start with `error:`."""
    lines = stderr.splitlines()
    for i, ln in enumerate(lines):
        t = ln.strip()
        if t.startswith(("x ", "× ")):
            msg = [t[2:].strip()]
            help_ = ""
            for nxt in lines[i + 1:]:
                u = nxt.strip()
                if u.startswith("|") or u.startswith("│"):
                    msg.append(u[1:].strip())
                elif u.startswith("help:") and not help_:
                    help_ = u
                    break
                elif not u:
                    continue
                else:
                    break
            out = " ".join(m for m in msg if m)
            return out + (f" ({help_})" if help_ else "")
        if t.lower().startswith("error"):
            return t
    for ln in lines:
        t = ln.strip()
        if t and not t.startswith("#") and not t.lower().startswith("warning"):
            return t
    return "(no message)"


def first_difference(expected: bytes, actual: bytes) -> str:
    e = expected.decode("utf-8", "replace").split("\n")
    a = actual.decode("utf-8", "replace").split("\n")
    for i in range(max(len(e), len(a))):
        x = e[i] if i < len(e) else None
        y = a[i] if i < len(a) else None
        if x != y:
            show = lambda s: "(end of output)" if s is None else repr(s)[1:-1][:70]  # noqa: E731
            return f"line {i + 1}: expected `{show(x)}`, got `{show(y)}`"
    return "(no line differs)"


def docs_of(text: bytes) -> list[str]:
    t = text.decode("utf-8", "replace")
    return sorted(d.strip("\n") for d in re.split(r"(?m)^---\n", t) if d.strip())


def run_case(case_dir: Path, vendor: str, timeout: int) -> dict:
    meta = json.loads((case_dir / "case.json").read_text())
    r = {
        "case": case_dir.name,
        "test": meta.get("test"),
        "file": meta.get("file"),
        "category": meta.get("category"),
        "kustomize_test_expects": meta.get("kustomize_test_expects"),
    }
    expected = case_dir / "expected.yaml"
    expected_err = case_dir / "expected-error.txt"
    if meta.get("category") != "ok":
        r["status"] = "excluded"
        r["note"] = f"{meta.get('category')}: {meta.get('reason', '')}"
        return r
    if not expected.exists() and not expected_err.exists():
        r["status"] = "excluded"
        r["note"] = "no reference output"
        return r
    args = vendor_args(vendor, meta)
    r["command"] = " ".join(["vendor"] + args[1:])
    try:
        p = subprocess.run(args, cwd=case_dir, capture_output=True, timeout=timeout,
                           env=dict(os.environ, NO_COLOR="1", COLUMNS="400"))
        rc, out, err = p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, out, err = 124, b"", f"timed out after {timeout}s"
    r["exit"] = rc
    # vendor fails closed: an error-level finding where kustomize goes on (a JSON patch whose
    # target matches nothing) withholds the output. The build itself is compared with those
    # codes allowed (`-A CODE`), and the note says so.
    allowed = sorted(set(re.findall(r"(?m)^error\[([a-z0-9-]+)\]", err))) if rc == 1 else []
    if expected.exists() and allowed and not out:
        again = args[:2] + [a for c in allowed for a in ("-A", c)] + args[2:]
        p = subprocess.run(again, cwd=case_dir, capture_output=True, timeout=timeout,
                           env=dict(os.environ, NO_COLOR="1", COLUMNS="400"))
        if p.returncode == 0:
            out = p.stdout
    if expected.exists():
        if rc == 2 or rc == 124 or rc < 0 or rc > 2:
            r["status"] = "refused"
            r["note"] = first_error_line(err)
        elif out == expected.read_bytes():
            r["status"] = "identical"
            r["note"] = "" if rc == 0 else (
                "exit 1: fails closed on " + ", ".join(allowed)
                + " where kustomize goes on; identical with " + " ".join(f"-A {c}" for c in allowed))
        else:
            r["status"] = "differs"
            exp = expected.read_bytes()
            if docs_of(exp) == docs_of(out):
                r["note"] = "same documents, other order; " + first_difference(exp, out)
            else:
                r["note"] = first_difference(exp, out)
        if meta.get("expected_from_test"):
            r["note"] = (r["note"] + " " if r["note"] else "") + "(reference is the Go test's expectation: no helm here)"
    else:
        kubectl_err = expected_err.read_text().strip().splitlines()
        if rc == 2 or rc == 124 or rc < 0 or rc > 2:
            r["status"] = "rejected-ok"
            r["note"] = first_error_line(err)
        elif rc == 1 and re.search(r"(?m)^error\[", err):
            # An error-level finding (a patch without a target, a failing JSON patch
            # operation): vendor reports it and exits 1 where kustomize stops.
            r["status"] = "rejected-ok"
            r["note"] = "exit 1: " + next(
                (ln.strip() for ln in err.splitlines() if ln.startswith("error[")), "")
        else:
            r["status"] = "accepts-invalid"
            r["note"] = "kubectl: " + (kubectl_err[0] if kubectl_err else "(no message)")
    return r


def md_cell(s: str, limit: int = 160) -> str:
    s = " ".join(str(s).split())
    if len(s) > limit:
        s = s[:limit - 1] + "…"
    return s.replace("|", "\\|")


def error_family(note: str) -> str:
    """A message with the case-specific parts (file location, quoted names,
    paths, numbers) taken out, so that failures for the same reason group
    together.  Backquoted field names are kept: they name the feature."""
    s = re.sub(r"\s*\(reference is the Go test's expectation[^)]*\)", "", note)
    s = re.sub(r"^error:\s*", "", s)
    s = re.sub(r"^\S+?(:\d+)?: ", "", s)  # location prefix
    s = re.sub(r"\(help: .*\)$", "", s)
    s = re.sub(r"'(?!--)[^']*'|\"[^\"]*\"", "…", s)  # quoted names (flags are kept)
    s = re.sub(r"[\w.\[\]-]*/[\w.\[\]/-]*", "…", s)
    s = re.sub(r"\d+", "N", s)
    return " ".join(s.split())[:110]


def render_doc(results: list[dict], vendor: str, version: str) -> str:
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r["status"]] += 1
    ran = sum(v for k, v in counts.items() if k != "excluded")
    out = []
    out.append("# Conformance with kustomize's own end-to-end tests")
    out.append("")
    out.append("<!-- Generated by tools/krusty/status.py; do not edit by hand. -->")
    out.append("")
    out.append("The fixtures in `crates/kustomize/tests/krusty/` are kustomize's `api/krusty` tests "
               "(tag `kustomize/v5.5.0`), replayed by `tools/krusty/import.py` into directories; "
               "the reference for each is what `kubectl kustomize` (kustomize v5.5.0) does with the "
               "same files (see `tools/krusty/README.md`).")
    out.append("")
    out.append(f"Binary: `{vendor}` (`{version}`), run as "
               "`vendor build [--enable-helm] [--load-restrictor X] input/<dir>` in each case directory.")
    out.append("")
    out.append("| status | meaning | cases |")
    out.append("| --- | --- | ---: |")
    meaning = {
        "identical": "output byte-for-byte equal to kubectl's",
        "differs": "builds, output differs",
        "refused": "fails (exit 2) where kubectl builds",
        "accepts-invalid": "builds where kubectl fails",
        "rejected-ok": "fails, as kubectl does",
        "excluded": "not run (plugin-exec, network, unparsed, or no reference)",
    }
    for s in STATUSES:
        out.append(f"| {s} | {meaning[s]} | {counts[s]} |")
    out.append(f"| **total** | | **{len(results)}** |")
    out.append("")
    if ran:
        good = counts["identical"] + counts["rejected-ok"]
        out.append(f"Of the {ran} cases run, {good} agree with kubectl "
                   f"({counts['identical']} identical builds, {counts['rejected-ok']} agreed rejections).")
        out.append("")

    out.append("## By test file")
    out.append("")
    out.append("| file | " + " | ".join(STATUSES) + " | total |")
    out.append("| --- | " + " | ".join("---:" for _ in STATUSES) + " | ---: |")
    by_file: dict[str, dict[str, int]] = {}
    for r in results:
        by_file.setdefault(r["file"] or "?", {s: 0 for s in STATUSES})[r["status"]] += 1
    for f in sorted(by_file):
        c = by_file[f]
        out.append(f"| {f} | " + " | ".join(str(c[s]) if c[s] else "" for s in STATUSES) + f" | {sum(c.values())} |")
    out.append("")

    fam: dict[str, list[str]] = {}
    for r in results:
        if r["status"] in ("refused", "rejected-ok"):
            fam.setdefault(f"{r['status']}: {error_family(r.get('note', ''))}", []).append(r["case"])
    if fam:
        out.append("## Failures grouped by message")
        out.append("")
        out.append("vendor's first error line, with names, paths and numbers elided.")
        out.append("")
        out.append("| status: message | cases | e.g. |")
        out.append("| --- | ---: | --- |")
        for k, v in sorted(fam.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            out.append(f"| {md_cell(k, 140)} | {len(v)} | {md_cell(v[0], 80)} |")
        out.append("")

    out.append("## Cases")
    out.append("")
    out.append("| case | file | status | note |")
    out.append("| --- | --- | --- | --- |")
    for r in results:
        out.append(f"| {md_cell(r['case'], 120)} | {r['file']} | {r['status']} | {md_cell(r.get('note', ''))} |")
    out.append("")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vendor", default=DEFAULT_VENDOR, help="binary to test (default: %(default)s)")
    ap.add_argument("--fixtures", type=Path, default=FIXTURES)
    ap.add_argument("--doc", type=Path, default=DOC, help="markdown report to write (default: %(default)s)")
    ap.add_argument("--no-doc", action="store_true", help="do not write the markdown report")
    ap.add_argument("--json", metavar="FILE", help="write results as JSON to FILE ('-' for stdout)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="cases run at once (default: 1)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per case (default: %(default)s)")
    ap.add_argument("--only", help="regexp: run only matching cases (implies --no-doc)")
    args = ap.parse_args()

    vendor = os.path.abspath(args.vendor) if os.sep in args.vendor else args.vendor
    try:
        version = subprocess.run([vendor, "--version"], capture_output=True, timeout=30).stdout.decode().strip()
    except OSError as e:
        sys.exit(f"cannot run {vendor}: {e}")
    cases = sorted(d for d in args.fixtures.iterdir() if (d / "case.json").exists())
    if args.only:
        cases = [d for d in cases if re.search(args.only, d.name)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(lambda d: run_case(d, vendor, args.timeout), cases))

    counts = {s: sum(1 for r in results if r["status"] == s) for s in STATUSES}
    print(", ".join(f"{s} {n}" for s, n in counts.items()) + f"; total {len(results)}", file=sys.stderr)
    if not args.no_doc and not args.only:
        shown = args.vendor if os.sep not in args.vendor else args.vendor
        args.doc.parent.mkdir(parents=True, exist_ok=True)
        args.doc.write_text(render_doc(results, shown, version))
        print(f"wrote {args.doc}", file=sys.stderr)
    if args.json:
        data = json.dumps({"vendor": args.vendor, "version": version, "summary": counts,
                           "cases": results}, indent=2, sort_keys=True) + "\n"
        if args.json == "-":
            sys.stdout.write(data)
        else:
            Path(args.json).write_text(data)


if __name__ == "__main__":
    main()
