"""Random play-throughs: endless loops, endings never reached, dead ends and coverage."""

from __future__ import annotations

import json

from mitrainer.codes import SkillCode
from mitrainer.engine.playtest import choices_for, playtest
from tests.unit.foundation.foundation_support import TEMPLATE, edit, parse

HEADER = """schema_version: 1
id: loop-test
title: Loop test
topic: Loops
setting: Tests
difficulty: beginner
minutes: 5
learning_goals: [Find loops]
author: Tests
persona: {name: Ash, background: For playtests., stage: contemplation}
variables:
  rapport: {type: int, default: 0, min: 0, max: 5, meter: true}
"""


def load(text: str):
    loaded = parse(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.scenario


def test_the_template_plays_clean_with_full_coverage(template_scenario):
    report = playtest(template_scenario, walks=100, seed=1)
    assert report.ok and report.endless == 0 and report.dead_ends == []
    assert set(report.endings_reached) == {"opens_up", "walks_out"}
    assert sum(report.endings_reached.values()) == 100
    assert report.node_coverage == 1.0 and report.branch_coverage == 1.0
    assert report.nodes_missed == [] and report.branches_missed == []


def test_a_cycle_without_exit_is_an_endless_loop_and_a_dead_end():
    scenario = load(
        HEADER
        + """start: ask
nodes:
  ask:
    client: "Hello."
    talk: neutral
    responses:
      - when: {skills: [open_question]}
        goto: spin
      - goto: bye
  spin:
    client: "Round we go."
    talk: neutral
    responses:
      - goto: spin
  bye:
    client: "Bye."
    talk: neutral
    ending: {outcome: left, debrief: Left.}
"""
    )
    report = playtest(scenario, walks=60, seed=0, max_turns=30)
    assert report.dead_ends == ["spin"]
    assert 0 < report.endless < 60
    assert report.endless_example[-3:] == ["spin", "spin", "spin"]
    assert not report.ok
    data = json.loads(json.dumps(report.to_json()))
    assert data["endless_walks"] == report.endless and data["dead_ends"] == ["spin"] and data["ok"] is False


def test_an_exit_that_can_never_be_taken_is_found_only_by_walking():
    # The graph has a way out of 'spin', so no static dead end, but its condition can never
    # hold (rapport is at most 5): every walk that enters it goes on for ever.
    scenario = load(
        HEADER
        + """start: spin
nodes:
  spin:
    client: "Round we go."
    talk: neutral
    responses:
      - when: {if: "rapport > 10"}
        goto: out
      - when: {skills: [simple_reflection]}
        effects: {add: {rapport: 1}}
        goto: spin
      - goto: spin
  out:
    client: "Out."
    talk: neutral
    ending: {outcome: out, debrief: Out.}
"""
    )
    report = playtest(scenario, walks=20, seed=3, max_turns=50)
    assert report.dead_ends == []
    assert report.endless == 20 and report.endings_reached == {}
    assert report.endings_missed == ["out"] and report.nodes_missed == ["out"]
    assert report.branches_missed == [("spin", 0)]
    assert report.turns_total == 20 * 50
    assert not report.ok


def test_endings_never_reached_and_coverage_numbers():
    # 'hidden' is reachable on the graph but needs rapport 6 (max 5); 'orphan' is not reachable.
    text = edit(
        TEMPLATE,
        "      - goto: walks_out\n",
        "      - when: {if: rapport > 5}\n        goto: hidden\n      - goto: walks_out\n",
    )
    text += """  hidden:
    client: "You found me."
    talk: neutral
    ending: {outcome: hidden, debrief: Hidden.}
  orphan:
    client: "Nobody comes."
    talk: neutral
    responses:
      - goto: opening
    exemplars: [{text: Hi., codes: [other], why: Greets.}]
"""
    scenario = load(text)
    report = playtest(scenario, walks=150, seed=2)
    assert report.endless == 0 and report.dead_ends == []
    assert report.endings_missed == ["hidden"]
    assert report.nodes_missed == ["hidden", "orphan"]
    assert report.node_coverage == 4 / 6
    # 3 + 3 + 1 branches; never taken: pushes_back#1 (the hidden one) and orphan#0.
    assert sorted(report.branches_missed) == [("orphan", 0), ("pushes_back", 1)]
    assert report.branch_coverage == 5 / 7
    assert not report.ok
    data = report.to_json()
    assert data["node_coverage"] == round(4 / 6, 4) and data["branches_missed"] == [
        "pushes_back#1",
        "orphan#0",
    ]
    assert data["mean_turns"] == round(report.turns_total / 150, 2)


def test_playtest_is_deterministic_for_a_seed(template_scenario):
    a = playtest(template_scenario, walks=50, seed=7).to_json()
    b = playtest(template_scenario, walks=50, seed=7).to_json()
    assert a == b


def test_progress_is_reported_per_walk(template_scenario):
    seen: list[int] = []
    playtest(template_scenario, walks=5, progress=seen.append)
    assert seen == [1, 2, 3, 4, 5]


def test_choices_include_exemplars_distractors_and_probes(template_scenario):
    node = template_scenario.nodes["opening"]
    options = choices_for(node)
    sources = [c.source for c in options]
    assert sources.count("exemplar") == 3 and sources.count("distractor") == 0
    probed = {c.coding.primary for c in options if c.source == "probe"}
    # One probe per skill a branch tests, and one that matches nothing.
    assert probed == {
        SkillCode.COMPLEX_REFLECTION,
        SkillCode.SIMPLE_REFLECTION,
        SkillCode.PERSUADE,
        SkillCode.CONFRONT,
        SkillCode.OTHER,
    }
    exemplar = next(c for c in options if c.text == "Coming here wasn't your idea.")
    assert exemplar.coding.primary is SkillCode.SIMPLE_REFLECTION


def test_keyword_branches_get_a_probe_with_the_keyword():
    text = edit(TEMPLATE, "when: {skills: [persuade, confront]}", "when: {keywords: [sister]}")
    scenario = load(text)
    probes = [c.text for c in choices_for(scenario.nodes["opening"]) if c.source == "probe"]
    assert "[probe other] sister" in probes
    report = playtest(scenario, walks=80, seed=0)
    assert ("opening", 1) in report.branch_hits
