"""Commands that take sessions off the trainer: export, portfolio, import, group report, review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_OK, EXIT_PROBLEMS

SETTING_TRAINEE = "trainee_name"  # the same setting the trainer keeps the name in


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
    _output_arguments(p, "file or folder to write (default: a dated file in the current folder; '-' for "
                      "standard output)")
    p.add_argument("--name", metavar="NAME", help="trainee name to show (default: the saved name; asked once)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("portfolio", help="all your sessions: trends, best and latest, reflections",
                       description="A portfolio of professional development: trend charts of R:Q, %CR, % open "
                       "questions, change-talk proportion and non-adherent responses across your sessions; the "
                       "best and latest session per scenario; and your reflections in date order.")
    p.add_argument("--format", choices=("html", "md"), default="html", help="output format (default: html)")
    _output_arguments(p, "file or folder to write (default: a dated file in the current folder; '-' for "
                      "standard output)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--trainee", metavar="NAME", help="sessions of this trainee (default: your saved name)")
    who.add_argument("--all", action="store_true", help="every session in the database, whoever played it")
    p.set_defaults(handler=cmd_portfolio)

    p = sub.add_parser("import", help="import study-group session bundles into your sessions",
                       description="Check and import session bundles. A malformed file, an unknown schema "
                       "version, a checksum mismatch or a scenario you do not have (same id and content hash) "
                       "stops the import with a message: either every bundle is imported, or none.")
    p.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE", help="bundle files (.bundle.json)")
    p.add_argument("--replace", action="store_true", help="replace sessions imported earlier with other contents (never a session played on this machine)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("group", help="study-group reports over session bundles",
                       description="Study-group tools. 'mitrainer group report BUNDLE...' compares members.")
    group_sub = p.add_subparsers(dest="group_command", metavar="COMMAND", required=True, parser_class=type(p))
    r = group_sub.add_parser("report", help="members side by side, and where their paths diverged",
                             description="Members side by side (scores, skills, change talk) and, for members "
                             "who played the same scenario, where their paths diverged and which responses "
                             "led to which endings.")
    r.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE", help="bundle files (.bundle.json)")
    r.add_argument("--format", choices=("table", "html", "md", "csv"), default="table",
                   help="output format (default: table, in the terminal)")
    _output_arguments(r, "file or folder to write (default: standard output for table, md and csv; a dated "
                      "file for html)")
    r.set_defaults(handler=cmd_group_report)

    p = sub.add_parser("review", help="step through a shared session and re-code its turns",
                       description="Open a session bundle read-only in the trainer to step through its turns "
                       "together and re-code them. Human codes go to a review file next to the bundle "
                       "(NAME.review.json), one set per reviewer. '--agreement' prints human-machine and "
                       "human-human agreement (Cohen's kappa) per code without opening the trainer.")
    p.add_argument("bundle", type=Path, metavar="BUNDLE", help="a bundle (or session record) file")
    p.add_argument("--reviewer", metavar="NAME", help="your name as a reviewer (default: your saved name)")
    p.add_argument("--review-file", type=Path, metavar="FILE",
                   help="where the human codes are kept (default: next to the bundle)")
    p.add_argument("--also", type=Path, action="append", default=[], metavar="FILE",
                   help="another review file of the same session to include in the agreement (repeatable)")
    p.add_argument("--code", action="append", default=[], metavar="TURN=CODES",
                   help="re-code turn TURN (1-based) without the trainer, e.g. '3=CR' or '5=OQ,AF' "
                   "(repeatable; an empty list clears the turn)")
    p.add_argument("--agreement", action="store_true", help="print agreement per code (no trainer)")
    p.add_argument("--json", action="store_true", help="with --agreement: print JSON")
    p.set_defaults(handler=cmd_review)


def _output_arguments(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("-o", "--output", metavar="PATH", help=help_text)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--templates", type=Path, metavar="DIR",
                   help="look for report templates in DIR first, then the bundled ones (templates get plain data only)")


# -- shared helpers -----------------------------------------------------------------------------

def _open_store(args: argparse.Namespace, *, create: bool = True):
    """The session database named by --db / $MITRAINER_DB / the data folder (None if absent and not ``create``)."""
    from mitrainer.store.db import SessionStore, default_db_path

    path = default_db_path(getattr(args, "db", None))
    if not create and not path.is_file():
        return None
    return SessionStore(path)


def _scenario_index(args: argparse.Namespace):
    from mitrainer.export.library import ScenarioIndex

    return ScenarioIndex([Path(p) for p in getattr(args, "scenarios", [])])


def _emit(text: str, output: str | None, default_name: str, force: bool) -> None:
    """Write ``text`` to standard output ('-'), a file, or ``default_name`` in a folder (cwd by default)."""
    from mitrainer.cli.output import console
    from mitrainer.export.output import output_path, write_output

    if output == "-":
        sys.stdout.write(text)
        return
    target = output_path(Path(output) if output else Path.cwd(), default_name, force=force)
    write_output(target, text)
    console(stderr=True).print(f"wrote {target}", markup=False)


def _ask_name(store) -> str:
    """The trainee's name from the settings; asked once on a terminal (an empty answer is kept too)."""
    from mitrainer.errors import StoreError

    saved = store.get_setting(SETTING_TRAINEE)
    if saved is not None or not sys.stdin.isatty():
        return saved or ""
    try:
        name = input("Your name for reflection logs (Enter to leave it out; asked once): ").strip()
    except EOFError:
        name = ""
    try:
        store.set_setting(SETTING_TRAINEE, name)
    except StoreError as exc:  # the name is still used for this export
        print(f"mitrainer: note: the name could not be kept ({exc})", file=sys.stderr)
    return name


