"""Whole-scenario checks: errors S010–S023 and warnings S101–S111, with positions and hints."""

from __future__ import annotations

from mitrainer.errors import Position, Severity
from mitrainer.scenario.load import load_library
from tests.unit.foundation.foundation_support import TEMPLATE, col_of, edit, line_of, only, parse

OPENING_BRANCH = "when: {skills: [persuade, confront]}"
FALLBACK = "      - goto: opens_up            # the fallback: a branch without 'when'\n"
PUSHES_BACK_EXEMPLARS = """    exemplars:
      - text: "You're tired of being told what to do."
        codes: [complex_reflection]
        why: "Reflecting the discord instead of defending yourself lowers it."
      - text: "What would you like to get out of today, if anything?"
        codes: [seeking_collaboration, open_question]
        why: "Hands the agenda back to the client."
      - text: "It's really up to you what happens next."
        codes: [emphasizing_autonomy]
        why: "Autonomy defuses the feeling of being pushed."
"""


def with_condition(condition: str) -> str:
    """The template with the opening's second branch tested by ``if: condition`` (a plain scalar)."""
    return edit(TEMPLATE, OPENING_BRANCH, f"when: {{if: {condition}}}")


def condition_column(text: str, condition: str, offset: int) -> int:
    """Column of the character ``offset`` (0-based) into the condition's text in the file."""
    return col_of(text, f"if: {condition}", offset=len("if: ") + offset)


def error(text: str, code: str):
    loaded = parse(text)
    d = only(loaded, code)
    assert d.severity is Severity.ERROR, str(d)
    assert not loaded.ok
    return d


def warning(text: str, code: str):
    loaded = parse(text)
    d = only(loaded, code)
    assert d.severity is Severity.WARNING, str(d)
    assert loaded.ok, "a warning leaves the scenario playable"
    return d


# -- errors -------------------------------------------------------------------------------


def test_s010_start_node_missing_with_did_you_mean():
    text = edit(TEMPLATE, "start: opening", "start: openin")
    d = error(text, "S010")
    assert d.position == Position(line_of(text, "start: openin"), 8)
    assert d.hint == "did you mean 'opening'?"


def test_s011_misspelt_goto_with_did_you_mean():
    text = edit(TEMPLATE, "goto: pushes_back", "goto: push_back")
    d = error(text, "S011")
    assert d.position == Position(line_of(text, "goto: push_back"), col_of(text, "push_back"))
    assert "push_back" in d.message and d.hint == "did you mean 'pushes_back'?"


def test_s012_effect_on_an_undeclared_variable_with_did_you_mean():
    text = edit(TEMPLATE, "effects: {add: {rapport: -1}}", "effects: {add: {raport: -1}}")
    d = error(text, "S012")
    assert d.position == Position(line_of(text, "raport"), col_of(text, "raport"))
    assert d.hint == "did you mean 'rapport'?"


def test_s012_set_of_an_unrelated_name_says_declare_it():
    text = edit(TEMPLATE, "effects: {add: {rapport: -1}}", "effects: {set: {trust: 2}}")
    d = error(text, "S012")
    assert d.position == Position(line_of(text, "trust"), col_of(text, "trust"))
    assert "declare" in d.hint


def test_s012_condition_reads_an_undeclared_variable_at_its_column():
    condition = "rapport > 1 and raport < 3"
    text = with_condition(condition)
    d = error(text, "S012")
    assert d.position == Position(
        line_of(text, condition), condition_column(text, condition, condition.index("raport"))
    )
    assert d.hint == "did you mean 'rapport'?"


def test_s013_unreadable_condition_points_at_the_bad_token():
    condition = "rapport >> 1"
    text = with_condition(condition)
    d = error(text, "S013")
    assert d.position == Position(line_of(text, condition), condition_column(text, condition, 9))
    assert "unexpected '>'" in d.message


def test_s013_operator_hint():
    condition = "rapport > 1 && rapport < 4"
    text = with_condition(condition)
    d = error(text, "S013")
    assert d.position.column == condition_column(text, condition, condition.index("&"))
    assert "'and'" in d.hint


def test_s013_wrong_number_of_arguments():
    condition = "visits() > 1"
    text = with_condition(condition)
    d = error(text, "S013")
    assert d.position.column == condition_column(text, condition, 0)
    assert "takes 1 argument" in d.message


def test_s013_condition_nested_too_deeply_is_a_diagnostic_not_a_crash():
    condition = "(" * 100 + "rapport" + ")" * 100
    d = error(with_condition(f"'{condition}'"), "S013")
    assert "nested" in d.message


def test_s013_very_long_condition_is_a_diagnostic_not_a_crash():
    condition = " + ".join(["rapport"] * 5000) + " > 1"
    d = error(with_condition(condition), "S013")
    assert "too long" in d.message


