"""Commands for instructors: validate, graph, new, schema, strings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mitrainer.cli import EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS
from mitrainer.editor_schema import KINDS, SCENARIO_SCHEMA_FILE  # light: pydantic loads only to generate


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
                   "and the directions exemplars state (S113); verdicts are remembered in your cache folder, "
                   "by content hash, until the coder changes")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("graph", help="draw a scenario's branches (Mermaid or DOT)",
                       description="Print a scenario's branch graph. Endings, unreachable nodes and dead ends "
                       "are styled differently.")
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a bundled scenario id")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="graph language (default: mermaid)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_graph)

    p = sub.add_parser("new", help="write a small valid scenario to start from",
                       description="Write ID.yaml: a small, valid, commented scenario to start from. Its first "
                       "line points editors with a YAML language server (VS Code's YAML extension) at "
                       f"{SCENARIO_SCHEMA_FILE}, which is written beside it when not there yet, for completion "
                       "and hover help.")
    p.add_argument("id", metavar="ID", help="scenario id (lower-case letters, digits, '-' and '_')")
    p.add_argument("--title", help="scenario title")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write it (default: ID.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("author", help="the trainer on a scenario file you are writing, reloaded on every save",
                       description="Open the trainer on SCENARIO.yaml and reload it each time the file is saved: "
                       "the conversation stays where it is when its node still exists (the turns are replayed "
                       "with the codes they were given), and problems in the file are listed above the "
                       "conversation while the last good version goes on. Nothing is saved to your history.")
    p.add_argument("file", type=Path, metavar="SCENARIO.yaml", help="the scenario file")
    p.add_argument("--from", dest="start_node", metavar="NODE", help="start at this node")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="VAR=VALUE",
                   help="start with this variable set (repeatable)")
    p.set_defaults(handler=cmd_author)

    p = sub.add_parser("strings", help="export a scenario's texts for translation, or build the translation",
                       description="Without --apply: write every text of SCENARIO that a trainee reads (and every "
                       "branch's keywords, separated by ' | ') to a CSV with the columns id, kind, source, "
                       "translation and source_hash. Ids come from each text's place in the scenario, so they "
                       "stay the same when other texts change. With --apply: build the translated scenario from "
                       "a filled-in CSV; it records the source texts it was made from, and `mitrainer validate` "
                       "reports translations whose source has changed since (L101) or that are missing (L102).")
    p.add_argument("scenario", metavar="SCENARIO", help="the source scenario: a file or a bundled scenario id")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="the CSV to write (default: standard output); with --apply, the scenario to write")
    p.add_argument("--apply", type=Path, metavar="CSV", help="build the translated scenario from this filled-in CSV")
    p.add_argument("--language", metavar="LANG", help="with --apply: the translation's language (vi, zh-Hans, …)")
    p.add_argument("--id", dest="new_id", metavar="ID", help="with --apply: the translation's scenario id "
                   "(default: the source's id and the language, e.g. methadone-retention-vi)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(handler=cmd_strings)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario or rubric files (editor completion)",
                       description="Print the JSON Schema of a scenario or rubric file, generated from the models "
                       "the validator uses. Point your editor's YAML language server at it for completion and "
                       f"hover help: put '# yaml-language-server: $schema={SCENARIO_SCHEMA_FILE}' as the first "
                       "line of a scenario (`mitrainer new` does).")
    p.add_argument("kind", choices=KINDS, help="which format")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_schema)


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
    if args.no_talk_check:
        reports = [validate_file(f) for f in files]
    else:
        from mitrainer.scenario.talk_check import talk_label_cache

        # The coder loads only for a client line whose verdict no earlier run remembers.
        cache = talk_label_cache()
        reports = [validate_file(f, _coder_if_available, cache) for f in files]
        cache.save()
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
    return _write_or_print(text, args.output)


def _write_or_print(text: str, output: Path | None) -> int:
    """``text`` to the file ``-o`` names (saying so on stderr), else to stdout."""
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from mitrainer.editor_schema import schema_text
    from mitrainer.scenario.template import render

    text = render(args.id, args.title)
    target: Path = args.output or Path(f"{args.id}.yaml")
    if target.exists() and not args.force:
        print(f"mitrainer new: {target} already exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_CANNOT_RUN
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    schema = target.parent / SCENARIO_SCHEMA_FILE
    if not schema.exists():
        # The template's first line refers to it: editors then complete keys and explain them.
        schema.write_text(schema_text("scenario"), encoding="utf-8")
        print(f"wrote {schema} (editor completion; refresh it with `mitrainer schema scenario -o {schema}`)")
    print(f"next: mitrainer validate {target}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from mitrainer.editor_schema import schema_text

    text = schema_text(args.kind)
    return _write_or_print(text, args.output)


def cmd_strings(args: argparse.Namespace) -> int:
    from mitrainer.errors import InputError
    from mitrainer.scenario import strings
    from mitrainer.scenario.load import locate_scenario

    loaded = locate_scenario(args.scenario, args.settings.scenario_folders)
    scenario = loaded.require()
    if args.output is not None and args.output.exists() and not args.force:
        # A CSV may hold a translator's work: never overwrite it unasked.
        raise InputError(f"{args.output} already exists (use --force to overwrite)")
    if args.apply is None:
        if args.language or args.new_id:
            raise InputError("--language and --id go with --apply")
        found = strings.translatable_strings(scenario)
        text = strings.strings_csv(found)
        if args.output is None:
            sys.stdout.write(text)
        else:
            # With a byte-order mark: spreadsheets then open Vietnamese and Chinese text correctly.
            args.output.write_text(text, encoding="utf-8-sig", newline="")
            print(f"wrote {args.output}: {len(found)} string(s) to translate", file=sys.stderr)
        return EXIT_OK
    return _apply_strings(args, loaded)


def _apply_strings(args: argparse.Namespace, loaded) -> int:
    import re

    from mitrainer.errors import InputError
    from mitrainer.safeyaml import dump_text
    from mitrainer.scenario import strings
    from mitrainer.scenario.load import parse_scenario

    if args.output is None or not args.language:
        raise InputError("--apply needs -o TRANSLATED.yaml and --language LANG")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", args.language):
        raise InputError(f"'{args.language}' is not a language code (en, vi, zh-Hans, …)")
    scenario = loaded.require()
    new_id = args.new_id or f"{scenario.id}-{args.language.split('-')[0].lower()}"
    source_file = strings.relative_source(loaded.path, args.output) if loaded.path is not None else ""
    applied = strings.apply_translation(scenario, strings.read_strings_csv(args.apply), args.language, new_id,
                                        source_file)
    header = (f"A translation of '{scenario.id}', built by `mitrainer strings --apply {args.apply.name}`.\n"
              "translation_of records the source texts it was made from: `mitrainer validate` reports the\n"
              "ones that changed since. Edit the CSV and apply it again, or edit this file.")
    text = dump_text(applied.data, header)
    check = parse_scenario(text, str(args.output))
    if check.errors:  # a translation that cannot load is not written
        from mitrainer.cli.output import console, print_diagnostics

        print_diagnostics(check.errors, args.output, console(stderr=True))
        return EXIT_PROBLEMS
    args.output.write_text(text, encoding="utf-8")
    for warning in applied.warnings:
        print(f"mitrainer strings: {args.apply}: {warning}", file=sys.stderr)
    total = applied.translated + len(applied.untranslated)
    print(f"wrote {args.output} ({new_id}, {args.language}): {applied.translated} of {total} string(s) translated"
          + (f"; {len(applied.untranslated)} kept in the source language (validate lists them)"
             if applied.untranslated else ""), file=sys.stderr)
    return EXIT_OK


def cmd_author(args: argparse.Namespace) -> int:
    from mitrainer.errors import InputError

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file" if not args.file.exists() else f"{args.file}: not a file")
    from mitrainer.tui.app import run_author
    from mitrainer.tui.screens.author import AuthorTarget

    return run_author(args.settings, AuthorTarget(args.file, args.start_node, list(args.assignments)))
