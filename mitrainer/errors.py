"""Errors as values: diagnostics with a stable code and a position, and one exception tree.

Loaders and validators never raise for a problem in a user's file; they return a list of
:class:`Diagnostic`. Exceptions (:class:`MitrainerError` and subclasses) are for callers
that need to stop, and always carry a message fit to show a user.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from mitrainer.text import find_control, visible


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """1-based line and column in a file (0 means unknown)."""

    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a file.

    ``code`` is stable across releases (documented in docs/diagnostics.md) so instructors
    and tools can look it up or filter it.
    """

    code: str
    severity: Severity
    message: str
    file: str = ""
    position: Position = field(default_factory=Position)
    hint: str = ""

    def __post_init__(self) -> None:
        # Messages quote files (an unknown key, a file name): no control code may reach a terminal.
        for name in ("message", "file", "hint"):
            value = getattr(self, name)
            if find_control(value) >= 0:
                object.__setattr__(self, name, visible(value))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.position.line:
            parts.append(str(self.position.line))
            if self.position.column:
                parts.append(str(self.position.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity.value} {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.position.line,
            "column": self.position.column,
            "hint": self.hint,
        }


def errors_in(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.file, d.position, d.code, d.message))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A "did you mean …?" hint for a misspelt key, id or code, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


class MitrainerError(Exception):
    """Base of every error mitrainer raises on purpose; its message is for the user."""


class InputError(MitrainerError):
    """A file or argument the user gave cannot be used."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class ScenarioError(InputError):
    """A scenario could not be loaded; ``diagnostics`` says why."""


class ModelFileError(MitrainerError):
    """The coder's model file is missing, corrupt or of an unknown version."""


class StoreError(MitrainerError):
    """The session database cannot be opened or written."""


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    from mitrainer.text import visible

    # File names can hold terminal control codes: shown as U+FFFD, like any content.
    p = Path(path)
    try:
        return visible(str(p.resolve().relative_to(Path.cwd().resolve())))
    except (ValueError, OSError):
        return visible(str(p))
