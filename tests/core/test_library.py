"""The library over real (tiny) files laid out as each app lays them out, under a temporary home folder."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest
from gguf import GGMLQuantizationType

import hearth.core.gguf
from hearth.core.gguf import HeaderCache
from hearth.core.library import Library, LocalModel, NotOurs, delete, scan
from hearth.core.library_sources import SCAN_HOME_ENV, Source, default_sources
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_sharded, write_tiny_model

Q8 = TinyModelSpec(tensor_type=GGMLQuantizationType.Q8_0, chat_template=CHATML_TEMPLATE, context_length=2048)


def _hf_cache(root: Path) -> Path:
    """``models--org--Tiny-GGUF`` with two snapshots sharing one blob, and a split model."""
    repo = root / "models--org--Tiny-GGUF"
    root.mkdir(parents=True)
    blob_src = write_tiny_model(root / "tmp.gguf", Q8)
    digest = hashlib.sha256(blob_src.read_bytes()).hexdigest()
    (repo / "blobs").mkdir(parents=True)
    blob_src.rename(repo / "blobs" / digest)
    for commit in ("a" * 40, "b" * 40):
        snapshot = repo / "snapshots" / commit
        snapshot.mkdir(parents=True)
        (snapshot / "tiny-Q8_0.gguf").symlink_to(Path("..") / ".." / "blobs" / digest)
    shards = write_sharded(root / "tmp-shards", 2, stem="tiny-F32")
    for shard in shards:
        blob = repo / "blobs" / hashlib.sha256(shard.read_bytes()).hexdigest()
        shard.rename(blob)
        (repo / "snapshots" / ("b" * 40) / shard.name).symlink_to(Path("..") / ".." / "blobs" / blob.name)
    (repo / "blobs" / "deadbeef.incomplete").write_bytes(b"partial")
    (root / "tmp-shards").rmdir()
    return repo


def _ollama(root: Path) -> Path:
    root.mkdir(parents=True)
    blob_src = write_tiny_model(root / "tmp.gguf", TinyModelSpec(name="ollama-tiny"))
    digest = hashlib.sha256(blob_src.read_bytes()).hexdigest()
    (root / "blobs").mkdir(parents=True)
    blob = root / "blobs" / f"sha256-{digest}"
    blob_src.rename(blob)
    layers = [
        {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": blob.stat().st_size},
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "1" * 64, "size": 10},
    ]
    manifest = {"schemaVersion": 2, "layers": layers}
    for path in ("registry.ollama.ai/library/tinyllama/latest", "registry.ollama.ai/someone/custom/q8"):
        target = root / "manifests" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(manifest))
    (root / "manifests" / "registry.ollama.ai" / "library" / "tinyllama" / "broken").write_text("{not json")
    return blob


@pytest.fixture
def scan_home(tmp_path: Path) -> Path:
    """A home folder holding every other app's layout."""
    home = tmp_path / "home"
    _hf_cache(home / ".cache" / "huggingface" / "hub")
    lms = home / ".lmstudio" / "models" / "lmstudio-community" / "Tiny-GGUF"
    lms.mkdir(parents=True)
    write_tiny_model(lms / "Tiny-Q8_0.gguf", Q8)
    (lms / "mmproj-Tiny-F16.gguf").write_bytes(b"GGUF projector")
    gpt4all = home / ".local" / "share" / "nomic.ai" / "GPT4All"
    gpt4all.mkdir(parents=True)
    write_tiny_model(gpt4all / "gpt4all-tiny.gguf")
    (gpt4all / "incomplete-next.gguf").write_bytes(b"GGUF half")
    _ollama(home / ".ollama" / "models")
    return home


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """Hearth's own folder: a good model, a split one, a broken one, a download in progress."""
    root = tmp_path / "models"
    repo = root / "org" / "Tiny-GGUF"
    repo.mkdir(parents=True)
    write_tiny_model(repo / "Tiny-F32.gguf", TinyModelSpec(chat_template=CHATML_TEMPLATE))
    write_sharded(repo, 3, stem="Tiny-Split-Q8_0")
    write_broken(root / "broken.gguf", BrokenKind.WRONG_MAGIC)
    write_sharded(root / "half", 2, stem="half")
    (root / "half" / "half-00002-of-00002.gguf").unlink()
    (root / "downloading.gguf.part").write_bytes(b"GGUF")
    return root


