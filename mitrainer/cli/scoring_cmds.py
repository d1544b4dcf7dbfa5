"""The ``score`` command: MITI-style scores for a session record or a transcript."""

from __future__ import annotations

import argparse
from pathlib import Path

from mitrainer.cli import EXIT_OK

TRANSCRIPT_SUFFIXES = (".csv", ".jsonl", ".tsv")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="MITI-style scores for a session record or a transcript",
                       description="Score a session record (JSON from 'mitrainer play --out') or a transcript "
                       "(CSV or JSONL with speaker and text columns, and optionally a 'codes' column coded by a "
                       "person). Prints counts, R:Q, %CR, % open questions, MI-adherent and non-adherent "
                       "totals, change and sustain talk, estimated MITI global ratings, and each compared with "
                       "the rubric's thresholds. Human codes override the machine's, and the human-machine "
                       "agreement (Cohen's kappa) is shown per code.")
    p.add_argument("file", type=Path, metavar="FILE", help="a session record (.json) or a transcript (.csv, .jsonl)")
    p.add_argument("--rubric", metavar="ID|FILE",
                   help="rubric id or file (default: the one the scenario names, else 'standard')")
    p.add_argument("--json", action="store_true", help="print the score as JSON")
    p.set_defaults(handler=cmd_score)


def cmd_score(args: argparse.Namespace) -> int:
    from mitrainer.cli.output import console, write_json
    from mitrainer.errors import InputError

    path: Path = args.file
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        score, title = _score_transcript(path, args)
    else:
        score, title = _score_record(path, args)
    if args.json:
        write_json(score.to_json())
        return EXIT_OK
    print_score(score, title, console())
    return EXIT_OK


def _rubric(name: str | None, scenario=None):
    """The rubric named by --rubric (an id or a file), else the session's own."""
    from mitrainer.scoring.rubric_load import get_rubric, load_rubric, session_rubric

    if name:
        candidate = Path(name)
        if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
            rubric = load_rubric(candidate).require()
            if rubric.part:
                from mitrainer.scoring.rubric import RubricError

                raise RubricError(f"{name}: this rubric is a part for others to include, not a complete rubric")
            return rubric
        return get_rubric(name)
    return session_rubric(scenario)


def _score_record(path: Path, args: argparse.Namespace):
    from mitrainer.record.read import read_record
    from mitrainer.scoring import score_session, session_focus

    # The same reader as every command's: a record export refuses, score refuses alike.
    record = read_record(path)
    scenario = _scenario_of(record, [Path(p) for p in getattr(args, "scenarios", [])])
    return (score_session(record, _rubric(args.rubric, scenario), focus=session_focus(scenario)),
            record.scenario.title or record.scenario.id)


def _scenario_of(record, folders: list[Path]):
    """The scenario a record was played on, when it can be found (for its rubric and focus)."""
    from mitrainer.paths import bundled_scenarios
    from mitrainer.scenario.load import load_library

    found = load_library([bundled_scenarios(), *folders]).get(record.scenario.id)
    return found.scenario if found is not None else None


def _score_transcript(path: Path, args: argparse.Namespace):
    from mitrainer.scoring import score_transcript
    from mitrainer.transcripts import read_transcript

    transcript = read_transcript(path)
    errors = [d for d in transcript.diagnostics if d.is_error]
    if errors or not transcript.rows:
        from mitrainer.errors import InputError

        first = errors[0] if errors else None
        raise InputError(str(first) if first else f"{path}: the transcript has no utterances", errors)
    if transcript.diagnostics:
        from mitrainer.cli.output import console, print_diagnostics

        print_diagnostics(list(transcript.diagnostics), path, console(stderr=True))
    rubric = _rubric(args.rubric)
    return score_transcript(transcript.rows, rubric), path.name


BAND_STYLE = {"good": "green", "fair": "yellow", "below": "red"}


def print_score(score, title: str, out) -> None:
    """The score as rich tables: summary metrics with bands, counts per code, agreement."""
    from rich.markup import escape
    from rich.table import Table

    from mitrainer.codes import SKILLS

    source = {"session": "live session", "machine": "machine-coded", "human": "coded by a person",
              "mixed": "human codes where given, machine codes elsewhere"}.get(score.source, score.source)
    out.print(f"[bold]{escape(title)}[/] — {score.turns} counsellor turn(s), {source}; rubric '{escape(score.rubric)}'"
              + (f"; {score.uncoded} not coded" if score.uncoded else ""))
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Fair", justify="right", style="dim")
    table.add_column("Good", justify="right", style="dim")
    table.add_column("Band")
    for metric in score.metrics:
        style = BAND_STYLE.get(metric.band or "", "")
        table.add_row(escape(metric.label), metric.display, metric.show(metric.fair) if metric.fair is not None else "",
                      metric.show(metric.good) if metric.good is not None else "", f"[{style}]{metric.band}[/]" if metric.band else "")
    out.print(table)
    out.print(f"Reflections {score.reflections} · questions {score.questions} · change talk {score.change_talk} · "
              f"sustain talk {score.sustain_talk}")
    counts = Table(show_edge=False, pad_edge=False, title="Counts per code", title_justify="left")
    counts.add_column("Code")
    counts.add_column("MITI", style="dim")
    counts.add_column("n", justify="right")
    for code, n in score.counts.items():
        if n:
            counts.add_row(SKILLS[code].label, SKILLS[code].miti, str(n))
    out.print(counts)
    if score.focus:
        out.print("Drill focus: " + ", ".join(f"{SKILLS[c].label} {r.hits}/{r.turns}" for c, r in score.focus.items()))
    if score.agreement is not None:
        report = score.agreement
        kappa = "—" if report.kappa is None else f"{report.kappa:.2f}"
        same = "—" if report.percent is None else f"{report.percent * 100:.0f}%"
        out.print(f"\n[bold]Human–machine agreement[/] on {report.utterances} hand-coded line(s): "
                  f"kappa {kappa} on the primary code, {same} identical")
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("Code")
        table.add_column("Human", justify="right")
        table.add_column("Machine", justify="right")
        table.add_column("Kappa", justify="right")
        for code, value in report.per_code.items():
            human, machine = report.used[code]
            table.add_row(SKILLS[code].label, str(human), str(machine), "—" if value is None else f"{value:.2f}")
        out.print(table)
