"""``hearth --self-test``: prove on this machine that an installed Hearth works end to end.

Aimed at the frozen bundle, where things break that never break in a checkout: a data file or native library
left out by PyInstaller, a Qt plugin missing, the engine process that re-runs the executable, something written
next to the app. Each step drives the real parts (llama.cpp in the engine process, Chroma + FTS5 with the
bundled embedder, the main window) on generated inputs in a temporary ``HEARTH_HOME``, so it needs no network
and leaves nothing behind. Output is plain ASCII so a Windows console can print it.
"""

from __future__ import annotations

import faulthandler
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from hearth import __version__
from hearth.core.paths import HOME_ENV, AppPaths, resolve_paths

STEP_TIMEOUT_S = 120.0
"""A step that hangs (a deadlocked engine pipe, a Qt plugin waiting for a display) is a failure, not a stuck CI."""

SECRET_WORD = "quokkaberry"
"""A made-up word, on one page of the generated PDF only: retrieving it proves PDF text, FTS5 and page numbers."""
PDF_PAGES, SECRET_PAGE = 60, 52
"""Long enough that indexing reads the PDF in worker processes (the frozen app must start them), with the word in
the second worker's half."""


class StepFailed(Exception):
    """A check inside a step did not hold; the message says what was expected."""


@dataclass(frozen=True)
class StepOutcome:
    name: str
    seconds: float
    detail: str
    error: str | None = None


@dataclass
class _Context:
    paths: AppPaths
    work: Path
    model: Path | None = None
    bundle_before: dict[str, tuple[int, int]] | None = None


Step = Callable[[_Context], str]


def run_self_test(out: TextIO | None = None, steps: Sequence[tuple[str, Step]] | None = None) -> int:
    """Run every step in order, stop at the first failure; 0 when all passed, 1 naming the failing step."""
    out = out or sys.stdout
    started = time.perf_counter()
    print(f"Hearth {__version__} self-test: {_where_from()}", file=out)
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}", file=out)
    bundle_before = _bundle_files()
    # ignore_cleanup_errors: on Windows a file the engine just closed can stay locked for a moment.
    with (
        tempfile.TemporaryDirectory(prefix="hearth-self-test-", ignore_cleanup_errors=True) as tmp,
        _temporary_home(Path(tmp) / "home") as ctx,
    ):
        ctx.bundle_before = bundle_before
        for name, step in steps or STEPS:
            outcome = _run_step(name, step, ctx)
            status = "ok  " if outcome.error is None else "FAIL"
            print(f"  {status}  {name:<17} {outcome.seconds:6.2f} s  {outcome.detail or outcome.error}", file=out)
            out.flush()
            if outcome.error is not None:
                print(f"hearth: self-test failed at step {name!r}: {outcome.error}", file=sys.stderr)
                return 1
    print(f"Self-test passed in {time.perf_counter() - started:.1f} s.", file=out)
    return 0


def _run_step(name: str, step: Step, ctx: _Context) -> StepOutcome:
    # dump_traceback_later kills the process after printing every thread's stack: a hang gets a clear end.
    print(f"hearth self-test: {name} ...", file=sys.stderr, flush=True)
    watchdog = _watchdog_stream()
    if watchdog is not None:
        faulthandler.dump_traceback_later(STEP_TIMEOUT_S, exit=True, file=watchdog)
    started = time.perf_counter()
    try:
        detail = step(ctx)
    except Exception as exc:  # noqa: BLE001 - any failure, whatever its type, is reported against its step
        return StepOutcome(name, time.perf_counter() - started, "", f"{type(exc).__name__}: {exc}")
    finally:
        if watchdog is not None:
            faulthandler.cancel_dump_traceback_later()
    return StepOutcome(name, time.perf_counter() - started, detail)


@contextmanager
def _temporary_home(home: Path) -> Iterator[_Context]:
    """Point this process and the engine process it starts at ``home``; the caller's environment comes back."""
    saved = {key: os.environ.get(key) for key in (HOME_ENV, "QT_QPA_PLATFORM")}
    os.environ[HOME_ENV] = str(home)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a CI runner or an SSH session has no display
    try:
        paths = resolve_paths(home)
        paths.ensure()
        work = home.parent / "inputs"
        work.mkdir()
        yield _Context(paths, work)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _where_from() -> str:
    if getattr(sys, "frozen", False):
        return f"frozen app at {_bundle_root()}"
    return f"source at {Path(__file__).resolve().parent}"


