#!/usr/bin/env python3
"""Differential fuzzer: random Go templates over the Sprig/Helm function set, rendered by the
oracle (Helm's Go engine, tools/helm/oracle.py) and by a vendor binary.

Each generated case is a template body plus a random values tree; both engines render it the
same way as the suite cases (extract_suites.write_case_chart: the body in a define, the values
as `.` through include, output = the decoded `out: {{ toJson $out }}` line).  A difference is
one of: vendor-error (Helm renders, vendor fails), vendor-ok (Helm fails, vendor renders),
output (both render, texts differ), error-text (both fail, messages differ).

Differences are minimised (statements dropped, sub-expressions replaced by literals, values
pruned while the same kind of difference persists) and deduplicated by a signature: the
kind plus the sorted function/keyword names of the minimised template (plus, for vendor
errors, the vendor's error class).  Each distinct one is written to OUT/<nnn>-<signature>/
(template.tpl, values.json, oracle.txt, vendor.txt, meta.json).

Random/clock functions (rand*, uuidv4, now, gen*) are not generated, `date` gets a literal
time, and `keys`/`values` (Go's random map order) are wrapped in `sortAlpha`.

Both engines run in Helm 4 mode by default (the oracle is Helm 4's engine); `--helm 3` frames
errors as Helm 3 does but leaves the known Helm 3/4 value differences (null map entries).

Usage: fuzz.py --vendor PATH --seconds N --seed S [--out /tmp/helm-fuzz] [--helm 3|4]
"""
import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extract_suites import write_case_chart, parse_template_output, oracle_case  # noqa: E402

REGEXES = [r"[\w-\.]+", r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", r"(?i)ab+c", r"\d+", r"[[:alpha:]]+", r"\pL+",
           r"a|b", r"(\w+)@(\w+)", r"^$", r"x*", r"[^/]+$", r"\s+", r"\.", r"(?m)^a", r"\bfoo\b",
           r"[0-9a-f]{2}", r"(a)(b)?", r"\\", r"\x41"]
WORDS = ["", "a", "abc", "Hello World", "foo-bar_baz", "  pad  ", "x.y.z", "ÄÖü", "日本", "a,b,c",
         "1.2.3", "v1.20.0", "true", "123", "-4.5", "0x1F", "null", "tab\there", "line1\nline2", "<a&b>",
         "\"quoted\"", "'single'", "CamelCaseWord", "snake_case_word", "a/b/c", "%d%%", "{{x}}", "#", ":",
         "- item", "key: value", "1e3", "00123", "MiXeD", "é", "😀"]
NUMS = ["0", "1", "-1", "2", "3", "7", "10", "42", "255", "1000000", "-0", "1.5", "-2.25", "0.1", "1e3",
        "1e21", "0x1F", "0o17", "017", "0b101", "1_000", "0x1p-2", "'a'", "9223372036854775807", "3.0"]

