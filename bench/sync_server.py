#!/usr/bin/env python3
"""Loopback upstream for bench/sync.sh: N chart archives in a Helm repository (with real
digests), a ~20 MB index.yaml, and a fixed latency per request. Logs every request path."""
import gzip, hashlib, http.server, io, os, sys, tarfile, threading, time

work, fixture, count, latency = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
repo = os.path.join(work, "repo"); os.makedirs(repo, exist_ok=True)
big = os.path.join(work, "big"); os.makedirs(big, exist_ok=True)

def package(name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for root, _, files in sorted(os.walk(fixture)):
            for f in sorted(files):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, fixture)
                data = open(path, "rb").read()
                info = tarfile.TarInfo(f"{name}/{rel}"); info.size = len(data); info.mtime = 1700000000; info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)

lines = ["apiVersion: v1", "entries:"]
for i in range(count):
    name = f"chart-{i:03d}"
    data = package(name)
    open(os.path.join(repo, f"{name}-1.0.0.tgz"), "wb").write(data)
    lines += [f"  {name}:", "  - apiVersion: v2", "    appVersion: v1.0.0", f"    digest: {hashlib.sha256(data).hexdigest()}",
              f"    name: {name}", "    urls:", f"    - {name}-1.0.0.tgz", "    version: 1.0.0"]
lines.append('generated: "2025-01-01T00:00:00Z"')
open(os.path.join(repo, "index.yaml"), "w").write("\n".join(lines) + "\n")

# A ~20 MB index shaped like real ones (argo-helm, bitnami): many charts, many versions each.
out, size, c = ["apiVersion: v1", "entries:"], 0, 0
while size < 20 * 1024 * 1024:
    name = f"big-chart-{c}"
    out.append(f"  {name}:"); c += 1
    for v in range(200):
        entry = f"""  - annotations:
      artifacthub.io/changes: |
        - kind: changed
          description: Bump dependency to {v}
      artifacthub.io/license: Apache-2.0
    apiVersion: v2
    appVersion: v2.{v // 10}.{v % 10}
    created: "2024-0{1 + v % 9}-1{v % 10}T12:34:56.{v:06d}Z"
    dependencies:
    - condition: redis-ha.enabled
      name: redis-ha
      repository: https://dandydeveloper.github.io/charts/
      version: 4.27.{v % 7}
    description: A Helm chart for {name}, a declarative, GitOps continuous delivery tool
    digest: {hashlib.sha256(f"{name}{v}".encode()).hexdigest()}
    home: https://github.com/example/{name}
    icon: https://example.com/{name}/logo.png
    keywords:
    - gitops
    - kubernetes
    kubeVersion: '>=1.25.0-0'
    maintainers:
    - name: maintainer-a
      url: https://github.com/maintainer-a
    name: {name}
    sources:
    - https://github.com/example/{name}
    urls:
    - https://github.com/example/charts/releases/download/{name}-7.{v // 10}.{v % 10}/{name}-7.{v // 10}.{v % 10}.tgz
    version: 7.{v // 10}.{v % 10}"""
        out.append(entry); size += len(entry) + 1
out.append('generated: "2025-01-01T00:00:00Z"')
open(os.path.join(big, "index.yaml"), "w").write("\n".join(out) + "\n")

log = open(os.path.join(work, "requests.log"), "a", buffering=1)
lock = threading.Lock()

class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=work, **kw)
    def do_GET(self):
        time.sleep(latency)
        with lock:
            log.write(self.path + "\n")
        super().do_GET()
    def log_message(self, *a):
        pass

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

srv = Server(("127.0.0.1", 0), Handler)
open(os.path.join(work, "port"), "w").write(str(srv.server_address[1]))
srv.serve_forever()
