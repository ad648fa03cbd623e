#!/usr/bin/env bash
# Installs Hearth for the current user from the unpacked release tarball, or removes it again.
#
#   ./install.sh                 install (or update) into ${PREFIX:-$HOME/.local}
#   ./install.sh --uninstall     remove exactly what an earlier install put there
#
# Where things go (PREFIX defaults to ~/.local, DATA to ${XDG_DATA_HOME:-$PREFIX/share}):
#   $PREFIX/lib/hearth/                      the application bundle (FHS: app-private binaries live under lib/,
#                                            and lib/ composes with any PREFIX, which /opt/<package> does not)
#   $PREFIX/bin/hearth                       a symlink to $PREFIX/lib/hearth/hearth
#   $DATA/applications/hearth.desktop        the menu entry, with an absolute Exec path
#   $DATA/icons/hicolor/{256x256,scalable}/apps/hearth.{png,svg}
#
# Every file and every folder the install creates is listed in $PREFIX/lib/hearth/.install-manifest;
# --uninstall removes those and nothing else. Your chats, models and settings live in the platform data folder
# (see `hearth doctor`) and are never touched. An installed copy of this script is kept as
# $PREFIX/lib/hearth/uninstall.sh, which uninstalls when run.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi # someone ran `sh install.sh`
set -euo pipefail
umask 022 # installed files are readable by everyone, like any other program's

readonly MANIFEST_NAME=.install-manifest
readonly MANIFEST_HEADER="hearth-install-manifest 1"

say() { printf 'hearth install: %s\n' "$*"; }
die() {
    printf 'hearth install: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<'EOF'
Usage: install.sh [--uninstall]

Installs Hearth for the current user. Environment:
  PREFIX         where to install (default: ~/.local); use the same PREFIX to uninstall
  XDG_DATA_HOME  where the menu entry and icons go (default: $PREFIX/share)
EOF
}

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
mode=install
case "$(basename -- "$0")" in uninstall.sh) mode=uninstall ;; esac
for arg in "$@"; do
    case "$arg" in
    --uninstall) mode=uninstall ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        die "unknown argument: $arg"
        ;;
    esac
done

# The installed uninstall.sh finds its own install when PREFIX is not given.
if [ -z "${PREFIX:-}" ] && [ "$mode" = uninstall ] && [ -f "$here/$MANIFEST_NAME" ]; then
    libdir=$here
