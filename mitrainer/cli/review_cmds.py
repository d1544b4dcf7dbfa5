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
                   help="another review file of the same session whose reviewers join the agreement, in "
                   "--agreement and in the trainer's agreement panel (repeatable); reviewers are matched by "
                   "their id, so two people of one name stay apart, shown as \"Alice (Carol's file)\"")
    p.add_argument("--code", action="append", default=[], metavar="TURN=CODES",
                   help="re-code turn TURN (1-based) without the trainer, e.g. '3=CR' or '5=OQ,AF': codes by "
                   "the abbreviation the trainer shows (OQ CQ SR CR SUM AF GI PER PWP SC EA CON OT) or by "
                   "name, any case (repeatable; an empty list clears the turn)")
    p.add_argument("--comment", action="append", default=[], metavar="TURN=TEXT",
                   help="your comment on turn TURN for the group's discussion, e.g. '4=a question where a "
                   "reflection would do' (repeatable; an empty text removes it); shown in the trainer and in "
                   "the group report")
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
    from mitrainer.export.review import load_review, load_reviews, parse_codes, save_review
    from mitrainer.i18n import skill_names

    if args.also and (args.code or args.comment) and not args.agreement:
        raise InputError("--also adds other review files to the agreement: use it with --agreement, or "
                         "without --code to see them in the trainer's agreement panel")
    record, who, review_file = _review_session(args)
    review = load_review(review_file, record)
    if args.code or args.comment:
        reviewer = _reviewer_name(args)
        for item in args.comment:
            turn_text, sep, comment = item.partition("=")
            if not sep or not turn_text.strip().isdigit() or not 1 <= int(turn_text) <= len(record.turns):
                raise InputError(f"--comment {item!r}: write TURN=TEXT with a turn from 1 to {len(record.turns)}")
            review.set_comment(reviewer, int(turn_text) - 1, comment)
        for item in args.code:
            turn_text, sep, codes_text = item.partition("=")
            if not sep or not turn_text.strip().isdigit():
                raise InputError(f"--code {item!r}: write TURN=CODES, e.g. 3=CR or 5=OQ,AF")
            turn = int(turn_text)
            if not 1 <= turn <= len(record.turns):
                raise InputError(f"--code {item!r}: this session has turns 1 to {len(record.turns)}")
            review.set_codes(reviewer, turn - 1, parse_codes(codes_text, skill_names()))
        save_review(review_file, review)
        print(f"saved {reviewer}'s review to {review_file}", file=sys.stderr)
    if args.agreement:
        from mitrainer.i18n import text_in

        language = report_language(args, record)
        review = load_reviews(review_file, args.also, record, language) if args.also else review
        if review.clashes:
            print(text_in(language, "review.kept_apart", names=", ".join(review.clashes)), file=sys.stderr)
        _print_agreement(record, review, who, args.json, language)
        return EXIT_OK
    if args.code or args.comment:
        return EXIT_OK
    from mitrainer.tui.screens.review import run_review

    load_reviews(review_file, args.also, record)  # a bad --also file is said here, not in the trainer
    use_interface_language(args)
    return run_review(record, who, review_file, _reviewer_name_or_ask(args), tuple(args.also))


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
    from mitrainer.codes import SKILLS
    from mitrainer.export.review import agreement, kappa_table
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

    kappas = kappa_table(summary, language)
    table = Table(title=say("title", who=who, turns=summary.turns), title_justify="left", show_edge=False,
                  pad_edge=False, caption=say("per_code_title"), caption_justify="left")
    for number, (header, width) in enumerate(zip(kappas.headers, kappas.min_widths(), strict=True)):
        table.add_column(escape(header), justify="left" if number == 0 else "right", min_width=width)
    for row in kappas.rows:
        table.add_row(*map(escape, row))
    out.print(table)
    out.print(f"[dim]{escape(', '.join(f'{SKILLS[c].chip} {skill_label(c, language)}' for c in kappas.codes))}[/]")
    out.print(f"[dim]{say('undefined')}[/]")
