#!/usr/bin/env bash
# Installs a release tarball the way a user would (install.sh into a throw-away HOME), runs the self-test through
# the installed ~/.local/bin/hearth link, uninstalls, and checks that nothing is left. Run by `make package-test`.
#
# Usage: packaging/linux/check_tarball.sh dist/Hearth-<version>-linux-<arch>.tar.gz
set -euo pipefail

die() {
    printf 'check_tarball: error: %s\n' "$*" >&2
    exit 1
}

tarball=${1:?usage: packaging/linux/check_tarball.sh TARBALL}
[ -f "$tarball" ] || die "no such file: $tarball"
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
mkdir -- "$work/home" "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
release=$(find "$work/unpacked" -mindepth 1 -maxdepth 1 -type d)

# A HOME with a space in it, as on many Windows-migrated or macOS-style home folders.
home="$work/home/a user"
mkdir -p -- "$home"
HOME="$home" XDG_DATA_HOME="" "$release/install.sh"
[ -L "$home/.local/bin/hearth" ] || die "install.sh did not link ~/.local/bin/hearth"
HOME="$home" QT_QPA_PLATFORM=offscreen "$home/.local/bin/hearth" --self-test
HOME="$home" "$home/.local/lib/hearth/uninstall.sh"
left=$(find "$home" -mindepth 1 -not -type d)
[ -z "$left" ] || die "uninstall left files behind: $left"
echo "check_tarball: installed, self-tested through ~/.local/bin/hearth and uninstalled cleanly"
