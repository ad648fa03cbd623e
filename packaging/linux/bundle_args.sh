# shellcheck shell=bash disable=SC2154,SC2034  # $here and die come from the caller, which uses what this sets
# Sourced by make_tarball.sh and make_appimage.sh: the options they share and the bundle they package.
# The caller defines die() and $here (its own folder); this sets root, dist, exe, version, flavour, arch, suffix.

root=$(cd -- "$here/../.." && pwd -P)
dist="$root/dist"
version=${HEARTH_VERSION:-}
flavour=${HEARTH_FLAVOUR:-cpu}
while [ $# -gt 0 ]; do
    case "$1" in
    --dist) dist=${2:?--dist needs a folder} && shift 2 ;;
    --version) version=${2:?--version needs a value} && shift 2 ;;
    --flavour) flavour=${2:?--flavour needs a value} && shift 2 ;;
    -h | --help)
        # The caller's leading comment block is its help.
        sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"
        exit 0
        ;;
    *) die "unknown argument: $1 (try --help)" ;;
    esac
done

dist=$(cd -- "$dist" 2>/dev/null && pwd -P) || die "no such folder: $dist"
exe="$dist/hearth/hearth"
[ -x "$exe" ] || die "no bundle at $dist/hearth (expected the executable $exe); build it first with PyInstaller"
if [ -z "$version" ]; then
    # `hearth --version` prints "hearth 0.1.0".
    version=$("$exe" --version </dev/null) || die "$exe --version failed"
    version=${version##* }
fi
case "$version" in
"" | *[!0-9A-Za-z.+~-]*) die "not a usable version: '$version'" ;;
esac
case "$flavour" in
"" | *[!0-9A-Za-z_.-]*) die "not a usable flavour: '$flavour'" ;;
esac
arch=$(uname -m)
suffix=""
[ "$flavour" = cpu ] || suffix="-$flavour"