else
    [ -n "${HOME:-}" ] || [ -n "${PREFIX:-}" ] || die "neither PREFIX nor HOME is set"
    prefix=${PREFIX:-$HOME/.local}
    case "$prefix" in /*) ;; *) prefix="$(pwd -P)/$prefix" ;; esac
    libdir="$prefix/lib/hearth"
fi
manifest="$libdir/$MANIFEST_NAME"

# Manifest lines are "<kind> <path>"; paths with a newline cannot be listed, so they are refused up front.
newline='
'
check_path() {
    case "$1" in *"$newline"*) die "paths with a line break are not supported: $1" ;; esac
}

# Exec= value for the desktop entry: the Desktop Entry spec's quoting (reserved characters force double quotes;
# inside them " ` $ \ take a backslash), then its string escaping (\ is written \\), and % doubled (field codes).
desktop_exec_quote() {
    awk 'BEGIN {
        s = ENVIRON["HEARTH_QUOTE_ARG"]; bs = sprintf("%c", 92); sq = sprintf("%c", 39)
        reserved = " \t\"`$<>~|&;*?#()" bs sq
        quote = (s == "")
        for (i = 1; i <= length(reserved); i++) if (index(s, substr(reserved, i, 1))) quote = 1
        out = ""
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (quote && (c == "\"" || c == "`" || c == "$" || c == bs)) out = out bs
            out = out c
        }
        if (quote) out = "\"" out "\""
        escaped = ""
        for (i = 1; i <= length(out); i++) {
            c = substr(out, i, 1)
            if (c == bs) c = bs bs
            else if (c == "%") c = "%%"
            escaped = escaped c
        }
        print escaped
    }'
}

# --- uninstall -------------------------------------------------------------------------------------------------

refresh_caches() { # $1: data dir. Only caches that already exist are refreshed: desktops watch the user's folders
    # themselves, and a cache this script created would outlive an uninstall.
    local apps="$1/applications" icons="$1/icons/hicolor"
    if [ -f "$apps/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$apps" || say "warning: update-desktop-database failed (harmless)"
    fi
    if [ -f "$icons/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$icons" || say "warning: gtk-update-icon-cache failed (harmless)"
    fi
}

manifest_entries() { # $1: kind (F file, L symlink, D created folder, X data dir); prints the paths
    awk -v kind="$1" 'NR > 1 && substr($0, 1, 2) == kind " " { print substr($0, 3) }' "$manifest"
}

uninstall() {
    if [ ! -f "$manifest" ]; then
        die "no Hearth install found at $libdir (no $MANIFEST_NAME there); set PREFIX to the one you installed with"
    fi
    [ "$(head -n 1 "$manifest")" = "$MANIFEST_HEADER" ] || die "$manifest is not a manifest this script understands"
    local path target data
    data=$(manifest_entries X)
    while IFS= read -r path; do
        [ -n "$path" ] || continue
        if [ -L "$path" ]; then
            target=$(readlink -- "$path")
            if [ "$target" = "$libdir/hearth" ]; then
                rm -f -- "$path"
            else
                say "leaving $path alone: it now points to $target, not to this install"
            fi
        fi
    done <<<"$(manifest_entries L)"
    while IFS= read -r path; do
        if [ -n "$path" ]; then rm -f -- "$path"; fi
    done <<<"$(manifest_entries F)"
    local dirs
    dirs=$(manifest_entries D)
    rm -rf -- "$libdir"
    # Deepest folders first; rmdir keeps any folder that has gained other files since.
    while IFS= read -r path; do
        if [ -n "$path" ] && [ -d "$path" ]; then rmdir -- "$path" 2>/dev/null || true; fi
    done <<<"$(printf '%s\n' "$dirs" | awk '{ print gsub("/", "/") "\t" $0 }' | sort -rn | cut -f 2-)"
    if [ -n "$data" ]; then refresh_caches "$data"; fi
    say "removed Hearth from $libdir"
    say "your chats, models and settings were not touched (see 'hearth doctor' for where they live)"
}

if [ "$mode" = uninstall ]; then
    uninstall
    exit 0
fi

# --- install ---------------------------------------------------------------------------------------------------

bundle="$here/hearth"
if [ ! -f "$bundle/hearth" ] || [ ! -x "$bundle/hearth" ]; then
    die "no Hearth bundle next to this script (expected an executable $bundle/hearth); run it from the unpacked tarball"
fi
for f in hearth.desktop hearth-256.png hearth.svg; do
    [ -f "$here/$f" ] || die "missing $here/$f; the tarball looks incomplete"
done

data=${XDG_DATA_HOME:-$prefix/share}
case "$data" in /*) ;; *) die "XDG_DATA_HOME must be an absolute path, not $data" ;; esac
bindir="$prefix/bin"
link="$bindir/hearth"
apps="$data/applications"
desktop_file="$apps/hearth.desktop"
icon_png="$data/icons/hicolor/256x256/apps/hearth.png"
icon_svg="$data/icons/hicolor/scalable/apps/hearth.svg"
for p in "$prefix" "$data"; do check_path "$p"; done

if [ -e "$libdir" ] || [ -L "$libdir" ]; then
    [ -f "$manifest" ] || die "$libdir exists but was not made by this installer; move it away and run again"
    say "updating the existing install in $libdir"
fi
if [ -e "$link" ] || [ -L "$link" ]; then
    if [ ! -L "$link" ] || [ "$(readlink -- "$link")" != "$libdir/hearth" ]; then
        die "$link already exists and is not this installer's link (another Hearth, e.g. from pip?); remove it and run again"
    fi
fi

created_dirs=()
staging=""
cleanup() { [ -z "$staging" ] || rm -rf -- "$staging"; }
trap cleanup EXIT

ensure_dir() { # mkdir -p that remembers each folder it had to create
    local dir=$1
    while [ ! -d "$dir" ]; do
        created_dirs+=("$dir")
        dir=$(dirname -- "$dir")
    done
    mkdir -p -- "$1"
}

ensure_dir "$prefix/lib"
ensure_dir "$bindir"
ensure_dir "$apps"
ensure_dir "$(dirname -- "$icon_png")"
ensure_dir "$(dirname -- "$icon_svg")"
# Folders an earlier install created stay on the list, so an uninstall after an update still removes them.
if [ -f "$manifest" ]; then
    while IFS= read -r path; do
        [ -z "$path" ] || created_dirs+=("$path")
    done <<<"$(manifest_entries D)"
fi

# Copy next to the destination, then swap it in with two renames; a failed copy leaves the old install intact.
staging="$prefix/lib/.hearth-install.$$"
rm -rf -- "$staging"
mkdir -- "$staging"
say "copying the application to $libdir"
cp -RP -- "$bundle/." "$staging/"
cp -- "$here/install.sh" "$staging/uninstall.sh"
chmod 755 "$staging/uninstall.sh"
{
    printf '%s\n' "$MANIFEST_HEADER"
    printf 'X %s\n' "$data"
    printf 'L %s\n' "$link"
    printf 'F %s\n' "$desktop_file" "$icon_png" "$icon_svg"
    [ "${#created_dirs[@]}" -eq 0 ] || printf '%s\n' "${created_dirs[@]}" | awk '!seen[$0]++ { print "D " $0 }'
} >"$staging/$MANIFEST_NAME"

if [ -e "$libdir" ]; then
    old="$prefix/lib/.hearth-old.$$"
    mv -- "$libdir" "$old"
    if ! mv -- "$staging" "$libdir"; then
        mv -- "$old" "$libdir"
        die "could not move the new copy into place; the previous install is unchanged"
    fi
    staging=""
    rm -rf -- "$old"
else
    mv -- "$staging" "$libdir"
    staging=""
fi

ln -sf -- "$libdir/hearth" "$link"

exec_value=$(HEARTH_QUOTE_ARG="$libdir/hearth" desktop_exec_quote)
HEARTH_EXEC="$exec_value" awk '
    /^Exec=hearth( |$)/ { print "Exec=" ENVIRON["HEARTH_EXEC"] substr($0, 12); next }
    /^TryExec=/ { next }
    { print }
' "$here/hearth.desktop" >"$desktop_file.tmp"
chmod 644 "$desktop_file.tmp"
mv -f -- "$desktop_file.tmp" "$desktop_file"

cp -- "$here/hearth-256.png" "$icon_png.tmp" && mv -f -- "$icon_png.tmp" "$icon_png"
cp -- "$here/hearth.svg" "$icon_svg.tmp" && mv -f -- "$icon_svg.tmp" "$icon_svg"
chmod 644 "$icon_png" "$icon_svg"

refresh_caches "$data"

say "installed Hearth into $libdir"
case ":${PATH:-}:" in
*":$bindir:"*) say "run it from your application menu or with: hearth" ;;
*) say "run it from your application menu or with: $link  ($bindir is not on your PATH)" ;;
esac
say "to uninstall: $libdir/uninstall.sh"