def sources(models_dir: Path, home: Path, extra: tuple[str, ...] = ()) -> list[Source]:
    return default_sources(models_dir, extra, env={SCAN_HOME_ENV: str(home)}, platform="linux")


def by_name(models: list[LocalModel]) -> dict[str, LocalModel]:
    return {m.display_name: m for m in models}


def test_scan_every_source(models_dir: Path, scan_home: Path, tmp_path: Path) -> None:
    models = scan(sources(models_dir, scan_home), HeaderCache(tmp_path / "headers"))

    names = by_name(models)
    assert [m.origin for m in models] == sorted(
        (m.origin for m in models), key=["hearth", "hf-cache", "lm-studio", "gpt4all", "ollama"].index
    )
    assert len(models) == len(names)  # every model once
    hearth_f32 = names["Tiny-F32"]
    assert hearth_f32.valid and hearth_f32.origin == "hearth" and hearth_f32.repo_id == "org/Tiny-GGUF"
    assert (hearth_f32.architecture, hearth_f32.quant, hearth_f32.context_length) == ("llama", "F32", 512)
    assert hearth_f32.has_chat_template and hearth_f32.parameters and hearth_f32.parameters > 0

    split = names["Tiny-Split-Q8_0"]
    assert split.valid and len(split.shards) == 3 and split.path.name == "Tiny-Split-Q8_0-00001-of-00003.gguf"
    assert split.size_bytes == sum(s.stat().st_size for s in split.shards)
    assert split.quant == "F32"  # the header's general.file_type wins over the name

    half = names["half"]
    assert not half.valid and "missing: half-00002-of-00002.gguf" in (half.error or "")
    broken = names["broken"]
    assert not broken.valid and broken.error and broken.architecture is None
    assert not any("downloading" in m.display_name for m in models)

    hf = [m for m in models if m.origin == "hf-cache"]
    assert sorted(m.display_name for m in hf) == ["tiny-F32", "tiny-Q8_0"]  # two snapshots, one blob: once
    hf_q8 = names["tiny-Q8_0"]
    assert hf_q8.valid and hf_q8.repo_id == "org/Tiny-GGUF" and hf_q8.quant == "Q8_0" and hf_q8.context_length == 2048
    assert hf_q8.path.is_symlink() and hf_q8.size_bytes == hf_q8.path.resolve().stat().st_size
    assert names["tiny-F32"].valid and len(names["tiny-F32"].shards) == 2

    lms = names["Tiny-Q8_0"]
    assert lms.origin == "lm-studio" and lms.repo_id == "lmstudio-community/Tiny-GGUF" and lms.valid
    assert lms.projector is not None and lms.projector.name == "mmproj-Tiny-F16.gguf"
    assert not any("mmproj" in m.display_name for m in models)

    assert names["gpt4all-tiny"].origin == "gpt4all" and names["gpt4all-tiny"].valid
    assert not any("incomplete" in m.display_name for m in models)

    ollama = [m for m in models if m.origin == "ollama"]
    assert [m.display_name for m in ollama] == ["tinyllama:latest"]  # two manifests, one blob: listed once
    assert ollama[0].valid and ollama[0].architecture == "llama" and ollama[0].quant == "F32"