# name: (arg types, result type); types: s i f b l d a(any) r(regex) n(nonzero int) E(epoch literal)
FUNCS = {
    "upper": ("s", "s"), "lower": ("s", "s"), "title": ("s", "s"), "untitle": ("s", "s"), "trim": ("s", "s"),
    "trimAll": ("ss", "s"), "trimPrefix": ("ss", "s"), "trimSuffix": ("ss", "s"), "nospace": ("s", "s"),
    "initials": ("s", "s"), "snakecase": ("s", "s"), "camelcase": ("s", "s"), "kebabcase": ("s", "s"),
    "swapcase": ("s", "s"), "quote": ("a", "s"), "squote": ("a", "s"), "b64enc": ("s", "s"),
    "b64dec": ("s", "s"), "b32enc": ("s", "s"), "b32dec": ("s", "s"), "sha1sum": ("s", "s"),
    "sha256sum": ("s", "s"), "adler32sum": ("s", "s"), "toString": ("a", "s"), "abbrev": ("is", "s"),
    "abbrevboth": ("iis", "s"), "trunc": ("is", "s"), "substr": ("iis", "s"), "repeat": ("is", "s"),
    "replace": ("sss", "s"), "wrap": ("is", "s"), "wrapWith": ("iss", "s"), "indent": ("is", "s"),
    "nindent": ("is", "s"), "plural": ("ssi", "s"), "cat": ("aa", "s"), "contains": ("ss", "b"),
    "hasPrefix": ("ss", "b"), "hasSuffix": ("ss", "b"), "regexMatch": ("rs", "b"), "regexFind": ("rs", "s"),
    "regexFindAll": ("rsi", "l"), "regexReplaceAll": ("rss", "s"), "regexReplaceAllLiteral": ("rss", "s"),
    "regexSplit": ("rsi", "l"), "regexQuoteMeta": ("s", "s"), "splitList": ("ss", "l"), "split": ("ss", "d"),
    "splitn": ("sis", "d"), "join": ("sl", "s"), "sortAlpha": ("l", "l"), "toStrings": ("l", "l"),
    "add": ("ii", "i"), "sub": ("ii", "i"), "mul": ("ii", "i"), "div": ("in", "i"), "mod": ("in", "i"),
    "max": ("ii", "i"), "min": ("ii", "i"), "add1": ("i", "i"), "floor": ("f", "f"), "ceil": ("f", "f"),
    "round": ("fi", "f"), "int": ("a", "i"), "int64": ("a", "i"), "float64": ("a", "f"), "atoi": ("s", "i"),
    "addf": ("ff", "f"), "subf": ("ff", "f"), "mulf": ("ff", "f"), "divf": ("ff", "f"), "maxf": ("ff", "f"),
    "minf": ("ff", "f"), "len": ("l", "i"), "list": ("aa", "l"), "first": ("l", "a"), "rest": ("l", "l"),
    "last": ("l", "a"), "initial": ("l", "l"), "append": ("la", "l"), "prepend": ("la", "l"),
    "concat": ("ll", "l"), "reverse": ("l", "l"), "uniq": ("l", "l"), "without": ("la", "l"),
    "has": ("al", "b"), "compact": ("l", "l"), "slice": ("lii", "l"), "chunk": ("il", "l"), "until": ("i", "l"),
    "untilStep": ("iii", "l"), "seq": ("ii", "s"), "dict": ("sa", "d"), "get": ("ds", "a"),
    "set": ("dsa", "d"), "unset": ("ds", "d"), "hasKey": ("ds", "b"), "pluck": ("sd", "l"), "keys": ("d", "l"),
    "values": ("d", "l"), "dig": ("sad", "a"), "merge": ("dd", "d"), "mergeOverwrite": ("dd", "d"),
    "deepCopy": ("a", "a"), "pick": ("ds", "d"), "omit": ("ds", "d"), "toYaml": ("a", "s"),
    "toJson": ("a", "s"), "toPrettyJson": ("a", "s"), "toRawJson": ("a", "s"), "fromYaml": ("s", "d"),
    "fromJson": ("s", "d"), "fromYamlArray": ("s", "l"), "fromJsonArray": ("s", "l"), "toToml": ("d", "s"),
    "ternary": ("aab", "a"), "default": ("aa", "a"), "empty": ("a", "b"), "coalesce": ("aa", "a"),
    "typeOf": ("a", "s"), "kindOf": ("a", "s"), "typeIs": ("sa", "b"), "kindIs": ("sa", "b"),
    "deepEqual": ("aa", "b"), "semverCompare": ("ss", "b"), "sortAlpha ": ("l", "l"), "printf": ("Pa", "s"),
    "print": ("aa", "s"), "println": ("a", "s"), "html": ("s", "s"), "js": ("s", "s"), "urlquery": ("s", "s"),
    "eq": ("aa", "b"), "ne": ("aa", "b"), "lt": ("ii", "b"), "le": ("ff", "b"), "gt": ("ii", "b"),
    "ge": ("ii", "b"), "and": ("aa", "a"), "or": ("aa", "a"), "not": ("a", "b"), "index": ("la", "a"),
    "b64enc ": ("s", "s"), "sha512sum": ("s", "s"), "shuffle_": ("s", "s"), "urlParse": ("s", "d"),
    "base": ("s", "s"), "dir": ("s", "s"), "ext": ("s", "s"), "clean": ("s", "s"), "isAbs": ("s", "b"),
    "toDecimal": ("s", "i"), "trimall": ("ss", "s"), "mustToJson": ("a", "s"), "mustRegexMatch": ("rs", "b"),
    "mustFirst": ("l", "a"), "mustAppend": ("la", "l"), "mustMerge": ("dd", "d"), "biggest": ("ii", "i"),
    "randAlpha_": ("i", "s"), "semver": ("s", "a"), "fail_": ("s", "s"), "required": ("sa", "a"),
    "tpl": ("T", "s"), "include": ("I", "s"), "fromYaml ": ("s", "d"), "toYamlPretty_": ("a", "s"),
    "lookup": ("ssss", "d"), "trimSuffix ": ("ss", "s"), "upper ": ("s", "s"), "sortAlpha  ": ("l", "l"),
    "getHostByName_": ("s", "s"), "htmlDate_": ("a", "s"), "dateInZone_": ("sas", "s"),
    "toDate": ("ss", "a"), "date": ("sE", "s"), "unixEpoch_": ("a", "s"), "duration": ("a", "s"),
    "durationRound": ("a", "s"), "hasKey ": ("ds", "b"), "all": ("aa", "b"), "any": ("aa", "b"),
}
FUNCS = {k.strip(): v for k, v in FUNCS.items() if not k.strip().endswith("_")}
# Functions whose result lists follow Go's random map iteration order.
UNORDERED = {"keys", "values"}
PRINTF_FORMATS = ["%v", "%d", "%s", "%q", "%x", "%05.2f", "%T", "%v-%v", "%+v", "%#v", "%t", "%8.3s", "%-5d|",
                  "%e", "%g", "%o", "%X", "%c", "%U", "%%", "%!", "%[1]v"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.vars = []   # variable names in scope
        self.paths = []  # (path, type) available from values

    def values(self, depth=0):
        r = self.r
        d = {}
        for _ in range(r.randint(1, 5)):
            k = r.choice(["a", "b", "name", "list", "nested", "n", "f", "flag", "s", "empty", "nil", "Key-1",
                          "x_y", "port", "tags", "image"])
            d[k] = self.value(depth + 1)
        return d

    def value(self, depth):
        r = self.r
        c = r.random()
        if depth > 3 or c < 0.3:
            return r.choice(WORDS)
        if c < 0.45:
            return r.choice([0, 1, -3, 42, 1000000, 3.5, -0.25, 1e21, 2 ** 53 + 1])
        if c < 0.55:
            return r.choice([True, False, None])
        if c < 0.75:
            return [self.value(depth + 1) for _ in range(r.randint(0, 4))]
        return self.values(depth + 1)

    def collect(self, v, path=""):
        t = type(v)
        ty = {str: "s", int: "i", float: "f", bool: "b", list: "l", dict: "d"}.get(t, "a")
        if path:
            self.paths.append((path, ty))
        if isinstance(v, dict):
            for k, x in v.items():
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                    self.collect(x, path + "." + k)

    def lit(self, ty):
        r = self.r
        if ty == "s":
            return json.dumps(r.choice(WORDS), ensure_ascii=r.random() < 0.5) if r.random() < 0.85 else \
                "`" + r.choice(WORDS).replace("`", "") + "`"
        if ty == "r":
            return "`" + r.choice(REGEXES) + "`" if r.random() < 0.5 else json.dumps(r.choice(REGEXES))
        if ty == "i":
            return r.choice(NUMS[:9])  # small ints: repeat/until/untilStep with 1e6+ can run for minutes
        if ty == "n":
            return r.choice(["1", "2", "3", "-2", "7"])
        if ty == "E":
            # a literal epoch: `date` of anything but a time or an integer is the current time
            return r.choice(["0", "86399", "1700000000", "-1", "(toDate \"2006-01-02\" \"2024-02-29\")"])
        if ty == "f":
            return r.choice(NUMS)
        if ty == "b":
            return r.choice(["true", "false"])
        if ty == "l":
            return "(list %s)" % " ".join(self.lit(r.choice("sif")) for _ in range(r.randint(0, 3)))
        if ty == "d":
            return "(dict %s)" % " ".join("%s %s" % (json.dumps(r.choice(["a", "b", "c", "name"])),
                                                     self.lit(r.choice("sifb"))) for _ in range(r.randint(0, 3)))
        return self.lit(r.choice("sifbld")) if r.random() < 0.9 else "nil"

    def expr(self, ty, depth=0):
        r = self.r
        c = r.random()
        if depth > 1 or c < 0.35:
            return self.lit(ty)
        if c < 0.6:
            cands = [p for p, t in self.paths if t == ty or ty == "a"] or [p for p, _ in self.paths]
            if cands and r.random() < 0.9:
                return r.choice(cands) if r.random() < 0.8 else "$" + r.choice(cands)
            if self.vars:
                return r.choice(self.vars)
            return "."
        if c < 0.55 and self.vars:
            return r.choice(self.vars)
        return "(" + self.call(ty, depth + 1) + ")"

    def call(self, ty, depth):
        r = self.r
        names = [n for n, (a, res) in FUNCS.items() if res == ty or ty == "a" or res == "a"]
        name = r.choice(names or list(FUNCS))
        args, _ = FUNCS[name]
        if args == "P":
            pass
        parts = [name]
        if args.startswith("P"):
            parts.append(json.dumps(r.choice(PRINTF_FORMATS)))
            args = args[1:]
        elif args == "T":
            inner = self.stmt_text(1)
            return "tpl %s %s" % (json.dumps(inner), r.choice([".", "$"]))
        elif args == "I":
            return "include %s %s" % (json.dumps("helper"), self.expr("a", depth + 1))
        argv = [self.expr(t, depth) if t not in "rnE" else self.lit(t) for t in args]
        if len(argv) >= 1 and r.random() < 0.3 and args[-1] not in "rnE":
            # pipeline form: last argument piped in
            text = "%s | %s" % (argv[-1], " ".join(parts + argv[:-1]))
        else:
            text = " ".join(parts + argv)
        if name in UNORDERED:
            # Go's map order: Helm's own result varies from run to run.
            text = "sortAlpha (%s)" % text
        return text

    def stmt_text(self, depth):
        return "".join(self.stmt(depth) for _ in range(self.r.randint(1, 3)))

    def action(self, body):
        r = self.r
        lt = "{{- " if r.random() < 0.2 else "{{ "
        rt = " -}}" if r.random() < 0.2 else " }}"
        return lt + body + rt

    def stmt(self, depth=0):
        r = self.r
        c = r.random()
        if c < 0.15:
            return r.choice(["x", " ", "\n", "a: ", "- ", "\n  ", "[", "]", ","])
        if depth > 2 or c < 0.6:
            return self.action(self.call(r.choice("sifbld"), 0) if r.random() < 0.85 else self.expr("a"))
        if c < 0.7:
            return self.action("if " + self.expr("b", 1)) + self.stmt_text(depth + 1) + \
                (self.action("else") + self.stmt_text(depth + 1) if r.random() < 0.5 else "") + self.action("end")
        if c < 0.8:
            v, k = "$v%d" % len(self.vars), "$k%d" % len(self.vars)
            src = self.expr(r.choice("ld"), 1)
            self.vars += [v, k]
            body = self.stmt_text(depth + 1)
            self.vars = self.vars[:-2]
            return self.action("range %s, %s := %s" % (k, v, src)) + body + self.action("end")
        if c < 0.87:
            return self.action("with " + self.expr("a", 1)) + self.stmt_text(depth + 1) + self.action("end")
        if c < 0.94:
            v = "$x%d" % len(self.vars)
            s = self.action("%s := %s" % (v, self.expr("a", 1)))
            self.vars.append(v)
            return s
        return self.action("include %s %s" % (json.dumps("helper"), r.choice([".", "$", "(list 1 2)", '"s"'])))

    def case(self):
        vals = self.values()
        self.paths = []
        self.collect(vals)
        self.vars = []
        body = self.stmt_text(0)
        helper = '{{ define "helper" }}[' + self.stmt_text(1) + ']{{ end }}'
        return helper + body, vals


FUNC_NAME_RX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "nil", "true", "false"}


