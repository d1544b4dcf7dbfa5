"""One entry point that validates any mitrainer content file (scenario or rubric)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mitrainer.coding.base import Coder
from mitrainer.errors import Diagnostic, display_path


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


def validate_file(path: Path, coder: Coder | None = None) -> FileReport:
    """Validate one scenario or rubric file; with a coder, also check authored talk labels and directions."""
    from mitrainer.scenario.load import is_scenario_document, load_scenario

    if path.is_file() and not is_scenario_document(path):
        from mitrainer.scoring.rubric_load import load_rubric

        return FileReport(path, "rubric", load_rubric(path).diagnostics)
    loaded = load_scenario(path)
    diagnostics = loaded.diagnostics
    if loaded.ok and loaded.scenario is not None:
        from mitrainer.errors import sort_diagnostics
        from mitrainer.scoring.rubric_load import check_scenario_rubric

        file = display_path(path)
        # A scenario may name a rubric kept beside it, as well as a bundled one.
        extra = check_scenario_rubric(loaded.scenario.rubric, loaded.positions, file, search=(path.parent,))
        if coder is not None:
            from mitrainer.scenario.talk_check import check_stated_directions, check_talk_labels

            extra += check_talk_labels(loaded.scenario, loaded.positions, file, coder)
            extra += check_stated_directions(loaded.scenario, loaded.positions, file, coder)
        diagnostics = sort_diagnostics([*diagnostics, *extra])
    return FileReport(path, "scenario", diagnostics)
