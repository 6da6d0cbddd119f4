#!/usr/bin/env python3
"""Rebuild crates/helm-render/tests/real-charts/charts/ from GitHub repository snapshots.

Each chart is copied verbatim (`git archive`) from a bare git snapshot of its
upstream repository (as brought by the session tool `fetch github:OWNER/NAME`,
found under --mirrors as OWNER+NAME/repo).  Remote dependencies named in
Chart.yaml are resolved from snapshots too: the dependency's chart directory is
taken at the newest commit whose Chart.yaml version is the one pinned by
Chart.lock (or, without a lock, the newest satisfying the constraint) and placed
unpacked under the chart's charts/<name>/.  Charts whose dependencies cannot be
obtained are skipped and reported.

Writes sources.json (chart, version, repo, commit, path, license, dependencies)
next to the charts directory.

Usage: fetch_charts.py [--mirrors /work/.mirror] [--out crates/helm-render/tests/real-charts]
                       [--only NAME ...]
"""
import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import _semver_check  # noqa: E402

# name, repository (owner/name), path in repo, license[, git ref (default HEAD)]
# A chart whose Chart.yaml says version 0.0.0 (set by a release tool) is stored under <name>-<ref>.
CHARTS = [
    ("kube-prometheus-stack", "prometheus-community/helm-charts", "charts/kube-prometheus-stack", "Apache-2.0"),
    ("prometheus", "prometheus-community/helm-charts", "charts/prometheus", "Apache-2.0"),
    ("alertmanager", "prometheus-community/helm-charts", "charts/alertmanager", "Apache-2.0"),
    ("kube-state-metrics", "prometheus-community/helm-charts", "charts/kube-state-metrics", "Apache-2.0"),
    ("prometheus-node-exporter", "prometheus-community/helm-charts", "charts/prometheus-node-exporter", "Apache-2.0"),
    ("prometheus-blackbox-exporter", "prometheus-community/helm-charts", "charts/prometheus-blackbox-exporter",
     "Apache-2.0"),
    ("prometheus-adapter", "prometheus-community/helm-charts", "charts/prometheus-adapter", "Apache-2.0"),
    ("prometheus-pushgateway", "prometheus-community/helm-charts", "charts/prometheus-pushgateway", "Apache-2.0"),
    ("grafana", "grafana-community/helm-charts", "charts/grafana", "Apache-2.0"),
    ("promtail", "grafana/helm-charts", "charts/promtail", "Apache-2.0"),
    ("tempo-distributed", "grafana/helm-charts", "charts/tempo-distributed", "Apache-2.0"),
    ("loki-distributed", "grafana/helm-charts", "charts/loki-distributed", "Apache-2.0"),
    ("argo-cd", "argoproj/argo-helm", "charts/argo-cd", "Apache-2.0"),
    ("argo-workflows", "argoproj/argo-helm", "charts/argo-workflows", "Apache-2.0"),
    ("argo-rollouts", "argoproj/argo-helm", "charts/argo-rollouts", "Apache-2.0"),
    ("argo-events", "argoproj/argo-helm", "charts/argo-events", "Apache-2.0"),
    ("cert-manager", "cert-manager/cert-manager", "deploy/charts/cert-manager", "Apache-2.0", "v1.21.1"),
    ("external-dns", "kubernetes-sigs/external-dns", "charts/external-dns", "Apache-2.0"),
    ("cluster-autoscaler", "kubernetes/autoscaler", "cluster-autoscaler/charts/cluster-autoscaler", "Apache-2.0"),
    ("metrics-server", "kubernetes-sigs/metrics-server", "charts/metrics-server", "Apache-2.0"),
    ("redis-ha", "DandyDeveloper/charts", "charts/redis-ha", "Apache-2.0"),
    ("traefik", "traefik/traefik-helm-chart", "traefik", "Apache-2.0"),
    ("external-secrets", "external-secrets/external-secrets", "deploy/charts/external-secrets", "Apache-2.0",
     "helm-chart-0.9.19"),
    ("kyverno", "kyverno/kyverno", "charts/kyverno", "Apache-2.0", "kyverno-chart-3.4.4"),
    ("vector", "vectordotdev/helm-charts", "charts/vector", "MPL-2.0"),
    ("fluent-bit", "fluent/helm-charts", "charts/fluent-bit", "Apache-2.0"),
    ("fluentd", "fluent/helm-charts", "charts/fluentd", "Apache-2.0"),
    ("opentelemetry-collector", "open-telemetry/opentelemetry-helm-charts", "charts/opentelemetry-collector",
     "Apache-2.0"),
    ("opentelemetry-operator", "open-telemetry/opentelemetry-helm-charts", "charts/opentelemetry-operator",
     "Apache-2.0"),
    ("elasticsearch", "elastic/helm-charts", "elasticsearch", "Apache-2.0"),
    ("kibana", "elastic/helm-charts", "kibana", "Apache-2.0"),
    ("logstash", "elastic/helm-charts", "logstash", "Apache-2.0"),
    ("vault", "hashicorp/vault-helm", "", "MPL-2.0"),
    ("jenkins", "jenkinsci/helm-charts", "charts/jenkins", "Apache-2.0"),
    ("nats", "nats-io/k8s", "helm/charts/nats", "Apache-2.0"),
    ("longhorn", "longhorn/charts", "charts/longhorn", "Apache-2.0"),
    ("redis", "bitnami/charts", "bitnami/redis", "Apache-2.0"),
    ("postgresql", "bitnami/charts", "bitnami/postgresql", "Apache-2.0"),
    ("keycloak", "bitnami/charts", "bitnami/keycloak", "Apache-2.0"),
    ("kafka", "bitnami/charts", "bitnami/kafka", "Apache-2.0"),
]

