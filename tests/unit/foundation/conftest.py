"""Fixtures for the foundation tests (scenario format, engine, CLI, file store)."""

from __future__ import annotations

import pytest

from mitrainer.scenario.model import Scenario
from tests.unit.foundation.foundation_support import TEMPLATE, TickingClock, parse


@pytest.fixture
def template_text() -> str:
    """The scenario ``mitrainer new t`` writes (valid, four nodes, one meter)."""
    return TEMPLATE


@pytest.fixture
def template_scenario() -> Scenario:
    loaded = parse(TEMPLATE)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.scenario


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()
