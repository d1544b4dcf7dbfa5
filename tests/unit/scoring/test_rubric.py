"""Rubric files: the bundled ones load clean; every R diagnostic with its position."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mitrainer.codes import SkillCode
from mitrainer.errors import Severity
from mitrainer.paths import bundled_rubrics
from mitrainer.safeyaml import PositionMap, load_file
from mitrainer.scoring import RubricError, get_rubric, load_rubric
from mitrainer.scoring.rubric_files import available_rubrics
from mitrainer.scoring.rubric_load import check_scenario_rubric, parse_rubric
from mitrainer.validation import validate_file

BUNDLED = (bundled_rubrics(),)


def parse(text: str):
    return parse_rubric(textwrap.dedent(text).lstrip(), "test.yaml", search=BUNDLED)


def codes_of(loaded) -> list[str]:
    return [d.code for d in loaded.diagnostics]


def only(loaded, code):
    found = [d for d in loaded.diagnostics if d.code == code]
    assert found, [str(d) for d in loaded.diagnostics]
    return found[0]


@pytest.mark.parametrize("name", ["standard", "miti", "change_talk", "oars", "feedback-vi", "feedback-zh"])
def test_bundled_rubrics_are_clean(name):
    loaded = load_rubric(bundled_rubrics() / f"{name}.yaml")
    assert loaded.ok and loaded.diagnostics == [], [str(d) for d in loaded.diagnostics]


def test_standard_is_complete_and_others_are_parts():
    assert not get_rubric("standard").part
    assert {"standard", "miti", "change_talk", "oars"} <= set(available_rubrics())
    with pytest.raises(RubricError, match="part"):
        get_rubric("miti")
    with pytest.raises(RubricError, match="no rubric 'standrd'.*standard"):
        get_rubric("standrd")


def test_get_rubric_is_cached():
    assert get_rubric() is get_rubric("standard")


def test_validate_file_dispatches_rubrics():
    report = validate_file(bundled_rubrics() / "standard.yaml")
    assert report.kind == "rubric" and report.errors == 0


def test_override_of_an_included_rubric():
    loaded = parse("""
        rubric_version: 1
        id: course
        include: [standard]
        metrics:
          pct_open: {fair: 0.4}
    """)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    spec = loaded.rubric.metrics["pct_open"]
    assert (spec.fair, spec.good, spec.format) == (0.4, 0.7, "percent")  # only fair replaced
    assert loaded.rubric.situations["change_talk"].good  # the rest comes from standard


def test_r001_unknown_key_with_position_and_hint():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        metrics:
          rq_ratio: {fiar: 1}
    """), "R001")
    assert (d.position.line, d.position.column) == (5, 14)
    assert "fair" in d.hint


def test_r002_missing_version():
    d = only(parse("id: x\n"), "R002")
    assert "rubric_version" in d.message


def test_r003_wrong_type():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        feedback: {question_run: many}
    """), "R003")
    assert d.position.line == 4


def test_r004_unknown_code_value():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        categories:
          reflection: [simple_reflection, complx_reflection]
    """), "R004")
    assert d.position.line == 5 and "complex_reflection" in d.hint


def test_r005_unsupported_version():
    d = only(parse("rubric_version: 7\nid: x\n"), "R005")
    assert d.position.line == 1


def test_r010_unknown_include():
    d = only(parse("""
        rubric_version: 1
        id: x
        include: [standrd]
    """), "R010")
    assert d.position.line == 3 and "standard" in d.hint


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_r011_include_cycle(tmp_path):
    write(tmp_path, "a", "rubric_version: 1\nid: a\npart: true\ninclude: [b]\n")
    write(tmp_path, "b", "rubric_version: 1\nid: b\npart: true\ninclude: [a]\n")
    loaded = load_rubric(tmp_path / "a.yaml")
    assert "R012" in codes_of(loaded)  # b is broken because it cycles back to a
    inner = load_rubric(tmp_path / "b.yaml")
    assert any(d.code == "R012" for d in inner.diagnostics)
    self_loop = write(tmp_path, "c", "rubric_version: 1\nid: c\npart: true\ninclude: [c]\n")
    assert only(load_rubric(self_loop), "R011").position.line == 4


def test_r012_broken_include(tmp_path):
    write(tmp_path, "broken", "rubric_version: 1\nid: broken\npart: true\nmetrics: 3\n")
    path = write(tmp_path, "course", "rubric_version: 1\nid: course\ninclude: [standard, broken]\n")
    d = only(load_rubric(path), "R012")
    assert d.position == load_rubric(path).diagnostics[0].position
    assert "broken.yaml" in d.hint