def _resolve_session(args: argparse.Namespace, key: str):
    """(record, the session's trainee name or None when unknown, store or None) for 'latest', a
    file, or a session id (or a unique prefix of at least 4 characters)."""
    from mitrainer.errors import InputError
    from mitrainer.export.bundles import looks_like_bundle, parse_bundle
    from mitrainer.record.read import parse_record, read_json_file

    candidate = Path(key)
    if key != "latest" and (candidate.suffix == ".json" or candidate.is_file()):
        document = read_json_file(candidate)
        if looks_like_bundle(document):
            bundle = parse_bundle(document, key, candidate)
            return bundle.record, bundle.trainee, None  # someone else's session: their name, never ours
        return parse_record(document, key), None, None
    store = _open_store(args, create=False)
    if store is None:
        raise InputError(f"no session '{key}': there is no session database yet (play a scenario first, or give "
                         f"a session file)")
    if key == "latest":
        summary = store.latest()
        if summary is None:
            raise InputError("there are no sessions yet")
    else:
        matches = [s for s in store.list_sessions(limit=None) if s.id.startswith(key)] if len(key) >= 4 else []
        exact = [s for s in matches if s.id == key]
        matches = exact or matches
        if not matches:
            raise InputError(f"no session '{key}' in {store.path} (and no such file)")
        if len(matches) > 1:
            raise InputError(f"'{key}' matches {len(matches)} sessions; give more of the id")
        summary = matches[0]
    record = store.load_record(summary.id)
    if record is None:
        raise InputError(f"session {summary.id} could not be read")
    return record, summary.trainee or None, store


# -- export -----------------------------------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    from mitrainer.errors import StoreError
    from mitrainer.export.render import default_filename, render_session

    record, trainee, store = _resolve_session(args, args.session)
    if args.name is not None:
        trainee = args.name.strip()
    elif trainee is None:
        # Only a person at a terminal is asked (and only then is a database created to keep the answer).
        try:
            store = store or _open_store(args, create=sys.stdin.isatty())
        except StoreError as exc:  # an unusable data folder must not stop an export
            print(f"mitrainer: note: {exc}; the log is written without a name", file=sys.stderr)
            store = None
        trainee = _ask_name(store) if store is not None else ""
    text = render_session(record, args.format, trainee=trainee, scenarios=_scenario_index(args),
                          templates=args.templates)
    _emit(text, args.output, default_filename(record, args.format), args.force)
    return EXIT_OK


# -- portfolio ----------------------------------------------------------------------------------

def cmd_portfolio(args: argparse.Namespace) -> int:
    from datetime import date

    from mitrainer.export.output import safe_name_part
    from mitrainer.export.portfolio import build_portfolio, store_records
    from mitrainer.export.render import render_template

    store = _open_store(args)
    if args.all:
        trainee, who = None, ""
    else:
        trainee = args.trainee.strip() if args.trainee else (store.get_setting(SETTING_TRAINEE) or "")
        who = trainee
    portfolio = build_portfolio(store_records(store, trainee), _scenario_index(args), who)
    text = render_template(args.format, f"portfolio.{args.format}.j2", {"p": portfolio}, args.templates)
    name = f"portfolio-{safe_name_part(who, 'all') + '-' if who else ''}{date.today().isoformat()}.{args.format}"
    _emit(text, args.output, name, args.force)
    for line in portfolio.skipped:
        print(f"mitrainer portfolio: left out {line}", file=sys.stderr)
    return EXIT_OK


