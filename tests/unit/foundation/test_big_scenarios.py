"""Big scenario files: problems deep in the file keep their exact positions, and loading
leaves the cycle collector as it found it."""

from __future__ import annotations

import gc

import pytest

from mitrainer.errors import Position
from mitrainer.scenario import load
from mitrainer.scenario.load import parse_scenario
from tests.unit.foundation.foundation_support import col_of, line_of

HEAD = """\
schema_version: 1
id: big
title: Big
topic: t
setting: s
difficulty: beginner
minutes: 5
learning_goals: [g]
author: a
persona: {name: A, background: b, stage: contemplation}
variables:
  rapport: {type: int, default: 0, min: 0, max: 10, meter: true}
start: n0
nodes:
"""


def big_scenario(count: int) -> str:
    """A valid chain of ``count`` nodes, each written the same way, and one ending."""
    parts = [HEAD]
    for i in range(count):
        nxt = f"n{i + 1}" if i + 1 < count else "end"
        parts.append(
            f"  n{i}:\n"
            f"    client: \"Line {i}: I'm not sure.\"\n"
            "    talk: sustain\n"
            "    subtype: reasons\n"
            "    responses:\n"
            "      - when: {skills: [complex_reflection], if: \"rapport >= 1\"}\n"
            "        effects: {add: {rapport: 1}}\n"
            f"        goto: {nxt}\n"
            f"      - goto: {nxt}\n"
            "    exemplars:\n"
            "      - {text: \"You're not sure.\", codes: [simple_reflection], why: \"Stays close.\"}\n"
            "      - {text: \"What makes you unsure?\", codes: [open_question], why: \"Opens.\"}\n"
            "      - {text: \"You're weighing it up.\", codes: [complex_reflection], why: \"Goes further.\"}\n"
        )
    parts.append("  end:\n    client: Okay.\n    talk: neutral\n    ending: {outcome: done, debrief: Done.}\n")
    return "".join(parts)


def test_the_generated_scenario_is_clean():
    loaded = parse_scenario(big_scenario(50), "big.yaml")
    assert loaded.ok and loaded.diagnostics == [], [str(d) for d in loaded.diagnostics]


def test_whole_scenario_problems_deep_in_a_big_file_point_at_their_text():
    text = big_scenario(1500)
    # Node n1400: a goto to nowhere, a condition reading an unknown variable, an effect on
    # an undeclared variable, an unknown exemplar code.
    deep = text.index("  n1400:\n")
    block = text[deep:text.index("  n1401:\n")]
    broken = (block.replace("goto: n1401\n      - goto", "goto: n9999\n      - goto")
              .replace('if: "rapport >= 1"', 'if: "rapport >= 1 and trust > 2"')
              .replace("{add: {rapport: 1}}", "{add: {rappor: 1}}")
              .replace("codes: [simple_reflection]", "codes: [simple_reflexion]"))
    text = text[:deep] + broken + text[deep + len(block):]
    loaded = parse_scenario(text, "big.yaml")
    found = {d.code: d.position for d in loaded.diagnostics}
    assert sorted(found) == ["S011", "S012", "S107"], [str(d) for d in loaded.diagnostics]
    assert found["S011"] == Position(line_of(text, "goto: n9999"), col_of(text, "n9999"))
    undeclared = [d for d in loaded.diagnostics if d.code == "S012"]
    assert [d.position for d in undeclared] == [
        # The condition's column lands on the variable (the value's column counts its quote).
        Position(line_of(text, "and trust > 2"), col_of(text, "trust > 2") - 1),
        Position(line_of(text, "rappor: 1"), col_of(text, "rappor: 1")),
    ]
    assert found["S107"] == Position(line_of(text, "simple_reflexion"), col_of(text, "simple_reflexion"))


def test_shape_problems_deep_in_a_big_file_point_at_their_text():
    text = big_scenario(1500)
    text = text.replace("  n1300:\n    client:", "  n1300:\n    clinet:", 1)
    text = text.replace("  n1450:\n    client: \"Line 1450: I'm not sure.\"\n    talk: sustain",
                        "  n1450:\n    client: \"Line 1450: I'm not sure.\"\n    talk: sustained", 1)
    loaded = parse_scenario(text, "big.yaml")
    found = {d.code: d for d in loaded.diagnostics}
    assert sorted(found) == ["S001", "S002", "S004"], [str(d) for d in loaded.diagnostics]
    assert found["S001"].position == Position(line_of(text, "clinet:"), 5)
    assert found["S002"].position == Position(line_of(text, "  n1300:"), 3)
    assert found["S004"].position == Position(line_of(text, "talk: sustained"), col_of(text, "sustained"))


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_cycle_collector_as_it_was(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert parse_scenario(big_scenario(3)).ok
        assert gc.isenabled() is enabled
        with load._collector_paused():
            with load._collector_paused():  # nested loads share one pause
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_collector_resumes_when_loading_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(load, "_from_document", broken)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        parse_scenario(big_scenario(3))
    assert gc.isenabled()


def test_objects_frozen_by_someone_else_stay_frozen():
    gc.unfreeze()  # the trainer's tests, which may run first, freeze what they built (TrainerApp.library_ready)
    assert gc.get_freeze_count() == 0
    parse_scenario(big_scenario(3))
    assert gc.get_freeze_count() == 0  # the load's own freeze is undone at once
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        parse_scenario(big_scenario(3))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
