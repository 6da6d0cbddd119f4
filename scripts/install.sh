#!/bin/sh
# Installs a released vendor binary for this machine, verified against the release's SHA256SUMS.
# The GitHub Action (action.yml) runs it; it also works on its own:
#
#   sh install.sh [--version TAG|latest] [--to DIR] [--target TRIPLE] [--resolve]
#
#   --version  the release tag, e.g. v0.1.0 (default: latest; env VENDOR_VERSION)
#   --to       the directory to put `vendor` in (default: ~/.local/bin; env VENDOR_INSTALL_DIR)
#   --target   the Rust target triple to install (default: this machine's; env VENDOR_TARGET)
#   --resolve  print `version=TAG` and `target=TRIPLE` and install nothing
#
# Releases come from VENDOR_RELEASES_URL (default https://github.com/$VENDOR_REPO/releases,
# VENDOR_REPO defaulting to OWNER/vendor): releases/latest redirects to releases/tag/TAG,
# download/TAG/SHA256SUMS and download/TAG/vendor-TAG-TARGET.tar.gz the assets that
# scripts/build-release.sh makes. Nothing is installed unless the archive's sha256 is the one
# SHA256SUMS lists for it. Exit 1 on any failure.
set -eu

version=${VENDOR_VERSION:-latest}
dir=${VENDOR_INSTALL_DIR:-${HOME:-.}/.local/bin}
target=${VENDOR_TARGET:-}
repo=${VENDOR_REPO:-OWNER/vendor}
releases=${VENDOR_RELEASES_URL:-https://github.com/$repo/releases}
resolve=false

die() {
  echo "install.sh: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift ;;
    --to) [ $# -ge 2 ] || die "--to needs a value"; dir=$2; shift ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; target=$2; shift ;;
    --resolve) resolve=true ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done

# This machine as a release target: Linux builds are static (musl).
detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no vendor release for the $arch architecture (releases: x86_64, aarch64)" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      [ "$arch" = x86_64 ] || die "no vendor release for Windows on $arch (releases: x86_64)"
      echo "x86_64-pc-windows-msvc" ;;
    *) die "no vendor release for $os (releases: Linux, macOS, Windows)" ;;
  esac
}

# fetch URL FILE: download to FILE, failing on HTTP errors; FILE `-` prints where URL redirects.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    if [ "$2" = - ]; then
      curl -fsS --retry 3 -o /dev/null -w '%{redirect_url}' "$1"
    else
      curl -fsSL --retry 3 -o "$2" "$1"
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ "$2" = - ]; then
      wget -q --max-redirect=0 -O /dev/null --server-response "$1" 2>&1 |
        sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r'
    else
      wget -q -O "$2" "$1"
    fi
  else
    die "neither curl nor wget is installed"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

[ -n "$target" ] || target=$(detect_target)
if [ "$version" = latest ]; then
  # GitHub answers releases/latest with a redirect to releases/tag/TAG.
  final=$(fetch "$releases/latest" -) || die "cannot find the latest release at $releases/latest"
  version=${final##*/}
  case "$final" in
    */tag/?*) ;;
    *) die "cannot find the latest release at $releases/latest (it leads to $final)" ;;
  esac
fi
if [ "$resolve" = true ]; then
  echo "version=$version"
  echo "target=$target"
  exit 0
fi

asset="vendor-$version-$target.tar.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fetch "$releases/download/$version/SHA256SUMS" "$tmp/SHA256SUMS" ||
  die "cannot download SHA256SUMS of release $version from $releases/download/$version/"
expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
[ -n "$expected" ] ||
  die "release $version has no build for $target (SHA256SUMS lists no $asset)"
fetch "$releases/download/$version/$asset" "$tmp/$asset" ||
  die "cannot download $asset of release $version"
actual=$(sha256_of "$tmp/$asset")
[ "$actual" = "$expected" ] ||
  die "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing installed"

tar -xzf "$tmp/$asset" -C "$tmp"
exe=vendor
case "$target" in *-windows-*) exe=vendor.exe ;; esac
[ -f "$tmp/vendor-$version-$target/$exe" ] || die "$asset holds no vendor-$version-$target/$exe"
mkdir -p "$dir"
# Copy beside the destination, then rename: a running vendor is never half overwritten.
cp "$tmp/vendor-$version-$target/$exe" "$dir/.$exe.new"
chmod 0755 "$dir/.$exe.new"
mv -f "$dir/.$exe.new" "$dir/$exe"
echo "installed vendor $version ($target) to $dir/$exe"
