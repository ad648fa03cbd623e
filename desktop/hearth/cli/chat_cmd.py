"""``hearth chat MODEL``: talk to a local model in the terminal, or get one reply for a script (``--prompt``).

It uses the same engine process as the app, so it is also the quickest way to check that a model loads and how
fast it runs ("--json" prints tokens/s, time to first token and where the layers went).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from hearth.core.engine import EngineClient, EngineError, GenerationHandle, Sampling
from hearth.core.engine.protocol import Loaded, Message
from hearth.core.load_settings import LoadSettings
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore

PROG = "hearth chat"


def register(commands: Any) -> None:
    cmd = commands.add_parser(
        "chat",
        help="chat with a local GGUF model in the terminal, or get one reply with --prompt",
        description="Interactive: type a message, Ctrl+C stops the reply, /reset starts over, /exit (or Ctrl+D) "
        "quits. With --prompt: one reply, printed as it arrives (or as one JSON object with --json).",
    )
    cmd.add_argument("model", help="path to a .gguf file")
    cmd.add_argument("--prompt", help="send this one message, print the reply and exit")
    cmd.add_argument("--system", help="a system message to start the conversation with")
    cmd.add_argument("--json", action="store_true", help="with --prompt: print one JSON object (a stable contract)")
    cmd.add_argument("--ctx", type=int, help="context length in tokens (default: the one in Settings)")
    cmd.add_argument("--gpu-layers", default="auto", help="layers on the GPU: a number, or auto (as many as fit)")
    cmd.add_argument("--threads", type=int, help="CPU threads (default: the number of physical cores)")
    cmd.add_argument("--max-tokens", type=int, default=1024, help="longest reply in tokens (default 1024)")
    cmd.add_argument("--temperature", type=float, default=0.7, help="0 picks the likeliest token (default 0.7)")
    cmd.add_argument("--seed", type=int, help="random seed, for repeatable replies")
    cmd.add_argument("--template", type=Path, help="a Jinja chat template file to use instead of the model's")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        settings = _settings(args, paths)
        sampling = Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
        template = args.template.read_text(encoding="utf-8") if args.template else None
    except (ValueError, OSError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    with EngineClient() as engine:
        try:
            loaded = engine.load(args.model, settings, template_override=template).result()
        except EngineError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 1
        if loaded.notice:
            print(f"{PROG}: note: {loaded.notice}", file=sys.stderr)
        history: list[Message] = [{"role": "system", "content": args.system}] if args.system else []
        if args.prompt is not None:
            return _one_shot(engine, loaded, [*history, {"role": "user", "content": args.prompt}], sampling, args)
        return _interactive(engine, loaded, history, sampling)


def _settings(args: argparse.Namespace, paths: AppPaths) -> LoadSettings:
    gpu = None if str(args.gpu_layers).lower() == "auto" else int(args.gpu_layers)
    n_ctx = args.ctx or SettingsStore(paths).settings.context_length
    return LoadSettings(n_ctx=n_ctx, n_gpu_layers=gpu, n_threads=args.threads)


def _stream(handle: GenerationHandle) -> None:
    """Print the reply as it arrives; Ctrl+C stops it (the text so far is kept)."""
    try:
        for piece in handle:
            sys.stdout.write(piece)
            sys.stdout.flush()
    except KeyboardInterrupt:
        handle.stop()
        for piece in handle:  # the few pieces already on their way
            sys.stdout.write(piece)
    sys.stdout.write("\n")
    sys.stdout.flush()


def _one_shot(
    engine: EngineClient, loaded: Loaded, messages: list[Message], sampling: Sampling, args: argparse.Namespace
) -> int:
    handle = engine.generate(messages, sampling)
    if not args.json:
        _stream(handle)
    try:
        result = handle.result()
    except EngineError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        out = {
            "text": result.text,
            "finish_reason": result.finish_reason,
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "ttft_ms": round(result.ttft_ms, 2),
            "first_token_ms": round(result.first_token_ms, 2),
            "decode_tokens_per_s": round(result.decode_tokens_per_s, 2),
            "load_ms": round(loaded.load_ms, 2),
            "gpu_layers": loaded.gpu_layers_offloaded,
            "n_layers": loaded.n_layers_total,
            "backend": loaded.backend,
            "n_ctx": loaded.n_ctx,
            "n_threads": loaded.n_threads,
            "chat_template_source": loaded.chat_template_source,
            "notice": loaded.notice,
        }
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


def _interactive(engine: EngineClient, loaded: Loaded, history: list[Message], sampling: Sampling) -> int:
    with contextlib.suppress(ImportError):  # no readline on Windows
        import readline  # noqa: F401 - line editing and history for input()
    name = Path(loaded.path).name
    print(f"{name}: {loaded.gpu_summary}, {loaded.n_ctx:,}-token context. /exit quits, /reset starts over.")
    start = list(history)
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            continue
        if line in {"/exit", "/quit"}:
            return 0
        if line == "/reset":
            history[:] = start
            continue
        if line == "/reload":
            if _reload(engine):
                history[:] = start
            continue
        if not line:
            continue
        history.append({"role": "user", "content": line})
        handle = engine.generate(history, sampling)
        _stream(handle)
        try:
            handle.result()
        except EngineError as exc:
            print(f"{PROG}: {exc}" + (" Type /reload." if exc.kind == "crashed" else ""), file=sys.stderr)
            if exc.kind != "crashed":
                history.pop()
                continue
        history.append({"role": "assistant", "content": handle.text})


def _reload(engine: EngineClient) -> bool:
    try:
        engine.reload().result()
    except EngineError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return False
    return True