# --- steps ----------------------------------------------------------------------------------------------------


def _check_resources(_ctx: _Context) -> str:
    """Icons and themes are read through importlib.resources, as the app does, from wherever it was installed."""
    root = resources.files("hearth.resources")
    icons = [f.name for f in root.joinpath("icons").iterdir() if f.name.endswith(".svg")]
    themes = [f.name for f in root.joinpath("themes").iterdir() if f.name.endswith(".qss")]
    if "hearth.svg" not in icons:
        raise StepFailed(f"the app icon hearth.svg is missing from {root}")
    if {"light.qss", "dark.qss"} - set(themes):
        raise StepFailed(f"a theme is missing: found {sorted(themes)}")
    return f"{len(icons)} icons, {len(themes)} themes"


def _check_versions(ctx: _Context) -> str:
    """What ``hearth doctor`` reports: every version must be readable (a frozen app needs the packages' metadata)."""
    from PySide6.QtCore import qVersion

    from hearth.core.diagnostics import collect
    from hearth.core.settings import SettingsStore

    report = collect(SettingsStore(ctx.paths), qVersion())
    if report.llama_cpp_error:
        raise StepFailed(f"llama.cpp could not be loaded: {report.llama_cpp_error}")
    missing = [name for name in ("qt", "pyside6", "llama_cpp") if not getattr(report, name)]
    if missing:
        raise StepFailed(f"hearth doctor cannot tell the version of {', '.join(missing)}")
    return f"Qt {report.qt}, PySide6 {report.pyside6}, llama-cpp-python {report.llama_cpp}"


# The OS keychain backend keyring picks on each platform, and the package it talks through.
_KEYCHAIN_MODULES = {
    "linux": ("keyring.backends.SecretService", "secretstorage"),
    "darwin": ("keyring.backends.macOS",),
    "win32": ("keyring.backends.Windows", "win32ctypes.pywin32.win32cred"),
}


def _check_keychain(_ctx: _Context) -> str:
    """The Hub token is kept in the OS keychain: its keyring backend must be in the install. Whether a keychain
    is running (a desktop session) is the machine's business, so the active backend is reported, not required."""
    import importlib

    import keyring

    platform_key = "linux" if sys.platform.startswith("linux") else sys.platform
    for module in _KEYCHAIN_MODULES.get(platform_key, ()):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise StepFailed(f"{module} is missing, so the Hub token could not be kept in the keychain: {exc}") from exc
    backend = keyring.get_keyring()
    return f"backend {type(backend).__module__}.{type(backend).__name__}"


def _write_model(ctx: _Context) -> str:
    from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model

    target = ctx.work / "hearth-self-test.gguf"
    ctx.model = write_tiny_model(target, TinyModelSpec(name="Hearth Self-Test", chat_template=CHATML_TEMPLATE))
    return f"{target.name}, {target.stat().st_size / 1024:.0f} KiB"


def _estimate_fit(ctx: _Context) -> str:
    from hearth.core import hardware
    from hearth.core.fit import estimate
    from hearth.core.gguf import read_model_header
    from hearth.core.load_settings import LoadSettings

    header = read_model_header(_model(ctx))
    build = hardware.llama_build()
    if build.error:
        raise StepFailed(f"llama.cpp could not be loaded: {build.error}")
    result = estimate(header, LoadSettings(n_ctx=256), hardware.snapshot(ctx.work, build=build))
    if result.verdict == "wont_fit" or result.total_bytes <= 0:
        raise StepFailed(f"a 0.4 MB model should fit, but the estimate says {result.verdict}: {result.explanation}")
    offload = "GPU offload built in" if build.gpu_offload_supported else "CPU-only build"
    return f"{result.architecture}, {result.n_layers} layers, {result.verdict}; llama.cpp {build.version}, {offload}"


