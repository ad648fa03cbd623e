#!/usr/bin/env bash
# Builds dist/Hearth-<version>-macos-<arch>.dmg from dist/Hearth.app, signing and notarising it when asked to.
#
# UNTESTED: written on Linux, where codesign, hdiutil and notarytool do not exist; the first macOS run is its
# first run. Kept to bash 3.2 (what /bin/bash is on macOS).
#
# Usage: packaging/macos/make_dmg.sh [--skip-build] [--dist DIR] [--version VERSION]
#   --skip-build        package the existing dist/Hearth.app instead of running PyInstaller first
#   --dist DIR          where Hearth.app is and the image goes (default: dist; PyInstaller always writes to dist)
#   --version VERSION   default: $HEARTH_VERSION, else what the app's `hearth --version` prints
#
# Steps:
#   1. pyinstaller packaging/hearth.spec --noconfirm        unless --skip-build; $PYINSTALLER, else the one in
#                                                           .venv-package/ or .venv/, else PyInstaller on PATH
#   2. codesign --deep with the hardened runtime and packaging/macos/entitlements.plist
#        only when HEARTH_CODESIGN_IDENTITY is set, e.g. "Developer ID Application: Jane Doe (TEAMID1234)"
#   3. hdiutil: a compressed (UDZO) image holding Hearth.app and a link to /Applications; signed as well in step 2's
#      case
#   4. xcrun notarytool submit --wait, then xcrun stapler staple
#        only when HEARTH_NOTARY_PROFILE names a keychain profile, made once with
#        xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...
#      (Notarisation needs a signed app, so it requires HEARTH_CODESIGN_IDENTITY too.)
#
# The entitlements are the hardened-runtime exceptions a PyInstaller-frozen Python needs and nothing more:
#   allow-unsigned-executable-memory  ctypes/libffi closures (llama-cpp-python's callbacks, among others) need
#                                     writable+executable memory without MAP_JIT (pyinstaller/pyinstaller#4629)
#   disable-library-validation        the interpreter loads extension modules and dylibs (Qt plugins, llama.cpp)
#                                     that may carry another team's signature or none
# allow-jit is left out: nothing uses MAP_JIT (llama.cpp's Metal shaders compile for the GPU, not into CPU memory).
set -euo pipefail

die() {
    printf 'make_dmg: error: %s\n' "$*" >&2
    exit 1
}
say() { printf 'make_dmg: %s\n' "$*"; }

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
root=$(cd -- "$here/../.." && pwd -P)
dist="$root/dist"
entitlements="$here/entitlements.plist"
version=${HEARTH_VERSION:-}
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --skip-build) build=0 && shift ;;
    --dist) dist=${2:?--dist needs a folder} && shift 2 ;;
    --version) version=${2:?--version needs a value} && shift 2 ;;
    -h | --help)
        sed -n '2,22s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) die "unknown argument: $1 (try --help)" ;;
    esac
done
case "$dist" in /*) ;; *) dist="$PWD/$dist" ;; esac
identity=${HEARTH_CODESIGN_IDENTITY:-}
notary_profile=${HEARTH_NOTARY_PROFILE:-}
if [ -n "$notary_profile" ] && [ -z "$identity" ]; then
    die "HEARTH_NOTARY_PROFILE is set but HEARTH_CODESIGN_IDENTITY is not; Apple notarises signed apps only"
fi
[ "$(uname -s)" = Darwin ] || die "this script needs macOS (codesign, hdiutil, xcrun)"

cd -- "$root"
if [ "$build" = 1 ]; then
    # The packaging environment `make package` creates, else the development one, else PATH.
    pyinstaller=${PYINSTALLER:-}
    for candidate in "$root/.venv-package/bin/pyinstaller" "$root/.venv/bin/pyinstaller" pyinstaller; do
        [ -n "$pyinstaller" ] && break
        if command -v "$candidate" >/dev/null 2>&1; then pyinstaller=$candidate; fi
    done
    [ -n "$pyinstaller" ] || die "PyInstaller not found; run 'make package' once, or set PYINSTALLER"
    say "building the bundle with $pyinstaller"
    "$pyinstaller" packaging/hearth.spec --noconfirm
fi
dist=$(cd -- "$dist" 2>/dev/null && pwd -P) || die "no such folder: $dist"
app="$dist/Hearth.app"
[ -d "$app" ] || die "no $app; build it first (run without --skip-build)"

if [ -z "$version" ]; then
    # `hearth --version` prints "hearth 0.1.0".
    version=$("$app/Contents/MacOS/hearth" --version </dev/null) || die "$app/Contents/MacOS/hearth --version failed"
    version=${version##* }
fi
case "$version" in
"" | *[!0-9A-Za-z.+~-]*) die "not a usable version: '$version'" ;;
esac
arch=$(uname -m) # arm64 or x86_64: the bundle is built for the machine it is built on
dmg="$dist/Hearth-$version-macos-$arch.dmg"

if [ -n "$identity" ]; then
    say "signing $app as \"$identity\""
    codesign --force --deep --timestamp --options runtime --entitlements "$entitlements" --sign "$identity" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
else
    say "HEARTH_CODESIGN_IDENTITY is not set: the app stays unsigned (Gatekeeper will warn whoever opens it)"
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/hearth-dmg.XXXXXX")
trap 'rm -rf -- "$staging"' EXIT
ditto "$app" "$staging/Hearth.app"
ln -s /Applications "$staging/Applications"
say "creating $dmg"
hdiutil create -volname Hearth -srcfolder "$staging" -ov -format UDZO "$dmg"
if [ -n "$identity" ]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
fi

if [ -n "$notary_profile" ]; then
    say "notarising with keychain profile $notary_profile (this waits for Apple, usually a few minutes)"
    result="$staging/notary.plist"
    xcrun notarytool submit "$dmg" --keychain-profile "$notary_profile" --wait --output-format plist >"$result"
    # notarytool exits 0 whatever the verdict, so read it.
    status=$(plutil -extract status raw -o - "$result" 2>/dev/null || true)
    if [ "$status" != Accepted ]; then
        id=$(plutil -extract id raw -o - "$result" 2>/dev/null || true)
        [ -z "$id" ] || xcrun notarytool log "$id" --keychain-profile "$notary_profile" >&2 || true
        die "notarisation did not succeed (status: ${status:-unknown}); Apple's log is above"
    fi
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
else
    say "HEARTH_NOTARY_PROFILE is not set: not notarised"
fi

say "wrote $dmg"
printf '%s\n' "$dmg"
