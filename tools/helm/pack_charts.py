#!/usr/bin/env python3
"""Pack crates/helm-render/tests/real-charts/charts/<dir>/ into one deterministic archive per
chart, real-charts/archives/<dir>.tgz, so the real-chart differential test runs in CI without
the chart sources checked out (tests/real_charts.rs unpacks them).

Each archive holds the chart directory exactly as fetch_charts.py left it (every file, under
the top directory <dir>/), with entries sorted by path, mtime 0, owner 0/0, modes 0644/0755,
GNU tar format and a gzip header without name or time: packing the same tree twice gives the
same bytes.

Usage: pack_charts.py [--charts real-charts/charts] [--out real-charts/archives] [--only DIR ...]
"""
import argparse
import gzip
import io
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
RC = os.path.join(HERE, "..", "..", "crates", "helm-render", "tests", "real-charts")


def entries(root, top):
    """(archive name, path on disk, is_dir) in sorted order, directories before their files."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        base = top if rel == "." else top + "/" + rel.replace(os.sep, "/")
        out.append((base, dirpath, True))
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                sys.exit("refusing symlink %s" % p)
            out.append((base + "/" + f, p, False))
    out.sort(key=lambda e: e[0])
    return out


def pack(chart_dir, top, dest):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, path, is_dir in entries(chart_dir, top):
            ti = tarfile.TarInfo(name + ("/" if is_dir else ""))
            ti.mtime = 0
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if is_dir:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tf.addfile(ti)
            else:
                with open(path, "rb") as f:
                    data = f.read()
                ti.size = len(data)
                ti.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                tf.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    with open(dest, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(raw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--charts", default=os.path.join(RC, "charts"))
    ap.add_argument("--out", default=os.path.join(RC, "archives"))
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for d in sorted(os.listdir(a.charts)):
        src = os.path.join(a.charts, d)
        if not os.path.isdir(src) or (a.only and d not in a.only):
            continue
        dest = os.path.join(a.out, d + ".tgz")
        pack(src, d, dest)
        size = os.path.getsize(dest)
        total += size
        print("%-45s %9d" % (d + ".tgz", size))
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
