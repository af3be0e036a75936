#!/usr/bin/env bash
# Fetches an ffmpeg that has the libvmaf filter, for `--metric vmaf` in tests
# and benchmarks: Debian's ffmpeg has no libvmaf. The npm package
# @ffmpeg-installer/linux-x64@4.1.0 ships a static ffmpeg 4.1 (2018) built
# with libvmaf 1.3; `npm pack` downloads the package tarball from the npm
# registry (nothing is fetched at vpack's run time). It goes into the
# gitignored .cache/vmaf-ffmpeg/ffmpeg; never commit it.
#
# The VMAF model is not fetched: it is read from ../shared/vmaf (or
# $VPACK_SHARED/vmaf): vmaf_v0.6.1.pkl (+ .pkl.model beside it) for this
# libvmaf, vmaf_v0.6.1.json for libvmaf 2+.
#
# Idempotent. Prints the binary's path on stdout.
#   scripts/setup-vmaf.sh
set -euo pipefail

PKG=@ffmpeg-installer/linux-x64@4.1.0
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/vmaf-ffmpeg"
bin="$dest/ffmpeg"

if [ -x "$bin" ] && "$bin" -hide_banner -filters 2>/dev/null | grep -q libvmaf; then
  echo "$bin"
  exit 0
fi
command -v npm >/dev/null 2>&1 || {
  echo "setup-vmaf: npm is needed to fetch $PKG (apt-get install npm)" >&2
  exit 1
}
mkdir -p "$dest"
tmp="$(mktemp -d "$dest/.pack-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "setup-vmaf: fetching $PKG" >&2
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
install -m 0755 "$tmp/package/ffmpeg" "$bin.new"
mv -f "$bin.new" "$bin"
if ! "$bin" -hide_banner -filters 2>/dev/null | grep -q libvmaf; then
  echo "setup-vmaf: $bin has no libvmaf filter" >&2
  exit 1
fi
echo "$bin"