def test_s014_node_without_fallback():
    text = edit(TEMPLATE, FALLBACK, "")
    d = error(text, "S014")
    assert d.position == Position(
        line_of(text, "    responses:\n      - when: {skills: [complex_reflection, simple_reflection]}"), 5
    )
    assert "opening" in d.message and "without 'when:'" in d.hint


def test_s014_non_ending_node_without_any_responses_points_at_the_node():
    text = edit(
        TEMPLATE, "  pushes_back:\n", "  stuck:\n    client: Hm.\n    talk: neutral\n  pushes_back:\n"
    )
    loaded = parse(text)
    found = [d for d in loaded.diagnostics if d.code == "S014"]
    assert len(found) == 1 and found[0].position == Position(line_of(text, "  stuck:"), 3)


def test_s016_effect_value_of_the_wrong_type():
    text = edit(TEMPLATE, "effects: {add: {rapport: -1}}", "effects: {set: {rapport: high}}")
    d = error(text, "S016")
    assert d.position == Position(line_of(text, "high"), col_of(text, "high"))


def test_s016_adding_a_fraction_to_an_int():
    text = edit(TEMPLATE, "effects: {add: {rapport: -1}}", "effects: {add: {rapport: 0.5}}")
    d = error(text, "S016")
    assert d.position.column == col_of(text, "0.5}")
    assert "whole number" in d.message


def test_s016_adding_to_a_bool():
    text = edit(TEMPLATE, "  rapport: {", "  met: {type: bool, default: false}\n  rapport: {")
    text = edit(text, "effects: {add: {rapport: -1}}", "effects: {add: {met: 1}}")
    d = error(text, "S016")
    assert d.position.line == line_of(text, "{add: {met: 1}}") and "bool" in d.message


def test_s018_ending_with_responses():
    text = edit(
        TEMPLATE,
        'Try reflecting instead."\n',
        'Try reflecting instead."\n    responses:\n      - goto: opening\n',
    )
    d = error(text, "S018")
    assert d.position == Position(line_of(text, "    responses:\n      - goto: opening"), 5)


def test_s019_subtype_on_a_discord_line():
    text = edit(
        TEMPLATE,
        "    talk: discord\n    responses:",
        "    talk: discord\n    subtype: reasons\n    responses:",
    )
    d = error(text, "S019")
    assert d.position == Position(line_of(text, "discord\n    subtype: reasons") + 1, 14)


def test_s020_two_files_with_the_same_id(tmp_path):
    (tmp_path / "a.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(TEMPLATE, encoding="utf-8")
    library = load_library([tmp_path])
    assert list(library.scenarios) == ["t"]
    assert len(library.broken) == 1
    d = [x for x in library.broken[0].diagnostics if x.code == "S020"][0]
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(TEMPLATE, "id: t"), 5)
    assert "a.yaml" in d.message and d.file.endswith("b.yaml")


def test_s021_visits_of_an_unknown_node_with_did_you_mean():
    condition = "visits(pushback) > 1"
    text = with_condition(condition)
    d = error(text, "S021")
    assert d.position.column == condition_column(text, condition, 0)
    assert d.hint == "did you mean 'pushes_back'?"


def test_s022_unknown_function_with_did_you_mean():
    condition = "visit(opening) > 1"
    text = with_condition(condition)
    d = error(text, "S022")
    assert d.position == Position(line_of(text, condition), condition_column(text, condition, 0))
    assert d.hint == "did you mean 'visits'?"


def test_s023_drill_without_focus():
    text = edit(TEMPLATE, "language: en", "kind: drill\nlanguage: en")
    d = error(text, "S023")
    assert d.position == Position(line_of(text, "kind: drill"), 7)


def test_a_drill_with_focus_is_fine():
    text = edit(TEMPLATE, "language: en", "kind: drill\nfocus: [simple_reflection]\nlanguage: en")
    assert parse(text).diagnostics == []


# -- warnings -----------------------------------------------------------------------------


def test_s101_unreachable_node():
    text = (
        TEMPLATE
        + '  orphan:\n    client: "Nobody comes here."\n    talk: neutral\n    ending: {outcome: lost, debrief: never}\n'
    )
    d = warning(text, "S101")
    assert d.position == Position(line_of(text, "  orphan:"), 3)


def test_s102_no_ending_reachable_from_a_reachable_node():
    text = edit(TEMPLATE, "      - goto: walks_out\n", "      - goto: pushes_back\n")
    text = edit(
        text,
        "        effects: {add: {rapport: 1}}\n        goto: opens_up\n      - goto: pushes_back",
        "        goto: pushes_back\n      - goto: pushes_back",
    )
    loaded = parse(text)
    d = only(loaded, "S102")
    assert d.severity is Severity.WARNING
    assert d.position == Position(line_of(text, "  pushes_back:"), 3)


def test_s103_variable_never_read():
    text = edit(TEMPLATE, "label: Rapport, meter: true", "label: Rapport")
    d = warning(text, "S103")
    assert d.position == Position(line_of(text, "  rapport:"), 3)


