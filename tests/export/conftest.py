"""Shared fixtures for the export tests: a small stable scenario and sessions played on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.record.model import Feedback, SessionRecord
from mitrainer.scenario.load import load_scenario
from mitrainer.scenario.model import Scenario
from mitrainer.scoring import feedback_for_turn

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "fixtures" / "scenarios"
GOLDEN = HERE / "golden"

C = SkillCode
STANDARD_RESPONSES: list[tuple[str, tuple[SkillCode, ...]]] = [
    ("So the wine <script>alert(1)</script> is your way to unwind.", (C.COMPLEX_REFLECTION,)),
    ("What worries you about it?", (C.OPEN_QUESTION,)),
    ("You should just stop drinking during the week.", (C.PERSUADE,)),
    ("Nobody's labelling you; it's your call.", (C.COMPLEX_REFLECTION, C.EMPHASIZING_AUTONOMY)),
    ("So: wine helps you unwind, you wake up tired, and you want more energy. What next?", (C.SUMMARY,)),
]
REFLECTIONS = {
    "went_well": "I reflected <b>her</b> reasons & didn't *lecture*.\n# not a heading\n1. not a list",
    "do_differently": "=HYPERLINK(\"x\") ask permission before advice",
}


def load_fixture_scenario() -> Scenario:
    return load_scenario(SCENARIOS / "evening-drinks.yaml").require()


def play(scenario: Scenario, responses: Sequence[tuple[str, Sequence[SkillCode]]], *,
         start: datetime = datetime(2026, 3, 2, 18, 0, tzinfo=UTC), session_id: str = "5e55101d" + "0" * 24,
         feedback: bool = True, reflections: dict[str, str] | None = None, seed: int = 7) -> SessionRecord:
    """A session record played deterministically (fixed clock, seed, id and app version)."""
    now = [start]

    def clock() -> datetime:
        now[0] += timedelta(seconds=30)
        return now[0]

    session = Session(scenario, seed=seed, clock=clock, session_id=session_id)
    for text, codes in responses:
        if session.finished:
            break
        turn = session.respond(text, ResponseCoding.manual(*codes, coder="test"))
        # Without feedback the turn keeps only the branch note, as records of schema 1 written
        # by `mitrainer play` read once migrated: not judged.
        session.attach_feedback(feedback_for_turn(session, turn) if feedback
                                else Feedback(note=session.branch_taken(turn).note))
    session.reflections = dict(reflections or {})
    return session.record().model_copy(update={"app_version": "test"})


def long_responses(turns: int) -> list[tuple[str, tuple[SkillCode, ...]]]:
    """``turns`` responses that loop at 'explore' and end with a summary (turns ≥ 2)."""
    middle = [(f"You want things to change, reason number {i}.", (C.COMPLEX_REFLECTION,)) if i % 2
              else (f"What else matters to you, part {i}?", (C.OPEN_QUESTION,)) for i in range(turns - 2)]
    return [STANDARD_RESPONSES[0], *middle, STANDARD_RESPONSES[-1]]


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_fixture_scenario()


@pytest.fixture
def record(scenario: Scenario) -> dict:
    return play(scenario, STANDARD_RESPONSES, reflections=REFLECTIONS)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder and no database override: nothing touches the real user's files."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(folder))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    return folder
