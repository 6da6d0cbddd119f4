#!/usr/bin/env python3
"""Reference renderer ("oracle") for `helm template`.

Prints what `helm template` v3.16 prints to stdout (or the error text on
stderr with exit code 1), using Helm's own Go engine shipped by the PyPI
package `helm-python-sdk==0.2.2` (Helm Go SDK v4.2.3 as a shared library).

Only the template engine, chart loading, value coalescing and dependency
processing come from the Go library (`Chart.render`).  The `helm template`
command logic around it (value-file merging, manifest splitting, install-order
sort, hooks, CRDs, --show-only, error framing) is re-implemented here from the
Helm v3.16.4 sources (cmd/helm/template.go, pkg/action/action.go,
pkg/releaseutil/{manifest,manifest_sorter,kind_sorter}.go).  `--helm-compat v4`
switches the few places where Helm 4 differs (document splitting, install order
of webhook configurations) so the Helm v4 golden files can be checked too.

Known limits (see docs/helm-conformance.md):
  * values given with --set are passed to the engine as JSON, so integers become
    float64 (real Helm keeps int64 for --set integers);
  * .Capabilities.HelmVersion reports the library's v4.2 version;
  * the default .Capabilities.APIVersions list is the one of Helm 4.2.3
    (Kubernetes 1.36 client libraries);
  * execution errors are converted back from Helm 4's multi-line form to Helm 3's
    one-line form (exact for the usual single-level and include-chain errors).

Usage: oracle.py template [NAME] CHART [flags]   (the word `template` is optional)
Also importable: `run(argv) -> (stdout, stderr, exit_code)`.
"""
from __future__ import annotations

import fnmatch
import io
import json
import os
import re
import sys
import tarfile

import helm_python as helm
from helm_python import _native

DEFAULT_KUBE_VERSION = "1.31.0"  # helm v3.16.4 release builds (client-go v0.31)

INSTALL_ORDER_V3 = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
    "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService",
]
INSTALL_ORDER_V4 = INSTALL_ORDER_V3 + ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

HOOK_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success",
}

GO_SPACE = " \t\n\f\r\v"  # strings.TrimSpace (ASCII part; plus U+0085, U+00A0)
GO_SPACE_ALL = GO_SPACE + "\u0085\u00a0"

# releaseutil.SplitManifests separators; Go's \s is [\t\n\f\r ]
SEP_V3 = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
SEP_V4 = re.compile(r"(?m)^---[ \t]*")


class HelmError(Exception):
    """An error that `helm template` reports; `rel` tells whether a release
    object existed (then the "Use --debug flag" hint is appended)."""

    def __init__(self, msg, rel=False, partial=""):
        super().__init__(msg)
        self.msg = msg
        self.rel = rel
        self.partial = partial


def go_trim(s: str) -> str:
    return s.strip(GO_SPACE_ALL)


def split_manifests(big: str, compat: str) -> list[str]:
    if compat == "v4":
        big = big.lstrip(GO_SPACE_ALL)
        out = []
        for d in SEP_V4.split(big):
            if go_trim(d) == "":
                continue
            out.append(d.lstrip(GO_SPACE_ALL))
        return out
    big = go_trim(big)
    out = []
    for d in SEP_V3.split(big):
        if d == "":
            continue
        out.append(go_trim(d))
    return out


# ----------------------------------------------------------------------------
# YAML parsing of document heads through Go (sigs.k8s.io/yaml, as Helm)

def go_yaml(doc: str):
    """Parse a YAML document like sigs.k8s.io/yaml.Unmarshal into a map.
    Returns (value, error_text)."""
    try:
        return helm.values_from_yaml(doc), None
    except Exception as e:  # HelmValuesError
        msg = getattr(e, "detail", None) or str(e)
        if "cannot unmarshal" in msg and "common.Values" in msg:
            # a non-map document (list/scalar): SimpleHead unmarshal fails the same way
            m = re.search(r"cannot unmarshal (\w+) into Go value", msg)
            kind = m.group(1) if m else "array"
            return None, ("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s "
                          "into Go value of type releaseutil.SimpleHead" % kind)
        return None, msg


