"""Commands for instructors: validate, graph, new."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario and rubric files",
                       description="Check scenario and rubric files and report every problem with its "
                       "file:line:col. Exit 0 when clean, 1 when problems were found, 2 when nothing could be checked.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="files or folders (default: the bundled scenarios and rubrics)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    p.add_argument("--no-talk-check", action="store_true",
                   help="skip checking, with the coder, authored talk labels of English client lines (S112) "
                   "and the directions exemplars state (S113)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("graph", help="draw a scenario's branches (Mermaid or DOT)",
                       description="Print a scenario's branch graph. Endings, unreachable nodes and dead ends "
                       "are styled differently.")
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a bundled scenario id")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="graph language (default: mermaid)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_graph)

    p = sub.add_parser("new", help="write a small valid scenario to start from",
                       description="Write ID.yaml: a small, valid, commented scenario to start from.")
    p.add_argument("id", metavar="ID", help="scenario id (lower-case letters, digits, '-' and '_')")
    p.add_argument("--title", help="scenario title")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write it (default: ID.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=cmd_new)


def cmd_validate(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from mitrainer.cli.output import console, print_diagnostics, write_json
    from mitrainer.errors import display_path
    from mitrainer.paths import bundled_rubrics, bundled_scenarios
    from mitrainer.validation import validate_file
    from mitrainer.yamlfiles import iter_yaml_files

    paths = args.paths or [bundled_scenarios(), bundled_rubrics()]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for p in missing:
            print(f"mitrainer validate: {p}: no such file or folder", file=sys.stderr)
        return EXIT_CANNOT_RUN
    files = list(iter_yaml_files(paths))
    if not files:
        print("mitrainer validate: no .yaml files found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return EXIT_CANNOT_RUN
    coder = None if args.no_talk_check else _coder_if_available()
    reports = [validate_file(f, coder) for f in files]
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    failed = errors > 0 or (args.strict and warnings > 0)
    if args.format == "json":
        write_json({"ok": not failed, "files": [r.to_json() for r in reports], "errors": errors, "warnings": warnings})
        return EXIT_PROBLEMS if failed else EXIT_OK
    out = console()
    for report in reports:
        if report.diagnostics:
            print_diagnostics(report.diagnostics, report.path, out)
        elif not args.quiet:
            out.print(f"[green]✓[/] {escape(display_path(report.path))} [dim]({report.kind})[/]")
    colour = "red" if failed else ("yellow" if warnings else "green")
    out.print(f"[{colour}]{len(reports)} file(s) checked: {errors} error(s), {warnings} warning(s)"
              + (" — warnings fail with --strict" if args.strict and warnings and not errors else "") + "[/]")
    return EXIT_PROBLEMS if failed else EXIT_OK


def _coder_if_available():
    """The default coder for the talk-label check, or None when no model file loads."""
    import warnings

    from mitrainer.coding import default_coder
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.multilingual import MultilingualCoder

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        coder = default_coder()
    # The check reads English scenarios only (talk_check.reads_language), with the English
    # coder; the rule-based fallback is too rough to second-guess an author's label.
    english = coder.coders["en"] if isinstance(coder, MultilingualCoder) else coder
    return english if isinstance(english, TrainedCoder) else None


def cmd_graph(args: argparse.Namespace) -> int:
    from mitrainer.scenario import graph
    from mitrainer.scenario.load import load_for_play

    scenario = load_for_play(args.scenario, [Path(p) for p in args.scenarios])
    text = graph.render(scenario, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from mitrainer.scenario.template import render

    text = render(args.id, args.title)
    target: Path = args.output or Path(f"{args.id}.yaml")
    if target.exists() and not args.force:
        print(f"mitrainer new: {target} already exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_CANNOT_RUN
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}\nnext: mitrainer validate {target}")
    return EXIT_OK
