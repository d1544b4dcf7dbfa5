"""Finding the scenario a session was played on: same id *and* same content hash.

A record names its scenario by id and by a hash of the scenario's content. Only a
scenario with both matching is the one the session was played on; one with the same id
but another hash is a different version (its nodes, persona or debriefs may differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mitrainer.record.model import ScenarioRef
from mitrainer.scenario.model import Scenario
from mitrainer.yamlfiles import iter_yaml_files, top_level


class ScenarioIndex:
    """The scenarios available here (bundled plus extra folders), each loaded on first use.

    Looking a record's scenario up loads only the files that declare its id, so exporting
    one session does not parse the whole library; the full library is loaded only when no
    file declares the id plainly (to be sure it is really missing).
    """

    def __init__(self, folders: Iterable[Path] = (), *, include_bundled: bool = True):
        self._folders = [Path(f) for f in folders]
        self._include_bundled = include_bundled
        self._by_id: dict[str, Scenario | None] = {}
        self._files: dict[str, list[Path]] | None = None
        self._everything_loaded = False

    @classmethod
    def of(cls, scenarios: Iterable[Scenario]) -> ScenarioIndex:
        """An index over scenarios already loaded (tests, the TUI's library)."""
        index = cls(include_bundled=False)
        index._by_id = {s.id: s for s in scenarios}
        index._files = {}
        index._everything_loaded = True
        return index

    def _all_folders(self) -> list[Path]:
        from mitrainer.paths import bundled_scenarios

        return ([bundled_scenarios()] if self._include_bundled else []) + self._folders

    def _scenario(self, sid: str) -> Scenario | None:
        if sid in self._by_id or self._everything_loaded:
            return self._by_id.get(sid)
        from mitrainer.scenario.load import is_scenario_document, load_library

        if self._files is None:
            self._files = {}
            for path in iter_yaml_files(self._all_folders()):
                key = top_level(path, "id")  # cheap: the first lines only
                if key is not None:
                    self._files.setdefault(key, []).append(path)
        candidates = [p for p in self._files.get(sid, []) if is_scenario_document(p)]
        if candidates:
            # The library's own rules (validation, duplicate ids) decide, over just these files.
            found = load_library(candidates).scenarios.get(sid)
            self._by_id[sid] = found.scenario if found is not None else None
            return self._by_id[sid]
        library = load_library(self._all_folders())
        self._by_id.update({key: loaded.scenario for key, loaded in library.scenarios.items()})
        self._everything_loaded = True
        return self._by_id.get(sid)

    def find(self, info: ScenarioRef) -> Scenario | None:
        """The scenario with the record's id and content hash, or None."""
        scenario = self._scenario(info.id)
        if scenario is None or scenario.content_hash() != info.content_hash:
            return None
        return scenario

    def why_missing(self, info: ScenarioRef) -> str:
        """Why :meth:`find` found nothing, in words for the user."""
        sid = info.id
        title = info.title or sid
        scenario = self._scenario(sid)
        if scenario is None:
            return (f"it was played on scenario '{sid}' ({title}), which you do not have; "
                    f"add its folder with --scenarios DIR")
        return (f"it was played on another version of scenario '{sid}' (content hash "
                f"{_short(info.content_hash)}; yours is {_short(scenario.content_hash())}); "
                f"ask the group for the same scenario file")


def _short(content_hash: object) -> str:
    text = str(content_hash or "none")
    return text.removeprefix("sha256:")[:12]
