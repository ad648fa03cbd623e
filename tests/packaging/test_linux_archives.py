"""packaging/linux/make_tarball.sh and make_appimage.sh (with AppRun) on a fake PyInstaller bundle."""

from __future__ import annotations

import os
import platform
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

from packaging_fixtures import FAKE_VERSION, PACKAGING, REPO, RunScript, check

ARCH = platform.machine()


def test_tarball_holds_the_bundle_installer_and_desktop_files(run_script: RunScript, fake_dist: Path) -> None:
    result = check(run_script("linux/make_tarball.sh", "--dist", fake_dist))
    tarball = fake_dist / f"Hearth-{FAKE_VERSION}-linux-{ARCH}.tar.gz"
    assert result.stdout.splitlines()[-1] == str(tarball)

    top = f"Hearth-{FAKE_VERSION}"
    with tarfile.open(tarball) as archive:
        members = {m.name: m for m in archive.getmembers()}
        assert set(members) == {
            top,
            f"{top}/hearth",
            f"{top}/hearth/hearth",
            f"{top}/hearth/_internal",
            f"{top}/hearth/_internal/libfake.so.1",
            f"{top}/hearth/_internal/libfake.so",
            f"{top}/hearth.desktop",
            f"{top}/hearth.svg",
            f"{top}/hearth-256.png",
            f"{top}/install.sh",
            f"{top}/README.txt",
        }
        for name in (f"{top}/install.sh", f"{top}/hearth/hearth"):
            assert members[name].mode & stat.S_IXUSR, name
        assert members[f"{top}/hearth/_internal/libfake.so"].issym()
        assert members[f"{top}/hearth/_internal/libfake.so"].linkname == "libfake.so.1"
        assert {(m.uid, m.gid) for m in members.values()} == {(0, 0)}

        def read(name: str) -> bytes:
            member = archive.extractfile(f"{top}/{name}")
            assert member is not None
            with member:
                return member.read()

        assert read("install.sh") == (PACKAGING / "linux" / "install.sh").read_bytes()
        assert read("hearth.desktop") == (REPO / "resources" / "hearth.desktop").read_bytes()
        assert read("hearth-256.png") == (PACKAGING / "icons" / "hearth-256.png").read_bytes()
    assert not [p for p in fake_dist.iterdir() if p.name.startswith(".")]  # the staging folder is gone


def test_tarball_name_takes_version_and_flavour_from_arguments_or_environment(
    run_script: RunScript, fake_dist: Path
) -> None:
    check(run_script("linux/make_tarball.sh", "--dist", fake_dist, "--version", "1.2.3rc1"))
    check(run_script("linux/make_tarball.sh", "--dist", fake_dist, env={"HEARTH_VERSION": "2.0.0"}))
    check(run_script("linux/make_tarball.sh", "--dist", fake_dist, env={"HEARTH_FLAVOUR": "cpu"}))
    check(run_script("linux/make_tarball.sh", "--dist", fake_dist, env={"HEARTH_FLAVOUR": "cuda"}))
    check(run_script("linux/make_tarball.sh", "--dist", fake_dist, "--flavour", "vulkan"))
    assert sorted(p.name for p in fake_dist.glob("*.tar.gz")) == [
        f"Hearth-1.2.3rc1-linux-{ARCH}.tar.gz",
        f"Hearth-2.0.0-linux-{ARCH}.tar.gz",
        f"Hearth-{FAKE_VERSION}-linux-{ARCH}-cuda.tar.gz",
        f"Hearth-{FAKE_VERSION}-linux-{ARCH}-vulkan.tar.gz",
        f"Hearth-{FAKE_VERSION}-linux-{ARCH}.tar.gz",
    ]


def test_tarball_without_a_bundle_says_to_build_it(run_script: RunScript, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_script("linux/make_tarball.sh", "--dist", tmp_path / "empty")
    assert result.returncode != 0
    assert "build it first" in result.stderr


def test_appdir_runs_the_bundle_with_arguments_passed_through(run_script: RunScript, fake_dist: Path) -> None:
    result = check(run_script("linux/make_appimage.sh", "--dist", fake_dist, env={"APPIMAGETOOL": "no-such-tool"}))
    appdir = fake_dist / "Hearth.AppDir"
    assert result.stdout.splitlines()[-1] == str(appdir)
    assert "appimagetool was not found" in result.stderr
    assert f"Hearth-{FAKE_VERSION}-{ARCH}.AppImage" in result.stderr

    assert os.access(appdir / "AppRun", os.X_OK)
    assert (appdir / "usr" / "lib" / "hearth" / "hearth").is_file()
    assert (appdir / "hearth.desktop").read_bytes() == (REPO / "resources" / "hearth.desktop").read_bytes()
    assert (appdir / "hearth.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.readlink(appdir / ".DirIcon") == "hearth.png"
    assert (appdir / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "hearth.svg").is_file()

    env = {k: v for k, v in os.environ.items() if k != "APPDIR"}
    args = ["two words", "--flag=$HOME", ""]
    # Run directly, through a symlink (as a desktop integration tool might), and from elsewhere with APPDIR set (the
    # AppImage runtime sets it to the mounted image).
    link = fake_dist / "hearth-link"
    link.symlink_to(appdir / "AppRun")
    elsewhere = fake_dist / "AppRun-copy"
    shutil.copy2(appdir / "AppRun", elsewhere)
    runs = ((appdir / "AppRun", {}), (link, {}), (elsewhere, {"APPDIR": str(appdir)}))
    for command, extra_env in runs:
        out = subprocess.run(
            [str(command), *args],
            env={**env, **extra_env},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert check(out).stdout.splitlines() == ["fake hearth v1", *(f"arg={a}" for a in args)]


def test_appimagetool_is_run_on_the_appdir_when_available(
    run_script: RunScript, fake_dist: Path, tmp_path: Path
) -> None:
    tool, log = tmp_path / "fake-appimagetool", tmp_path / "tool.log"
    tool.write_text(f'#!/bin/sh\necho "ARCH=$ARCH $*" >"{log}"\ntouch "$2"\n')
    tool.chmod(0o755)
    env = {"APPIMAGETOOL": str(tool), "HEARTH_FLAVOUR": "vulkan"}
    result = check(run_script("linux/make_appimage.sh", "--dist", fake_dist, env=env))
    appimage = fake_dist / f"Hearth-{FAKE_VERSION}-{ARCH}-vulkan.AppImage"
    assert result.stdout.splitlines()[-1] == str(appimage)
    assert log.read_text().strip() == f"ARCH={ARCH} {fake_dist / 'Hearth.AppDir'} {appimage}"
    assert appimage.exists()


def test_appdir_is_rebuilt_from_scratch(run_script: RunScript, fake_dist: Path) -> None:
    env = {"APPIMAGETOOL": "no-such-tool"}
    check(run_script("linux/make_appimage.sh", "--dist", fake_dist, env=env))
    (fake_dist / "Hearth.AppDir" / "usr" / "lib" / "hearth" / "stale").write_text("old")
    check(run_script("linux/make_appimage.sh", "--dist", fake_dist, env=env))
    assert not (fake_dist / "Hearth.AppDir" / "usr" / "lib" / "hearth" / "stale").exists()
