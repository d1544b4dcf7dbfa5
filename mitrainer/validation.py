"""One entry point that validates any mitrainer content file (scenario or rubric)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mitrainer.coding.base import Coder
from mitrainer.errors import Diagnostic, display_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from mitrainer.cache import ResultCache
    from mitrainer.scenario.model import Scenario, TranslationOf


@dataclass
class FileReport:
    path: Path
    kind: str  # "scenario" or "rubric"
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)

    def to_json(self) -> dict:
        return {"file": display_path(self.path), "kind": self.kind, "errors": self.errors,
                "warnings": self.warnings, "diagnostics": [d.to_json() for d in self.diagnostics]}


def validate_file(path: Path, coder: Coder | Callable[[], Coder | None] | None = None,
                  talk_cache: ResultCache | None = None) -> FileReport:
    """Validate one scenario or rubric file; with a coder, also check authored talk labels
    (``coder`` may be a function that loads it when needed; ``talk_cache`` remembers verdicts)."""
    from mitrainer.scenario.load import is_scenario_document, load_scenario

    if path.is_file() and not is_scenario_document(path):
        from mitrainer.scoring.rubric_load import load_rubric

        return FileReport(path, "rubric", load_rubric(path).diagnostics)
    loaded = load_scenario(path)
    diagnostics = loaded.diagnostics
    if loaded.ok and loaded.scenario is not None:
        from mitrainer.errors import sort_diagnostics
        from mitrainer.scoring.exemplar_check import check_exemplars_judged_good
        from mitrainer.scoring.rubric_load import check_scenario_rubric

        file = display_path(path)
        # A scenario may name a rubric kept beside it, as well as a bundled one.
        extra = check_scenario_rubric(loaded.scenario.rubric, loaded.positions, file, search=(path.parent,))
        extra += check_exemplars_judged_good(loaded.scenario, loaded.positions, file)
        if coder is not None:
            from mitrainer.scenario.talk_check import check_stated_directions, check_talk_labels

            extra += check_talk_labels(loaded.scenario, loaded.positions, file, coder, cache=talk_cache)
            extra += check_stated_directions(loaded.scenario, loaded.positions, file, coder, cache=talk_cache)
        if loaded.scenario.translation_of is not None:
            from mitrainer.scenario.strings import check_translation

            source = find_translation_source(path, loaded.scenario.translation_of)
            extra += check_translation(loaded.scenario, source, loaded.positions, file)
        diagnostics = sort_diagnostics([*diagnostics, *extra])
    return FileReport(path, "scenario", diagnostics)


_ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9][a-z0-9_-]*)", re.MULTILINE)


def _sniff_scenario_id(path: Path) -> str | None:
    """The ``id:`` of a scenario file, read cheaply from its first lines."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _ID_LINE.search(head)
    return match.group(1) if match else None


def find_translation_source(path: Path, origin: TranslationOf) -> Scenario | None:
    """The scenario a translation was made from: the file it names, else a scenario with that
    id beside the translation, else a bundled one; None when none loads cleanly."""
    from mitrainer.paths import bundled_scenarios
    from mitrainer.scenario.load import YAML_SUFFIXES, load_scenario

    candidates: list[Path] = []
    if origin.file:
        candidates.append(path.parent / origin.file)
    for folder in (path.parent, bundled_scenarios()):
        if folder.is_dir():
            candidates += sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file()
                                 and p.resolve() != path.resolve() and _sniff_scenario_id(p) == origin.scenario)
    for candidate in candidates:
        if candidate.is_file():
            loaded = load_scenario(candidate)
            if loaded.ok and loaded.scenario is not None and loaded.scenario.id == origin.scenario:
                return loaded.scenario
    return None
