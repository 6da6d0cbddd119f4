#!/usr/bin/env python3
"""Turn peer test tables (Go source, read as data) into suite JSON files, with the
oracle's output as the expected value.

Sources (bare git snapshots under --mirrors, as brought by the session's fetch tool):
  sprig            Masterminds/sprig         tag v3.3.0        *_test.go
  go-text-template go-task/template          (text/template of Go 1.24; exec_test.go,
                                              parse/parse_test.go)  -- golang/go itself was too
                                              large to fetch; go-task/template is a verbatim fork
                                              whose test tables are Go's
  helm-engine      helm/helm                 tag v3.16.4       pkg/engine/{engine,funcs}_test.go

Extraction (tools/helm/golit.py): string literals containing `{{` are template candidates.
  * calls runt(T, E) / runtv(T, E, V) / runRaw(T, V) with literals or variables assigned
    literals earlier in the same function;
  * map tables `T: E` (template key, expected value);
  * struct tables: named fields (tpl/input/template, expect/output/want, vars/data/values) or
    positional ({name, input, output, data, ok} for exec tests; {name, input, ok, result} for
    parse tests; {tpl, expect[, vars]} otherwise; cmpTests {expr, truth, ok} become `{{expr}}`);
  * any other template literal in the file becomes a case with empty data (upstream: null).
  Cases whose data is a Go value that is not plain data (structs such as tVal, functions,
  typed variables), or that use functions defined only by the Go test (exec_test.go's funcs
  map), are skipped and counted.

Rendering transformation (the same for oracle and vendor; see status.py):
  a throwaway chart `suite` with values.yaml = {"data": <case data as JSON>} and
    templates/_case.tpl  = {{ define "case" }}TEMPLATE{{ end }}
    templates/case.yaml  = {{- $out := include "case" .Values.data }}\nout: {{ toJson $out }}
  so `.` and `$` inside the case are the test's data, as in the Go tests.  Templates that
  contain their own {{define}}/{{block}} are stored as the whole file templates/_case.tpl and
  included by file name ("suite/templates/_case.tpl") instead.  The expected value is the
  decoded `out` string; on failure `expected_error` is Helm's error text (without the
  "Error: " prefix and the --debug hint).
  A case whose output differs between two oracle renders (or that uses clock/random
  functions, or whose output holds today's date) is marked "random": true (only
  success/failure is compared).
  Numbers in data go through values.yaml, so they are float64 in both engines (as in Helm).

Usage: extract_suites.py [--mirrors /work/.mirror] [--out crates/helm-render/tests/suites]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golit  # noqa: E402
from golit import Unresolvable  # noqa: E402
import helm_python as helm  # noqa: E402
import oracle  # noqa: E402

SOURCES = {
    "sprig": ("Masterminds/sprig", "v3.3.0", None),
    "go-text-template": ("go-task/template", "HEAD", ["exec_test.go", "parse/parse_test.go"]),
    "helm-engine": ("helm/helm", "v3.16.4", ["pkg/engine/engine_test.go", "pkg/engine/funcs_test.go"]),
}

TPL_FIELDS = ("tpl", "template", "input", "tmpl", "text", "in")
EXP_FIELDS = ("expect", "expected", "output", "want", "out", "result")
VAL_FIELDS = ("vars", "data", "values", "vals")

GO_TEST_FUNCS = None  # filled from exec_test.go


def gitdir(mirrors, repo):
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base


def git(gd, *args):
    return subprocess.run(["git", "--git-dir=" + gd] + list(args), capture_output=True, check=True).stdout


class Extractor:
    def __init__(self, fname, src, suite):
        self.fname = fname
        self.toks = [t for t in golit.tokenize(src)]
        self.suite = suite
        self.cases = []
        self.skipped = []
        self.used_literals = set()

    def add(self, name, tpl, expect, values, ok=None, note=None, idx=None):
        if re.search(r"%[sdvq]", tpl) and self.suite != "go-text-template":
            self.skip(name, tpl, "template is a fmt.Sprintf format string", idx=idx)
            return
        c = {"name": name, "template": tpl, "values": values, "source": self.fname}
        if expect is not None:
            c["upstream_expected"] = expect
        if ok is not None:
            c["upstream_ok"] = ok
        if note:
            c["note"] = note
        self.cases.append(c)
        if idx is not None:
            self.used_literals.add(idx)

    def skip(self, name, tpl, why, idx=None):
        self.skipped.append({"name": name, "template": tpl, "reason": why, "source": self.fname})
        if idx is not None:
            self.used_literals.add(idx)

    def func_name_at(self, i):
        t = self.toks
        j = i
        while j >= 0:
            if t[j][1] == "func" and j + 1 < len(t) and t[j + 1][0] == "ident":
                return t[j + 1][1]
            j -= 1
        return "top"

    def run(self):
        t = self.toks
        env = {}
        cur_func = None
        n = len(t)
        i = 0
        while i < n:
            k, x = t[i]
            if k == "ident" and x == "func" and i + 1 < n and t[i + 1][0] == "ident":
                cur_func = t[i + 1][1]
                env = {}
            # assignments: IDENT := expr   /  IDENT = expr  / const IDENT = expr
            if k == "ident" and i + 1 < n and t[i + 1][1] in (":=", "=") and (i == 0 or t[i - 1][1] != "."):
                try:
                    v, j = golit.Parser(t, env).value(i + 2)
                    if j < n and t[j][0] in ("nl",) or t[j][1] in (";", ")"):
                        env[x] = v
                except (Unresolvable, AssertionError, IndexError, ValueError):
                    env.pop(x, None)
            if k == "ident" and x in ("runt", "runtv", "runRaw") and i + 1 < n and t[i + 1][1] == "(":
                self.call(x, i + 1, env, cur_func)
            i += 1
        self.tables(env)
        self.leftovers()

    def lit_index(self, a, b):
        for j in range(a, b):
            if self.toks[j][0] in ("raw", "str"):
                return j
        return None

    def call(self, fn, i, env, func):
        t = self.toks
        try:
            elems, _ = golit.split_groups(t, i)
        except Unresolvable:
            return
        p = golit.Parser(t, env)
        args = []
        idx = None
        for a, b in elems:
            a, b = golit.strip_nl(t, a, b)
            try:
                v, j = p.value(a)
                if j != b:
                    raise Unresolvable("extra")
                args.append(v)
            except (Unresolvable, AssertionError, IndexError, ValueError) as e:
                args.append(Unresolvable(str(e)))
            if idx is None:
                idx = self.lit_index(a, b)
        name = "%s/%s" % (os.path.basename(self.fname), func)
        if not args or isinstance(args[0], Unresolvable) or not isinstance(args[0], str):
            return
        tpl = args[0]
        # mark the literal of the template (it may be a variable: mark by value)
        self.used_by_value(tpl)
        if fn == "runt":
            exp = args[1] if len(args) > 1 and isinstance(args[1], str) else None
            self.add(name, tpl, exp, {})
        elif fn == "runtv":
            exp = args[1] if len(args) > 1 and isinstance(args[1], str) else None
            vals = args[2] if len(args) > 2 else {}
            if isinstance(vals, Unresolvable):
                self.skip(name, tpl, "data is not plain data: " + str(vals))
                return
            self.add(name, tpl, exp, vals)
        else:
            vals = args[1] if len(args) > 1 else None
            if isinstance(vals, Unresolvable):
                self.skip(name, tpl, "data is not plain data: " + str(vals))
                return
            self.add(name, tpl, None, vals if vals is not None else None)

    def used_by_value(self, s):
        for j, (k, x) in enumerate(self.toks):
            if k in ("raw", "str"):
                try:
                    if golit.unquote((k, x)) == s:
                        self.used_literals.add(j)
                except Exception:
                    pass

    def tables(self, env):
        t = self.toks
        p = golit.Parser(t, {})
        n = len(t)
        for i in range(n):
            if t[i][1] != "{" or t[i][0] != "op":
                continue
            try:
                elems, _ = golit.split_groups(t, i)
            except Unresolvable:
                continue
            func = self.func_name_at(i)
            name = "%s/%s" % (os.path.basename(self.fname), func)
            # map table entries: LIT : LIT
            for a, b in elems:
                a, b = golit.strip_nl(t, a, b)
                if b - a >= 3 and t[a][0] in ("raw", "str") and t[a + 1][1] == ":" and a not in self.used_literals:
                    try:
                        key = golit.unquote(t[a])
                    except Unresolvable:
                        continue
                    if "{{" not in key:
                        continue
                    try:
                        v, j = p.value(a + 2)
                    except (Unresolvable, AssertionError, IndexError, ValueError):
                        v = None
                    self.add(name, key, v if isinstance(v, str) else None, {}, idx=a)
            # struct elements
            if not elems:
                continue
            fields = {}
            pos = []
            named = True
            for a, b in elems:
                a, b = golit.strip_nl(t, a, b)
                if b - a >= 2 and t[a][0] == "ident" and t[a + 1][1] == ":":
                    fields[t[a][1].lower()] = (a + 2, b)
                else:
                    named = False
                    pos.append((a, b))
            if named and fields:
                self.struct_named(fields, name)
            elif pos and not fields:
                self.struct_pos(pos, name)

    def val(self, a, b):
        v, j = golit.Parser(self.toks, {}).value(a)
        if j != b:
            raise Unresolvable("trailing tokens")
        return v

    def struct_named(self, fields, name):
        tk = next((f for f in TPL_FIELDS if f in fields), None)
        if not tk:
            return
        a, b = fields[tk]
        idx = self.lit_index(a, b)
        try:
            tpl = self.val(a, b)
        except (Unresolvable, AssertionError, IndexError, ValueError):
            return
        if not isinstance(tpl, str) or ("{{" not in tpl and self.suite != "go-text-template"):
            return
        if idx in self.used_literals:
            return
        exp = None
        ek = next((f for f in EXP_FIELDS if f in fields), None)
        if ek:
            try:
                exp = self.val(*fields[ek])
            except (Unresolvable, AssertionError, IndexError, ValueError):
                exp = None
        vals = {}
        vk = next((f for f in VAL_FIELDS if f in fields), None)
        if vk:
            try:
                vals = self.val(*fields[vk])
            except (Unresolvable, AssertionError, IndexError, ValueError) as e:
                self.skip(name, tpl, "data is not plain data: %s" % e, idx=idx)
                return
        self.add(name, tpl, exp if isinstance(exp, str) else None, vals, idx=idx)

    def struct_pos(self, pos, name):
        t = self.toks
        base = os.path.basename(self.fname)
        vals = []
        for a, b in pos:
            try:
                vals.append(self.val(a, b))
            except (Unresolvable, AssertionError, IndexError, ValueError) as e:
                vals.append(Unresolvable("%s" % " ".join(x[1] for x in t[a:b])[:40]))
        if self.suite == "go-text-template" and base == "exec_test.go" and len(vals) == 5 \
                and isinstance(vals[0], str) and isinstance(vals[1], str):
            idx = self.lit_index(*pos[1])
            nm, tpl, out, data, ok = vals
            cname = "exec/" + nm
            if isinstance(data, Unresolvable):
                self.skip(cname, tpl, "data is a Go value: %s" % data, idx=idx)
                return
            used = uses_test_funcs(tpl)
            if used:
                self.skip(cname, tpl, "uses functions defined by the Go test: %s" % ", ".join(used), idx=idx)
                return
            self.add(cname, tpl, out if isinstance(out, str) else None, data,
                     ok=ok if isinstance(ok, bool) else None, idx=idx)
            return
        if self.suite == "go-text-template" and base == "exec_test.go" and len(vals) == 3 \
                and isinstance(vals[0], str) and isinstance(vals[1], str) and isinstance(vals[2], bool) \
                and name.endswith("/top"):
            # cmpTests {expr, truth, ok}; executed as {{expr}} with a cmpStruct as data
            expr, truth, ok = vals
            tpl = "{{" + expr + "}}"
            cname = "cmp/" + expr
            if re.search(r"(^|[\s(])\.", expr):
                self.skip(cname, tpl, "reads fields of the Go test's cmpStruct")
                return
            self.add(cname, tpl, truth if ok else None, {}, ok=ok)
            return
        if self.suite == "go-text-template" and base == "parse_test.go" and len(vals) == 4 \
                and isinstance(vals[0], str) and isinstance(vals[1], str) and isinstance(vals[2], bool):
            idx = self.lit_index(*pos[1])
            nm, tpl, ok, result = vals
            used = uses_test_funcs(tpl, parse=True)
            if used:
                self.skip("parse/" + nm, tpl, "uses functions defined by the Go test: %s" % ", ".join(used),
                          idx=idx)
                return
            self.add("parse/" + nm, tpl, None, {}, ok=ok,
                     note="parse test: upstream result is the parse tree %r" % result, idx=idx)
            return
        if isinstance(vals[0], str) and "{{" in vals[0]:
            idx = self.lit_index(*pos[0])
            if idx in self.used_literals:
                return
            exp = vals[1] if len(vals) > 1 and isinstance(vals[1], str) else None
            data = vals[2] if len(vals) > 2 else {}
            if isinstance(data, Unresolvable):
                self.skip(name, vals[0], "data is not plain data: %s" % data, idx=idx)
                return
            self.add(name, vals[0], exp, data, idx=idx)

    def leftovers(self):
        if self.suite == "go-text-template":
            return
        for j, (k, x) in enumerate(self.toks):
            if k in ("raw", "str") and j not in self.used_literals:
                try:
                    s = golit.unquote((k, x))
                except Unresolvable:
                    continue
                if "{{" in s and "}}" in s:
                    name = "%s/%s" % (os.path.basename(self.fname), self.func_name_at(j))
                    self.add(name, s, None, {}, note="template literal without a recognised expectation")


RANDOM_FUNCS = re.compile(r"\b(now|rand\w*|uuidv4|genCA\w*|genPrivateKey|genSelfSignedCert\w*|genSignedCert\w*|"
                          r"buildCustomCert|htpasswd|bcrypt|encryptAES|shuffle|ago)\b")


def time_dependent(tpl, out):
    """Outputs that depend on the clock or on randomness even when two renders agree."""
    if RANDOM_FUNCS.search(tpl):
        return True
    if isinstance(out, str):
        import time
        for fmt in ("%Y-%m-%d", "%d %b %y", "%Y%m%d", "%b %d"):
            if time.strftime(fmt, time.gmtime()) in out or time.strftime(fmt) in out:
                return True
    return False


def uses_test_funcs(tpl, parse=False):
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`', "", tpl)))
    funcs = GO_TEST_FUNCS if not parse else PARSE_TEST_FUNCS
    return sorted(n for n in names if n in funcs)


PARSE_TEST_FUNCS = set()


def load_go_test_funcs(gd, ref):
    global GO_TEST_FUNCS, PARSE_TEST_FUNCS
    src = git(gd, "show", "%s:exec_test.go" % ref).decode()
    m = re.search(r"builtins\(\)|funcs := FuncMap\{(.*?)\n\t\}", src, re.S)
    names = set(re.findall(r'"(\w+)":', m.group(1))) if m and m.group(1) else set()
    # also methods of the test struct are only reachable via fields: not function names
    GO_TEST_FUNCS = names - {"and", "or", "not", "len", "index", "slice", "print", "printf", "println",
                             "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "call"}
    psrc = git(gd, "show", "%s:parse/parse_test.go" % ref).decode()
    m = re.search(r"var builtins = map\[string\]any\{(.*?)\n\}", psrc, re.S)
    pn = set(re.findall(r'"(\w+)":', m.group(1))) if m else set()
    PARSE_TEST_FUNCS = pn - {"and", "or", "not", "len", "index", "slice", "print", "printf", "println",
                             "html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "call"}


# ----------------------------------------------------------------------------
# Rendering a case (shared with status.py)

CHART_YAML = "apiVersion: v2\nname: suite\nversion: 0.1.0\n"
CASE_YAML = '{{- $out := include "%s" .Values.data }}\nout: {{ toJson $out }}\n'


def write_case_chart(d, tpl, values, ensure_ascii=True):
    os.makedirs(os.path.join(d, "templates"), exist_ok=True)
    with open(os.path.join(d, "Chart.yaml"), "w") as f:
        f.write(CHART_YAML)
    with open(os.path.join(d, "values.yaml"), "w", encoding="utf-8") as f:
        json.dump({"data": values}, f, ensure_ascii=ensure_ascii)
        f.write("\n")
    raw = re.search(r"\{\{-?\s*(define|block)\b", tpl) is not None
    with open(os.path.join(d, "templates", "_case.tpl"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(tpl if raw else '{{ define "case" }}' + tpl + "{{ end }}")
    with open(os.path.join(d, "templates", "case.yaml"), "w") as f:
        f.write(CASE_YAML % ("suite/templates/_case.tpl" if raw else "case"))


def parse_template_output(out, err, code):
    """From `helm template` output of the case chart: ("ok", text) or ("error", message)."""
    if code != 0:
        m = err
        if m.startswith("Error: "):
            m = m[len("Error: "):]
        m = m.rstrip("\n")
        if m.endswith("\n\nUse --debug flag to render out invalid YAML"):
            m = m[: -len("\n\nUse --debug flag to render out invalid YAML")]
        return "error", m
    body = out
    i = body.find("\nout: ")
    if i < 0:
        return "error", "no out: line in output: %r" % out[:200]
    js = body[i + len("\nout: "):].rstrip("\n")
    try:
        return "ok", json.loads(js)
    except Exception:
        return "error", "unparsable out: %r" % js[:200]


def oracle_case(tpl, values, workdir, extra=(), ensure_ascii=True):
    d = os.path.join(workdir, "suite")
    if os.path.exists(d):
        shutil.rmtree(d)
    write_case_chart(d, tpl, values, ensure_ascii)
    out, err, code = oracle.run(["template", d, "--name", "r", "--kube-version", "1.31.0", *extra])
    return parse_template_output(out, err, code)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirrors", default="/work/.mirror")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "crates", "helm-render", "tests", "suites"))
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    gd = gitdir(a.mirrors, "go-task/template")
    load_go_test_funcs(gd, "HEAD")
    work = tempfile.mkdtemp()
    for suite, (repo, ref, files) in SOURCES.items():
        if a.only and suite not in a.only:
            continue
        gd = gitdir(a.mirrors, repo)
        commit = git(gd, "rev-parse", ref + "^{commit}").decode().strip()
        if files is None:
            files = [f for f in git(gd, "ls-tree", "--name-only", commit).decode().split()
                     if f.endswith("_test.go") and f != "functions_windows_test.go"]
        cases, skipped = [], []
        for fn in files:
            src = git(gd, "show", "%s:%s" % (commit, fn)).decode("utf-8", "surrogateescape")
            ex = Extractor(fn, src, suite)
            ex.run()
            cases.extend(ex.cases)
            skipped.extend(ex.skipped)
        # dedupe by (template, values)
        seen = set()
        uniq = []
        for c in cases:
            key = (c["template"], json.dumps(c["values"], sort_keys=True))
            if key in seen:
                continue
            seen.add(key)
            uniq.append(c)
        names = {}
        for c in uniq:
            base = c["name"]
            names[base] = names.get(base, 0) + 1
            c["name"] = "%s#%d" % (base, names[base])
            kind, res = oracle_case(c["template"], c["values"], work)
            kind2, res2 = oracle_case(c["template"], c["values"], work)
            if (kind, res) != (kind2, res2) or time_dependent(c["template"], res):
                c["random"] = True  # output differs between renders: compare success/failure only
            if kind == "ok":
                c["expected"] = res
            else:
                c["expected_error"] = res
            up = c.get("upstream_expected")
            if up is not None and kind == "ok" and up == res:
                c.pop("upstream_expected")
                c["agrees_with_upstream"] = True
            elif up is not None:
                c["agrees_with_upstream"] = False
        doc = {
            "suite": suite,
            "source": {"repo": repo, "ref": ref, "commit": commit, "files": files,
                       "license": {"sprig": "MIT", "go-text-template": "BSD-3-Clause (Go)",
                                   "helm-engine": "Apache-2.0"}[suite]},
            "oracle": "tools/helm/oracle.py (Helm Go engine v4.2.3 via helm-python-sdk 0.2.2)",
            "transformation": "see tools/helm/extract_suites.py docstring: case template in a define "
                              "(or the whole _case.tpl when it defines templates), data as .Values.data "
                              "passed as dot through include; output = decoded `out: {{ toJson $out }}`",
            "counts": {"cases": len(uniq), "skipped": len(skipped),
                       "duplicates_dropped": len(cases) - len(uniq)},
            "cases": uniq,
            "skipped": skipped,
        }
        with open(os.path.join(a.out, suite + ".json"), "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(suite, doc["counts"], file=sys.stderr)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
