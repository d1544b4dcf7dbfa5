"""Shared helpers for printing from CLI commands (rich consoles, diagnostics with source)."""

from __future__ import annotations

import sys
from pathlib import Path

from mitrainer.errors import Diagnostic
from mitrainer.text import visible


def console(stderr: bool = False):
    from rich.console import Console

    # emoji=False: a position such as "file.yaml:100:9" must not print as "file.yaml💯9".
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def write_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _source_line(path: Path | None, line: int, cache: dict) -> str | None:
    if path is None or line <= 0:
        return None
    if path not in cache:
        try:
            if path.stat().st_size > 8 * 1024 * 1024:
                cache[path] = None
            else:
                cache[path] = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        except OSError:
            cache[path] = None
    lines = cache[path]
    if lines is None or line > len(lines):
        return None
    # One visible character per control character keeps the caret in its column.
    return visible(lines[line - 1])


def print_diagnostics(diagnostics: list[Diagnostic], path: Path | None, out=None) -> None:
    """Print diagnostics compiler-style: location, code, message, the source line, a caret."""
    from rich.markup import escape

    out = out or console()
    cache: dict = {}
    for d in diagnostics:
        colour = "red" if d.is_error else "yellow"
        out.print(f"[bold]{escape(d.location())}[/]: [{colour}]{d.severity.value} {d.code}[/]: {escape(d.message)}")
        source = _source_line(path, d.position.line, cache)
        if source is not None and len(source) <= 300:
            shown = source.expandtabs(4)
            out.print(f"  [dim]{d.position.line:>4} |[/] {escape(shown)}")
            if d.position.column:
                out.print(f"  [dim]     |[/] {' ' * (d.position.column - 1)}[{colour}]^[/]")
        if d.hint:
            out.print(f"  [cyan]help[/]: {escape(d.hint)}")
