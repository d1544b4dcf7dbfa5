"""Commands about practice sessions: ``history`` (headless listing) and ``serve`` (the trainer in a browser)."""

from __future__ import annotations

import argparse
import shlex
import sys

from mitrainer.cli import EXIT_CANNOT_RUN, EXIT_OK

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="list your practice sessions",
                       description="List practice sessions from the session database, most recent first.")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="show at most N sessions (default: 50; 0: all)")
    p.add_argument("--scenario", metavar="ID", help="only sessions of this scenario")
    p.add_argument("--unfinished", action="store_true", help="only sessions that can be resumed")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("serve", help="run the trainer in a web browser (for a study group's shared screen)",
                       description="Serve the trainer through textual-serve so that it can be used in a web "
                       "browser. Binds to localhost unless --host says otherwise. Prints the address to open: "
                       "it holds a secret token made at each launch, and the server refuses requests without "
                       "it and requests from other web pages. In the browser, exports are written only in "
                       "the data folder's exports folder. Needs the optional extra: "
                       "pip install 'mitrainer[serve]'.")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST}; "
                   "0.0.0.0: every interface, for other machines on a trusted network)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    p.set_defaults(handler=cmd_serve)


def cmd_history(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.cli.output import console, write_json
    from mitrainer.cli.sessions_io import use_interface_language
    from mitrainer.errors import InputError
    from mitrainer.i18n import t
    from mitrainer.store.db import SessionStore

    if args.limit < 0:
        raise InputError("--limit must be 0 or more")
    path = args.settings.db_path
    if not path.exists():
        sessions = []
    else:
        store = SessionStore(path)
        try:
            sessions = store.list_sessions(limit=args.limit or None, scenario_id=args.scenario,
                                           unfinished=True if args.unfinished else None)
        finally:
            store.close()
    if args.json:
        write_json([s.to_json() for s in sessions])
        return EXIT_OK
    use_interface_language(args)
    out = console()
    if not sessions:
        out.print(f"[dim]{escape(t('history.none', path=str(path)))}[/]")
        return EXIT_OK
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("started", "scenario", "trainee", "turns", "status", "score", "id"):
        table.add_column(t(f"history.col.{column}"), justify="right" if column in ("turns", "score") else "left")

    def whose(s) -> str:
        # Another member's session (imported from a bundle) says so; yours shows the name it was played under.
        if s.imported:
            return f"[cyan]{escape(t('history.imported', trainee=s.trainee or t('home.unnamed_member')))}[/]"
        return escape(s.trainee) if s.trainee else f"[dim]{escape(t('home.yours'))}[/]"

    for s in sessions:
        if not s.finished:
            status = f"[yellow]{escape(t('home.status.unfinished'))}[/]"
        elif s.ended_early:
            status = f"[dim]{escape(t('home.status.ended_early'))}[/]"
        else:
            status = f"[green]{escape(s.outcome)}[/]"
        table.add_row(escape(s.started_at[:16].replace("T", " ")), escape(s.scenario_title or s.scenario_id),
                      whose(s), str(s.turns), status, (("–" if not s.turns else "[dim]not enough coded responses[/]")
                                                       if s.score is None else f"{s.score:.2f}"), s.id[:12])
    out.print(table)
    return EXIT_OK


def trainer_command(args: argparse.Namespace) -> str:
    """The command line textual-serve runs for each browser: this trainer, same options."""
    parts = [sys.executable, "-m", "mitrainer", "--served"]
    if args.db:
        parts += ["--db", args.db]
    for folder in args.scenarios:
        parts += ["--scenarios", folder]
    if getattr(args, "lang", None):
        parts += ["--lang", args.lang]
    return shlex.join(parts)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import textual_serve.server  # noqa: F401  (the optional extra)
    except ImportError:
        print("mitrainer serve needs textual-serve, which is not installed.\n"
              "Install it with:  pip install 'mitrainer[serve]'", file=sys.stderr)
        return EXIT_CANNOT_RUN
    from mitrainer.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError("--port must be between 1 and 65535")
    if args.host not in ("localhost", "127.0.0.1", "::1"):
        print(f"mitrainer: serving on {args.host} without encryption: anyone who can see the network "
              "traffic can read the address with its token, use the trainer and see the sessions in its "
              "database. Use it only on a network you trust.", file=sys.stderr)
    from mitrainer.tui.served import GuardedServer

    GuardedServer(trainer_command(args), host=args.host, port=args.port).serve()
    return EXIT_OK
