"""Group review from the command line: re-code a shared session's turns, and agreement (kappa)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_OK
from mitrainer.cli.sessions_io import opened_store, report_language, use_interface_language


def register(sub: argparse._SubParsersAction) -> None:
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
    with opened_store(args, create=False) as store:
        name = (store.preferences().trainee_name or "") if store is not None else ""
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
            _print_agreement(record, review, who, args.json, report_language(args, record))
        return EXIT_OK
    from mitrainer.tui.screens.review import run_review

    use_interface_language(args)
    return run_review(record, who, review_file, _reviewer_name_or_ask(args))


def _reviewer_name_or_ask(args: argparse.Namespace) -> str:
    """In the trainer a name can be typed on the review screen, so none is required up front."""
    from mitrainer.errors import InputError

    try:
        return _reviewer_name(args)
    except InputError:
        return ""


def _print_agreement(record, review, who: str, as_json: bool, language: str) -> None:
    """The agreement tables, worded in ``language`` (the session's, or --lang)."""
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.cli.output import console, write_json
    from mitrainer.export.review import agreement, coder_name
    from mitrainer.i18n import skill_label, text_in

    def say(key: str, **fields: object) -> str:
        return escape(text_in(language, f"report.agreement.{key}", **fields))

    summary = agreement(record, review)
    if as_json:
        write_json(summary.to_json())
        return
    out = console()
    if not summary.pairs:
        out.print(say("no_codes", who=who))
        return

    def k(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    def coders(pair) -> str:
        return f"{escape(coder_name(pair.first, language))} – {escape(coder_name(pair.second, language))}"

    overview = Table(title=say("title", who=who, turns=summary.turns), title_justify="left",
                     show_edge=False, pad_edge=False)
    for column, justify in (("coders", "left"), ("turns", "right"), ("same_primary", "right"),
                            ("kappa_primary", "right")):
        overview.add_column(say(column), justify=justify)
    for pair in summary.pairs:
        same = "—" if pair.report.percent is None else f"{pair.report.percent * 100:.0f}%"
        overview.add_row(coders(pair), str(pair.report.utterances), same, k(pair.report.kappa))
    out.print(overview)
    per_code = Table(title=say("per_code_title"), title_justify="left", show_edge=False, pad_edge=False)
    per_code.add_column(say("code"))
    for pair in summary.pairs:
        per_code.add_column(coders(pair), justify="right")
    for code in summary.codes():
        per_code.add_row(escape(skill_label(code, language)),
                         *(k(pair.report.per_code.get(code)) if code in pair.report.per_code
                           else "" for pair in summary.pairs))
    out.print(per_code)
    out.print(f"[dim]{say('undefined')}[/]")
