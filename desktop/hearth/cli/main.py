"""``hearth``: no arguments starts the app; subcommands run the same core without a window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hearth import __version__
from hearth.cli import (
    ask_cmd,
    chat_cmd,
    docs_cmd,
    doctor,
    files_cmd,
    fit_cmd,
    hardware_cmd,
    list_cmd,
    pull_cmd,
    search_cmd,
)
from hearth.core.paths import resolve_paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Run language models privately on your own computer. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep settings, models, cache and logs under DIR (portable install; same as HEARTH_HOME)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        type=Path,
        help="render the main window offscreen to PNG and exit (no display needed)",
    )
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="with --screenshot: the section to show (discover, library, chat, documents, settings)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end (model engine, documents, window) in a temporary folder; "
        "exit 0 when it works, 1 naming the step that failed",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    doctor.register(commands)
    hardware_cmd.register(commands)
    chat_cmd.register(commands)
    fit_cmd.register(commands)
    search_cmd.register(commands)
    files_cmd.register(commands)
    list_cmd.register(commands)
    pull_cmd.register(commands)
    docs_cmd.register(commands)
    ask_cmd.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if args.command is not None or args.screenshot or args.home:
            parser.error("--self-test runs on its own, in a temporary folder")
        from hearth.self_test import run_self_test  # imports Qt and the engine only when asked

        return run_self_test()
    paths = resolve_paths(args.home)
    if args.command is not None:
        return int(args.run(args, paths))
    if args.section and not args.screenshot:
        parser.error("--section only applies with --screenshot")
    from hearth.app import run_app  # Qt is imported only when a window is wanted

    return run_app(paths, screenshot=args.screenshot, section=args.section)


if __name__ == "__main__":
    sys.exit(main())
