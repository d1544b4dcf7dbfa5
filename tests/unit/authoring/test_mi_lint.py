"""MI-aware lint (M101–M105): each warning fires on the mistake it names, and not on the fix."""

from __future__ import annotations

import pytest

from mitrainer.paths import bundled_scenarios
from mitrainer.scenario.lint import is_good_outcome
from mitrainer.scenario.load import load_library, parse_scenario
from mitrainer.scenario.model import Ending

HEAD = """\
schema_version: 1
id: lint-demo
title: Lint demo
kind: {kind}
{focus}topic: t
setting: s
difficulty: beginner
minutes: 5
learning_goals: [g]
author: a
persona: {{name: Sam, background: b, stage: contemplation}}
variables:
  rapport: {{type: int, default: 0, meter: true}}
start: opening
nodes:
"""
EXEMPLARS = """\
    exemplars:
      - {text: "You're torn.", codes: [complex_reflection], why: w}
      - {text: "What matters most?", codes: [open_question], why: w}
      - {text: "It's your call.", codes: [emphasizing_autonomy], why: w}
"""
ENDINGS = """\
  good_end:
    client: "I'll do it."
    talk: change
    subtype: commitment
    ending: {outcome: commitment, debrief: d}
  bad_end:
    client: "Bye."
    talk: discord
    ending: {outcome: walked_out, debrief: d}
"""


def lint(nodes: str, kind: str = "conversation", endings: str = ENDINGS) -> list[tuple[str, str]]:
    focus = "focus: [open_question]\n" if kind == "drill" else ""
    text = HEAD.format(kind=kind, focus=focus) + nodes + endings
    loaded = parse_scenario(text)
    assert loaded.ok, loaded.diagnostics
    return [(d.code, d.message) for d in loaded.diagnostics if d.code.startswith("M")]


def codes(found: list[tuple[str, str]]) -> list[str]:
    return [code for code, _ in found]


def node(talk: str, responses: str, exemplars: str = EXEMPLARS, subtype: str = "reasons") -> str:
    sub = f"    subtype: {subtype}\n" if talk in ("change", "sustain") else ""
    return f"  opening:\n    client: \"Line.\"\n    talk: {talk}\n{sub}    responses:\n{responses}{exemplars}"


GOOD_SUSTAIN = """\
      - when: {skills: [persuade, confront]}
        goto: bad_end
      - when: {skills: [complex_reflection, simple_reflection]}
        effects: {add: {rapport: 1}}
        goto: good_end
      - goto: bad_end
"""


def test_a_well_made_scenario_is_clean():
    assert lint(node("sustain", GOOD_SUSTAIN)) == []


@pytest.mark.parametrize("talk", ["sustain", "discord"])
def test_m101_sustain_or_discord_without_a_reflection_branch(talk):
    only_fallback = """\
      - when: {skills: [persuade, confront]}
        goto: bad_end
      - when: {skills: [open_question]}
        goto: good_end
      - goto: good_end
"""
    found = lint(node(talk, only_fallback))
    assert codes(found) == ["M101"] and "opening" in found[0][1]
    with_autonomy = only_fallback.replace("[open_question]", "[open_question, emphasizing_autonomy]")
    assert lint(node(talk, with_autonomy)) == []


def test_m101_counts_a_branch_on_the_side_reflected():
    by_direction = """\
      - when: {direction: change}
        goto: good_end
      - goto: bad_end
"""
    assert lint(node("sustain", by_direction)) == []


def test_m101_does_not_ask_it_of_change_talk():
    change = """\
      - when: {skills: [open_question]}
        goto: good_end
      - goto: bad_end
"""
    assert "M101" not in codes(lint(node("change", change)))


def test_m102_exemplars_of_fewer_than_three_codes():
    two = """\
    exemplars:
      - {text: "You're torn.", codes: [complex_reflection], why: w}
      - {text: "Part of you wants it.", codes: [CR], why: w}
      - {text: "What matters most?", codes: [open_question], why: w}
"""
    found = lint(node("sustain", GOOD_SUSTAIN, two))
    assert codes(found) == ["M102"] and "2 kind(s)" in found[0][1]
    # Codes are counted once however they are written (CR is complex_reflection).
    three = two + '      - {text: "Coming here took effort.", codes: [affirmation], why: w}\n'
    assert lint(node("sustain", GOOD_SUSTAIN, three)) == []


def test_m103_reflecting_change_talk_goes_where_persuading_goes():
    same = """\
      - when: {skills: [persuade, confront]}
        goto: good_end
      - goto: good_end
"""
    found = lint(node("change", same))
    assert codes(found) == ["M103"]
    differs_by_effect = """\
      - when: {skills: [complex_reflection, simple_reflection]}
        effects: {add: {rapport: 1}}
        goto: good_end
      - goto: good_end
"""
    assert lint(node("change", differs_by_effect)) == []
    # A reflection branch that only sometimes holds still differs from persuading.
    conditional = """\
      - when: {skills: [complex_reflection], if: "rapport >= 1"}
        goto: good_end
      - goto: bad_end
"""
    assert "M103" not in codes(lint(node("change", conditional)))