def names_in(tpl):
    out = set()
    for m in re.finditer(r"\{\{(.*?)\}\}", tpl, re.S):
        body = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`', "", m.group(1))
        body = re.sub(r"[$.][A-Za-z0-9_.]*", "", body)
        for n in FUNC_NAME_RX.findall(body):
            if n in FUNCS or n in KEYWORDS or n in ("tpl", "include"):
                out.add(n)
    return out


# Helm mode of a run (--helm): the oracle is Helm 4's engine, so Helm 4 mode compares like with
# like (values: Helm 4 drops null map entries, Helm 3 keeps them); Helm 3 mode frames errors
# the Helm 3 way on both sides.
VENDOR_MODE = []
ORACLE_MODE = []


def _oracle_worker(conn, mode):
    while True:
        try:
            tpl, vals, work = conn.recv()
        except EOFError:
            return
        # Values are written as UTF-8: JSON's surrogate-pair escapes for characters outside
        # the BMP are invalid YAML escapes, which both engines refuse (values-file wording,
        # not templates).
        conn.send(oracle_case(tpl, vals, work, mode, ensure_ascii=False))


class Oracle:
    """Helm's engine in a child process: Go's runtime aborts the whole process on some
    templates (a stack overflow from deep recursion), which then count as oracle crashes."""

    def __init__(self):
        self.ctx = multiprocessing.get_context("spawn")
        self.crashes = 0
        self._start()

    def _start(self):
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_oracle_worker, args=(child, list(ORACLE_MODE)), daemon=True)
        self.proc.start()
        child.close()

    def run(self, tpl, vals, work):
        """("ok", out) / ("error", message), or None when Helm's engine crashed or hung."""
        try:
            self.conn.send((tpl, vals, work))
            if self.conn.poll(60):
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        self.crashes += 1
        self.proc.kill()
        self.proc.join()
        self._start()
        return None


ORACLE = []


def oracle_run(tpl, vals, work):
    return ORACLE[0].run(tpl, vals, work)


def run_vendor(vendor, tpl, vals, work):
    d = tempfile.mkdtemp(dir=work)
    try:
        cd = os.path.join(d, "suite")
        write_case_chart(cd, tpl, vals, ensure_ascii=False)
        try:
            p = subprocess.run([vendor, "template", cd, "--name", "r", "--kube-version", "1.31.0", *VENDOR_MODE],
                               capture_output=True, timeout=20)
            return parse_template_output(p.stdout.decode("utf-8", "replace"),
                                         p.stderr.decode("utf-8", "replace"), p.returncode)
        except subprocess.TimeoutExpired:
            return "error", "TIMEOUT"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def diff_kind(o, v):
    if o[0] == "ok" and v[0] == "error":
        return "vendor-error"
    if o[0] == "error" and v[0] == "ok":
        return "vendor-ok"
    if o[0] == "ok":
        return None if o[1] == v[1] else "output"
    return None if o[1] == v[1] else "error-text"


def err_class(msg):
    m = re.search(r'function "(\w+)" not defined', msg)
    if m:
        return "undefined-" + m.group(1)
    m = re.search(r"error calling (\w+)", msg.split("error calling include:")[-1])
    if m:
        return "calling-" + m.group(1)
    if "parse error" in msg:
        return "parse"
    if "TIMEOUT" in msg:
        return "timeout"
    return "exec"


def failing_at(msg):
    """The innermost `at <...>` node of a Go template error, reduced to its first word."""
    ats = re.findall(r"at <([^>]*)>", msg)
    if not ats:
        return "?"
    w = ats[-1].split()
    if not w:
        return "?"
    head = w[0].lstrip("(")
    if head.startswith((".", "$")):
        return "field"
    if re.match(r"^[-0-9'\"`]", head):
        return "literal"
    return re.sub(r"[^A-Za-z0-9_]", "", head)[:30]


