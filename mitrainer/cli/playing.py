"""Commands that play scenarios without the TUI: play, playtest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_OK, EXIT_PROBLEMS

MAX_RESPONSES_BYTES = 10 * 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="play a scenario headless from a file of responses",
                       description="Play a scenario without the TUI: one trainee response per line of FILE "
                       "(blank lines and lines starting with '#' are skipped; '-' reads standard input). "
                       "Each response is coded, judged and recorded as in the trainer. Prints the transcript "
                       "with codes, branches and the ending.")
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a bundled scenario id")
    p.add_argument("--responses", required=True, metavar="FILE", help="trainee responses, one per line")
    p.add_argument("--seed", type=int, default=0, help="seed for line variants (default: 0)")
    p.add_argument("--out", type=Path, metavar="FILE", help="write the session record (JSON) to FILE")
    p.add_argument("--save", action="store_true",
                   help="keep the session in your session database (--db), so history and the portfolio show it")
    p.add_argument("--json", action="store_true", help="print the session record instead of the transcript")
    p.add_argument("--from", dest="start_node", metavar="NODE",
                   help="start at this node instead of the scenario's start (for authors testing a scenario)")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="VAR=VALUE",
                   help="start with this variable set (repeatable; the others start at their defaults)")
    p.set_defaults(handler=cmd_play)

    p = sub.add_parser("playtest", help="walk random paths to find dead ends and unreachable endings",
                       description="Walk random paths through a scenario using its exemplars, distractors and "
                       "probes for every branch. Reports dead ends, endless loops, endings never reached and "
                       "coverage. Exit 1 when a problem is found.")
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a bundled scenario id")
    p.add_argument("--random", type=int, default=200, metavar="N", dest="walks", help="number of walks (default: 200)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--max-turns", type=int, default=200, help="turns after which a walk counts as endless (default: 200)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_playtest)


def read_responses(source: str) -> list[str]:
    from mitrainer.errors import InputError
    from mitrainer.text import clean_text

    if source == "-":
        raw = sys.stdin.buffer.read(MAX_RESPONSES_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file" if not path.exists() else f"{source}: not a file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_RESPONSES_BYTES + 1)
    if len(raw) > MAX_RESPONSES_BYTES:
        raise InputError(f"{source}: larger than {MAX_RESPONSES_BYTES // 1024 // 1024} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        print(f"mitrainer: warning: {source}:{line}: not valid UTF-8; bad bytes are replaced with \ufffd "
              "(save the file as UTF-8)", file=sys.stderr)
        text = raw.decode("utf-8-sig", errors="replace")
    text = clean_text(text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def cmd_play(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from mitrainer.cli.output import console, write_json
    from mitrainer.coding import default_coder, reading
    from mitrainer.engine.session import Session
    from mitrainer.engine.start import parse_start
    from mitrainer.errors import InputError, StoreError
    from mitrainer.practice import Practice
    from mitrainer.scenario.load import load_for_play
    from mitrainer.store.db import SessionStore

    scenario = load_for_play(args.scenario, [Path(p) for p in args.scenarios])
    start = parse_start(scenario, args.start_node, args.assignments)
    if start is not None and args.save:
        # A test from the middle would count in history and the portfolio as a session played.
        raise InputError("a session started with --from or --set is an author's test and is not saved; drop --save")
    responses = read_responses(args.responses)
    # The responses are read in the scenario's language; a reason for leaving one uncoded is
    # given in it too, as its feedback is.
    coder = reading(default_coder(), scenario.language, scenario.language)
    store = SessionStore(args.settings.db_path) if args.save else None
    try:
        practice = Practice(Session(scenario, seed=args.seed, coder=coder, start=start), store)
        session = practice.session
        out = console()
        if not args.json:
            out.print(f"[bold]{escape(scenario.title)}[/] — {escape(scenario.persona.name)} [dim](seed {args.seed})[/]")
            if start is not None:
                state = ", ".join(f"{name}={value}" for name, value in start.variables.items())
                out.print(f"[dim]from node '{escape(start.node)}'" + (f" with {escape(state)}" if state else "") + "[/]")
            out.print()
        for text in responses:
            if session.finished:
                break
            line = session.current_line
            taken = practice.take_turn(text)
            if taken.store_problem:
                raise StoreError(taken.store_problem)
            if not args.json:
                _print_exchange(out, line, taken.turn)
    finally:
        if store is not None:
            store.close()
    if not args.json:
        if session.finished:
            line = session.current_line
            ending = session.ending
            out.print(f"[bold magenta]{escape(scenario.persona.name)}:[/] {escape(line.text)}"
                      + (f" [italic dim]({escape(line.cue)})[/]" if line.cue else ""))
            out.print(f"\n[bold green]Ending: {escape(ending.title or ending.outcome)}[/] [dim]({ending.outcome})[/]")
            out.print(escape(session.debrief))
        else:
            out.print(f"[yellow]The session has not ended: {len(session.turns)} response(s) given, the client's "
                      f"next line is at node '{session.node_id}'.[/]")
        unused = len(responses) - len(session.turns)
        if unused > 0:
            out.print(f"[dim]{unused} response(s) left unused after the ending.[/]")
        if store is not None:
            out.print(f"[dim]session {session.session_id[:8]} saved in {escape(str(store.path))}[/]")
    record = session.record()
    if args.out:
        from mitrainer.store.files import write_private_json

        write_private_json(args.out, record.to_json())
        if not args.json:
            out.print(f"[dim]session record written to {escape(str(args.out))}[/]")
    if args.json:
        write_json(record.to_json())
    return EXIT_OK


def _print_exchange(out, line, turn) -> None:
    from rich.markup import escape

    from mitrainer.codes import SkillCode

    cue = f" [italic dim]({escape(line.cue)})[/]" if line.cue else ""
    talk = f" [dim]\\[{line.talk.value}{'/' + line.subtype.value if line.subtype else ''}][/]" if line.talk else ""
    out.print(f"[bold magenta]Client:[/] {escape(line.text)}{cue}{talk}")
    coding = turn.coding
    if coding.primary is None:
        chips = f"[dim]uncoded: {escape(coding.uncoded_reason)}[/]"
    else:
        chips = " ".join(f"{SkillCode(s.code).info.chip} {s.confidence:.2f}" for s in coding.codes)
        chips = f"[cyan]{chips}[/]" + (" [dim](not sure)[/]" if coding.uncertain else "")
    out.print(f"[bold blue]You:[/] {escape(turn.response)}  {chips}")
    note = turn.feedback.note if turn.feedback is not None else ""
    out.print(f"  [dim]→ branch {turn.branch + 1} to '{escape(turn.next_node)}'"
              + (f": {escape(note)}" if note else "") + "[/]\n")


def cmd_playtest(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from mitrainer.cli.output import console, write_json
    from mitrainer.engine.playtest import playtest
    from mitrainer.errors import InputError
    from mitrainer.scenario.load import load_for_play

    if args.walks < 1 or args.max_turns < 1:
        raise InputError("--random and --max-turns must be at least 1")
    scenario = load_for_play(args.scenario, [Path(p) for p in args.scenarios])
    err = console(stderr=True)
    show_progress = args.format == "text" and err.is_terminal and args.walks >= 500
    if show_progress:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("walking", total=args.walks)
            report = playtest(scenario, args.walks, args.seed, args.max_turns,
                              progress=lambda n: progress.update(task, completed=n) if n % 50 == 0 else None)
    else:
        report = playtest(scenario, args.walks, args.seed, args.max_turns)
    if args.format == "json":
        write_json(report.to_json())
        return EXIT_OK if report.ok else EXIT_PROBLEMS
    out = console()
    data = report.to_json()
    out.print(f"[bold]{escape(scenario.title)}[/]: {report.walks} random walks (seed {args.seed}), "
              f"{data['mean_turns']} turns on average")
    for node_id, count in sorted(report.endings_reached.items(), key=lambda kv: -kv[1]):
        ending = scenario.nodes[node_id].ending
        outcome = ending.outcome if ending is not None else ""  # endings_reached lists ending nodes only
        out.print(f"  ending [green]{escape(node_id)}[/] ({outcome}): {count} walk(s)")
    out.print(f"  node coverage {report.node_coverage:.0%}, branch coverage {report.branch_coverage:.0%}")
    if report.nodes_missed:
        out.print(f"  [yellow]nodes never visited:[/] {escape(', '.join(report.nodes_missed))}")
    if report.branches_missed:
        out.print(f"  [dim]branches never taken: {escape(', '.join(data['branches_missed']))}[/]")
    if report.endings_missed:
        out.print(f"  [red]endings never reached:[/] {escape(', '.join(report.endings_missed))}")
    if report.dead_ends:
        out.print(f"  [red]dead ends (no ending reachable):[/] {escape(', '.join(report.dead_ends))}")
    if report.endless:
        out.print(f"  [red]{report.endless} walk(s) did not end within {report.max_turns} turns[/]; "
                  f"last nodes of one: {escape(' → '.join(report.endless_example))}")
    out.print("[green]no problems found[/]" if report.ok else "[red]problems found[/]")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


