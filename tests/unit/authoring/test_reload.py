"""carry_over: the same conversation on an edited scenario (what `mitrainer author` does on save)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.reload import Carried, carry_over
from mitrainer.engine.session import Session
from mitrainer.engine.start import parse_start
from mitrainer.scenario.load import parse_scenario

FIXTURE = Path(__file__).resolve().parents[2] / "trainer" / "fixtures" / "scenarios" / "evenings.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
CR = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, coder="test")


def scenario(text: str = TEXT):
    loaded = parse_scenario(text)
    assert loaded.ok, loaded.diagnostics
    return loaded.scenario


@pytest.fixture
def session() -> Session:
    played = Session(scenario(), seed=5)
    played.respond("You feel everyone is waiting to lecture you.", CR)  # opening -> grandson
    return played


def test_an_edited_line_keeps_the_turns_and_the_place(session):
    edited = scenario(TEXT.replace("my grandson Alfie stays over", "Alfie stays over"))
    carried = carry_over(session, edited)
    assert carried.how is Carried.REPLAYED
    assert carried.session.node_id == "grandson" and len(carried.session.turns) == 1
    assert carried.session.variables == session.variables
    assert "Alfie stays over" in carried.session.current_line.text
    assert carried.session.session_id == session.session_id


def test_when_the_turns_lead_elsewhere_the_conversation_goes_on_where_it_was(session):
    # The reflection now leads to 'defensive': replaying would leave 'grandson'.
    edited = scenario(TEXT.replace("        goto: grandson\n        note: \"A reflection instead",
                                   "        goto: defensive\n        note: \"A reflection instead", 1))
    carried = carry_over(session, edited)
    assert carried.how is Carried.CONTINUED
    assert carried.session.node_id == "grandson" and carried.session.turns == []
    assert carried.session.variables == session.variables  # the same state


def test_a_renamed_node_is_followed_through_the_turns(session):
    edited = scenario(TEXT.replace("  grandson:\n", "  alfie:\n").replace("goto: grandson\n", "goto: alfie\n"))
    carried = carry_over(session, edited)
    assert carried.how is Carried.REPLAYED and carried.session.node_id == "alfie"
    assert len(carried.session.turns) == 1


def test_when_the_place_is_gone_it_starts_again(session):
    session.respond("You feel Alfie deserves a grandad who is there.", CR)  # grandson -> plan
    # Both nodes renamed: the second turn cannot be replayed, and 'plan' is gone.
    edited = scenario(TEXT.replace("  grandson:\n", "  g2:\n").replace("goto: grandson\n", "goto: g2\n")
                      .replace("  plan:\n", "  p2:\n").replace("goto: plan\n", "goto: p2\n"))
    carried = carry_over(session, edited)
    assert carried.how is Carried.RESTARTED
    assert carried.session.node_id == "opening" and carried.session.turns == []


def test_a_test_from_a_node_is_replayed_from_its_own_start():
    base = scenario()
    played = Session(base, start=parse_start(base, "grandson", ["readiness=4"]))
    played.respond("You want to be there for Alfie.", CR)  # grandson -> plan, readiness 4 + 3
    carried = carry_over(played, scenario(TEXT.replace("Maybe I could skip", "Perhaps I could skip")))
    assert carried.how is Carried.REPLAYED
    assert carried.session.start.node == "grandson" and carried.session.variables["readiness"] == 7
    assert carried.session.current_line.text.startswith("Perhaps")


def test_a_variable_that_changed_type_is_left_at_its_default(session):
    edited = scenario(TEXT.replace("rapport: {type: int, default: 2,", "rapport: {type: bool, default: false,")
                      .replace("effects: {add: {rapport: 1, readiness: 1}}", "effects: {add: {readiness: 1}}")
                      .replace("effects: {add: {rapport: -1}}", "effects: {set: {rapport: true}}")
                      .replace("effects: {add: {rapport: 1}}", "effects: {set: {rapport: true}}"))
    carried = carry_over(session, edited)
    assert carried.session.node_id == "grandson"
    assert carried.session.variables["rapport"] is False


def test_author_needs_a_file(tmp_path, capsys):
    assert main(["author", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
