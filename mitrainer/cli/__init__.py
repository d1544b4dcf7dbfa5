"""The ``mitrainer`` command: bare, it opens the trainer; subcommands run headless.

Each subcommand lives in its own module under ``mitrainer/cli/`` and exposes
``register(subparsers)``, which adds its parser and sets ``handler``. Handlers find this
run's typed settings (``--db``, ``--scenarios``, ``--lang`` and the environment) in
``args.settings`` (:class:`mitrainer.settings.Settings`). Modules keep heavy
imports (Textual, numpy, pydantic, the coder) inside their handlers so that
``mitrainer validate --help`` answers at once.

Exit codes: 0 success, 1 problems found (validation errors, failed checks), 2 could not
run (bad arguments, unreadable input).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mitrainer import __version__
from mitrainer.threads import limit_blas_threads

# Before any subcommand imports numpy: the coder's arithmetic runs on one thread, so a
# busy core beside the app does not multiply its latency (mitrainer/threads.py).
limit_blas_threads()

# Order here is the order in --help.
COMMAND_MODULES = [
    "mitrainer.cli.authoring",  # validate, graph, new
    "mitrainer.cli.playing",  # play, playtest
    "mitrainer.cli.coding_cmds",  # code, code-transcript
    "mitrainer.cli.sessions_cmds",  # history, serve
    "mitrainer.cli.scoring_cmds",  # score
    "mitrainer.cli.export_cmds",  # export, portfolio
    "mitrainer.cli.group_cmds",  # import, group report
    "mitrainer.cli.review_cmds",  # review
]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_CANNOT_RUN = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default exit code is 2 as well
        self.print_usage(sys.stderr)
        self.exit(EXIT_CANNOT_RUN, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mitrainer",
        description="Practise motivational interviewing against simulated clients. "
        "Run without a command to open the trainer.",
    )
    parser.add_argument("--version", action="version", version=f"mitrainer {__version__}")
    parser.add_argument("--db", metavar="PATH", help="session database (default: in your data folder; "
                        "or set MITRAINER_DB)")
    parser.add_argument("--scenarios", metavar="DIR", action="append", default=[],
                        help="also load scenarios from DIR (repeatable)")
    parser.add_argument("--lang", metavar="LANG", help="interface language: en, vi or zh "
                        "(or set MITRAINER_LANG; default: your saved setting, else English)")
    # Set by 'mitrainer serve' for the trainer it runs for a browser: exports stay in the exports folder.
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        from mitrainer.settings import Settings

        # Read once from the global options and the environment; every command uses these.
        args.settings = Settings.from_args(args)
        if handler is None:
            from mitrainer.cli.tui_launch import launch

            return launch(args)
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a file the user named cannot be read or written
        where = exc.filename2 or exc.filename
        _error(f"{where}: {exc.strerror}" if where and exc.strerror else str(exc))
        return EXIT_CANNOT_RUN
    except Exception as exc:  # the last line of defence: a message, never a traceback
        import os

        from mitrainer.errors import MitrainerError

        if isinstance(exc, MitrainerError):
            _error(str(exc))
            return EXIT_CANNOT_RUN
        if os.environ.get("MITRAINER_DEBUG"):
            raise
        _error(f"internal error ({type(exc).__name__}: {exc}). This is a bug in mitrainer; "
               "run again with MITRAINER_DEBUG=1 to see the traceback and please report it.")
        return EXIT_CANNOT_RUN


def _error(message: str) -> None:
    # Messages may quote a file's contents or name: its control codes are shown, not sent.
    from mitrainer.text import visible

    print(f"mitrainer: {visible(message)}", file=sys.stderr)
