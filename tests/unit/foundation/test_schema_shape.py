"""Shape diagnostics S001–S005: pydantic errors turned into positioned, hinted diagnostics."""

from __future__ import annotations

import pytest

from mitrainer.errors import Position, Severity
from tests.unit.foundation.foundation_support import TEMPLATE, col_of, edit, line_of, only, parse


def test_the_template_is_clean():
    loaded = parse(TEMPLATE)
    assert loaded.ok and loaded.diagnostics == []
    assert loaded.scenario.id == "t" and loaded.scenario.start == "opening"


def test_s001_unknown_top_level_key_with_did_you_mean():
    text = edit(TEMPLATE, "minutes: 5", "minuets: 5")
    d = only(parse(text), "S001")
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(text, "minuets"), 1)
    assert d.message == "unknown key 'minuets'" and d.hint == "did you mean 'minutes'?"
    # The misspelling also leaves 'minutes' missing: both are reported.
    assert only(parse(text), "S002").message == "'minutes' is required"


def test_s001_unknown_nested_key_names_its_parent():
    text = edit(TEMPLATE, "  age: 34", "  agee: 34")
    d = only(parse(text), "S001")
    assert d.position == Position(line_of(text, "agee"), 3)
    assert d.message == "unknown key 'agee' in persona" and d.hint == "did you mean 'age'?"


def test_s001_without_a_close_match_lists_the_allowed_keys():
    text = edit(TEMPLATE, '    cue: "arms folded"', '    mood: "arms folded"')
    d = only(parse(text), "S001")
    assert d.position == Position(line_of(text, "mood:"), 5)
    assert "nodes.opening" in d.message
    assert d.hint.startswith("allowed here:") and "cue" in d.hint and "responses" in d.hint


def test_s001_unknown_key_in_a_branch():
    text = edit(TEMPLATE, "        goto: pushes_back\n", "        goto: pushes_back\n        nots: x\n")
    d = only(parse(text), "S001")
    assert d.position == Position(line_of(text, "nots:"), 9)
    assert "nodes.opening.responses[1]" in d.message and d.hint == "did you mean 'note'?"


def test_s002_missing_top_level_key():
    text = edit(TEMPLATE, 'topic: "What the conversation is about"\n', "")
    d = only(parse(text), "S002")
    assert d.severity is Severity.ERROR
    assert d.message == "'topic' is required"
    assert d.position == Position(line_of(text, "schema_version"), 1)  # the document itself


def test_s002_missing_key_in_a_node_points_at_the_node():
    text = edit(TEMPLATE, '    client: "See, this is what everyone does. Lecturing me."\n', "")
    d = only(parse(text), "S002")
    assert d.message == "'client' is required in nodes.pushes_back"
    assert d.position == Position(line_of(text, "  pushes_back:"), 3)


def test_s002_missing_schema_version_has_a_hint():
    text = edit(TEMPLATE, "schema_version: 1\n", "")
    loaded = parse(text)
    d = only(loaded, "S002")
    assert "schema_version" in d.message and "schema_version: 1" in d.hint
    assert loaded.scenario is None


def test_s003_wrong_type():
    text = edit(TEMPLATE, "minutes: 5", "minutes: lots")
    d = only(parse(text), "S003")
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(text, "minutes: lots"), col_of(text, "lots"))
    assert d.message.startswith("minutes: ")


def test_s003_empty_list_where_one_item_is_needed():
    text = edit(
        TEMPLATE, "learning_goals:\n  - Reflect the client's own reasons for change", "learning_goals: []"
    )
    d = only(parse(text), "S003")
    assert d.position == Position(line_of(text, "learning_goals"), col_of(text, "[]"))
    assert "at least 1" in d.message


def test_s003_variable_default_of_the_wrong_type():
    text = edit(TEMPLATE, "default: 1, min: 0", "default: x, min: 0")
    d = only(parse(text), "S003")
    assert d.position == Position(line_of(text, "rapport: {"), col_of(text, "{type: int"))
    assert "default 'x'" in d.message and d.message.startswith("variables.rapport")


def test_s003_bad_id_pattern():
    text = edit(TEMPLATE, "id: t\n", "id: Not Valid\n")
    d = only(parse(text), "S003")
    assert d.position == Position(line_of(text, "id: Not"), 5)


@pytest.mark.parametrize("text, found", [("- a\n- b\n", "list"), ("", "nothing"), ("just text\n", "str")])
def test_s003_top_level_must_be_a_mapping(text, found):
    loaded = parse(text)
    d = only(loaded, "S003")
    assert d.position == Position(1, 1) and found in d.message
    assert loaded.scenario is None


def test_s004_unknown_enum_value_with_did_you_mean():
    text = edit(TEMPLATE, "difficulty: beginner ", "difficulty: beginer ")
    d = only(parse(text), "S004")
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(text, "beginer"), col_of(text, "beginer"))
    assert d.hint == "did you mean 'beginner'?"


def test_s004_misspelt_skill_in_a_branch():
    text = edit(TEMPLATE, "skills: [persuade, confront]", "skills: [persuade, confrontt]")
    d = only(parse(text), "S004")
    assert d.position == Position(line_of(text, "confrontt"), col_of(text, "confrontt"))
    assert "nodes.opening.responses[1].when.skills[1]" in d.message
    assert d.hint == "did you mean 'confront'?"


def test_s004_without_a_close_match_lists_the_values():
    text = edit(TEMPLATE, "talk: sustain\n", "talk: zzz\n")
    d = only(parse(text), "S004")
    assert d.hint.startswith("one of:") and "change" in d.hint and "discord" in d.hint


@pytest.mark.parametrize("value", ["2", "0", "true", "'1'"])
def test_s005_unsupported_schema_version(value):
    text = edit(TEMPLATE, "schema_version: 1", f"schema_version: {value}")
    loaded = parse(text)
    d = only(loaded, "S005")
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(text, "schema_version"), 17)
    assert d.hint and loaded.scenario is None
    # Shape checks are not run against a format this version does not know.
    assert [x.code for x in loaded.diagnostics] == ["S005"]


def test_all_shape_problems_are_reported_in_one_pass():
    text = edit(TEMPLATE, "minutes: 5", "minutes: lots")
    text = edit(text, "difficulty: beginner ", "difficulty: beginer ")
    text = edit(text, "  age: 34", "  agee: 34")
    text = edit(text, '    client: "See, this is what everyone does. Lecturing me."\n', "")
    loaded = parse(text)
    assert sorted(d.code for d in loaded.diagnostics) == ["S001", "S002", "S003", "S004"]
    # Sorted by position, so an instructor reads them top to bottom.
    positions = [d.position for d in loaded.diagnostics]
    assert positions == sorted(positions)
