#!/usr/bin/env bash
# Assembles dist/Hearth.AppDir from an already-built PyInstaller bundle (dist/hearth/) and, when appimagetool is
# available, turns it into dist/Hearth-<version>-<arch>[-<flavour>].AppImage:
#
#   Hearth.AppDir/
#     AppRun                  packaging/linux/appimage/AppRun: execs usr/lib/hearth/hearth "$@"
#     hearth.desktop          menu entry (Exec=hearth, Icon=hearth, as AppImage tools expect)
#     hearth.png, .DirIcon    256 px icon
#     usr/lib/hearth/         the bundle
#     usr/share/applications/hearth.desktop, usr/share/icons/hicolor/...   for desktop integration tools
#
# Usage: packaging/linux/make_appimage.sh [--dist DIR] [--version VERSION]
#   --dist DIR          folder holding the bundle (DIR/hearth/hearth) and receiving the output (default: dist)
#   --version VERSION   default: $HEARTH_VERSION, else what `DIR/hearth/hearth --version` prints
#   --flavour NAME      the llama.cpp backend built in (default: $HEARTH_FLAVOUR, else cpu); any flavour but cpu is
#                       added to the file name, e.g. Hearth-0.1.0-x86_64-cuda.AppImage
# appimagetool is looked up as $APPIMAGETOOL, then appimagetool on PATH. Without it the AppDir is left in place
# and the script says what to install (exit status 0). Prints the AppImage's (or AppDir's) path on the last line.
set -euo pipefail

die() {
    printf 'make_appimage: error: %s\n' "$*" >&2
    exit 1
}

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
# shellcheck source=packaging/linux/bundle_args.sh
. "$here/bundle_args.sh"

appdir="$dist/Hearth.AppDir"
rm -rf -- "$appdir"
mkdir -p -- "$appdir/usr/lib" "$appdir/usr/share/applications" \
    "$appdir/usr/share/icons/hicolor/256x256/apps" "$appdir/usr/share/icons/hicolor/scalable/apps"
cp -RP -- "$dist/hearth" "$appdir/usr/lib/hearth"
cp -- "$here/appimage/AppRun" "$appdir/AppRun"
chmod 755 "$appdir/AppRun"
cp -- "$root/resources/hearth.desktop" "$appdir/hearth.desktop"
cp -- "$root/resources/hearth.desktop" "$appdir/usr/share/applications/hearth.desktop"
cp -- "$root/packaging/icons/hearth-256.png" "$appdir/hearth.png"
cp -- "$root/packaging/icons/hearth-256.png" "$appdir/usr/share/icons/hicolor/256x256/apps/hearth.png"
cp -- "$root/resources/icons/hearth.svg" "$appdir/usr/share/icons/hicolor/scalable/apps/hearth.svg"
ln -s hearth.png "$appdir/.DirIcon"
printf 'make_appimage: assembled %s\n' "$appdir"

tool=${APPIMAGETOOL:-appimagetool}
if ! command -v -- "$tool" >/dev/null 2>&1; then
    cat >&2 <<EOF
make_appimage: appimagetool was not found, so no AppImage was made; the AppDir is ready.
  Install it: download appimagetool-$arch.AppImage from https://github.com/AppImage/appimagetool/releases,
  chmod +x it, and put it on PATH as 'appimagetool' (or set APPIMAGETOOL=/path/to/it). Then run this again,
  or directly: ARCH=$arch appimagetool '$appdir' '$dist/Hearth-$version-$arch$suffix.AppImage'
  (appimagetool itself needs FUSE, or APPIMAGE_EXTRACT_AND_RUN=1 in containers.)
EOF
    printf '%s\n' "$appdir"
    exit 0
fi

appimage="$dist/Hearth-$version-$arch$suffix.AppImage"
ARCH=$arch "$tool" "$appdir" "$appimage"
printf '%s\n' "$appimage"
