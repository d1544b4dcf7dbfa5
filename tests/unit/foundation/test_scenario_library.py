"""Finding scenarios: folders, ids, paths, broken files, and what a diagnostic looks like."""

from __future__ import annotations

import pytest

from mitrainer.cli import main
from mitrainer.errors import Diagnostic, Position, ScenarioError, Severity, did_you_mean, sort_diagnostics
from mitrainer.scenario.load import is_scenario_document, iter_yaml_files, load_for_play, load_library
from mitrainer.scenario.template import render
from tests.unit.foundation.foundation_support import TEMPLATE, edit, parse


@pytest.fixture
def library_dir(tmp_path):
    folder = tmp_path / "lib"
    (folder / "drills").mkdir(parents=True)
    (folder / "intro.yaml").write_text(render("intro", "B intro"), encoding="utf-8")
    (folder / "drills" / "reflect.yml").write_text(
        edit(
            render("reflect", "A reflect"),
            "language: en",
            "kind: drill\nfocus: [simple_reflection]\nlanguage: en",
        ),
        encoding="utf-8",
    )
    (folder / "advanced.yaml").write_text(
        edit(render("hard", "C hard"), "difficulty: beginner", "difficulty: advanced"), encoding="utf-8"
    )
    (folder / "broken.yaml").write_text(
        edit(render("broken"), "start: opening", "start: nowhere"), encoding="utf-8"
    )
    (folder / "standard.yaml").write_text("rubric_version: 1\nid: standard\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not yaml", encoding="utf-8")
    return folder


def test_library_sorts_playable_and_broken(library_dir):
    library = load_library([library_dir])
    assert sorted(library.scenarios) == ["hard", "intro", "reflect"]
    assert [b.path.name for b in library.broken] == ["broken.yaml"]
    assert [d.code for d in library.broken[0].errors] == ["S010"]
    # Conversations before drills; within a kind by difficulty, then title.
    assert [s.scenario.id for s in library.ordered()] == ["intro", "hard", "reflect"]


def test_library_get_by_id_path_or_stem(library_dir):
    library = load_library([library_dir])
    assert library.get("intro").scenario.id == "intro"
    assert library.get("advanced").scenario.id == "hard"  # the file's stem
    assert library.get(str(library_dir / "drills" / "reflect.yml")).scenario.id == "reflect"
    assert library.get("nothing") is None


def test_rubrics_and_other_files_are_skipped(library_dir):
    assert not is_scenario_document(library_dir / "standard.yaml")
    assert is_scenario_document(library_dir / "intro.yaml")
    found = [p.relative_to(library_dir).as_posix() for p in iter_yaml_files([library_dir])]
    assert found == ["advanced.yaml", "broken.yaml", "drills/reflect.yml", "intro.yaml", "standard.yaml"]


def test_load_for_play_by_path_and_by_id(library_dir):
    assert load_for_play(str(library_dir / "intro.yaml")).id == "intro"
    assert load_for_play("reflect", [library_dir]).kind == "drill"
    with pytest.raises(ScenarioError) as caught:
        load_for_play("intro-x", [library_dir])
    assert "did you mean 'intro'?" in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        load_for_play(str(library_dir / "broken.yaml"))
    assert "S010" in str(caught.value) and caught.value.diagnostics


def test_play_a_scenario_by_id_from_an_extra_folder(library_dir, tmp_path, capsys):
    answers = tmp_path / "a.txt"
    answers.write_text("What brings you here?\n", encoding="utf-8")
    code = main(["--scenarios", str(library_dir), "play", "intro", "--responses", str(answers)])
    out = capsys.readouterr().out
    assert code == 0 and "B intro" in out


def test_require_on_a_warning_only_scenario_returns_it():
    loaded = parse(edit(TEMPLATE, "label: Rapport, meter: true", "label: Rapport"))
    assert loaded.warnings and not loaded.errors
    assert loaded.require() is loaded.scenario


def test_diagnostic_text_and_json():
    d = Diagnostic(
        "S011", Severity.ERROR, "goto 'x' names no node", "s.yaml", Position(4, 9), "did you mean 'y'?"
    )
    assert str(d) == "s.yaml:4:9: error S011: goto 'x' names no node (did you mean 'y'?)"
    assert Diagnostic("Y014", Severity.ERROR, "file not found").location() == "<input>"
    assert Diagnostic("S003", Severity.WARNING, "m", "f", Position(3, 0)).location() == "f:3"
    assert d.to_json() == {
        "code": "S011",
        "severity": "error",
        "message": "goto 'x' names no node",
        "file": "s.yaml",
        "line": 4,
        "column": 9,
        "hint": "did you mean 'y'?",
    }
    later = Diagnostic("S101", Severity.WARNING, "m", "s.yaml", Position(10, 1))
    assert sort_diagnostics([later, d]) == [d, later]


def test_did_you_mean():
    assert did_you_mean("opnening", ["opening", "closing"]) == "did you mean 'opening'?"
    assert did_you_mean("zzz", ["opening"]) == ""
    assert did_you_mean("x", []) == ""
