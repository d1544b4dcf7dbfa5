"""Suite-wide fixtures and rules.

The fixtures every kind of test shares (helpers in tests/sessions.py): ``scenario`` (the
evening-drinks fixture scenario), ``record`` (a finished session played on it), ``data_dir``
(an empty data folder, so that nothing touches the real user's files), ``session_at`` (the
feedback scenario from a chosen node) and ``tag_coder``; ``english_interface`` runs for every
test, so each starts and ends with the English interface.

Under ``CI=true`` a browser test that skips is a failure.

The browser tests (marked ``browser``, see tests/chromium.py) skip on a machine without
Chromium or without the serve extra; CI installs both (.ci/run), so a skip there means the
checks silently stopped running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mitrainer.engine.session import Session
from mitrainer.record.model import SessionRecord
from mitrainer.scenario.model import Scenario
from tests.sessions import (
    REFLECTIONS,
    STANDARD_RESPONSES,
    TagCoder,
    feedback_scenario,
    load_fixture_scenario,
    play,
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("CI") == "true":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true ({reason}); CI must run the browser checks"


@pytest.fixture(autouse=True)
def _private_cache_folder(tmp_path_factory, monkeypatch):
    """Each test gets an empty cache folder: nothing is written to the user's, and no test
    sees verdicts another remembered."""
    monkeypatch.setenv("MITRAINER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_fixture_scenario()


@pytest.fixture
def record(scenario: Scenario) -> SessionRecord:
    return play(scenario, STANDARD_RESPONSES, reflections=REFLECTIONS)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder and no database override: nothing touches the real user's files."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(folder))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    return folder


@pytest.fixture
def session_at():
    """Sessions of the feedback scenario, started at the node named (one per kind of client talk)."""
    def make(start: str = "change", **kw) -> Session:
        return Session(feedback_scenario(start, **kw))
    return make


@pytest.fixture
def tag_coder() -> TagCoder:
    return TagCoder()


@pytest.fixture(autouse=True)
def english_interface(monkeypatch: pytest.MonkeyPatch):
    """Every test starts with the English interface (whatever the machine's MITRAINER_LANG) and
    leaves it so: the language is process-wide, and commands set it."""
    from mitrainer import i18n
    from mitrainer.settings import ENV_LANG

    monkeypatch.delenv(ENV_LANG, raising=False)
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