def test_r013_thresholds_reversed():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        metrics:
          rq_ratio: {fair: 2, good: 1}
    """), "R013")
    assert d.position.line == 5


def test_r014_incomplete_rubric_names_what_is_missing():
    loaded = parse("""
        rubric_version: 1
        id: x
        include: [miti]
    """)
    messages = [d.message for d in loaded.diagnostics if d.code == "R014"]
    assert any("situation 'change_talk' is missing" in m for m in messages)
    assert any("feedback.question_run" in m for m in messages)
    assert not loaded.ok


def test_r014_points_at_the_include_that_brought_the_section(tmp_path):
    write(tmp_path, "mine", """
        rubric_version: 1
        id: mine
        include: [miti, change_talk]
    """)
    loaded = load_rubric(tmp_path / "mine.yaml")
    d = next(d for d in loaded.diagnostics if d.code == "R014" and "'neutral'" in d.message)
    assert (d.position.line, d.position.column) == (3, 17)  # 'change_talk' in the include list
    assert "change_talk.yaml" in d.hint
    # The hint's line:column in the included file is 1-based, like every position shown.
    where = d.hint.rsplit("change_talk.yaml:", 1)[1]
    situations = load_file(bundled_rubrics() / "change_talk.yaml").positions.of(("situations",))
    assert where == f"{situations.line}:{situations.column}"
    lines = (bundled_rubrics() / "change_talk.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[situations.line - 2] == "situations:"


def test_overriding_one_message_keeps_the_rest(tmp_path):
    write(tmp_path, "mine", """
        rubric_version: 1
        id: mine
        include: [standard]
        situations:
          neutral:
            messages:
              good: {headline: Well done}
    """)
    loaded = load_rubric(tmp_path / "mine.yaml")
    assert loaded.ok
    message = loaded.rubric.situations["neutral"].messages["good"]
    standard = get_rubric().situations["neutral"].messages["good"]
    assert (message.headline, message.rationale) == ("Well done", standard.rationale)


def test_r015_unknown_placeholder():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        situations:
          neutral:
            messages:
              good: {headline: "Nice {cod}", rationale: fine}
    """), "R015")
    assert d.position.line == 7 and "{code}" not in d.message and "code" in d.hint


@pytest.mark.parametrize(("situation", "code", "line", "says"), [
    ("neutral:\n    messages:\n      good: {headline: \"Tốt {ma}\", rationale: fine}", "R015", 9,
     "translations.vi.situations.neutral.messages.good.headline"),
    ("chnage_talk: {label: \"Lời nói thay đổi\"}", "R004", 7, "chnage_talk"),
])
def test_translation_problems_are_placed(situation, code, line, says):
    header = "rubric_version: 1\nid: x\npart: true\ntranslations:\n  vi:\n    situations:\n"
    body = header + textwrap.indent(situation, " " * 6) + "\n"
    d = only(parse_rubric(body, "test.yaml", search=BUNDLED), code)
    assert d.position.line == line and says in d.message


def test_a_translation_changes_words_not_judgement(tmp_path):
    """What it lacks stays English; a message for the code stays one; gaps are warned of (R105)."""
    write(tmp_path, "mine", """
        rubric_version: 1
        id: mine
        include: [standard]
        translations:
          fr:
            situations:
              change_talk:
                label: Discours-changement
                messages:
                  missed: {headline: "Une occasion manquée"}
    """)
    loaded = load_rubric(tmp_path / "mine.yaml")
    assert loaded.ok
    warning = only(loaded, "R105")
    assert warning.severity is Severity.WARNING and "'fr'" in warning.message and warning.position.line == 5
    rubric = loaded.rubric
    english = rubric.message("change_talk", "missed", SkillCode.OTHER)
    french = rubric.message("change_talk", "missed", SkillCode.OTHER, "fr-FR")
    assert (french.headline, french.rationale) == ("Une occasion manquée", english.rationale)
    by_code = rubric.message("change_talk", "missed", SkillCode.CLOSED_QUESTION, "fr")
    assert by_code == rubric.situations["change_talk"].by_code[SkillCode.CLOSED_QUESTION]
    assert rubric.situation_label("change_talk", "fr") == "Discours-changement"
    assert rubric.situation_label("sustain_talk", "fr") == rubric.situation_label("sustain_talk") == "Sustain talk"


def test_r016_code_both_good_and_fair():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        situations:
          neutral: {good: [open_question], fair: [open_question]}
    """), "R016")
    assert d.position.line == 5


def test_r017_formula_base_outside_scale():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        globals:
          empathy: {base: 0, terms: []}
    """), "R017")
    assert d.position.line == 5


def test_r101_category_departs_from_miti():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        categories:
          adherent: [affirmation]
    """), "R101")
    assert d.severity is Severity.WARNING and d.position.line == 5


def test_r102_righting_reflex_rewarded():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        situations:
          sustain_talk: {good: [complex_reflection, persuade]}
    """), "R102")
    assert d.severity is Severity.WARNING


def test_r103_formula_cannot_reach_full_range():
    d = only(parse("""
        rubric_version: 1
        id: x
        part: true
        globals:
          empathy: {base: 1, terms: [{indicator: reflection_rate, weight: 1}]}
    """), "R103")
    assert "1.00–2.00" in d.message


def test_r104_id_differs_from_file_name(tmp_path):
    path = write(tmp_path, "course", "rubric_version: 1\nid: other\ninclude: [standard]\n")
    loaded = load_rubric(path)
    assert only(loaded, "R104").severity is Severity.WARNING
    assert loaded.ok


def test_r120_scenario_names_unknown_rubric():
    positions = PositionMap()
    found = check_scenario_rubric("standrd", positions, "s.yaml")
    assert [d.code for d in found] == ["R120"] and "standard" in found[0].hint
    assert check_scenario_rubric("standard", positions, "s.yaml") == []
    assert check_scenario_rubric("miti", positions, "s.yaml")[0].code == "R120"  # a part


def test_yaml_problems_keep_their_y_codes():
    assert codes_of(parse("rubric_version: 1\nid: [unclosed\n"))[0].startswith("Y")


def test_validate_command_accepts_rubric_files(tmp_path, capsys):
    from mitrainer.cli import main

    path = write(tmp_path, "bad", "rubric_version: 1\nid: bad\npart: true\nmetrics:\n  rq_ratio: {fair: 3, good: 1}\n")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "R013" in out and "bad.yaml:5" in out
    assert main(["validate", str(bundled_rubrics())]) == 0