# dependency repository URL -> (owner/name, path template)
REPO_URLS = [
    (r"prometheus-community\.github\.io/helm-charts", "prometheus-community/helm-charts", "charts/{name}"),
    (r"grafana-community\.github\.io/helm-charts", "grafana-community/helm-charts", "charts/{name}"),
    (r"grafana\.github\.io/helm-charts", "grafana/helm-charts", "charts/{name}"),
    (r"dandydeveloper\.github\.io/charts", "DandyDeveloper/charts", "charts/{name}"),
    (r"argoproj\.github\.io/argo-helm", "argoproj/argo-helm", "charts/{name}"),
    (r"(charts\.bitnami\.com|bitnamicharts)", "bitnami/charts", "bitnami/{name}"),
    (r"open-telemetry\.github\.io/opentelemetry-helm-charts", "open-telemetry/opentelemetry-helm-charts",
     "charts/{name}"),
    (r"kubernetes-sigs\.github\.io/metrics-server", "kubernetes-sigs/metrics-server", "charts/{name}"),
    (r"fluent\.github\.io/helm-charts", "fluent/helm-charts", "charts/{name}"),
]


def gitdir(mirrors, repo):
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base


def git(gd, *args, binary=False):
    r = subprocess.run(["git", "--git-dir=" + gd] + list(args), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return r.stdout if binary else r.stdout.decode()


def extract(gd, commit, path, dest):
    data = git(gd, "archive", "--format=tar", commit, path or ".", binary=True)
    strip = path.strip("/") + "/" if path else ""
    os.makedirs(dest, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            if not m.name.startswith(strip) or m.name == strip.rstrip("/"):
                continue
            rel = m.name[len(strip):]
            if not rel:
                continue
            target = os.path.join(dest, rel)
            if m.isdir():
                os.makedirs(target, exist_ok=True)
            elif m.issym():
                # charts rarely ship links; store the link target's text like git does not follow
                continue
            elif m.isfile():
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as f:
                    f.write(tf.extractfile(m).read())


def find_version(gd, path, want_exact, constraint, limit=3000):
    """Newest commit whose path/Chart.yaml has version == want_exact (or satisfies constraint)."""
    log = git(gd, "log", "--format=%H", "-n", str(limit), "HEAD", "--", path + "/Chart.yaml").split()
    for c in log:
        try:
            meta = yaml.safe_load(git(gd, "show", "%s:%s/Chart.yaml" % (c, path)))
        except Exception:
            continue
        v = str(meta.get("version", ""))
        if want_exact and v == want_exact:
            return c, v
        if not want_exact and constraint:
            try:
                if _semver_check(constraint, v):
                    return c, v
            except Exception:
                pass
    return None, None


def resolve_deps(mirrors, chart_dir, report, depth=0):
    cy = yaml.safe_load(open(os.path.join(chart_dir, "Chart.yaml")))
    deps = cy.get("dependencies") or []
    lock = {}
    for lf in ("Chart.lock", "requirements.lock"):
        p = os.path.join(chart_dir, lf)
        if os.path.exists(p):
            for d in (yaml.safe_load(open(p)) or {}).get("dependencies") or []:
                lock[d["name"]] = str(d.get("version"))
    charts_dir = os.path.join(chart_dir, "charts")
    have = set()
    if os.path.isdir(charts_dir):
        for n in os.listdir(charts_dir):
            p = os.path.join(charts_dir, n)
            if os.path.isdir(p) and os.path.exists(os.path.join(p, "Chart.yaml")):
                have.add(yaml.safe_load(open(os.path.join(p, "Chart.yaml"))).get("name"))
            elif n.endswith(".tgz"):
                have.add(re.sub(r"-[0-9][^-]*(-.*)?\.tgz$", "", n))
    ok = True
    for d in deps:
        name = d["name"]
        repo = d.get("repository") or ""
        if name in have:
            continue
        if repo.startswith("file://"):
            src = os.path.normpath(os.path.join(chart_dir, repo[len("file://"):]))
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(charts_dir, name))
                report.append({"dependency": name, "from": "file://" + repo[7:]})
                continue
            report.append({"dependency": name, "missing": repo})
            ok = False
            continue
        match = None
        for rx, r, pt in REPO_URLS:
            if re.search(rx, repo):
                match = (r, pt.format(name=name))
                break
        if not match:
            report.append({"dependency": name, "missing": repo})
            ok = False
            continue
        r, p = match
        gd = gitdir(mirrors, r)
        if not os.path.isdir(gd):
            report.append({"dependency": name, "missing": repo, "reason": "no snapshot of " + r})
            ok = False
            continue
        c, v = find_version(gd, p, lock.get(name), str(d.get("version", "")))
        if not c:
            report.append({"dependency": name, "missing": repo,
                           "reason": "version %s not in %s history" % (lock.get(name) or d.get("version"), r)})
            ok = False
            continue
        dest = os.path.join(charts_dir, name)
        extract(gd, c, p, dest)
        report.append({"dependency": name, "version": v, "repo": r, "commit": c, "path": p})
        if depth < 3:
            ok = resolve_deps(mirrors, dest, report, depth + 1) and ok
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirrors", default="/work/.mirror")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "crates", "helm-render", "tests", "real-charts"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--pin", help="sources.json to reproduce (use its commits instead of HEAD)")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    cdir = os.path.join(out, "charts")
    os.makedirs(cdir, exist_ok=True)
    pins = {}
    if a.pin:
        for s in json.load(open(a.pin))["charts"]:
            pins[s["chart"]] = s["commit"]
    srcp = os.path.join(out, "sources.json")
    sources = json.load(open(srcp)) if os.path.exists(srcp) else {"charts": [], "skipped": []}
    sources["charts"] = [s for s in sources["charts"] if not a.only or s["chart"] not in a.only]
    sources["skipped"] = [s for s in sources.get("skipped", []) if not a.only or s["chart"] not in a.only]
    for spec in CHARTS:
        name, repo, path, lic = spec[:4]
        ref = spec[4] if len(spec) > 4 else "HEAD"
        if a.only and name not in a.only:
            continue
        gd = gitdir(a.mirrors, repo)
        if not os.path.isdir(gd):
            sources["skipped"].append({"chart": name, "repo": repo, "reason": "no snapshot"})
            print("SKIP", name, "no snapshot", file=sys.stderr)
            continue
        commit = pins.get(name) or git(gd, "rev-parse", ref + "^{commit}").strip()
        try:
            meta = yaml.safe_load(git(gd, "show", "%s:%s" % (commit, (path + "/" if path else "") + "Chart.yaml")))
        except RuntimeError as e:
            sources["skipped"].append({"chart": name, "repo": repo, "commit": commit, "reason": str(e).strip()})
            print("SKIP", name, str(e).strip(), file=sys.stderr)
            continue
        ver = str(meta["version"])
        dirver = ref if ver.lstrip("v") == "0.0.0" and ref != "HEAD" else ver
        dest = os.path.join(cdir, "%s-%s" % (name, dirver))
        if os.path.exists(dest):
            shutil.rmtree(dest)
        extract(gd, commit, path, dest)
        report = []
        ok = resolve_deps(a.mirrors, dest, report)
        if not ok:
            shutil.rmtree(dest)
            sources["skipped"].append({"chart": name, "version": ver, "repo": repo, "ref": ref, "commit": commit,
                                       "reason": "dependencies not obtainable", "dependencies": report})
            print("SKIP", name, ver, report, file=sys.stderr)
            continue
        sources["charts"].append({"chart": name, "version": ver, "dir": "%s-%s" % (name, dirver), "repo": repo,
                                  "ref": ref, "commit": commit, "path": path, "license": lic, "dependencies": report})
        print("OK", name, ver, len(report), "deps", file=sys.stderr)
    sources["charts"].sort(key=lambda s: s["chart"])
    with open(srcp, "w") as f:
        json.dump(sources, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
