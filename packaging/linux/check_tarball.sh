#!/usr/bin/env bash
# Installs a release tarball the way a user would (install.sh into a throw-away HOME), runs the self-test through
# the installed ~/.local/bin/hearth link, opens the window on X11 under Xvfb, uninstalls, and checks that nothing is
# left. Run by `make package-test`.
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
# The real X11 platform plugin (the self-test renders offscreen), on a virtual screen when one can be started.
if command -v xvfb-run >/dev/null; then
    HOME="$home" QT_QPA_PLATFORM=xcb xvfb-run -a "$home/.local/bin/hearth" --screenshot "$work/x11.png"
    [ -s "$work/x11.png" ] || die "the window did not render on X11 (Xvfb)"
    echo "check_tarball: the window renders on X11 (Xvfb)"
else
    echo "check_tarball: xvfb-run is not installed, so the X11 platform plugin was not checked (CI installs it)"
fi
HOME="$home" "$home/.local/lib/hearth/uninstall.sh"
# What the app wrote while it ran is the user's (settings, logs) and lives in the platform folders; it must survive
# the uninstall, and nothing else may remain.
user_data="$home/.local/share/Hearth"
if command -v xvfb-run >/dev/null; then
    [ -d "$user_data" ] || die "the app kept no data in $user_data (or the uninstall removed it)"
fi
left=$(find "$home" -mindepth 1 -not -type d -not -path "$user_data/*" -not -path "$home/.config/Hearth/*" \
    -not -path "$home/.cache/Hearth/*")
[ -z "$left" ] || die "uninstall left files behind: $left"
echo "check_tarball: installed, self-tested through ~/.local/bin/hearth and uninstalled cleanly (user data kept)"
