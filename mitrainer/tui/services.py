"""What the screens need from the outside world, gathered in one object.

The app builds one :class:`Services` from the command line; tests build their own with a
temporary database, a fixed clock, a fixed seed and a fixture scenario folder, which is all
it takes to make every screen deterministic.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mitrainer.settings import Preferences
from mitrainer.store.db import SessionStore

if TYPE_CHECKING:
    # The engine and the scenario models pull in pydantic: imported when first used, so
    # that the home screen paints before they load.
    from mitrainer.coding.base import Coder
    from mitrainer.engine.session import Clock, Session
    from mitrainer.practice import Practice
    from mitrainer.record.model import SessionRecord, Start
    from mitrainer.scenario.load import Library, LoadedScenario
    from mitrainer.scenario.model import Scenario


def utc_now() -> datetime:
    return datetime.now(UTC)


def _default_coder() -> Coder:
    import warnings

    from mitrainer.coding import default_coder

    # A fallback to the rule-based coder is reported by the app (coder_note), not printed
    # over the screen.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return default_coder()


def coder_note() -> str:
    """Why the trained coder is not in use ("" when it is)."""
    from mitrainer.coding import fallback_note

    return fallback_note()


@dataclass
class Services:
    """The trainer's dependencies: scenario folders, the store, the coder, the clock, seeds."""

    store: SessionStore
    scenario_folders: list[Path]
    clock: Clock = utc_now
    seed_source: Callable[[], int] = field(default=lambda: random.randrange(1, 1_000_000))
    coder_factory: Callable[[], Coder] = _default_coder
    store_problem: str = ""
    # Served in a browser (``mitrainer serve``): exports are written only inside the exports folder.
    exports_confined: bool = False
    # `mitrainer author FILE`: the trainer tests a file being written; nothing is stored.
    authoring: bool = False
    _library: Library | None = field(default=None, init=False, repr=False)
    _coder: Coder | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- content -------------------------------------------------------------------------
    def library(self, reload: bool = False) -> Library:
        """The scenario library (loaded once; safe to call from a worker thread)."""
        from mitrainer.scenario.load import load_library

        with self._lock:
            if self._library is None or reload:
                self._library = load_library(self.scenario_folders)
            return self._library

    def scenario(self, scenario_id: str) -> LoadedScenario | None:
        return self.library().scenarios.get(scenario_id)

    def coder(self) -> Coder:
        """The coder (loaded on first use; the app warms it up in a worker after the first paint)."""
        with self._lock:
            if self._coder is None:
                self._coder = self.coder_factory()
            return self._coder

    # -- sessions ------------------------------------------------------------------------
    def coder_for(self, scenario: Scenario) -> Coder:
        """The coder set to read the scenario's language, with its reasons for leaving a
        response uncoded in that language (the language of the session's feedback)."""
        from mitrainer.coding import reading

        return reading(self.coder(), scenario.language, scenario.language)

    def new_session(self, scenario: Scenario, start: Start | None = None) -> Session:
        """A new session, at the scenario's start or (an author's test) at ``start``."""
        from mitrainer.engine.session import Session

        return Session(scenario, seed=self.seed_source(), coder=self.coder_for(scenario), clock=self.clock,
                       start=start)

    def resume(self, scenario: Scenario, record: SessionRecord) -> Session:
        from mitrainer.engine.session import Session

        return Session.resume(scenario, record, coder=self.coder_for(scenario), clock=self.clock)

    def practice(self, session: Session) -> Practice:
        """The session with its rubric and this trainer's store: every turn goes through it."""
        from mitrainer.practice import Practice

        # An author's test (from a node, or of a file being written) is not a session the
        # trainee played: it stays out of history, the portfolio and resume.
        store = None if session.start is not None or self.authoring else self.store
        return Practice(session, store)

    def now(self) -> datetime:
        return self.clock()

    # -- preferences ---------------------------------------------------------------------
    def preferences(self) -> Preferences:
        """The trainee's preferences, as the session database keeps them."""
        return self.store.preferences()

    def save_preferences(self, **changes: object) -> Preferences:
        """Change some preferences (raises :class:`~mitrainer.errors.StoreError` when they cannot be kept)."""
        return self.store.save_preferences(**changes)
