"""Finding the scenario a session was played on: same id *and* same content hash.

A record names its scenario by id and by a hash of the scenario's content. Only a
scenario with both matching is the one the session was played on; one with the same id
but another hash is a different version (its nodes, persona or debriefs may differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mitrainer.scenario.model import Scenario


class ScenarioIndex:
    """The scenarios available here (bundled plus extra folders), loaded on first use."""

    def __init__(self, folders: Iterable[Path] = (), *, include_bundled: bool = True):
        self._folders = [Path(f) for f in folders]
        self._include_bundled = include_bundled
        self._by_id: dict[str, Scenario] | None = None

    @classmethod
    def of(cls, scenarios: Iterable[Scenario]) -> ScenarioIndex:
        """An index over scenarios already loaded (tests, the TUI's library)."""
        index = cls(include_bundled=False)
        index._by_id = {s.id: s for s in scenarios}
        return index

    def _scenarios(self) -> dict[str, Scenario]:
        if self._by_id is None:
            from mitrainer.paths import bundled_scenarios
            from mitrainer.scenario.load import load_library

            folders = ([bundled_scenarios()] if self._include_bundled else []) + self._folders
            library = load_library(folders)
            self._by_id = {sid: loaded.scenario for sid, loaded in library.scenarios.items()
                           if loaded.scenario is not None}
        return self._by_id

    def find(self, info: object) -> Scenario | None:
        """The scenario with the record's id and content hash, or None."""
        if not isinstance(info, dict):
            return None
        scenario = self._scenarios().get(str(info.get("id", "")))
        if scenario is None or scenario.content_hash() != info.get("content_hash"):
            return None
        return scenario

    def why_missing(self, info: dict) -> str:
        """Why :meth:`find` found nothing, in words for the user."""
        sid = str(info.get("id", ""))
        title = info.get("title") or sid
        scenario = self._scenarios().get(sid)
        if scenario is None:
            return (f"it was played on scenario '{sid}' ({title}), which you do not have; "
                    f"add its folder with --scenarios DIR")
        return (f"it was played on another version of scenario '{sid}' (content hash "
                f"{_short(info.get('content_hash'))}; yours is {_short(scenario.content_hash())}); "
                f"ask the group for the same scenario file")


def _short(content_hash: object) -> str:
    text = str(content_hash or "none")
    return text.removeprefix("sha256:")[:12]
