"""`mitrainer validate` joins scenario, rubric and cross-file checks (R120 for unknown rubrics)."""

from __future__ import annotations

from pathlib import Path

from mitrainer.scenario.template import render
from mitrainer.validation import validate_file


def test_scenario_naming_an_unknown_rubric_gets_r120_at_its_line(tmp_path: Path):
    text = render("r120").replace("version: \"1\"", "version: \"1\"\nrubric: standrd")
    path = tmp_path / "r120.yaml"
    path.write_text(text, encoding="utf-8")
    report = validate_file(path)
    codes = [d.code for d in report.diagnostics]
    assert codes == ["R120"]
    line = text.splitlines().index("rubric: standrd") + 1
    assert report.diagnostics[0].position.line == line and "standard" in report.diagnostics[0].hint


def test_a_rubric_beside_the_scenario_is_found(tmp_path: Path):
    bundled = Path(__file__).resolve().parents[2] / "rubrics" / "standard.yaml"
    local = bundled.read_text(encoding="utf-8").replace("id: standard", "id: local-rubric", 1)
    assert "id: local-rubric" in local
    (tmp_path / "local-rubric.yaml").write_text(local, encoding="utf-8")
    text = render("beside").replace("version: \"1\"", "version: \"1\"\nrubric: local-rubric")
    path = tmp_path / "beside.yaml"
    path.write_text(text, encoding="utf-8")
    assert validate_file(path).diagnostics == []