def _search_and_download(ctx: _Context) -> str:
    """Search, list files, read a header remotely and download with sha256 verification: the real
    huggingface_hub client (its lazily imported modules are what freezing tends to lose) against a Hub
    stand-in on 127.0.0.1, so no traffic leaves the machine."""
    from hearth.core.downloads import download_files, safe_destination
    from hearth.core.gguf_remote import read_remote_model_header
    from hearth.core.hub import Hub
    from hearth.core.hub_config import HubConfig
    from hearth.testing.fake_hub import FakeHub

    repo, name = "hearth/self-test-GGUF", "self-test.Q8_0.gguf"
    with FakeHub() as hub:
        hub.add_repo(repo, files={name: _model(ctx), "README.md": "# Self-test"}, tags=["gguf"], downloads=1)
        api = Hub(HubConfig(endpoint=hub.url, token=False, cache_dir=ctx.paths.cache_dir))
        found = [r.repo_id for r in api.search_models("self-test").results]
        if repo not in found:
            raise StepFailed(f"searching for 'self-test' found {found}, not {repo}")
        files = [f.name for f in api.repo_files(repo).files]
        if name not in files:
            raise StepFailed(f"the repo's GGUF files are {files}, expected {name}")
        remote = read_remote_model_header(repo, name, endpoint=hub.url, token=False)
        target = safe_destination(ctx.paths.default_models_dir, repo, name)
        (result,) = download_files(repo, [name], [target], endpoint=hub.url, token=False)
    if not result.verified or result.path.read_bytes() != _model(ctx).read_bytes():
        raise StepFailed(f"the downloaded file does not match the original (verified: {result.verified})")
    return f"found {repo}, header in {remote.bytes_read:,} bytes, {result.size_bytes:,} bytes verified (sha256)"


def _stream_reply(ctx: _Context) -> str:
    """Load in the separate engine process (a frozen app re-runs itself for it) and stream a short reply."""
    from hearth.core.engine import EngineClient, Sampling
    from hearth.core.load_settings import LoadSettings

    with EngineClient() as engine:
        loaded = engine.load(_model(ctx), LoadSettings(n_ctx=256, n_threads=2)).result(timeout=60)
        handle = engine.generate([{"role": "user", "content": "Hello"}], Sampling(max_tokens=12, temperature=0))
        pieces = list(handle)
        reply = handle.result(timeout=60)
        engine.unload()
        pid = engine.pid
    if reply.completion_tokens < 1 or not pieces:
        raise StepFailed(f"the engine finished ({reply.finish_reason}) without streaming a token")
    if pid is not None and _process_alive(pid):
        raise StepFailed(f"the engine process {pid} is still running after shutdown")
    return (
        f"loaded in {loaded.load_ms:.0f} ms ({loaded.gpu_summary}), streamed {reply.completion_tokens} tokens "
        f"in {len(pieces)} pieces"
    )


def _index_and_retrieve(ctx: _Context) -> str:
    """Every loader family, the bundled embedder, Chroma's native module and FTS5, then a cited retrieval."""
    from hearth.core.docs.collections import CollectionSpec, CollectionStore, opened_collection
    from hearth.core.docs.embedders import DEFAULT_EMBEDDER_ID
    from hearth.core.docs.index import DocumentIndex
    from hearth.core.docs.loaders import pdf_pages
    from hearth.core.docs.retriever import Retriever

    folder = _write_documents(ctx.work / "documents")
    expected = sorted(p.name for p in folder.iterdir())
    CollectionStore(ctx.paths).save(
        CollectionSpec(name="self-test", folders=(str(folder),), embedder_id=DEFAULT_EMBEDDER_ID)
    )
    with opened_collection(ctx.paths, "self-test") as (store, spec, client):
        result = DocumentIndex(store, spec, client).index()
        if result.skipped or result.files_indexed != len(expected):
            skipped = "; ".join(f"{s.path}: {s.reason}" for s in result.skipped)
            raise StepFailed(f"indexed {result.files_indexed} of {len(expected)} files ({expected}); {skipped}")
        with Retriever(store, spec, client) as retriever:
            passages = retriever.search(f"Where does the {SECRET_WORD} grow?", k=3)
    if not passages or Path(passages[0].path).name != "field-notes.pdf" or passages[0].page != SECRET_PAGE:
        found = [p.location() for p in passages]
        raise StepFailed(f"expected field-notes.pdf, page {SECRET_PAGE} first for {SECRET_WORD!r}; retrieved {found}")
    if pdf_pages.default_workers() > 1 and pdf_pages.pages_from_workers == 0:
        raise StepFailed("the long PDF was not read by worker processes (they could not start; see the log)")
    return f"{result.files_indexed} files, {result.chunks} chunks; '{SECRET_WORD}' -> {passages[0].location()}"


