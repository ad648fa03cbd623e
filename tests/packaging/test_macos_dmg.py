"""packaging/macos/make_dmg.sh against stand-ins for the macOS tools, which only record how they were called.

This checks the script's logic (what runs when, with which arguments, and that a rejected notarisation fails); it
cannot show that codesign, hdiutil or Apple accept the result. That needs a Mac.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from packaging_fixtures import PACKAGING, RunScript, check

IDENTITY = "Developer ID Application: Test (TEAM123456)"

FAKE_TOOLS = {
    "uname": 'case "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) exit 2 ;; esac',
    "codesign": 'echo "codesign $*" >>"$FAKE_LOG"',
    "ditto": 'echo "ditto $*" >>"$FAKE_LOG"; cp -R "$1" "$2"',
    "hdiutil": """echo "hdiutil $*" >>"$FAKE_LOG"
while [ $# -gt 1 ]; do
    if [ "$1" = -srcfolder ]; then
        echo "staged: $(ls -A "$2" | tr '\\n' ' '); Applications -> $(readlink "$2/Applications")" >>"$FAKE_LOG"
    fi
    shift
done
touch "$1\"""",
    "xcrun": """echo "xcrun $*" >>"$FAKE_LOG"
if [ "$1 $2" = "notarytool submit" ]; then
    printf '<plist><dict><key>id</key><string>sub-42</string><key>status</key><string>%s</string></dict></plist>\\n' \\
        "$FAKE_NOTARY_STATUS"
elif [ "$1 $2" = "notarytool log" ]; then
    echo "apple says: the signature is invalid"
fi""",
    # plutil -extract KEY raw -o - FILE
    "plutil": """sed -n "s:.*<key>$2</key><string>\\([^<]*\\)</string>.*:\\1:p" "$6\"""",
}


@pytest.fixture
def mac(tmp_path: Path) -> dict[str, str]:
    """Environment with the fake macOS tools first on PATH, logging to $FAKE_LOG, and a fake Hearth.app."""
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    for name, body in FAKE_TOOLS.items():
        (fake_bin / name).write_text(f"#!/bin/sh\n{body}\n")
        (fake_bin / name).chmod(0o755)
    macos = tmp_path / "dist" / "Hearth.app" / "Contents" / "MacOS"
    macos.mkdir(parents=True)
    (macos / "hearth").write_text('#!/bin/sh\necho "hearth 3.4.5"\n')
    (macos / "hearth").chmod(0o755)
    return {
        "PATH": f"{fake_bin}:{os.environ['PATH']}",
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "FAKE_NOTARY_STATUS": "Accepted",
    }


def calls(env: dict[str, str]) -> list[str]:
    return Path(env["FAKE_LOG"]).read_text().splitlines()


def test_signs_builds_the_image_notarises_and_staples(
    run_script: RunScript, mac: dict[str, str], tmp_path: Path
) -> None:
    env = {**mac, "HEARTH_CODESIGN_IDENTITY": IDENTITY, "HEARTH_NOTARY_PROFILE": "hearth-notary"}
    result = check(run_script("macos/make_dmg.sh", "--skip-build", "--dist", "dist", env=env, cwd=tmp_path))
    dist = tmp_path / "dist"
    app, dmg = dist / "Hearth.app", dist / "Hearth-3.4.5-macos-arm64.dmg"
    assert result.stdout.splitlines()[-1] == str(dmg)
    log = calls(env)
    staging = log[2].split()[-1].rsplit("/", 1)[0]  # ditto APP STAGING/Hearth.app
    assert log == [
        f"codesign --force --deep --timestamp --options runtime --entitlements {PACKAGING}/macos/entitlements.plist "
        f"--sign {IDENTITY} {app}",
        f"codesign --verify --deep --strict --verbose=2 {app}",
        f"ditto {app} {staging}/Hearth.app",
        f"hdiutil create -volname Hearth -srcfolder {staging} -ov -format UDZO {dmg}",
        "staged: Applications Hearth.app ; Applications -> /Applications",
        f"codesign --force --timestamp --sign {IDENTITY} {dmg}",
        f"xcrun notarytool submit {dmg} --keychain-profile hearth-notary --wait --output-format plist",
        f"xcrun stapler staple {dmg}",
        f"xcrun stapler validate {dmg}",
    ]
    assert dmg.exists()
    assert not Path(staging).exists()


def test_without_credentials_makes_an_unsigned_image(
    run_script: RunScript, mac: dict[str, str], tmp_path: Path
) -> None:
    result = check(
        run_script("macos/make_dmg.sh", "--skip-build", "--dist", tmp_path / "dist", "--version", "1.0", env=mac)
    )
    assert "stays unsigned" in result.stdout and "not notarised" in result.stdout
    assert [line.split()[0] for line in calls(mac)] == ["ditto", "hdiutil", "staged:"]
    assert (tmp_path / "dist" / "Hearth-1.0-macos-arm64.dmg").exists()


def test_a_rejected_notarisation_fails_with_apples_log(
    run_script: RunScript, mac: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **mac,
        "HEARTH_CODESIGN_IDENTITY": IDENTITY,
        "HEARTH_NOTARY_PROFILE": "hearth-notary",
        "FAKE_NOTARY_STATUS": "Invalid",
    }
    result = run_script("macos/make_dmg.sh", "--skip-build", "--dist", tmp_path / "dist", env=env)
    assert result.returncode != 0
    assert "status: Invalid" in result.stderr
    assert "apple says: the signature is invalid" in result.stderr
    assert "xcrun notarytool log sub-42 --keychain-profile hearth-notary" in calls(env)
    assert not [line for line in calls(env) if "stapler" in line]


def test_notarising_requires_signing(run_script: RunScript, mac: dict[str, str], tmp_path: Path) -> None:
    env = {**mac, "HEARTH_NOTARY_PROFILE": "hearth-notary"}
    result = run_script("macos/make_dmg.sh", "--skip-build", "--dist", tmp_path / "dist", env=env)
    assert result.returncode != 0
    assert "HEARTH_CODESIGN_IDENTITY is not" in result.stderr
    assert not Path(env["FAKE_LOG"]).exists()


def test_builds_with_pyinstaller_unless_told_to_skip(
    run_script: RunScript, mac: dict[str, str], tmp_path: Path
) -> None:
    fake = tmp_path / "fake-bin" / "fake-pyinstaller"
    fake.write_text('#!/bin/sh\necho "pyinstaller $* (in $PWD)" >>"$FAKE_LOG"\n')
    fake.chmod(0o755)
    env = {**mac, "PYINSTALLER": str(fake)}
    check(run_script("macos/make_dmg.sh", "--dist", tmp_path / "dist", env=env))
    assert calls(env)[0] == f"pyinstaller packaging/hearth.spec --noconfirm (in {PACKAGING.parent})"
