"""packaging/linux/install.sh, run for real from an unpacked release tarball into a throwaway HOME/PREFIX."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from packaging_fixtures import FAKE_VERSION, RunScript, check, make_fake_bundle, parse_desktop_entry, split_exec, tree


def unpack_release(run_script: RunScript, dist: Path, into: Path) -> Path:
    """make_tarball.sh on ``dist``, unpacked with tar into ``into``; returns the Hearth-<version> folder."""
    tarball = Path(check(run_script("linux/make_tarball.sh", "--dist", dist)).stdout.splitlines()[-1])
    into.mkdir(parents=True, exist_ok=True)
    check(subprocess.run(["tar", "-xzf", str(tarball), "-C", str(into)], capture_output=True, text=True, check=False))
    return into / f"Hearth-{FAKE_VERSION}"


@pytest.fixture
def release(run_script: RunScript, fake_dist: Path, tmp_path: Path) -> Path:
    return unpack_release(run_script, fake_dist, tmp_path / "unpacked")


def run_exe(path: Path, *args: str) -> list[str]:
    result = check(subprocess.run([str(path), *args], capture_output=True, text=True, timeout=30, check=False))
    return result.stdout.splitlines()


def installed_exec(desktop_file: Path) -> list[str]:
    entry = parse_desktop_entry(desktop_file.read_text())["Desktop Entry"]
    return split_exec(entry["Exec"])


@pytest.mark.parametrize(
    "prefix_name",
    ["plain", "with space", "odd 'q' \"dq\" $HOME `x` back\\slash 100% (p) &;#"],
    ids=["plain", "space", "reserved-characters"],
)
def test_install_links_the_command_and_writes_an_absolute_quoted_exec(
    run_script: RunScript, release: Path, tmp_path: Path, prefix_name: str
) -> None:
    prefix = tmp_path / prefix_name
    result = check(run_script(release / "install.sh", env={"PREFIX": str(prefix)}))
    assert "installed Hearth" in result.stdout

    libdir = prefix / "lib" / "hearth"
    link = prefix / "bin" / "hearth"
    assert link.is_symlink() and os.readlink(link) == str(libdir / "hearth")
    assert run_exe(link, "a b", "--flag") == ["fake hearth v1", "arg=a b", "arg=--flag"]
    assert os.readlink(libdir / "_internal" / "libfake.so") == "libfake.so.1"  # symlinks in the bundle survive

    desktop_file = prefix / "share" / "applications" / "hearth.desktop"
    entry = parse_desktop_entry(desktop_file.read_text())["Desktop Entry"]
    assert entry["Name"] == "Hearth" and entry["Icon"] == "hearth" and entry["Type"] == "Application"
    argv = installed_exec(desktop_file)
    assert argv == [str(libdir / "hearth")]
    assert run_exe(Path(argv[0]), "x") == ["fake hearth v1", "arg=x"]

    icons = prefix / "share" / "icons" / "hicolor"
    assert (icons / "256x256" / "apps" / "hearth.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (icons / "scalable" / "apps" / "hearth.svg").read_text().startswith("<svg")


def test_default_prefix_is_dot_local_and_the_installed_uninstaller_finds_its_install(
    run_script: RunScript, release: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / ".local" / "share" / "applications").mkdir(parents=True)
    (home / ".local" / "share" / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    (home / ".local" / "share" / "Hearth").mkdir()  # the user's data folder
    (home / ".local" / "share" / "Hearth" / "settings.json").write_text("{}")
    before = tree(home)

    check(run_script(release / "install.sh"))
    assert (home / ".local" / "bin" / "hearth").is_symlink()
    assert (home / ".local" / "share" / "applications" / "hearth.desktop").is_file()

    # The copy kept in the install folder uninstalls without PREFIX, from any working directory.
    result = check(run_script(home / ".local" / "lib" / "hearth" / "uninstall.sh", cwd=Path("/")))
    assert "removed Hearth" in result.stdout
    assert tree(home) == before


def test_xdg_data_home_receives_the_menu_entry_and_icons(run_script: RunScript, release: Path, tmp_path: Path) -> None:
    prefix, data = tmp_path / "prefix", tmp_path / "xdg data"
    check(run_script(release / "install.sh", env={"PREFIX": str(prefix), "XDG_DATA_HOME": str(data)}))
    assert (data / "applications" / "hearth.desktop").is_file()
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "hearth.png").is_file()
    assert not (prefix / "share").exists()

    check(run_script(release / "install.sh", "--uninstall", env={"PREFIX": str(prefix), "XDG_DATA_HOME": "/wrong"}))
    assert not data.exists() and not prefix.exists()  # the manifest, not the environment, says what to remove


def test_reinstall_replaces_the_bundle_and_uninstall_then_removes_everything(
    run_script: RunScript, fake_dist: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "existing").mkdir(parents=True)
    prefix = home / "existing" / "prefix"
    env = {"PREFIX": str(prefix)}
    before = tree(home)
    first = unpack_release(run_script, fake_dist, tmp_path / "first")
    check(run_script(first / "install.sh", env=env))
    (prefix / "lib" / "hearth" / "_internal" / "libfake.so.1").unlink()  # a file the next version no longer has...
    (prefix / "lib" / "hearth" / "_internal" / "stale.so").write_text("old")  # ...or never had

    make_fake_bundle(fake_dist, marker="v2")
    second = unpack_release(run_script, fake_dist, tmp_path / "second")
    result = check(run_script(second / "install.sh", env=env))
    assert "updating the existing install" in result.stdout
    assert run_exe(prefix / "bin" / "hearth") == ["fake hearth v2"]
    internal = prefix / "lib" / "hearth" / "_internal"
    assert sorted(p.name for p in internal.iterdir()) == ["libfake.so", "libfake.so.1"]
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["hearth"]  # no staging or old copies left

    check(run_script(second / "install.sh", "--uninstall", env=env))
    assert tree(home) == before


def test_uninstall_keeps_folders_that_gained_other_files(run_script: RunScript, release: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    check(run_script(release / "install.sh", env={"PREFIX": str(prefix)}))
    (prefix / "bin" / "other-tool").write_text("#!/bin/sh\n")
    check(run_script(release / "install.sh", "--uninstall", env={"PREFIX": str(prefix)}))
    assert tree(prefix) == {"bin": "dir", "bin/other-tool": "file b'#!/bin/sh\\n'"}


def test_refuses_to_replace_a_hearth_command_it_did_not_install(
    run_script: RunScript, release: Path, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "hearth").write_text("#!/bin/sh\necho pip-installed\n")
    before = tree(prefix)
    result = run_script(release / "install.sh", env={"PREFIX": str(prefix)})
    assert result.returncode != 0
    assert "already exists and is not this installer's link" in result.stderr
    assert tree(prefix) == before


def test_refuses_to_overwrite_a_folder_it_did_not_create(run_script: RunScript, release: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    (prefix / "lib" / "hearth").mkdir(parents=True)
    (prefix / "lib" / "hearth" / "precious").write_text("keep me")
    before = tree(prefix)
    for args in ((), ("--uninstall",)):
        result = run_script(release / "install.sh", *args, env={"PREFIX": str(prefix)})
        assert result.returncode != 0, args
        assert tree(prefix) == before


def test_refreshes_only_caches_that_already_exist(run_script: RunScript, release: Path, tmp_path: Path) -> None:
    fake_bin, log = tmp_path / "fake-bin", tmp_path / "calls.log"
    fake_bin.mkdir()
    for tool in ("update-desktop-database", "gtk-update-icon-cache"):
        (fake_bin / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >>"{log}"\n')
        (fake_bin / tool).chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {"PREFIX": str(prefix), "PATH": f"{fake_bin}:{os.environ['PATH']}"}

    check(run_script(release / "install.sh", env=env))
    assert not log.exists()  # no cache there: nothing to refresh, and nothing left behind by a new cache

    (prefix / "share" / "applications" / "mimeinfo.cache").write_text("")
    (prefix / "share" / "icons" / "hicolor" / "icon-theme.cache").write_text("")
    check(run_script(release / "install.sh", env=env))
    calls = log.read_text().splitlines()
    assert calls == [
        f"update-desktop-database -q {prefix}/share/applications",
        f"gtk-update-icon-cache -q -t -f {prefix}/share/icons/hicolor",
    ]


def test_runs_under_sh_too(release: Path, tmp_path: Path) -> None:
    """`sh install.sh` (dash on Debian) hands over to bash instead of failing on bash syntax."""
    prefix = tmp_path / "prefix"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "PREFIX": str(prefix)}
    result = subprocess.run(
        ["sh", str(release / "install.sh")], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    check(result)
    assert (prefix / "bin" / "hearth").is_symlink()
