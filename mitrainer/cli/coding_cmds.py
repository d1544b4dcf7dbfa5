"""``mitrainer code`` and ``mitrainer code-transcript``: the utterance coder from the shell.

Exit codes: 0 coded; 1 problems found (text not coded, transcript lines with errors);
2 could not run (unreadable file, bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2
LANG_CHOICES = ("auto", "en", "vi", "zh")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "code", help="code one utterance (OARS/MITI skills, or change/sustain talk)",
        description="Code one counsellor utterance with its skill codes, or a client line with its "
        "talk type (--client).")
    p.add_argument("text", help="the utterance to code")
    p.add_argument("--after", metavar="LINE", action="append", default=[],
                   help="the line it answers (the client's line; the counsellor's with --client); "
                   "repeat for earlier lines, oldest first, speakers alternating")
    p.add_argument("--client", action="store_true", help="code TEXT as a client line")
    p.add_argument("--lang", dest="text_lang", choices=LANG_CHOICES, default="auto",
                   help="the language of TEXT: en, vi or zh, or auto (detected; the default); a line in "
                   "another language is not coded. (Before the command, --lang is the interface "
                   "language, in which a reason for not coding is given.)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a readable result")
    p.add_argument("--rules", action="store_true", help="use the rule-based coder instead of the trained one")
    p.set_defaults(handler=run_code)

    t = subparsers.add_parser(
        "code-transcript", help="code every line of a transcript (CSV or JSONL)",
        description="Code a whole transcript: CSV or JSONL with speaker and text columns in "
        "conversation order (see docs/coder.md).")
    t.add_argument("file", help="transcript file (.csv or .jsonl)")
    t.add_argument("--format", choices=("table", "jsonl"), default="table",
                   help="table (readable, default) or jsonl (one object per utterance)")
    t.add_argument("--input-format", choices=("csv", "jsonl"), help="override the file extension")
    t.add_argument("--lang", dest="text_lang", choices=LANG_CHOICES, default="auto",
                   help="the language of the lines: en, vi or zh, or auto (detected per line; the default); "
                   "a row's own language column wins")
    t.add_argument("--rules", action="store_true", help="use the rule-based coder instead of the trained one")
    t.set_defaults(handler=run_code_transcript)


def _coder(args):
    """The coder the options ask for, reading the command's ``--lang``; its reasons for leaving
    a line uncoded are given in the interface language (the global ``--lang``, or $MITRAINER_LANG)."""
    from mitrainer.coding import default_coder, fallback_note, reading
    from mitrainer.coding.multilingual import MultilingualCoder
    from mitrainer.i18n import resolve_language

    if args.rules:
        from mitrainer.coding.rules import RuleBasedCoder

        # The rules read English: a line in another language is left uncoded, not misread.
        coder = MultilingualCoder({"en": RuleBasedCoder()})
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coder = default_coder()
        if fallback_note():
            print(f"mitrainer: note: {fallback_note()}", file=sys.stderr)
    return reading(coder, None if args.text_lang == "auto" else args.text_lang, resolve_language(args.settings.language))


def _clean(text: str, limit: int = 0) -> str:
    """Text fit for a terminal: no control characters, markup escaped, optionally cut."""
    from rich.markup import escape

    shown = "".join(ch if ch.isprintable() else " " for ch in text)
    if limit and len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return escape(shown)


def run_code(args: argparse.Namespace) -> int:
    from mitrainer.codes import Speaker
    from mitrainer.coding.base import Utterance

    coder = _coder(args)
    me = Speaker.CLIENT if args.client else Speaker.COUNSELLOR
    other = Speaker.COUNSELLOR if args.client else Speaker.CLIENT
    n = len(args.after)
    context = [Utterance(other if (n - 1 - i) % 2 == 0 else me, line) for i, line in enumerate(args.after)]
    result = coder.code_client(args.text, context) if args.client else coder.code_response(args.text, context)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return EXIT_OK if result.coded else EXIT_PROBLEMS
    from rich.console import Console

    console = Console(highlight=False)
    if not result.coded:
        console.print(f"[bold yellow]not coded[/]: {_clean(result.uncoded_reason)}")
        return EXIT_PROBLEMS
    sure = "  [yellow](not sure)[/]" if result.uncertain else ""
    if args.client:
        sub = f" · {result.subtype.value.replace('_', ' ')}" if result.subtype else ""
        console.print(f"[bold]{result.talk.value} talk{sub}[/]  {result.confidence:.0%}{sure}")
        for talk, p in sorted(result.scores.items(), key=lambda kv: -kv[1]):
            console.print(f"  {talk:<10} {p:.0%}")
    else:
        console.print(f"[bold]{result.primary.label}[/] ({result.primary.info.chip})  "
                      f"{result.confidence:.0%}{sure}")
        for score in result.codes:
            mark = "*" if score.code is result.primary else " "
            console.print(f" {mark} {score.code.label:<26} {score.confidence:.0%}")
        if result.direction is not None:
            console.print(f"direction: [bold]{result.direction.value}[/]")
    console.print(f"[dim]coder: {_clean(result.coder)}[/]")
    return EXIT_OK


PROGRESS_FROM = 200  # lines


def run_code_transcript(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from mitrainer.codes import Speaker
    from mitrainer.coding import reading
    from mitrainer.i18n import resolve_language
    from mitrainer.transcripts import read_transcript

    transcript = read_transcript(args.file, args.input_format)
    for d in transcript.diagnostics:
        print(str(d), file=sys.stderr)
    if not transcript.rows:
        return EXIT_CANNOT_RUN
    coder = _coder(args)
    reasons = resolve_language(args.settings.language)
    results = []
    # About 130 lines a second: a long transcript gets a progress bar on a terminal's stderr.
    from mitrainer.cli.output import console as make_console

    err = make_console(stderr=True)
    with Progress(TextColumn("coding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True,
                  disable=not err.is_terminal or len(transcript.rows) < PROGRESS_FROM) as progress:
        task = progress.add_task("coding", total=len(transcript.rows))
        for row in transcript.rows:
            ctx = transcript.context(row.index)[-8:]
            line_coder = reading(coder, row.language, reasons) if row.language else coder
            if row.speaker is Speaker.COUNSELLOR:
                results.append((row, line_coder.code_response(row.text, ctx)))
            else:
                results.append((row, line_coder.code_client(row.text, ctx)))
            progress.advance(task)
    if args.format == "jsonl":
        for row, res in results:
            print(json.dumps(_row_json(row, res), ensure_ascii=False))
    else:
        _print_table(results, coder.name)
    return EXIT_OK if transcript.ok else EXIT_PROBLEMS


def _row_json(row, res) -> dict:
    from mitrainer.codes import Speaker

    out = {"index": row.index, "line": row.line, "speaker": row.speaker.value, "text": row.text}
    if row.speaker is Speaker.COUNSELLOR:
        out["primary"] = res.primary.value if res.primary else None
        out["codes"] = [{"code": s.code.value, "confidence": round(s.confidence, 4)} for s in res.codes]
        out["direction"] = res.direction.value if res.direction else None
        if row.codes:
            out["human_codes"] = [c.value for c in row.codes]
    else:
        out["primary"] = res.talk.value if res.talk else None
        out["codes"] = []
        out["talk"] = res.talk.value if res.talk else None
        out["subtype"] = res.subtype.value if res.subtype else None
        out["confidence"] = round(res.confidence, 4)
        if row.talk:
            out["human_talk"] = row.talk.value
            out["human_subtype"] = row.subtype.value if row.subtype else None
    out["uncertain"] = res.uncertain
    out["coder"] = res.coder
    if row.language:
        out["language"] = row.language
    if res.uncoded_reason:
        out["uncoded_reason"] = res.uncoded_reason
    return out


def _print_table(results, coder_name: str) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    from mitrainer.codes import SkillCode, Speaker, TalkType

    console = Console(highlight=False)
    table = Table(show_lines=False, title=f"coded by the {coder_name} coder")
    table.add_column("#", justify="right")
    table.add_column("speaker")
    table.add_column("text", overflow="fold", max_width=70)
    table.add_column("code")
    table.add_column("conf", justify="right")
    skills: Counter[SkillCode] = Counter()
    talk: Counter[TalkType] = Counter()
    for row, res in results:
        if row.speaker is Speaker.COUNSELLOR:
            if res.primary:
                skills[res.primary] += 1
                label = " + ".join(s.code.info.chip for s in res.codes)
                if res.direction is not None:
                    label += f" → {res.direction.value}"
            else:
                label = f"[yellow]not coded: {_clean(res.uncoded_reason)}[/]"
            conf = f"{res.confidence:.0%}" if res.primary else ""
        else:
            if res.talk:
                talk[res.talk] += 1
                label = res.talk.value + (f" ({res.subtype.value})" if res.subtype else "")
            else:
                label = f"[yellow]not coded: {_clean(res.uncoded_reason)}[/]"
            conf = f"{res.confidence:.0%}" if res.talk else ""
        if res.uncertain:
            conf += " ?"
        table.add_row(str(row.index), row.speaker.value, _clean(row.text, 300), label, conf)
    console.print(table)
    questions = sum(n for c, n in skills.items() if c.is_question)
    reflections = sum(n for c, n in skills.items() if c.is_reflection)
    complex_ = sum(n for c, n in skills.items() if c.is_complex_reflection)
    counts = ", ".join(f"{c.info.chip} {n}" for c, n in sorted(skills.items(), key=lambda kv: -kv[1]))
    console.print(f"[bold]counsellor[/]: {counts or 'none'}")
    rq = f"{reflections / questions:.2f}" if questions else "n/a"
    pcr = f"{complex_ / reflections:.0%}" if reflections else "n/a"
    popen = f"{skills[SkillCode.OPEN_QUESTION] / questions:.0%}" if questions else "n/a"
    console.print(f"R:Q {rq} · %CR {pcr} · open questions {popen}")
    console.print("[bold]client[/]: " + (", ".join(f"{t.value} {n}" for t, n in talk.most_common()) or "none"))
    console.print("[dim]? = the coder is not sure[/]")