def simple_head(doc: str):
    val, err = go_yaml(doc)
    if err is not None:
        return None, err
    if val is None:
        val = {}
    kind = val.get("kind") if isinstance(val, dict) else None
    md = val.get("metadata") if isinstance(val, dict) else None
    name = None
    ann = None
    if isinstance(md, dict):
        name = md.get("name")
        ann = md.get("annotations")
        if ann is not None and not isinstance(ann, dict):
            ann = None
    if kind is not None and not isinstance(kind, str):
        return None, ("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go "
                      "struct field SimpleHead.kind of type string" % _json_kind(kind))
    if ann:
        for k, v in ann.items():
            if v is not None and not isinstance(v, str):
                return None, ("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into "
                              "Go struct field .metadata.annotations of type string" % _json_kind(v))
    return {"kind": kind or "", "name": name if isinstance(name, str) else "",
            "annotations": {k: (v or "") for k, v in (ann or {}).items()}}, None


def _json_kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "string"


# ----------------------------------------------------------------------------
# Values

def merge_maps(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_maps(out[k], v)
            continue
        out[k] = v
    return out


def read_values_file(path: str) -> dict:
    if path == "-":
        data = sys.stdin.read()
    else:
        try:
            with open(path, "rb") as f:
                data = f.read().decode("utf-8", "surrogateescape")
        except OSError as e:
            raise HelmError("open %s: no such file or directory" % path) if not os.path.exists(path) \
                else HelmError(str(e))
    try:
        v = helm.values_from_yaml(data)
    except Exception as e:
        raise HelmError("failed to parse %s: %s" % (path, getattr(e, "detail", None) or e))
    return v or {}


def parse_set(kind: str, expr: str) -> dict:
    fn = {"set": "helm_strvals_parse", "set-string": "helm_strvals_parse_string",
          "set-json": "helm_strvals_parse_json", "set-literal": "helm_strvals_parse_literal",
          "set-file": "helm_strvals_parse_file"}[kind]
    try:
        return json.loads(_native.call_string(fn, expr))
    except Exception as e:
        what = {"set": "--set", "set-string": "--set-string", "set-json": "--set-json",
                "set-literal": "--set-literal", "set-file": "--set-file"}[kind]
        raise HelmError("failed parsing %s data: %s" % (what, getattr(e, "detail", None) or e))


# ----------------------------------------------------------------------------
# Chart tree (for CRDs and for enabled-subchart detection)

MANIFEST_EXT = (".yaml", ".yml", ".json")


def _walk_files(root: str, rel: str = ""):
    """filepath.Walk order: entries of each directory sorted by name."""
    d = os.path.join(root, rel) if rel else root
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return
    for n in names:
        r = n if not rel else rel + "/" + n
        p = os.path.join(root, r)
        if os.path.isdir(p):
            yield from _walk_files(root, r)
        else:
            yield r


class ChartNode:
    def __init__(self, meta, crd_files, subcharts, has_templates, values):
        self.meta = meta              # Chart.yaml dict
        self.crds = crd_files         # [(name, data)] in Files order
        self.subcharts = subcharts    # [ChartNode]
        self.has_templates = has_templates
        self.values = values


def _load_tree_from_tar(tf: tarfile.TarFile, members, prefix: str) -> ChartNode:
    files = {}
    order = []
    for m in members:
        if not m.isfile():
            continue
        name = m.name
        if not name.startswith(prefix):
            continue
        r = name[len(prefix):]
        files[r] = tf.extractfile(m).read()
        order.append(r)
    return _node_from_files(files, order, lambda r: None)


def _node_from_files(files, order, tgz_loader):
    import yaml as _y
    meta = {}
    if "Chart.yaml" in files:
        try:
            meta = _y.safe_load(files["Chart.yaml"].decode("utf-8", "replace")) or {}
        except Exception:
            meta = {}
    crds = [(r, files[r].decode("utf-8", "surrogateescape")) for r in order
            if r.startswith("crds/") and r.endswith(MANIFEST_EXT)]
    has_templates = any(r.startswith("templates/") for r in order)
    subs = []
    seen = set()
    for r in order:
        if not r.startswith("charts/"):
            continue
        rest = r[len("charts/"):]
        if "/" in rest:
            sub = rest.split("/", 1)[0]
            if sub in seen:
                continue
            seen.add(sub)
            pre = "charts/" + sub + "/"
            sfiles = {k[len(pre):]: v for k, v in files.items() if k.startswith(pre)}
            sorder = [k[len(pre):] for k in order if k.startswith(pre)]
            if "Chart.yaml" in sfiles:
                subs.append(_node_from_files(sfiles, sorder, tgz_loader))
        elif rest.endswith(".tgz") or rest.endswith(".tar.gz"):
            try:
                with tarfile.open(fileobj=io.BytesIO(files[r])) as tf:
                    ms = tf.getmembers()
                    top = ms[0].name.split("/")[0] + "/" if ms else ""
                    subs.append(_load_tree_from_tar(tf, ms, top))
            except Exception:
                pass
    vals = {}
    if "values.yaml" in files:
        try:
            vals = _y.safe_load(files["values.yaml"].decode("utf-8", "replace")) or {}
        except Exception:
            vals = {}
    return ChartNode(meta, crds, subs, has_templates, vals)


def _helmignore(root: str):
    """A predicate for paths (relative, '/'-separated) that Helm's LoadDir skips: the rules of
    root/.helmignore as pkg/ignore reads them ('/'-prefixed and '/'-containing patterns
    match the path, others the base name; a trailing '/' only directories; '!' negates)."""
    pats = []
    try:
        with open(os.path.join(root, ".helmignore"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for rule in lines:
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        neg = rule.startswith("!")
        if neg:
            rule = rule[1:]
        must_dir = rule.endswith("/")
        rule = rule.rstrip("/")
        if rule.startswith("/"):
            pats.append((neg, must_dir, "path", rule[1:]))
        elif "/" in rule:
            pats.append((neg, must_dir, "path", rule))
        else:
            pats.append((neg, must_dir, "base", rule))

    def ignored(rel: str, is_dir: bool) -> bool:
        if rel.startswith("templates/") and os.path.basename(rel).startswith("."):
            return True  # Helm's default rule templates/.?*
        for neg, must_dir, kind, rule in pats:
            if must_dir and not is_dir:
                continue
            name = rel if kind == "path" else os.path.basename(rel)
            if go_match(rule, name):
                return not neg
        return False
    return ignored


def load_tree(path: str) -> ChartNode:
    if os.path.isdir(path):
        ignored = _helmignore(path)

        def skipped(r):
            parts = r.split("/")
            return any(ignored("/".join(parts[:i + 1]), i < len(parts) - 1) for i in range(len(parts)))
        order = [r for r in _walk_files(path) if not skipped(r)]
        files = {}
        for r in order:
            if r.startswith("crds/") or r.startswith("charts/") or r in ("Chart.yaml", "values.yaml") \
                    or r.startswith("templates/"):
                try:
                    with open(os.path.join(path, r), "rb") as f:
                        files[r] = f.read() if not r.startswith("templates/") else b""
                except OSError:
                    pass
        order = [r for r in order if r in files]
        return _node_from_files(files, order, None)
    with tarfile.open(path) as tf:
        ms = tf.getmembers()
        top = ms[0].name.split("/")[0] + "/" if ms else ""
        return _load_tree_from_tar(tf, ms, top)


def _path_value(vals, path):
    cur = vals
    parts = path.split(".")
    for p in parts[:-1]:
        if not isinstance(cur, dict) or not isinstance(cur.get(p), dict):
            return None, False
        cur = cur[p]
    if isinstance(cur, dict) and parts[-1] in cur:
        return cur[parts[-1]], True
    return None, False


def collect_crds(node: ChartNode, full_path: str, rendered_keys, merged_vals, cpath="") -> list:
    """ch.CRDObjects() of the chart after ProcessDependencies."""
    out = [(full_path + "/" + n, d) for n, d in node.crds]
    subs_by_name = {}
    for s in node.subcharts:
        subs_by_name.setdefault(s.meta.get("name"), []).append(s)
    deps = node.meta.get("dependencies") or []
    declared = set()
    ordered = []
    for d in deps:
        if not isinstance(d, dict):
            continue
        declared.add(d.get("name"))
        cands = subs_by_name.get(d.get("name")) or []
        if cands:
            ordered.append((d.get("alias") or d.get("name"), cands[0], d))
    extra = [(s.meta.get("name"), s, None) for s in node.subcharts if s.meta.get("name") not in declared]
    for name, sub, dep in extra + ordered:
        sub_full = full_path + "/charts/" + name
        prefix = sub_full + "/"
        if sub.has_templates or _tree_has_templates(sub):
            enabled = any(k.startswith(prefix) for k in rendered_keys)
        else:
            enabled = _eval_enabled(dep, merged_vals, cpath)
        if enabled:
            out.extend(collect_crds(sub, sub_full, rendered_keys, merged_vals, cpath + name + "."))
    return out


def _tree_has_templates(node):
    return node.has_templates or any(_tree_has_templates(s) for s in node.subcharts)


def _eval_enabled(dep, vals, cpath):
    if dep is None:
        return True
    enabled = True
    tags = dep.get("tags") or []
    if tags:
        vt = vals.get("tags") if isinstance(vals, dict) else None
        if isinstance(vt, dict):
            has_true = any(vt.get(t) is True for t in tags)
            has_false = any(vt.get(t) is False for t in tags)
            if not has_true and has_false:
                enabled = False
    cond = (dep.get("condition") or "").strip()
    for c in cond.split(","):
        if c:
            v, ok = _path_value(vals, cpath + c)
            if ok and isinstance(v, bool):
                enabled = v
                break
    return enabled


# ----------------------------------------------------------------------------
# Error conversion (Helm 4 multi-line exec errors -> Helm 3 one-line form)

def v4_error_to_v3(msg: str) -> str:
    if msg.startswith("execution error at (") or msg.startswith("parse error"):
        return msg
    lines = msg.split("\n")
    entries = []
    i = 0
    while i < len(lines):
        loc = lines[i]
        if loc.startswith(" "):
            return msg
        if i + 1 < len(lines) and lines[i + 1].startswith("  executing "):
            exe = lines[i + 1].strip()
            if i + 2 < len(lines) and lines[i + 2].startswith("    "):
                m = lines[i + 2][4:]
                entries.append((loc, exe, m))
                i += 3
                continue
            entries.append((loc, exe, ""))
            i += 2
            continue
        if i + 1 < len(lines) and lines[i + 1].startswith("  "):
            entries.append((loc, None, lines[i + 1][2:]))
            i += 2
            continue
        if len(lines) == 1:
            return msg
        entries.append((None, None, loc))
        i += 1
    if not entries or entries[0][0] is None:
        return msg
    out = ""
    for loc, exe, m in reversed(entries):
        if loc is None:
            cur = m
        elif exe:
            cur = "template: %s: %s %s" % (loc, exe, m)
        else:
            cur = "template: %s: %s" % (loc, m)
        out = cur if not out else cur + " " + out
    return out


# ----------------------------------------------------------------------------
# The command

class Opts:
    def __init__(self):
        self.name = None
        self.chart = None
        self.namespace = "default"
        self.values_files = []
        self.sets = []  # (kind, expr) in flag order per kind
        self.kube_version = None
        self.api_versions = []
        self.include_crds = False
        self.is_upgrade = False
        self.skip_tests = False
        self.no_hooks = False
        self.show_only = []
        self.debug = False
        self.name_template = None
        self.compat = "v3"
        self.default_kube_version = DEFAULT_KUBE_VERSION


BOOL_FLAGS = {"--include-crds", "--is-upgrade", "--skip-tests", "--no-hooks", "--debug",
              "--generate-name", "-g", "--dependency-update", "--devel", "--atomic", "--wait",
              "--create-namespace", "--disable-openapi-validation", "--replace", "--skip-crds",
              "--render-subchart-notes", "--validate", "--skip-schema-validation"}


def parse_args(argv):
    o = Opts()
    pos = []
    i = 0
    args = list(argv)
    if args and args[0] == "template":
        args = args[1:]
    while i < len(args):
        a = args[i]
        if a == "--":
            pos.extend(args[i + 1:])
            break
        if a.startswith("-") and a != "-":
            if "=" in a and a.startswith("--"):
                flag, val = a.split("=", 1)
                has_val = True
            elif len(a) > 2 and a[1] != "-" and a[:2] in ("-f", "-n", "-a", "-s"):
                flag, val, has_val = a[:2], a[2:], True
            else:
                flag, val, has_val = a, None, False
            if flag in BOOL_FLAGS:
                b = True if not has_val else val.lower() in ("true", "1", "t")
                if flag == "--include-crds":
                    o.include_crds = b
                elif flag == "--is-upgrade":
                    o.is_upgrade = b
                elif flag == "--skip-tests":
                    o.skip_tests = b
                elif flag == "--no-hooks":
                    o.no_hooks = b
                elif flag == "--debug":
                    o.debug = b
                i += 1
                continue
            if not has_val:
                if i + 1 >= len(args):
                    raise HelmError("flag needs an argument: %s" % flag)
                val = args[i + 1]
                i += 2
            else:
                i += 1
            if flag in ("-f", "--values"):
                o.values_files.extend(val.split(",") if val else [])
            elif flag in ("-n", "--namespace"):
                o.namespace = val
            elif flag in ("--name", "--release-name"):
                o.name = val
            elif flag == "--name-template":
                o.name_template = val
            elif flag in ("--set", "--set-string", "--set-json", "--set-literal", "--set-file"):
                o.sets.append((flag[2:], val))
            elif flag == "--kube-version":
                o.kube_version = val
            elif flag in ("-a", "--api-versions"):
                o.api_versions.extend([x for x in val.split(",")])
            elif flag in ("-s", "--show-only"):
                o.show_only.append(val)
            elif flag == "--helm-compat":
                o.compat = val
            elif flag == "--default-kube-version":
                o.default_kube_version = val
            elif flag in ("--version", "--output-dir", "--post-renderer", "--timeout", "--description",
                          "--repo", "--username", "--password", "--labels", "--post-renderer-args"):
                pass
            else:
                raise HelmError("unknown flag: %s" % flag)
            continue
        pos.append(a)
        i += 1
    if len(pos) == 0:
        raise HelmError('"helm template" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]')
    if len(pos) == 1:
        o.chart = pos[0]
    elif len(pos) == 2:
        o.name, o.chart = pos
    else:
        raise HelmError("expected at most two arguments, unexpected arguments: %s" % ", ".join(pos[2:]))
    return o


SEMVER_RE = re.compile(r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
                       r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
                       r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$")


def parse_kube_version(v: str) -> str:
    m = SEMVER_RE.match(v)
    if not m:
        raise HelmError("invalid kube version '%s': Invalid Semantic Version" % v)
    major = int(m.group(1))
    minor = int(m.group(2)[1:]) if m.group(2) else 0
    patch = int(m.group(3)[1:]) if m.group(3) else 0
    s = "v%d.%d.%d" % (major, minor, patch)
    if m.group(5):
        s += "-" + m.group(5)
    if m.group(8):
        s += "+" + m.group(8)
    return s


def render_name_template(tpl: str) -> str:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "nt")
        os.makedirs(os.path.join(c, "templates"))
        with open(os.path.join(c, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: nt\nversion: 0.1.0\n")
        with open(os.path.join(c, "templates", "n"), "w") as f:
            f.write(tpl)
        with helm.Chart.load(c) as ch:
            out = ch.render({}, name="x")
        return out.get("nt/templates/n", "")


def template(o: Opts):
    """Returns the stdout text; raises HelmError."""
    name = o.name
    if o.name_template:
        name = render_name_template(o.name_template)
    if not name:
        name = "release-name"
    kube = parse_kube_version(o.kube_version) if o.kube_version else "v" + o.default_kube_version.lstrip("v")

    # values (valueOpts.MergeValues): -f files, --set-json, --set, --set-string, --set-file, --set-literal
    vals = {}
    for vf in o.values_files:
        vals = merge_maps(vals, read_values_file(vf))
    for kind in ("set-json", "set", "set-string", "set-file", "set-literal"):
        for k, e in o.sets:
            if k == kind:
                vals = merge_maps(vals, parse_set(kind, e))

    chart_path = o.chart
    if not os.path.exists(chart_path):
        raise HelmError("non-absolute URLs should be in form of repo_name/path_to_chart, got: %s" % chart_path)
    try:
        ch = helm.Chart.load(chart_path)
    except Exception as e:
        raise HelmError(getattr(e, "detail", None) or str(e))
    with ch:
        meta = ch.metadata
        ctype = meta.get("type") or ""
        if ctype not in ("", "application"):
            raise HelmError("%s charts are not installable" % ctype)
        reqs = meta.get("dependencies")
        if reqs:
            have = {d.get("name") for d in ch.dependencies}
            missing = [r.get("name") for r in reqs if r.get("name") not in have]
            if missing:
                raise HelmError("An error occurred while checking for chart dependencies. You may need to run "
                                "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
                                "missing in charts/ directory: " + ", ".join(missing))
        try:
            _native.call_status("helm_release_name_validate", name)
        except Exception as e:
            raise HelmError("release name %s: %s" % (json.dumps(name), getattr(e, "detail", None) or e))
        kv_req = meta.get("kubeVersion")
        opts = {"name": name, "namespace": o.namespace, "revision": 1,
                "is_install": not o.is_upgrade, "is_upgrade": o.is_upgrade,
                "kube_version": kube}
        if o.api_versions:
            opts["api_versions"] = o.api_versions
        try:
            files = json.loads(_native.call_string("helm_render", ch._raw(), json.dumps(vals), json.dumps(opts)))
        except Exception as e:
            msg = getattr(e, "detail", None) or str(e)
            is_render = type(e).__name__ == "HelmRenderError"
            if is_render and o.compat != "v4":
                msg = v4_error_to_v3(msg)
            raise HelmError(msg, rel=is_render)
        if kv_req:
            if not kube_compatible(kv_req, kube):
                raise HelmError("chart requires kubeVersion: %s which is incompatible with Kubernetes %s"
                                % (kv_req, kube), rel=True)
        chart_name = meta.get("name")
        merged = None
        tree = None
        if o.include_crds:
            tree = load_tree(chart_path)
            try:
                merged = ch.merge_values(vals)
            except Exception:
                merged = vals
    return assemble(o, files, chart_name, tree, merged)


def kube_compatible(constraint: str, version: str) -> bool:
    """chartutil.IsCompatibleRange via a tiny Masterminds/semver constraint check."""
    try:
        return _semver_check(constraint, version)
    except Exception:
        return True


def _vtuple(v):
    m = SEMVER_RE.match(v.strip())
    if not m:
        raise ValueError(v)
    return (int(m.group(1)), int(m.group(2)[1:]) if m.group(2) else 0,
            int(m.group(3)[1:]) if m.group(3) else 0, m.group(5) or "")


def _pre_cmp(a, b):
    if a == b:
        return 0
    if a == "":
        return 1
    if b == "":
        return -1
    return -1 if a < b else 1


def _cmp(a, b):
    if a[:3] != b[:3]:
        return -1 if a[:3] < b[:3] else 1
    return _pre_cmp(a[3], b[3])


def _semver_check(constraint, version):
    v = _vtuple(version)
    for alt in constraint.split("||"):
        ok = True
        toks = re.findall(r"(>=|<=|!=|=>|=<|>|<|=|~>|~|\^)?\s*(v?[0-9xX*][0-9A-Za-z.\-+*]*)", alt)
        for op, ver in toks:
            cv = ver.replace("x", "0").replace("X", "0").replace("*", "0")
            c = _vtuple(cv)
            pre_ok = True
            if v[3] and not c[3]:
                pre_ok = False  # prerelease versions only match constraints with prerelease
            r = _cmp(v, c)
            if op in ("", "="):
                res = r == 0 if "x" not in ver.lower() and "*" not in ver else True
            elif op == ">":
                res = r > 0
            elif op in (">=", "=>"):
                res = r >= 0
            elif op == "<":
                res = r < 0
            elif op in ("<=", "=<"):
                res = r <= 0
            elif op == "!=":
                res = r != 0
            elif op in ("~", "~>"):
                res = r >= 0 and v[:2] == c[:2]
            elif op == "^":
                res = r >= 0 and v[0] == c[0]
            else:
                res = True
            if not res or not pre_ok:
                ok = False
                break
        if ok:
            return True
    return False


def assemble(o: Opts, files: dict, chart_name: str, tree, merged) -> str:
    compat = o.compat
    order = INSTALL_ORDER_V4 if compat == "v4" else INSTALL_ORDER_V3
    # NOTES.txt files are pulled out
    files = {k: v for k, v in files.items() if not k.endswith("NOTES.txt")}
    hooks = []
    generic = []
    err = None
    for path in sorted(files):
        content = files[path]
        if os.path.basename(path).startswith("_"):
            continue
        if go_trim(content) == "":
            continue
        for m in split_manifests(content, compat):
            head, perr = simple_head(m)
            if perr is not None:
                err = "YAML parse error on %s: %s" % (path, perr)
                break
            ann = head["annotations"]
            if not ann or "helm.sh/hook" not in ann:
                generic.append((path, m, head["kind"]))
                continue
            hook_types = ann["helm.sh/hook"]
            events = []
            unknown = False
            for ht in hook_types.split(","):
                ht = ht.strip().lower()
                if ht not in HOOK_EVENTS:
                    unknown = True
                    break
                events.append("test" if ht == "test-success" else ht)
            if unknown:
                continue
            hooks.append((path, m, head["kind"], events))
        if err:
            break
    if err:
        partial = ""
        for name in sorted(files):  # Go map order is random; sorted is one valid order
            content = files[name]
            if go_trim(content) == "":
                continue
            partial += "---\n# Source: %s\n%s\n" % (name, content)
        raise HelmError(err, rel=True, partial=partial)

    rank = {k: i for i, k in enumerate(order)}

    def key(kind):
        if kind in rank:
            return (0, rank[kind], "")
        return (1, 0, kind)

    generic.sort(key=lambda x: key(x[2]))   # stable, like sort.SliceStable
    hooks.sort(key=lambda x: key(x[2]))

    b = []
    if o.include_crds and tree is not None:
        for fname, data in collect_crds(tree, chart_name, list(files.keys()), merged or {}):
            b.append("---\n# Source: %s\n%s\n" % (fname, data))
    for path, m, kind in generic:
        b.append("---\n# Source: %s\n%s\n" % (path, m))
    visible = [(p, m) for p, m, k, ev in hooks if not (o.skip_tests and "test" in ev)]
    return output(o, "".join(b), visible)


def output(o: Opts, manifest: str, hooks, install_err=None) -> str:
    """cmd/helm/template.go: print rel.Manifest, then hooks; apply --show-only."""
    out = go_trim(manifest) + "\n"
    if not o.no_hooks:
        for path, m in hooks:
            out += "---\n# Source: %s\n%s\n" % (path, m)
    if o.show_only:
        docs = split_manifests(out, o.compat)
        rx = re.compile(r"# Source: [^/]+/(.+)")
        to_render = []
        for f in o.show_only:
            f = f.replace(os.sep, "/")
            missing = True
            for d in docs:
                mm = rx.search(d)
                if not mm:
                    continue
                if not go_match(f, mm.group(1)):
                    continue
                to_render.append(d)
                missing = False
            if missing:
                if install_err is not None and o.compat == "v4":
                    raise install_err
                raise HelmError("could not find template %s in chart" % f)
        return "".join("---\n%s\n" % d for d in to_render)
    return out


def go_match(pattern: str, name: str) -> bool:
    """filepath.Match: '*' and '?' do not match '/'."""
    rx = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            rx += "[^/]*"
        elif c == "?":
            rx += "[^/]"
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                return False
            cls = pattern[i + 1:j]
            if cls.startswith("^"):
                cls = "^" + cls[1:]
            rx += "[" + cls.replace("\\", "\\\\") + "]"
            i = j
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            rx += re.escape(pattern[i])
        else:
            rx += re.escape(c)
        i += 1
    return re.fullmatch(rx, name, re.S) is not None


def run(argv):
    """Returns (stdout, stderr, exit_code)."""
    try:
        o = parse_args(argv)
    except HelmError as e:
        return "", "Error: %s\n" % e.msg, 1
    try:
        return template(o), "", 0
    except HelmError as e:
        if o.debug and e.rel:
            try:
                out = output(o, e.partial, [], install_err=e)
            except HelmError as e2:
                return "", "Error: %s\n" % e2.msg, 1
            return out, "Error: %s\n" % e.msg, 1
        msg = e.msg
        if e.rel:
            msg += "\n\nUse --debug flag to render out invalid YAML"
        return "", "Error: %s\n" % msg, 1


def main():
    out, err, code = run(sys.argv[1:])
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.exit(code)


if __name__ == "__main__":
    main()