def _write_documents(folder: Path) -> Path:
    import docx

    from hearth.testing.docs_corpus import write_text_pdf

    folder.mkdir(parents=True)
    (folder / "notes.md").write_text(
        "# Garden\n\nTomatoes need six hours of sun.\n\n## Tools\n\nA spade and a rake.\n", encoding="utf-8"
    )
    (folder / "todo.txt").write_text("Buy seeds.\nWater the beans on Tuesday.\n", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Compost</title></head><body><main><h1>Compost</h1>"
        "<p>Turn the heap every two weeks.</p></main></body></html>",
        encoding="utf-8",
    )
    write_text_pdf(
        folder / "field-notes.pdf",
        [
            [f"The {SECRET_WORD} grows by the river bank."]
            if number == SECRET_PAGE
            else [f"Field notes, day {number}", f"Row {number} of the orchard was weeded."]
            for number in range(1, PDF_PAGES + 1)
        ],
    )
    memo = docx.Document()
    memo.add_heading("Harvest", 1)
    memo.add_paragraph("The harvest festival is in October.")
    memo.save(str(folder / "memo.docx"))
    return folder


def _render_window(ctx: _Context) -> str:
    """The real start-up path (settings, theme, every page) rendered offscreen, then checked: a blank or
    unstyled window means a Qt plugin or a resource did not make it into the bundle."""
    from PySide6.QtGui import QImage, QImageReader

    from hearth.app import run_app
    from hearth.ui.main_window import DEFAULT_SIZE

    shot = ctx.work / "window.png"
    if (code := run_app(ctx.paths, screenshot=shot, section="documents")) != 0:
        raise StepFailed(f"rendering the window returned {code}")
    image = QImage(str(shot))
    if image.isNull() or (image.width(), image.height()) != DEFAULT_SIZE:
        raise StepFailed(f"the screenshot is {image.width()}x{image.height()}, expected {DEFAULT_SIZE}")
    colours = {image.pixel(x, y) for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)}
    if len(colours) < 4:
        raise StepFailed(f"the window looks blank ({len(colours)} colours)")
    if b"svg" not in {bytes(f.data()) for f in QImageReader.supportedImageFormats()}:
        raise StepFailed("Qt's SVG image plugin is missing: icons would not show")
    return f"{image.width()}x{image.height()}, {len(colours)} colours sampled"


def _check_bundle_untouched(ctx: _Context) -> str:
    """A frozen app must write nothing next to itself (it may be read-only, e.g. in /Applications)."""
    before = ctx.bundle_before
    if before is None:
        return "not a frozen app: nothing to check"
    after = _bundle_files()
    assert after is not None
    changed = sorted(name for name in after.keys() | before.keys() if after.get(name) != before.get(name))
    if changed:
        raise StepFailed(f"{len(changed)} files changed in {_bundle_root()}: {', '.join(changed[:5])}")
    # Programs Hearth opens (a PDF viewer through "Open file") must not load the bundle's libraries.
    library_path = os.environ.get("LD_LIBRARY_PATH", "")
    if str(_bundle_root()) in library_path:
        raise StepFailed(f"LD_LIBRARY_PATH still points into the bundle ({library_path}): the runtime hook did not run")
    return f"{len(after)} files in the bundle, none changed; child processes get the system's libraries"


STEPS: tuple[tuple[str, Step], ...] = (
    ("resources", _check_resources),
    ("versions", _check_versions),
    ("keychain", _check_keychain),
    ("tiny model", _write_model),
    ("fit estimate", _estimate_fit),
    ("hub download", _search_and_download),
    ("engine", _stream_reply),
    ("documents", _index_and_retrieve),
    ("window", _render_window),
    ("bundle untouched", _check_bundle_untouched),
)


# --- helpers --------------------------------------------------------------------------------------------------


def _model(ctx: _Context) -> Path:
    if ctx.model is None:
        raise StepFailed("no model: the tiny model step did not run")
    return ctx.model


def _bundle_root() -> Path:
    """The folder PyInstaller unpacked to (``_internal`` next to the executable, or the .app's Frameworks)."""
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)).resolve()


def _bundle_files() -> dict[str, tuple[int, int]] | None:
    if not getattr(sys, "frozen", False):
        return None
    root = _bundle_root().parent  # the executable's folder too
    files: dict[str, tuple[int, int]] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            files[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return files


def _watchdog_stream() -> TextIO | None:
    """The real standard error (captured streams have no file descriptor; a windowed app may have none)."""
    stream = sys.__stderr__
    try:
        if stream is not None:
            stream.fileno()
    except (OSError, ValueError):
        return None
    return stream


def _process_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
