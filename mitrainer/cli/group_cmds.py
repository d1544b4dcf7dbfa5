"""Study-group commands: importing members' bundles, and the group report over them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_OK, EXIT_PROBLEMS
from mitrainer.cli.sessions_io import (
    emit,
    opened_store,
    output_arguments,
    scenario_index,
    use_interface_language,
)


def register(sub: argparse._SubParsersAction) -> None:
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
    r.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="name members A, B, C … in the order their bundles are given (a person's sessions "
                   "keep one letter; the bundles are only read, so their checksums hold)")
    output_arguments(r, "file or folder to write (default: standard output for table, md and csv; a dated "
                      "file for html)")
    r.set_defaults(handler=cmd_group_report)


def cmd_import(args: argparse.Namespace) -> int:
    from mitrainer.cli.output import console
    from mitrainer.export.bundles import import_bundles

    with opened_store(args) as store:
        plan = import_bundles(args.bundles, store, scenario_index(args), replace=args.replace)
    out = console()
    for bundle, _ in plan.to_write:
        out.print(f"imported {bundle.path}: {bundle.name}, {bundle.record.scenario.title}, "
                  f"{len(bundle.record.turns)} turn(s)", markup=False)
    for bundle in plan.already_there:
        out.print(f"already imported {bundle.path}", markup=False)
    out.print(f"{len(plan.to_write)} imported, {len(plan.already_there)} already there", markup=False)
    return EXIT_OK


def cmd_group_report(args: argparse.Namespace) -> int:
    from datetime import date

    from mitrainer.errors import InputError
    from mitrainer.export.bundles import read_bundles
    from mitrainer.export.group import group_report
    from mitrainer.export.render import render_template
    from mitrainer.i18n import text_in

    language = use_interface_language(args)  # a group report covers sessions in several languages
    bundles, problems = read_bundles(args.bundles)
    for line in problems:
        print(f"mitrainer group report: left out {line}", file=sys.stderr)
    if not bundles:
        raise InputError("no bundle could be read")
    comments, unread = review_comments(bundles)
    for line in unread:
        print(f"mitrainer group report: comments left out: {line}", file=sys.stderr)
    report = group_report(bundles, scenario_index(args), language, anonymise=args.anonymise, comments=comments)
    if report.repeated:
        print("mitrainer group report: " + text_in(language, "report.repeated", files=", ".join(report.repeated)),
              file=sys.stderr)
    if args.format == "table":
        _print_group_table(report)
    elif args.format == "csv":
        emit(group_csv(report), args.output or "-", f"group-report-{date.today().isoformat()}.csv", args.force)
    else:
        text = render_template(args.format, f"group.{args.format}.j2", {"g": report, "problems": problems},
                               args.templates, language)
        output = args.output if args.output or args.format == "html" else "-"
        emit(text, output, f"group-report-{date.today().isoformat()}.{args.format}", args.force)
    return EXIT_PROBLEMS if problems else EXIT_OK


def review_comments(bundles) -> tuple[dict, list[str]]:
    """Reviewers' comments on each bundle's turns, from the review file beside it (by session
    id), and the review files that could not be read."""
    from mitrainer.export.group import Comment
    from mitrainer.export.review import ReviewError, load_review, review_path

    comments: dict[str, list[Comment]] = {}
    unread: list[str] = []
    for bundle in bundles:
        if bundle.path is None or not review_path(bundle.path).is_file():
            continue
        try:
            review = load_review(review_path(bundle.path), bundle.record)
        except ReviewError as exc:
            unread.append(str(exc))
            continue
        comments[bundle.session_id] = [Comment(label, turn, text) for label, r in review.labelled()
                                       for turn, text in sorted(r.comments.items())]
    return comments, unread


def group_csv(report) -> str:
    """One row per member: scores and skills (for a spreadsheet), headed in the report's language."""
    import csv
    import io

    from mitrainer.i18n import words
    from mitrainer.text import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [key for key, _ in report.skill_labels()]
    heading = words(report.language, "report.group_csv.")
    writer.writerow([heading.get(column, column) for column in (
        "member", "scenario", "turns", "ending", *keys, "change_talk", "sustain_talk", "overall", "session_id")])
    for m in report.members:
        values = [m.metric(k).value if m.metric(k) is not None else None for k in keys]
        writer.writerow([spreadsheet_safe(m.name), spreadsheet_safe(m.scenario_key[0]), m.turns,
                         spreadsheet_safe(m.ending), *("" if v is None else round(v, 4) for v in values),
                         m.score.change_talk, m.score.sustain_talk,
                         "" if m.score.overall is None else round(m.score.overall, 4),
                         spreadsheet_safe(m.bundle.session_id)])
    return buffer.getvalue()


BAND_MARKS = {"good": "●", "fair": "◐", "below": "○"}  # a measure's band beside its value in the terminal


