"""``hearth docs``: private Q&A collections from the command line — add, index, search, list, remove.

The same core as the Documents section, without a window; the ``--json`` outputs are stable contracts for scripts
and tests. Nothing here deletes a user's files: ``remove`` forgets the index only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from hearth.core.docs.collections import CollectionSpec, CollectionStore, drop_chroma_collection, opened_collection
from hearth.core.docs.embedders import DEFAULT_EMBEDDER_ID, normalize_embedder_id
from hearth.core.docs.fts import IndexDb
from hearth.core.docs.index import DocumentIndex, IndexProgress
from hearth.core.docs.retriever import Retriever
from hearth.core.paths import AppPaths


def register(commands: Any) -> None:
    cmd = commands.add_parser("docs", help="index folders and search them privately (documents Q&A)")
    sub = cmd.add_subparsers(dest="docs_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create or update a collection of folders")
    add.add_argument("name")
    add.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    add.add_argument("--embedder", default=None, help=f"{DEFAULT_EMBEDDER_ID} (default) or a .gguf embedding model")
    add.add_argument("--include", action="append", default=None, metavar="GLOB", help="only files matching GLOB")
    add.add_argument("--exclude", action="append", default=None, metavar="GLOB", help="skip files matching GLOB")
    add.set_defaults(run=run_add)

    index = sub.add_parser("index", help="bring a collection's index up to date (only changed files are read)")
    index.add_argument("name")
    index.add_argument("--json", action="store_true", help="print a JSON summary (a stable contract)")
    index.set_defaults(run=run_index)

    search = sub.add_parser("search", help="find the passages that best answer a question")
    search.add_argument("name")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="print a JSON list, best first (a stable contract)")
    search.set_defaults(run=run_search)

    listing = sub.add_parser("list", help="list collections")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)

    remove = sub.add_parser("remove", help="delete a collection's index (never your files)")
    remove.add_argument("name")
    remove.set_defaults(run=run_remove)


def _fail(message: str) -> int:
    print(f"hearth docs: {message}", file=sys.stderr)
    return 1


def run_add(args: argparse.Namespace, paths: AppPaths) -> int:
    store = CollectionStore(paths)
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        return _fail(f"not a folder: {', '.join(missing)}")
    try:
        previous: CollectionSpec | None = store.get(args.name)
    except KeyError:
        previous = None
    try:
        embedder = normalize_embedder_id(args.embedder or (previous.embedder_id if previous else DEFAULT_EMBEDDER_ID))
    except ValueError as exc:
        return _fail(str(exc))
    spec = CollectionSpec(name=args.name, folders=tuple(str(f) for f in args.folders), embedder_id=embedder)
    if args.include:
        spec = CollectionSpec(**{**spec.__dict__, "include": tuple(args.include)})
    if args.exclude:
        spec = CollectionSpec(**{**spec.__dict__, "exclude": spec.exclude + tuple(args.exclude)})
    spec = store.save(spec)
    print(f"Collection {spec.name!r}: {', '.join(spec.folders)} ({spec.embedder_id}). Index it with:")
    print(f"  hearth docs index {spec.name!r}")
    return 0


def _progress_printer() -> Any:
    """A one-line progress display on a terminal, at most ten updates a second; nothing when piped."""
    if not sys.stderr.isatty():
        return None
    last = 0.0

    def show(p: IndexProgress) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < 0.1 and p.files_done < p.files_total:
            return
        last = now
        eta = f", {p.eta_s:.0f} s left" if p.eta_s is not None else ""
        line = f"{p.files_done}/{p.files_total} files, {p.chunks} chunks ({p.chunks_per_s:.0f}/s{eta})"
        sys.stderr.write("\r" + line.ljust(70))
        sys.stderr.flush()

    return show


def run_index(args: argparse.Namespace, paths: AppPaths) -> int:
    progress = None if args.json else _progress_printer()
    try:
        with opened_collection(paths, args.name) as (store, spec, client):
            result = DocumentIndex(store, spec, client).index(progress=progress)
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    if progress is not None:
        sys.stderr.write("\n")
    if args.json:
        payload = {
            "files_indexed": result.files_indexed,
            "files_unchanged": result.files_unchanged,
            "files_removed": result.files_removed,
            "files_skipped": [{"path": spec.relative(s.path), "reason": s.reason} for s in result.skipped],
            "chunks": result.chunks,
            "seconds": round(result.seconds, 3),
        }
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"Indexed {result.files_indexed} files ({result.chunks} chunks) in {result.seconds:.1f} s; "
        f"{result.files_removed} removed, {len(result.skipped)} skipped."
    )
    for skipped in result.skipped:
        print(f"  skipped {spec.relative(skipped.path)}: {skipped.reason}")
    return 0


def run_search(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        with opened_collection(paths, args.name) as (store, spec, client), Retriever(store, spec, client) as retriever:
            passages = retriever.search(args.query, k=args.k)
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    if args.json:
        rows = [
            {
                "path": p.relative_path,
                "page": p.page,
                "line_start": p.line_start,
                "line_end": p.line_end,
                "heading": p.heading,
                "text": p.text,
                "score": round(p.score, 6),
            }
            for p in passages
        ]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not passages:
        print("Nothing in this collection matches. Try other words, or index it: hearth docs index NAME")
    for i, p in enumerate(passages, start=1):
        heading = f" — {p.heading}" if p.heading else ""
        print(f"[{i}] {p.location()}{heading}")
        print("    " + " ".join(p.text.split())[:300])
    return 0


def run_list(args: argparse.Namespace, paths: AppPaths) -> int:
    store = CollectionStore(paths)
    rows = []
    for spec in store.list():
        db_path = store.sqlite_path(spec)
        with IndexDb(db_path) as db:
            records = db.files().values()
            files = sum(1 for r in records if r.state == "done")
            chunks = db.total_chunks()
            skipped = sum(1 for r in records if r.state == "skipped")
        rows.append({**spec.to_json(), "files": files, "chunks": chunks, "skipped": skipped})
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("No collections yet. Create one with: hearth docs add NAME FOLDER")
    for row in rows:
        print(f"{row['name']}: {row['files']} files, {row['chunks']} chunks, {row['skipped']} skipped")
        for folder in row["folders"]:
            print(f"    {folder}")
    return 0


def run_remove(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        with opened_collection(paths, args.name) as (store, spec, client):
            drop_chroma_collection(client, spec.chroma_name)
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    store.delete(spec.name)
    print(f"Removed the index of {spec.name!r}; your files are untouched.")
    return 0
