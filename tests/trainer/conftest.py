"""Fixtures for the trainer's tests: a deterministic app over a temporary database.

Everything that could vary between runs is fixed: the clock, the session seed, the coder
(the rule-based one, so a change to the trained coder does not move these tests), the
scenario folder (tests/trainer/fixtures/scenarios) and the database (a temporary file).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mitrainer.i18n import set_language


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"