def test_rescan_reads_headers_from_the_cache(
    models_dir: Path, scan_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = HeaderCache(tmp_path / "headers")
    first = scan(sources(models_dir, scan_home), cache)
    calls: list[object] = []
    real = hearth.core.gguf.read_header
    monkeypatch.setattr(hearth.core.gguf, "read_header", lambda *a, **k: calls.append(a) or real(*a, **k))

    second = scan(sources(models_dir, scan_home), cache)

    assert [m.to_json() for m in second] == [m.to_json() for m in first]
    assert len(calls) == 1  # only the broken file, which never makes it into the cache


def test_extra_folders_and_missing_roots(models_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "my models"
    extra.mkdir()
    write_tiny_model(extra / "mine.gguf")
    (extra / "inside-hearth").symlink_to(models_dir)  # folder links are not followed: no duplicates, no loops

    models = scan(sources(models_dir, tmp_path / "empty-home", (str(extra),)))

    assert by_name(models)["mine"].origin == "folder"
    assert sum(m.display_name == "Tiny-F32" for m in models) == 1


def test_default_sources_follow_the_platform_and_the_apps_variables(tmp_path: Path) -> None:
    env = {"HF_HUB_CACHE": "/hf", "OLLAMA_MODELS": "/ollama", "LOCALAPPDATA": "C:/Local"}
    linux = {s.origin: s.root for s in default_sources(tmp_path, env=env, platform="linux")}
    windows = {s.origin: s.root for s in default_sources(tmp_path, env=env, platform="win32")}
    mac = {s.origin: s.root for s in default_sources(tmp_path, env={SCAN_HOME_ENV: "/h", **env}, platform="darwin")}

    assert (linux["hf-cache"], linux["ollama"]) == (Path("/hf"), Path("/ollama"))
    assert windows["gpt4all"] == Path("C:/Local/nomic.ai/GPT4All")
    assert mac["gpt4all"] == Path("/h/Library/Application Support/nomic.ai/GPT4All")
    assert mac["hf-cache"] == Path("/h/.cache/huggingface/hub")  # a scan home turns the apps' variables off


def test_delete_only_hearths_models(models_dir: Path, scan_home: Path) -> None:
    models = by_name(scan(sources(models_dir, scan_home)))
    split = models["Tiny-Split-Q8_0"]
    expected = sum(s.stat().st_size for s in split.shards)

    freed = delete(split)
    with pytest.raises(NotOurs, match="LM Studio"):
        delete(models["Tiny-Q8_0"])
    with pytest.raises(NotOurs, match="Hugging Face cache"):
        delete(models["tiny-Q8_0"])

    assert freed == expected
    assert not any(s.exists() for s in split.shards)
    assert models["Tiny-Q8_0"].path.exists() and models["tiny-Q8_0"].path.resolve().exists()
    assert (models_dir / "org" / "Tiny-GGUF" / "Tiny-F32.gguf").exists()


def test_delete_prunes_empty_folders(tmp_path: Path) -> None:
    root = tmp_path / "models"
    (root / "org" / "One-GGUF").mkdir(parents=True)
    write_tiny_model(root / "org" / "One-GGUF" / "one.gguf")
    library = Library([Source("hearth", root)])
    [model] = library.scan()

    assert library.delete(model) > 0

    assert library.models == [] and root.is_dir() and list(root.iterdir()) == []


def test_add_file_without_a_rescan(tmp_path: Path) -> None:
    root = tmp_path / "models"
    root.mkdir()
    library = Library([Source("hearth", root)], HeaderCache(tmp_path / "headers"))
    assert library.scan() == []
    target = root / "org" / "New-GGUF"
    target.mkdir(parents=True)
    shards = write_sharded(target, 2, stem="New-Q8_0")

    added = library.add_file(shards[1])  # any shard names the model
    again = library.add_file(shards[0])

    assert added == again and library.models == [added]
    assert added.valid and added.origin == "hearth" and added.repo_id == "org/New-GGUF"
    assert added.path == shards[0] and added.shards == tuple(shards)
    outside = write_tiny_model(tmp_path / "elsewhere.gguf")
    assert library.add_file(outside).origin == "folder"
    assert len(library.models) == 2


def test_unreadable_folder_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions do not stop root (which CI runs as), so the denial comes from the OS call itself."""
    root = tmp_path / "models"
    locked = root / "locked"
    locked.mkdir(parents=True)
    write_tiny_model(root / "ok.gguf")
    write_tiny_model(locked / "hidden.gguf")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    models = scan([Source("folder", root)])
    assert [m.display_name for m in models] == ["ok"]


def test_embedding_models_are_recognised(tmp_path: Path) -> None:
    """The Documents page offers these as embedders: by encoder architecture or by a name that says so."""
    from hearth.core.library import is_embedding_model
    from hearth.testing.gguf_factory import write_embedding_model

    root = tmp_path / "models"
    root.mkdir()
    write_embedding_model(root / "nomic-embed-text-v1.5.Q8_0.gguf")
    write_tiny_model(root / "chat-model.gguf")
    models = {m.display_name: m for m in scan([Source("folder", root)])}
    assert is_embedding_model(models["nomic-embed-text-v1.5.Q8_0"])
    assert not is_embedding_model(models["chat-model"])
    bert = dataclasses.replace(models["chat-model"], architecture="nomic-bert")
    assert is_embedding_model(bert)
    assert not is_embedding_model(dataclasses.replace(bert, valid=False))
