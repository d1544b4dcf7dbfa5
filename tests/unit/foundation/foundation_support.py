"""Helpers shared by the foundation tests: edit the ``mitrainer new`` template and find
where a piece of it sits, so expected lines and columns are computed from the text rather
than typed in by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitrainer.errors import Diagnostic
from mitrainer.scenario.load import LoadedScenario, parse_scenario
from mitrainer.scenario.template import render

TEMPLATE = render("t")


def edit(text: str, old: str, new: str) -> str:
    """Replace the single occurrence of ``old`` (fails loudly if the template changed)."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the text, found {text.count(old)}"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the single occurrence of ``needle``."""
    assert text.count(needle) == 1, f"expected exactly one {needle!r}, found {text.count(needle)}"
    return text[: text.index(needle)].count("\n") + 1


def col_of(text: str, needle: str, offset: int = 0) -> int:
    """1-based column where ``needle`` (plus ``offset`` characters) starts on its line."""
    assert text.count(needle) == 1, f"expected exactly one {needle!r}, found {text.count(needle)}"
    index = text.index(needle) + offset
    return index - (text.rfind("\n", 0, index) + 1) + 1


def codes(loaded: LoadedScenario) -> list[str]:
    return [d.code for d in loaded.diagnostics]


def only(loaded: LoadedScenario, code: str) -> Diagnostic:
    """The one diagnostic with ``code`` (fails, listing everything, if there are 0 or 2+)."""
    found = [d for d in loaded.diagnostics if d.code == code]
    assert len(found) == 1, f"expected one {code}, got: {[str(d) for d in loaded.diagnostics]}"
    return found[0]


def parse(text: str) -> LoadedScenario:
    return parse_scenario(text, "s.yaml")


class TickingClock:
    """A clock that moves one second per call, from a fixed start: records are comparable."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
