"""Commands that write a session, or all of a trainee's sessions, for a portfolio: export, portfolio."""

from __future__ import annotations

import argparse
import sys

from mitrainer.cli import EXIT_OK
from mitrainer.cli.sessions_io import (
    ask_name,
    emit,
    find_session,
    is_session_file,
    opened_store,
    output_arguments,
    scenario_index,
    use_interface_language,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a session's reflection log (md, html, json, csv) or a bundle",
                       description="Write a session's reflection log: trainee, date, scenario and client, the "
                       "transcript with codes and feedback, scores against thresholds, the ending and debrief, "
                       "your reflections and space for a supervisor's comment. '--format bundle' writes a "
                       "portable, checksummed session file to share with a study group.")
    p.add_argument("session", metavar="SESSION",
                   help="'latest', a session id (or its first characters) from your sessions, or a session "
                   "record / bundle file")
    p.add_argument("--format", choices=("md", "html", "json", "csv", "bundle"), default="md",
                   help="output format (default: md)")
    output_arguments(p, "file or folder to write (default: a dated file in the current folder; '-' for "
                      "standard output)")
    p.add_argument("--name", metavar="NAME", help="trainee name to show (default: the saved name; asked once)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("portfolio", help="all your sessions: trends, best and latest, reflections",
                       description="A portfolio of professional development: trend charts of R:Q, %CR, % open "
                       "questions, change-talk proportion and non-adherent responses across your sessions; the "
                       "best and latest session per scenario; and your reflections in date order.")
    p.add_argument("--format", choices=("html", "md"), default="html", help="output format (default: html)")
    output_arguments(p, "file or folder to write (default: a dated file in the current folder; '-' for "
                      "standard output)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--trainee", metavar="NAME", help="sessions of this trainee, imported ones included (any case; "
                     "default: your saved name, your own sessions only)")
    who.add_argument("--all", action="store_true", help="every session in the database, whoever played it: one "
                     "trend line per person, each session marked with whose it is")
    p.set_defaults(handler=cmd_portfolio)


def cmd_export(args: argparse.Namespace) -> int:
    from mitrainer.errors import StoreError
    from mitrainer.export.render import default_filename, render_session

    named = args.name.strip() if args.name is not None else None
    if is_session_file(args.session):
        found = find_session(args.session, None)
        trainee = named if named is not None else found.trainee
        if trainee is None:
            # Only a person at a terminal is asked (and only then is a database created to keep the answer).
            try:
                with opened_store(args, create=sys.stdin.isatty()) as store:
                    trainee = ask_name(store) if store is not None else ""
            except StoreError as exc:  # an unusable data folder must not stop the export of a file
                print(f"mitrainer: note: {exc}; the log is written without a name", file=sys.stderr)
                trainee = ""
    else:
        with opened_store(args, create=False) as store:
            found = find_session(args.session, store)
            trainee = named if named is not None else found.trainee
            if trainee is None:
                assert store is not None  # the session came from it
                trainee = ask_name(store)
    # A log is in the session's language (its scenario's), unless --lang asks for another.
    text = render_session(found.record, args.format, trainee=trainee, scenarios=scenario_index(args),
                          templates=args.templates, language=args.lang)
    emit(text, args.output, default_filename(found.record, args.format), args.force)
    return EXIT_OK


def cmd_portfolio(args: argparse.Namespace) -> int:
    from datetime import date

    from mitrainer.export.output import safe_name_part
    from mitrainer.export.portfolio import OwnedRecord, build_portfolio, store_records
    from mitrainer.export.render import render_template

    language = use_interface_language(args)  # a portfolio covers sessions in several languages
    with opened_store(args) as store:
        assert store is not None  # opened with create=True
        you = store.preferences().trainee_name or ""
        if args.all:
            trainee, who = None, ""
        else:
            trainee = args.trainee.strip() if args.trainee else you
            who = trainee
        records = list(store_records(store, trainee, you))
        if trainee:  # the name as the sessions spell it ("lan" asked, "Lan" shown)
            who = next((r.trainee for r in records if isinstance(r, OwnedRecord) and r.trainee), who)
        portfolio = build_portfolio(records, scenario_index(args), who, language)
    text = render_template(args.format, f"portfolio.{args.format}.j2", {"p": portfolio}, args.templates, language)
    name = f"portfolio-{safe_name_part(who, 'all') + '-' if who else ''}{date.today().isoformat()}.{args.format}"
    emit(text, args.output, name, args.force)
    for line in portfolio.skipped:
        print(f"mitrainer portfolio: left out {line}", file=sys.stderr)
    return EXIT_OK
