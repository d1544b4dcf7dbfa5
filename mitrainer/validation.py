"""One entry point that validates any mitrainer content file (scenario or rubric)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def validate_file(path: Path) -> FileReport:
    from mitrainer.scenario.load import is_scenario_document, load_scenario

    if path.is_file() and not is_scenario_document(path):
        from mitrainer.scoring.rubric import load_rubric

        return FileReport(path, "rubric", load_rubric(path).diagnostics)
    return FileReport(path, "scenario", load_scenario(path).diagnostics)