# -- import -------------------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from mitrainer.cli.output import console
    from mitrainer.export.bundles import import_bundles

    store = _open_store(args)
    plan = import_bundles(args.bundles, store, _scenario_index(args), replace=args.replace)
    out = console()
    for bundle, _ in plan.to_write:
        out.print(f"imported {bundle.path}: {bundle.name}, {bundle.record.scenario.title}, "
                  f"{len(bundle.record.turns)} turn(s)", markup=False)
    for bundle in plan.already_there:
        out.print(f"already imported {bundle.path}", markup=False)
    out.print(f"{len(plan.to_write)} imported, {len(plan.already_there)} already there", markup=False)
    return EXIT_OK


# -- group report -------------------------------------------------------------------------------

def cmd_group_report(args: argparse.Namespace) -> int:
    from datetime import date

    from mitrainer.errors import InputError
    from mitrainer.export.bundles import read_bundles
    from mitrainer.export.group import group_report
    from mitrainer.export.render import render_template

    bundles, problems = read_bundles(args.bundles)
    for line in problems:
        print(f"mitrainer group report: left out {line}", file=sys.stderr)
    if not bundles:
        raise InputError("no bundle could be read")
    report = group_report(bundles, _scenario_index(args))
    if args.format == "table":
        _print_group_table(report)
    elif args.format == "csv":
        _emit(group_csv(report), args.output or "-", f"group-report-{date.today().isoformat()}.csv", args.force)
    else:
        text = render_template(args.format, f"group.{args.format}.j2", {"g": report, "problems": problems},
                               args.templates)
        output = args.output if args.output or args.format == "html" else "-"
        _emit(text, output, f"group-report-{date.today().isoformat()}.{args.format}", args.force)
    return EXIT_PROBLEMS if problems else EXIT_OK


def group_csv(report) -> str:
    """One row per member: scores and skills (for a spreadsheet)."""
    import csv
    import io

    from mitrainer.export.render import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [key for key, _ in report.skill_labels()]
    writer.writerow(["member", "scenario", "turns", "ending", *keys, "change_talk", "sustain_talk", "overall",
                     "session_id"])
    for m in report.members:
        values = [m.metric(k).value if m.metric(k) is not None else None for k in keys]
        writer.writerow([spreadsheet_safe(m.name), spreadsheet_safe(m.scenario_key[0]), m.turns,
                         spreadsheet_safe(m.ending), *("" if v is None else round(v, 4) for v in values),
                         m.score.change_talk, m.score.sustain_talk, round(m.score.overall, 4),
                         spreadsheet_safe(m.bundle.session_id)])
    return buffer.getvalue()


def _print_group_table(report) -> None:
    """One table per scenario (members side by side), then where their paths split."""
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.cli.output import console
    from mitrainer.cli.scoring_cmds import BAND_STYLE
    from mitrainer.export.group import SKILL_SHORT

    out = console()
    labels = report.skill_labels()
    out.print(f"[bold]{len(report.members)} session(s)[/], {len(report.groups)} scenario(s)")
    out.print("[dim]" + " · ".join(f"{SKILL_SHORT.get(k, k)} {escape(label)}" for k, label in labels) + "[/]")
    for group in report.groups:
        table = Table(title=f"\n{escape(group.title)}", title_justify="left", title_style="bold", box=None,
                      pad_edge=False, padding=(0, 1), header_style="bold")
        table.add_column("Member", overflow="fold")
        table.add_column("Turns", justify="right")
        for key, label in labels:
            table.add_column(SKILL_SHORT.get(key, label), justify="right", no_wrap=True)
        table.add_column("CT/ST", justify="right", no_wrap=True)
        table.add_column("Ending", overflow="fold", min_width=12)
        for m in group.members:
            cells = []
            for key, _ in labels:
                metric = m.metric(key)
                style = BAND_STYLE.get(metric.band or "", "") if metric else ""
                cells.append(f"[{style}]{metric.display}[/]" if metric and style
                             else (metric.display if metric else "—"))
            table.add_row(escape(m.name), str(m.turns), *cells, f"{m.score.change_talk}/{m.score.sustain_talk}",
                          escape(m.ending or "not finished"))
        out.print(table)
        if len(group.members) < 2:
            continue
        for point in group.branch_points(limit=10):
            out.print(f"  turn {point.turn} at '{escape(point.node)}' the paths split:")
            for option in point.options:
                names = ", ".join(m.name for m in option.members[:6]) + (" …" if len(option.members) > 6 else "")
                endings = ", ".join(f"{e} ×{n}" for e, n in option.endings)
                example = option.response_of(option.members[0], point.turn)
                out.print(f"    → {escape(option.next_node)} ({escape(names)}): “{escape(example)}”; "
                          f"then {escape(endings)}")
        for d in group.pairwise():
            if d.turn:
                out.print(f"  {escape(d.first.name)} / {escape(d.second.name)}: parted after turn {d.turn}")


