"""Loading scenario files: YAML → shape check → whole-scenario checks.

``load_scenario`` never raises for a problem in the file; it returns a
:class:`LoadedScenario` with the scenario (when it has no errors) and every diagnostic.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mitrainer.codes import Difficulty
from mitrainer.errors import Diagnostic, ScenarioError, Severity, display_path, sort_diagnostics
from mitrainer.safeyaml import PositionMap, load_file, load_text
from mitrainer.scenario.model import Scenario
from mitrainer.scenario.validate import DUPLICATE_ID, check_scenario, check_schema_version
from mitrainer.schema import validate_model
from mitrainer.yamlfiles import YAML_SUFFIXES, declares, iter_yaml_files


@dataclass
class LoadedScenario:
    path: Path | None
    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    positions: PositionMap = field(default_factory=PositionMap)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def require(self) -> Scenario:
        """The scenario, or :class:`ScenarioError` with the first problem as its message."""
        if self.scenario is None or self.errors:
            first = self.errors[0] if self.errors else None
            raise ScenarioError(str(first) if first else "the scenario could not be loaded", self.diagnostics)
        return self.scenario


def _from_document(data, positions: PositionMap, problems: list[Diagnostic], path: Path | None,
                   file: str) -> LoadedScenario:
    if problems:
        return LoadedScenario(path, None, problems, positions)
    version_problems = check_schema_version(data, positions, file)
    if version_problems:
        return LoadedScenario(path, None, version_problems, positions)
    scenario, shape_problems = validate_model(Scenario, data, positions, file)
    if scenario is None:
        return LoadedScenario(path, None, sort_diagnostics(shape_problems), positions)
    assert isinstance(scenario, Scenario)
    diagnostics = sort_diagnostics(check_scenario(scenario, positions, file))
    return LoadedScenario(path, scenario, diagnostics, positions)


_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a scenario is loaded.

    Loading builds a million small objects (values, then models) and frees nothing, so
    each automatic collection walks an ever larger heap for no garbage: for a 5 000-node
    file that was about a third of the time. None of these objects form reference cycles,
    so reference counting still frees everything; cyclic garbage made elsewhere meanwhile
    is collected once the collector runs again. Nested and concurrent loads share one
    pause, and a collector someone else turned off stays off.

    When the pause ends, what was built goes straight to the oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``, both constant-time): a loaded scenario lives
    long, and otherwise the first young collection would walk all of it at once (0.1 s for
    5 000 nodes). Skipped when someone else keeps objects frozen, so theirs stay frozen.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def load_scenario(path: Path | str) -> LoadedScenario:
    """Load and check a scenario file; every problem comes back as a diagnostic."""
    path = Path(path)
    file = display_path(path)
    with _collector_paused():
        doc = load_file(path, file)
        loaded = _from_document(doc.data, doc.positions, doc.diagnostics, path, file)
        del doc  # the plain values are not needed any more: freed before the collector resumes
    return loaded


def parse_scenario(text: str, file: str = "<input>") -> LoadedScenario:
    """Load and check scenario text (as :func:`load_scenario`, without a file)."""
    with _collector_paused():
        doc = load_text(text, file)
        loaded = _from_document(doc.data, doc.positions, doc.diagnostics, None, file)
        del doc
    return loaded


def is_scenario_document(path: Path) -> bool:
    """Cheap sniff: does this YAML file look like a scenario (rather than a rubric)?"""
    return not declares(path, "rubric_version")


@dataclass
class Library:
    """All scenarios found in some folders: the playable ones and the broken ones."""

    scenarios: dict[str, LoadedScenario] = field(default_factory=dict)
    broken: list[LoadedScenario] = field(default_factory=list)

    def get(self, key: str) -> LoadedScenario | None:
        """Find a scenario by id, or by a file path."""
        if key in self.scenarios:
            return self.scenarios[key]
        for loaded in self.scenarios.values():
            if loaded.path is not None and (str(loaded.path) == key or loaded.path.stem == key):
                return loaded
        return None

    def ordered(self) -> list[LoadedScenario]:
        """Conversations before drills; then beginner, intermediate, advanced; then by title."""
        levels = list(Difficulty)

        def key(loaded: LoadedScenario) -> tuple[str, int, str]:
            scenario = loaded.require()  # the library holds only scenarios that loaded
            return scenario.kind, levels.index(scenario.difficulty), scenario.title

        return sorted(self.scenarios.values(), key=key)


def load_library(folders: Iterable[Path]) -> Library:
    library = Library()
    for path in iter_yaml_files(folders):
        if not is_scenario_document(path):
            continue
        loaded = load_scenario(path)
        if not loaded.ok:
            library.broken.append(loaded)
            continue
        assert loaded.scenario is not None
        if loaded.scenario.id in library.scenarios:
            other = library.scenarios[loaded.scenario.id]
            loaded.diagnostics.append(Diagnostic(
                DUPLICATE_ID, Severity.ERROR,
                f"scenario id '{loaded.scenario.id}' is already used by {display_path(other.path or '')}",
                display_path(path), loaded.positions.of(("id",)), "give each scenario its own id"))
            library.broken.append(loaded)
            continue
        library.scenarios[loaded.scenario.id] = loaded
    return library


def load_for_play(key: str, extra_folders: Iterable[Path] = ()) -> Scenario:
    """A scenario named by path or id (bundled or in ``extra_folders``), or ScenarioError."""
    return locate_scenario(key, extra_folders).require()


def locate_scenario(key: str, extra_folders: Iterable[Path] = ()) -> LoadedScenario:
    """A scenario named by path or id, loaded with its path; ScenarioError when no such scenario."""
    from mitrainer.paths import bundled_scenarios

    candidate = Path(key)
    if candidate.suffix in YAML_SUFFIXES or candidate.exists():
        return load_scenario(candidate)
    library = load_library([bundled_scenarios(), *extra_folders])
    found = library.get(key)
    if found is None:
        from mitrainer.errors import did_you_mean

        hint = did_you_mean(key, library.scenarios)
        raise ScenarioError(f"no scenario '{key}' (not a file, nor a bundled scenario id)" + (f"; {hint}" if hint else ""))
    return found