def test_s103_not_reported_for_a_variable_read_by_a_condition():
    text = edit(TEMPLATE, "label: Rapport, meter: true", "label: Rapport")
    text = edit(text, OPENING_BRANCH, "when: {if: rapport < 1}")
    assert "S103" not in [d.code for d in parse(text).diagnostics]


def test_s104_variable_never_set():
    text = TEMPLATE.replace("        effects: {add: {rapport: 1}}\n", "").replace(
        "        effects: {add: {rapport: -1}}\n", ""
    )
    d = warning(text, "S104")
    assert d.position == Position(line_of(text, "  rapport:"), 3)


def test_s105_no_talk_type():
    text = edit(TEMPLATE, "    talk: sustain\n    subtype: reasons\n", "")
    d = warning(text, "S105")
    assert d.position == Position(line_of(text, "I'm not sure why"), 5)


def test_s106_no_exemplars():
    text = edit(TEMPLATE, PUSHES_BACK_EXEMPLARS, "")
    d = warning(text, "S106")
    assert d.position == Position(line_of(text, "See, this is"), 5)


def test_s107_unknown_exemplar_code_with_did_you_mean():
    text = edit(
        TEMPLATE,
        'codes: [open_question]\n        why: "Invites',
        'codes: [open_questoin]\n        why: "Invites',
    )
    d = warning(text, "S107")
    assert d.position == Position(line_of(text, "open_questoin"), col_of(text, "open_questoin"))
    assert d.hint == "did you mean 'open_question'?"


def test_s108_no_endings():
    text = TEMPLATE
    for outcome in ("engaged", "disengaged"):
        start = text.index(f"    ending:\n      outcome: {outcome}")
        end = text.index("\n", text.index("debrief:", start)) + 1
        text = text[:start] + "    responses:\n      - goto: opening\n" + text[end:]
    loaded = parse(text)
    d = only(loaded, "S108")
    assert d.severity is Severity.WARNING and loaded.ok
    assert d.position == Position(line_of(text, "  opening:"), 3)
    # With no endings every node is a dead end.
    assert sorted(x.message.split("'")[1] for x in loaded.diagnostics if x.code == "S102") == sorted(
        ["opening", "pushes_back", "opens_up", "walks_out"]
    )


def test_s109_branch_after_the_fallback():
    text = edit(TEMPLATE, FALLBACK, "")
    text = edit(text, "      - " + OPENING_BRANCH, "      - goto: opens_up\n      - " + OPENING_BRANCH)
    d = warning(text, "S109")
    assert d.position == Position(line_of(text, OPENING_BRANCH), 9)


def test_s110_exemplar_with_a_righting_reflex_code():
    text = edit(
        TEMPLATE, 'codes: [open_question]\n        why: "Invites', 'codes: [persuade]\n        why: "Invites'
    )
    d = warning(text, "S110")
    assert d.position == Position(line_of(text, "[persuade]\n"), col_of(text, "persuade]\n"))
    assert "distractors" in d.hint


def test_s110_not_reported_for_a_distractor():
    text = edit(
        TEMPLATE,
        "  pushes_back:\n",
        "    distractors:\n      - {text: You must stop., codes: [persuade], why: Lectures.}\n  pushes_back:\n",
    )
    assert [d.code for d in parse(text).diagnostics] == []


def test_s111_change_talk_without_subtype():
    text = edit(TEMPLATE, "    talk: change\n    subtype: desire\n", "    talk: change\n")
    d = warning(text, "S111")
    assert d.position == Position(line_of(text, "talk: change"), 11)


# -- one pass ------------------------------------------------------------------------------


def test_every_independent_problem_is_reported_in_one_pass():
    text = edit(TEMPLATE, "start: opening", "start: openin")  # S010
    text = edit(text, "goto: pushes_back", "goto: push_back")  # S011
    text = edit(
        text,
        "effects: {add: {rapport: 1}}\n        goto: opens_up\n        note",
        "effects: {add: {raport: 1}}\n        goto: opens_up\n        note",
    )  # S012
    text = edit(
        text, "    talk: discord\n    responses:", "    talk: discord\n    subtype: reasons\n    responses:"
    )  # S019
    text = edit(text, "language: en", "kind: drill\nlanguage: en")  # S023
    text = edit(
        text, 'codes: [open_question]\n        why: "Invites', 'codes: [open_questoin]\n        why: "Invites'
    )  # S107
    text = edit(text, "      - goto: walks_out\n", "      - goto: walks_out\n      - goto: opening\n")  # S109
    loaded = parse(text)
    found = {d.code for d in loaded.diagnostics}
    assert {"S010", "S011", "S012", "S019", "S023", "S107", "S109"} <= found, [
        str(d) for d in loaded.diagnostics
    ]
    assert loaded.scenario is not None and not loaded.ok
    assert [d.position for d in loaded.diagnostics] == sorted(d.position for d in loaded.diagnostics)
    assert str(loaded.errors[0]).startswith("s.yaml:")