def test_m103_a_shared_branch_for_both_is_the_same_place():
    shared = """\
      - when: {skills: [complex_reflection, simple_reflection, persuade]}
        effects: {add: {rapport: 1}}
        goto: good_end
      - goto: bad_end
"""
    assert codes(lint(node("change", shared))) == ["M103"]


def test_m104_good_ending_only_through_the_righting_reflex():
    only_by_persuading = """\
      - when: {skills: [persuade, confront]}
        goto: good_end
      - when: {skills: [complex_reflection, simple_reflection]}
        effects: {add: {rapport: 1}}
        goto: bad_end
      - goto: bad_end
"""
    found = lint(node("sustain", only_by_persuading))
    assert "M104" in codes(found)
    assert any("good_end" in message for code, message in found if code == "M104")


def test_m104_a_fallback_that_only_the_righting_reflex_reaches():
    # Every MI-consistent code is caught before the fallback: only persuading and
    # confronting (and 'other') fall through to it.
    caught = """\
      - when: {skills: [open_question, closed_question, simple_reflection, complex_reflection, summary,
                        affirmation, giving_information, persuade_with_permission, seeking_collaboration,
                        emphasizing_autonomy]}
        goto: bad_end
      - goto: good_end
"""
    assert "M104" in codes(lint(node("sustain", caught)))
    # With a condition on the first branch, MI-consistent play may fall through too.
    maybe = caught.replace("emphasizing_autonomy]}", "emphasizing_autonomy], if: \"rapport >= 1\"}")
    assert "M104" not in codes(lint(node("sustain", maybe)))


def test_m104_an_ending_marked_not_good_is_left_alone():
    only_by_persuading = """\
      - when: {skills: [persuade, confront]}
        goto: good_end
      - when: {skills: [complex_reflection, simple_reflection]}
        goto: bad_end
      - goto: bad_end
"""
    text = node("sustain", only_by_persuading)
    assert "M104" in codes(lint(text))
    not_good = ENDINGS.replace("ending: {outcome: commitment, debrief: d}",
                               "ending: {outcome: commitment, debrief: d, good: false}")
    assert "M104" not in codes(lint(text, endings=not_good))


@pytest.mark.parametrize(("outcome", "good", "expected"), [
    ("commitment", None, True), ("commitment_joint_session", None, True), ("fluent", None, True),
    ("informed_consent_transfer", None, True), ("committed", None, False), ("partial_step", None, False),
    ("disengaged", True, True), ("commitment", False, False),
])
def test_what_counts_as_a_good_outcome(outcome, good, expected):
    assert is_good_outcome(Ending(outcome=outcome, debrief="d", good=good)) is expected


def test_drills_grade_one_skill_and_are_not_asked_for_more():
    drill_node = """\
      - when: {skills: [open_question]}
        effects: {add: {rapport: 1}}
        goto: good_end
      - goto: good_end
"""
    narrow = """\
    exemplars:
      - {text: "What matters most?", codes: [open_question], why: w}
"""
    assert lint(node("sustain", drill_node, narrow), kind="drill") == []
    assert sorted(codes(lint(node("sustain", drill_node, narrow)))) == ["M101", "M102"]


def test_m105_one_note_for_the_righting_reflex_and_information():
    mixed = """\
      - when: {skills: [persuade, confront, giving_information]}
        goto: bad_end
        note: Explaining the clinic's rules puts you on the clinic's side.
      - when: {skills: [complex_reflection, simple_reflection]}
        goto: good_end
      - goto: bad_end
"""
    found = lint(node("sustain", mixed))
    assert codes(found) == ["M105"]
    assert "persuade, confront" in found[0][1] and "giving_information" in found[0][1]
    split = mixed.replace("""      - when: {skills: [persuade, confront, giving_information]}
        goto: bad_end
        note: Explaining the clinic's rules puts you on the clinic's side.
""", """      - when: {skills: [persuade, confront]}
        goto: bad_end
        note: Arguing makes him defend the way things are.
      - when: {skills: [giving_information]}
        goto: bad_end
        note: Explaining the clinic's rules puts you on the clinic's side.
""")
    assert lint(node("sustain", split)) == []
    # Without a note there is nothing to contradict; drills are checked too.
    assert lint(node("sustain", mixed.replace("        note: Explaining the clinic's rules puts you on the clinic's side.\n", ""))) == []
    assert "M105" in codes(lint(node("sustain", mixed), kind="drill"))


def test_the_bundled_library_is_clean_under_the_lint():
    library = load_library([bundled_scenarios()])
    found = [f"{d.file}: {d.code} {d.message}" for loaded in library.scenarios.values()
             for d in loaded.diagnostics if d.code.startswith("M")]
    assert library.scenarios and found == []