def _print_group_table(report) -> None:
    """One table per scenario (members side by side), then where their paths split."""
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.cli.output import console
    from mitrainer.cli.scoring_cmds import BAND_STYLE
    from mitrainer.i18n import text_in

    def say(key: str, **fields: object) -> str:
        return text_in(report.language, f"report.{key}", **fields)

    out = console()
    labels = report.skill_labels()
    short = report.skill_short
    out.print(f"[bold]{escape(say('group_counts', sessions=len(report.members), scenarios=len(report.groups)))}[/]")
    out.print("[dim]" + " · ".join(f"{escape(short.get(k, k))} {escape(label)}" for k, label in labels) + "[/]")
    out.print("[dim]" + " · ".join(f"{mark} {escape(text_in(report.language, f'band.{band}'))}"
                                   for band, mark in BAND_MARKS.items()) + "[/]")
    for group in report.groups:
        table = Table(title=f"\n{escape(group.title)}", title_justify="left", title_style="bold", box=None,
                      pad_edge=False, padding=(0, 1), header_style="bold")
        table.add_column(say("member"), overflow="fold", min_width=min(12, max(len(m.name) for m in group.members)))
        table.add_column(say("turns"), justify="right", no_wrap=True)
        for key, label in labels:
            table.add_column(escape(short.get(key, label)), justify="right", no_wrap=True)
        table.add_column(say("overall"), justify="right", no_wrap=True)
        withheld = False
        for m in group.members:
            cells = []
            for key, _ in labels:
                metric = m.metric(key)
                if metric is None:
                    cells.append("—")
                    continue
                if metric.withheld:
                    # Too few coded responses: a dash here, said in full under the table.
                    withheld = True
                    cells.append("—")
                    continue
                # The band as a mark beside the value (legend above): colour alone is lost on a
                # monochrome terminal, and words would not fit a row of members at 80 columns.
                band = f" {BAND_MARKS[metric.band]}" if metric.band in BAND_MARKS else ""
                style = BAND_STYLE.get(metric.band or "", "")
                cells.append(f"[{style}]{escape(metric.display)}{band}[/]" if style else escape(metric.display) + band)
            table.add_row(escape(m.name), str(m.turns), *cells, "—" if m.score.overall is None else f"{m.score.overall:.2f}")
        out.print(table)
        if withheld:
            out.print("[dim]" + escape(say("not_enough")) + "[/]")
        # Endings under the table, not in a column: a row of measures then fits 80 columns.
        separator = say("list_separator")
        for ending, members in group.endings():
            out.print("  " + escape(f"{say('ending')}{say('colon')}{ending} ({separator.join(m.name for m in members)})"))
        if len(group.members) < 2:
            continue
        _print_same_moments(out, group, say)
        for point in group.branch_points(limit=10):
            out.print("  " + escape(say("group_table.split", turn=point.turn, node=point.title)))
            for option in point.options:
                names = separator.join(m.name for m in option.members[:6]) + (" …" if len(option.members) > 6 else "")
                endings = separator.join(f"{e} ×{n}" for e, n in option.endings)
                example = option.response_of(option.members[0], point.turn)
                out.print("    " + escape(say("group_table.option", node=option.next_title, names=names,
                                              example=example, endings=endings)))
        for d in group.pairwise():
            if d.turn:
                out.print("  " + escape(say("group_table.parted", first=d.first.name, second=d.second.name,
                                            turn=d.turn)))


# How much of "the same moment" a terminal shows; the HTML and Markdown reports show it all.
MOMENTS_SHOWN = 8
VISITS_SHOWN = 6


def _print_same_moments(out, group, say) -> None:
    """Each point of the scenario two or more members reached: what each said there, its codes
    and where it led (the group report's "same moment" section, shortened for a terminal)."""
    from rich.markup import escape

    moments = group.moments()
    if not moments:
        return
    out.print("  [bold]" + escape(say("same_moment")) + "[/]")
    for moment in moments[:MOMENTS_SHOWN]:
        out.print("  " + escape(f"{moment.title}{say('colon')}“{moment.client_line}”"))
        for visit in moment.visits[:VISITS_SHOWN]:
            codes = f" ({', '.join(code.chip for code in visit.codes)})" if visit.codes else ""
            where = say("led_to", title=visit.next_title) if visit.next_title else say("stopped_here")
            out.print("    " + escape(f"{visit.member.name} ({say('turn', number=visit.turn)}){say('colon')}"
                                      f"“{visit.response}”{codes} — {where}"))
        if len(moment.visits) > VISITS_SHOWN:
            out.print("    [dim]" + escape(say("and_more", count=len(moment.visits) - VISITS_SHOWN)) + "[/]")
    if len(moments) > MOMENTS_SHOWN:
        out.print("  [dim]" + escape(say("and_more", count=len(moments) - MOMENTS_SHOWN)) + "[/]")