ACTION_RX = re.compile(r"\{\{-? .*? -?\}\}", re.S)


def minimise(tpl, vals, kind, check, budget=60):
    """Greedy: drop top-level pieces, simplify actions, prune values, while `check` holds."""
    tries = 0
    # split into tokens: actions and text
    def pieces(t):
        out, pos = [], 0
        for m in re.finditer(r"\{\{.*?\}\}", t, re.S):
            if m.start() > pos:
                out.append(t[pos:m.start()])
            out.append(m.group(0))
            pos = m.end()
        if pos < len(t):
            out.append(t[pos:])
        return out
    changed = True
    while changed and tries < budget:
        changed = False
        ps = pieces(tpl)
        for i in range(len(ps)):
            if tries >= budget:
                break
            cand = "".join(ps[:i] + ps[i + 1:])
            tries += 1
            if check(cand, vals) == kind:
                tpl = cand
                changed = True
                break
    # values pruning
    if isinstance(vals, dict):
        for k in list(vals):
            if tries >= budget:
                break
            v2 = {kk: vv for kk, vv in vals.items() if kk != k}
            tries += 1
            if check(tpl, v2) == kind:
                vals = v2
    return tpl, vals


def write_summary(a, stats, seen):
    summary = {"seed": a.seed, "seconds": a.seconds, "helm": a.helm, "stats": stats,
               "distinct": sorted(seen.values(), key=lambda x: -x["count"])}
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vendor", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="/tmp/helm-fuzz")
    ap.add_argument("--helm", choices=["3", "4"], default="4")
    a = ap.parse_args()
    if a.helm == "4":
        VENDOR_MODE[:] = ["--helm-version", "4"]
        ORACLE_MODE[:] = ["--helm-compat", "v4"]
    vendor = os.path.abspath(a.vendor)
    os.makedirs(a.out, exist_ok=True)
    ORACLE.append(Oracle())
    rnd = random.Random(a.seed)
    work = tempfile.mkdtemp()
    owork = tempfile.mkdtemp()
    seen = {}
    stats = {"cases": 0, "oracle_ok": 0, "oracle_error": 0, "differences": 0, "distinct": 0,
             "nondeterministic": 0, "oracle_crash": 0}
    t_end = time.time() + a.seconds

    def outcome_class(o):
        if o[0] == "ok":
            return "ok"
        return "parse" if o[1].startswith("parse error") else "exec"

    def make_check(orig_class):
        def check(tpl, vals):
            o = oracle_run(tpl, vals, owork)
            if o is None or outcome_class(o) != orig_class:
                return None
            v = run_vendor(vendor, tpl, vals, work)
            return diff_kind(o, v)
        return check

    while time.time() < t_end:
        g = Gen(rnd)
        tpl, vals = g.case()
        o = oracle_run(tpl, vals, owork)
        o2 = oracle_run(tpl, vals, owork) if o is not None else None
        stats["oracle_crash"] = ORACLE[0].crashes
        if o is None or o2 is None:
            continue  # Helm's engine crashed (Go stack overflow) or hung
        if o != o2:
            stats["nondeterministic"] += 1
            continue  # nondeterministic (map order in output, etc.)
        stats["cases"] += 1
        if stats["cases"] % 50 == 0:
            write_summary(a, stats, seen)
        stats["oracle_ok" if o[0] == "ok" else "oracle_error"] += 1
        v = run_vendor(vendor, tpl, vals, work)
        kind = diff_kind(o, v)
        if not kind:
            continue
        stats["differences"] += 1
        mt, mv = minimise(tpl, vals, kind, make_check(outcome_class(o)))
        mo = oracle_run(mt, mv, owork)
        mvv = run_vendor(vendor, mt, mv, work)
        if mo is None or diff_kind(mo, mvv) != kind:
            mt, mv, mo, mvv = tpl, vals, o, v
        names = sorted(names_in(mt) - {"end", "define", "else", "true", "false", "nil"})
        if kind == "vendor-error":
            sig = kind + ":" + err_class(mvv[1])
        elif kind == "error-text":
            sig = kind + ":" + err_class(mo[1]) + ":" + failing_at(mo[1])
        else:
            sig = kind + ":" + ",".join(names)
        if sig in seen:
            seen[sig]["count"] += 1
            continue
        stats["distinct"] += 1
        n = len(seen) + 1
        d = os.path.join(a.out, "%03d-%s" % (n, re.sub(r"[^A-Za-z0-9_.-]+", "_", sig)[:80]))
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "template.tpl"), "w").write(mt)
        json.dump(mv, open(os.path.join(d, "values.json"), "w"), indent=1)
        open(os.path.join(d, "oracle.txt"), "w").write("%s\n%s" % mo)
        open(os.path.join(d, "vendor.txt"), "w").write("%s\n%s" % mvv)
        seen[sig] = {"dir": os.path.basename(d), "kind": kind, "functions": names, "count": 1,
                     "template": mt, "values": mv, "oracle": list(mo), "vendor": list(mvv)}
        print("NEW %s %s" % (sig, json.dumps(mt)[:160]), file=sys.stderr, flush=True)
        write_summary(a, stats, seen)
    write_summary(a, stats, seen)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(owork, ignore_errors=True)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
