"""``hearth ask NAME "question" --model MODEL``: answer from a document collection, citing its passages.

Retrieval and generation are the same core the Chat page uses: the collection's hybrid retriever, then the engine
process with the numbered passages in front of the question. No passage matched → the answer says so and lists no
sources, rather than inventing them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hearth.core.docs.collections import opened_collection
from hearth.core.docs.retriever import Passage, Retriever, build_prompt_context
from hearth.core.engine import EngineClient, EngineError
from hearth.core.engine.protocol import Sampling
from hearth.core.load_settings import LoadSettings
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore

PROG = "hearth ask"
REPLY_RESERVE = 512  # tokens kept free for the answer itself


def register(commands: Any) -> None:
    cmd = commands.add_parser("ask", help="answer a question from a document collection, with citations")
    cmd.add_argument("name", help="the collection (see: hearth docs list)")
    cmd.add_argument("question")
    cmd.add_argument("--model", required=True, type=Path, help="a chat model (.gguf)")
    cmd.add_argument("-k", type=int, default=5, help="passages to retrieve (default 5)")
    cmd.add_argument("--ctx", type=int, help="context length in tokens (default: the one in Settings)")
    cmd.add_argument("--max-tokens", type=int, default=REPLY_RESERVE, help=f"answer length (default {REPLY_RESERVE})")
    cmd.add_argument("--temperature", type=float, default=0.2, help="default 0.2: stay close to the sources")
    cmd.add_argument("--seed", type=int)
    cmd.add_argument("--json", action="store_true", help="print one JSON object: answer and sources")
    cmd.set_defaults(run=run)


def _retrieve(paths: AppPaths, name: str, question: str, k: int) -> list[Passage]:
    with opened_collection(paths, name) as (store, spec, client), Retriever(store, spec, client) as retriever:
        return retriever.search(question, k=k)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        passages = _retrieve(paths, args.name, args.question, args.k)
    except KeyError as exc:
        print(f"{PROG}: {exc.args[0]}", file=sys.stderr)
        return 1
    n_ctx = args.ctx or SettingsStore(paths).settings.context_length
    sampling = Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
    with EngineClient() as engine:
        try:
            engine.load(args.model, LoadSettings(n_ctx=n_ctx)).result()
            budget = n_ctx - args.max_tokens - engine.count_tokens(args.question) - 64
            context, used = build_prompt_context(passages, max(budget, 0), engine.count_tokens)
            content = f"{context}\n\nQuestion: {args.question}" if used else args.question
            result = engine.generate([{"role": "user", "content": content}], sampling).result()
        except EngineError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 1
    sources = [
        {
            "n": i,
            "path": p.relative_path,
            "page": p.page,
            "line_start": p.line_start,
            "line_end": p.line_end,
            "heading": p.heading,
            "text": p.text,
            "score": round(p.score, 6),
        }
        for i, p in enumerate(used, start=1)
    ]
    note = None if used else f"No passages in {args.name} matched; the answer does not use your documents."
    if args.json:
        out = {"answer": result.text, "sources": sources, "note": note, "finish_reason": result.finish_reason}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(result.text.strip())
    print()
    if note:
        print(note)
    for source, passage in zip(sources, used, strict=True):
        print(f"[{source['n']}] {passage.location()}")
    return 0