# -- review -------------------------------------------------------------------------------------

def _review_session(args: argparse.Namespace):
    """(record, trainee label, review file path) for the bundle or record file given."""
    from mitrainer.errors import InputError
    from mitrainer.export.bundles import looks_like_bundle, parse_bundle
    from mitrainer.export.review import review_path
    from mitrainer.record.read import parse_record, read_json_file

    path: Path = args.bundle
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    document = read_json_file(path)
    if looks_like_bundle(document):
        bundle = parse_bundle(document, str(path), path)
        record, who = bundle.record, bundle.name
    else:
        record, who = parse_record(document, str(path)), path.stem
    return record, who, args.review_file or review_path(path)


def _reviewer_name(args: argparse.Namespace) -> str:
    from mitrainer.errors import InputError

    if args.reviewer:
        return args.reviewer.strip()
    store = _open_store(args, create=False)
    name = (store.get_setting(SETTING_TRAINEE) or "") if store is not None else ""
    if not name:
        raise InputError("say who is reviewing: --reviewer NAME")
    return name


def cmd_review(args: argparse.Namespace) -> int:
    from mitrainer.errors import InputError
    from mitrainer.export.review import load_review, parse_codes, save_review

    record, who, review_file = _review_session(args)
    review = load_review(review_file, record)
    if args.code:
        reviewer = _reviewer_name(args)
        for item in args.code:
            turn_text, sep, codes_text = item.partition("=")
            if not sep or not turn_text.strip().isdigit():
                raise InputError(f"--code {item!r}: write TURN=CODES, e.g. 3=CR or 5=OQ,AF")
            turn = int(turn_text)
            if not 1 <= turn <= len(record.turns):
                raise InputError(f"--code {item!r}: this session has turns 1 to {len(record.turns)}")
            review.set_codes(reviewer, turn - 1, parse_codes(codes_text))
        save_review(review_file, review)
        print(f"saved {reviewer}'s codes to {review_file}", file=sys.stderr)
    if args.agreement or args.code:
        for extra in args.also:
            review.merge(load_review(extra, record))
        if args.agreement:
            _print_agreement(record, review, who, args.json)
        return EXIT_OK
    from mitrainer.i18n import resolve_language, set_language
    from mitrainer.tui.screens.review import run_review
    from mitrainer.tui.services import SETTING_LANGUAGE

    store = _open_store(args, create=False)
    try:
        set_language(resolve_language(args.lang, store.get_setting(SETTING_LANGUAGE) if store is not None else None))
    finally:
        if store is not None:
            store.close()
    return run_review(record, who, review_file, _reviewer_name_or_ask(args))


def _reviewer_name_or_ask(args: argparse.Namespace) -> str:
    """In the trainer a name can be typed on the review screen, so none is required up front."""
    from mitrainer.errors import InputError

    try:
        return _reviewer_name(args)
    except InputError:
        return ""


def _print_agreement(record, review, who: str, as_json: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.cli.output import console, write_json
    from mitrainer.codes import SKILLS
    from mitrainer.export.review import agreement

    summary = agreement(record, review)
    if as_json:
        write_json(summary.to_json())
        return
    out = console()
    if not summary.pairs:
        out.print(f"No human codes yet for {escape(who)}'s session; re-code turns with 'mitrainer review' "
                  f"or --code TURN=CODES.")
        return

    def k(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    overview = Table(title=f"Agreement on {escape(who)}'s session ({summary.turns} turns)", title_justify="left",
                     show_edge=False, pad_edge=False)
    for column, justify in (("Coders", "left"), ("Turns", "right"), ("Same primary", "right"),
                            ("Kappa (primary)", "right")):
        overview.add_column(column, justify=justify)
    for pair in summary.pairs:
        same = "—" if pair.report.percent is None else f"{pair.report.percent * 100:.0f}%"
        overview.add_row(f"{escape(pair.first)} – {escape(pair.second)}", str(pair.report.utterances), same,
                         k(pair.report.kappa))
    out.print(overview)
    per_code = Table(title="Kappa per code (present / absent on each turn)", title_justify="left", show_edge=False,
                     pad_edge=False)
    per_code.add_column("Code")
    for pair in summary.pairs:
        per_code.add_column(f"{escape(pair.first)} – {escape(pair.second)}", justify="right")
    for code in summary.codes():
        per_code.add_row(SKILLS[code].label, *(k(pair.report.per_code.get(code)) if code in pair.report.per_code
                                               else "" for pair in summary.pairs))
    out.print(per_code)
    out.print("[dim]— : kappa is undefined (both coders gave the same answer on every turn).[/]")
