#!/usr/bin/env bash
# Release builds, shared by the release workflow (.github/workflows/release.yml) and the container
# image (Dockerfile), so both build vendor the same way.
#
#   scripts/build-release.sh build TARGET
#       cargo build --release --locked for TARGET (a Rust target triple); prints the binary's path.
#       Linux targets are musl: the binary is static.
#   scripts/build-release.sh package TARGET TAG OUTDIR [BINARY]
#       OUTDIR/vendor-TAG-TARGET.tar.gz holding vendor-TAG-TARGET/{vendor[.exe],README.md,LICENSE};
#       BINARY defaults to what `build` produced. TAG must be v + the workspace version.
#   scripts/build-release.sh checksums OUTDIR
#       OUTDIR/SHA256SUMS for every OUTDIR/vendor-*.tar.gz, as `sha256sum` writes it: the file
#       scripts/install.sh and the GitHub Action verify downloads against.
set -euo pipefail
export LC_ALL=C # one file order everywhere
cd "$(dirname "$0")/.."

die() {
  echo "build-release: $*" >&2
  exit 2
}

exe_suffix() {
  case "$1" in
    *-windows-*) echo .exe ;;
    *) echo "" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# The version every crate of the workspace carries ([workspace.package] comes first).
workspace_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  build)
    [ $# -eq 1 ] || die "usage: build TARGET"
    target=$1
    cargo build --release --locked --target "$target" --bin vendor >&2
    echo "target/$target/release/vendor$(exe_suffix "$target")"
    ;;
  package)
    if [ $# -lt 3 ] || [ $# -gt 4 ]; then die "usage: package TARGET TAG OUTDIR [BINARY]"; fi
    target=$1 tag=$2 out=$3
    binary=${4:-target/$target/release/vendor$(exe_suffix "$target")}
    [ "$tag" = "v$(workspace_version)" ] ||
      die "tag $tag does not match the workspace version $(workspace_version) (Cargo.toml): tag v$(workspace_version)"
    [ -f "$binary" ] || die "$binary does not exist: run \`build $target\` first"
    name="vendor-$tag-$target"
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage/$name" "$out"
    cp "$binary" "$stage/$name/vendor$(exe_suffix "$target")"
    chmod 0755 "$stage/$name/vendor$(exe_suffix "$target")"
    cp README.md LICENSE "$stage/$name/"
    # Deterministic archive order; owner and group are not worth keeping.
    tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
    echo "$out/$name.tar.gz"
    ;;
  checksums)
    [ $# -eq 1 ] || die "usage: checksums OUTDIR"
    (
      cd "$1" || exit 2
      set -- vendor-*.tar.gz
      [ -e "$1" ] || die "no vendor-*.tar.gz in $(pwd)"
      sha256 "$@" >SHA256SUMS
    )
    echo "$1/SHA256SUMS"
    ;;
  *) die "usage: build TARGET | package TARGET TAG OUTDIR [BINARY] | checksums OUTDIR" ;;
esac
