#!/usr/bin/env bash
# Packs an already-built PyInstaller bundle (dist/hearth/) into dist/Hearth-<version>-linux-<arch>[-<flavour>].tar.gz:
#
#   Hearth-<version>/
#     hearth/            the bundle; hearth/hearth is the executable
#     hearth.desktop     menu entry (install.sh writes the absolute Exec path)
#     hearth.svg, hearth-256.png
#     install.sh         per-user install and --uninstall
#     README.txt
#
# Usage: packaging/linux/make_tarball.sh [--dist DIR] [--version VERSION]
#   --dist DIR          folder holding the bundle (DIR/hearth/hearth) and receiving the tarball (default: dist)
#   --version VERSION   default: $HEARTH_VERSION, else what `DIR/hearth/hearth --version` prints
#   --flavour NAME      the llama.cpp backend built in (default: $HEARTH_FLAVOUR, else cpu); any flavour but cpu is
#                       added to the file name, e.g. Hearth-0.1.0-linux-x86_64-cuda.tar.gz
# Prints the tarball's path on the last line.
set -euo pipefail

die() {
    printf 'make_tarball: error: %s\n' "$*" >&2
    exit 1
}

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
# shellcheck source=packaging/linux/bundle_args.sh
. "$here/bundle_args.sh"

name="Hearth-$version"
tarball="$dist/$name-linux-$arch$suffix.tar.gz"
staging=$(mktemp -d "$dist/.tarball.XXXXXX")
trap 'rm -rf -- "$staging" "$tarball.tmp"' EXIT

top="$staging/$name"
mkdir -- "$top"
cp -RP -- "$dist/hearth" "$top/hearth"
cp -- "$root/resources/hearth.desktop" "$root/resources/icons/hearth.svg" "$root/packaging/icons/hearth-256.png" \
    "$here/README.txt" "$top/"
cp -- "$here/install.sh" "$top/install.sh"
chmod 755 "$top/install.sh"
chmod 644 "$top/hearth.desktop" "$top/hearth.svg" "$top/hearth-256.png" "$top/README.txt"

tar_flags=()
case "$(tar --version 2>/dev/null || true)" in
*"GNU tar"*)
    # Nobody's uid or user name ends up in the release; sorted entries keep the listing stable.
    tar_flags=(--owner=0 --group=0 --numeric-owner --sort=name)
    ;;
esac
tar -C "$staging" ${tar_flags[@]+"${tar_flags[@]}"} -cf - "$name" | gzip -9 >"$tarball.tmp"
mv -f -- "$tarball.tmp" "$tarball"
printf 'make_tarball: wrote %s\n%s\n' "$(du -h -- "$tarball" | cut -f 1)" "$tarball"
