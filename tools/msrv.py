#!/usr/bin/env python3
"""Checks the workspace's `rust-version` (the minimum supported Rust version) against every
dependency in Cargo.lock: none may declare a newer `rust-version` than the workspace. Reads the
dependencies' manifests from cargo's registry sources (present after a build or `cargo fetch`);
packages cargo never downloaded for this platform are counted and skipped.

The other two halves of the MSRV check are elsewhere: clippy's `incompatible_msrv` lint (on by
default, reading `rust-version`) flags standard-library APIs newer than it, and the newest
language feature the code uses is `let` chains in `if`/`while` (Rust 1.88, edition 2024).
"""

import glob
import os
import sys
import tomllib


def version(text):
    parts = [int(p) for p in text.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "Cargo.toml"), "rb") as f:
        msrv_text = tomllib.load(f)["workspace"]["package"]["rust-version"]
    msrv = version(msrv_text)
    with open(os.path.join(root, "Cargo.lock"), "rb") as f:
        lock = tomllib.load(f)
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    checked, missing, newer = 0, [], []
    for p in lock["package"]:
        if not p.get("source", "").startswith("registry+"):
            continue
        found = glob.glob(
            os.path.join(cargo_home, "registry", "src", "*", f"{p['name']}-{p['version']}", "Cargo.toml")
        )
        if not found:
            missing.append(f"{p['name']} {p['version']}")
            continue
        with open(found[0], "rb") as f:
            rv = tomllib.load(f).get("package", {}).get("rust-version")
        checked += 1
        if isinstance(rv, str) and version(rv) > msrv:
            newer.append(f"{p['name']} {p['version']} needs Rust {rv}")
    print(
        f"rust-version {msrv_text}: {checked} dependencies checked, "
        f"{len(missing)} not downloaded on this platform"
    )
    if newer:
        print("dependencies that need a newer Rust than the workspace's rust-version:")
        for n in newer:
            print(f"  {n}")
        print("raise rust-version in Cargo.toml (and the README), or pin older versions")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
