"""``hearth --self-test`` from source (CI runs it again on the frozen bundle: ``make package-test``)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hearth import self_test
from hearth.cli.main import main


@pytest.mark.slow
def test_self_test_passes_from_source(hearth_home: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "hearth", "--self-test"], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name, _step in self_test.STEPS:
        assert f"ok    {name}" in done.stdout
    assert f"quokkaberry' -> field-notes.pdf, page {self_test.SECRET_PAGE}" in done.stdout
    assert "Self-test passed" in done.stdout
    assert not hearth_home.exists(), "the self-test must use its own temporary home"


def test_a_failing_step_is_named_and_stops_the_run(capsys: pytest.CaptureFixture[str], hearth_home: Path) -> None:
    ran: list[str] = []
    homes: list[Path] = []

    def first(ctx: self_test._Context) -> str:
        homes.append(Path(os.environ["HEARTH_HOME"]))
        ran.append("first")
        return "fine"

    def broken(_ctx: self_test._Context) -> str:
        raise self_test.StepFailed("the engine said no")

    def never(_ctx: self_test._Context) -> str:
        ran.append("never")
        return ""

    out = io.StringIO()
    code = self_test.run_self_test(out, steps=[("first", first), ("broken", broken), ("never", never)])

    assert code == 1
    assert ran == ["first"]
    assert "ok    first" in out.getvalue()
    assert "FAIL  broken" in out.getvalue() and "StepFailed: the engine said no" in out.getvalue()
    assert "self-test failed at step 'broken': StepFailed: the engine said no" in capsys.readouterr().err
    assert os.environ["HEARTH_HOME"] == str(hearth_home)  # the caller's environment is back
    assert homes[0] != hearth_home and not homes[0].exists()  # the temporary home is gone


def test_any_exception_in_a_step_is_reported_not_raised() -> None:
    def crash(_ctx: self_test._Context) -> str:
        return str(1 / 0)

    out = io.StringIO()
    assert self_test.run_self_test(out, steps=[("arithmetic", crash)]) == 1
    assert "FAIL  arithmetic" in out.getvalue() and "ZeroDivisionError" in out.getvalue()


def test_a_file_written_into_the_frozen_bundle_fails_the_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    internal = tmp_path / "hearth" / "_internal"
    internal.mkdir(parents=True)
    (tmp_path / "hearth" / "hearth").write_text("executable")
    (internal / "libpython.so").write_text("library")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)

    def writes_next_to_itself(_ctx: self_test._Context) -> str:
        (internal / "settings.json").write_text("{}")
        return "wrote"

    out = io.StringIO()
    steps = [("writer", writes_next_to_itself), ("bundle untouched", self_test._check_bundle_untouched)]
    assert self_test.run_self_test(out, steps=steps) == 1
    assert "FAIL  bundle untouched" in out.getvalue()
    assert "1 files changed" in out.getvalue() and "settings.json" in out.getvalue()


@pytest.mark.parametrize("extra", [["list"], ["--screenshot", "x.png"], ["--home", "elsewhere"]])
def test_self_test_runs_on_its_own(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--self-test", *extra])
    assert exited.value.code == 2
    assert "--self-test runs on its own" in capsys.readouterr().err
