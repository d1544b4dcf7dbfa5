"""Branch graphs: Mermaid and DOT with node kinds styled apart and condition labels."""

from __future__ import annotations

import json
import re

import pytest

from mitrainer.scenario.graph import branch_label, render, to_dot, to_mermaid
from tests.unit.foundation.foundation_support import parse

GRAPH_YAML = r"""
schema_version: 1
id: graph-test
title: Graph test
topic: Graphs
setting: Tests
difficulty: beginner
minutes: 5
learning_goals: [Draw]
author: Tests
persona: {name: Kim, background: For graphs., stage: contemplation}
variables:
  rapport: {type: int, default: 0, meter: true}
start: first
nodes:
  first:
    client: 'She said "enough" | that is all'
    talk: neutral
    responses:
      - when: {skills: [open_question, simple_reflection], keywords: [why], if: 'rapport > 1 and visits(first) < 2'}
        effects: {add: {rapport: 1}}
        goto: loop
      - when: {keywords: ['say "no"']}
        goto: done
      - goto: done
  loop:
    client: "Round and round\nagain \\ and again"
    talk: neutral
    responses:
      - goto: loop
  done:
    client: "Thanks, 谢谢."
    talk: neutral
    ending: {outcome: finished, debrief: Done.}
  lost:
    client: "Nobody gets here."
    talk: neutral
    ending: {outcome: never, debrief: Unreachable.}
"""


@pytest.fixture(scope="module")
def scenario():
    loaded = parse(GRAPH_YAML)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    assert {d.code for d in loaded.diagnostics} == {"S101", "S102", "S106"}  # lost, loop, no exemplars
    return loaded.scenario


def test_branch_labels(scenario):
    first = scenario.nodes["first"].responses
    assert (
        branch_label(first[0])
        == "open_question | simple_reflection & says 'why' & rapport > 1 and visits(first) < 2"
    )
    assert branch_label(first[1]) == "says 'say \"no\"'"
    assert branch_label(first[2]) == "otherwise"


def test_mermaid_nodes_edges_and_classes(scenario):
    text = to_mermaid(scenario)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    # Node ids follow the order of the file; quotes in text become entities.
    assert '    n0["first<br/>She said #quot;enough#quot; | that is all"]:::start' in lines
    assert '    n1["loop<br/>Round and round again \\ and again"]:::deadend' in lines
    assert '    n2(["done [finished]<br/>Thanks, 谢谢."]):::ending' in lines
    assert '    n3(["lost [never]<br/>Nobody gets here."]):::unreachable' in lines
    # Edge labels: pipes and quotes escaped so the |"…"| syntax stays intact.
    assert (
        "    n0 -->|\"open_question #124; simple_reflection & says 'why' & rapport > 1 and visits(first) < 2\"| n1"
        in lines
    )
    assert "    n0 -->|\"says 'say #quot;no#quot;'\"| n2" in lines
    assert '    n0 -->|"otherwise"| n2' in lines
    assert '    n1 -->|"otherwise"| n1' in lines
    edges = [line for line in lines if "-->" in line]
    assert len(edges) == 4
    for kind in ("start", "node", "ending", "unreachable", "deadend"):
        assert sum(line.strip().startswith(f"classDef {kind} ") for line in lines) == 1
    assert text.endswith("\n")


QUOTED = r'"(?:[^"\\\n]|\\.)*"'
ATTRS = rf"\[(?:\w+=(?:{QUOTED}|[\w.#]+))(?:, \w+=(?:{QUOTED}|[\w.#]+))*\]"
DOT_LINE = re.compile(
    rf"^(?:digraph {QUOTED} \{{|\s+rankdir=TB;|\s+(?:node|edge) {ATTRS};|\s+{QUOTED}(?: -> {QUOTED})? {ATTRS};|\}})$"
)


def dot_strings(line: str) -> list[str]:
    return [json.loads(s) for s in re.findall(QUOTED, line)]


def test_dot_is_well_formed_and_escapes_text(scenario):
    text = to_dot(scenario)
    lines = text.splitlines()
    for line in lines:
        assert DOT_LINE.match(line), f"not a DOT statement this generator should write: {line!r}"
    assert lines[0] == 'digraph "graph-test" {' and lines[-1] == "}"
    by_node = {dot_strings(line)[0]: line for line in lines if re.match(rf"\s+{QUOTED} \[", line)}
    assert set(by_node) == {"first", "loop", "done", "lost"}
    # Labels read back (JSON escapes are DOT escapes) to the title, a newline and the text.
    assert dot_strings(by_node["first"])[1] == 'first\nShe said "enough" | that is all'
    assert dot_strings(by_node["loop"])[1] == "loop\nRound and round again \\ and again"
    assert dot_strings(by_node["done"])[1] == "done [finished]\nThanks, 谢谢."
    assert '\\"enough\\"' in by_node["first"] and "\\n" in by_node["first"]


def test_dot_styles_each_kind_of_node(scenario):
    lines = to_dot(scenario).splitlines()

    def style(node: str) -> str:
        return next(line for line in lines if line.strip().startswith(f'"{node}" ['))

    assert "bold" in style("first") and "#dbeafe" in style("first")
    assert "doubleoctagon" in style("done") and "#dcfce7" in style("done")
    assert "dashed" in style("lost") and "#94a3b8" in style("lost")
    assert "#fee2e2" in style("loop") and "#b91c1c" in style("loop")


def test_dot_edges_carry_condition_labels(scenario):
    edges = [dot_strings(line) for line in to_dot(scenario).splitlines() if " -> " in line]
    assert [
        "first",
        "loop",
        "open_question | simple_reflection & says 'why' & rapport > 1 and visits(first) < 2",
    ] in edges
    assert ["first", "done", "says 'say \"no\"'"] in edges
    assert ["loop", "loop", "otherwise"] in edges
    fallbacks = [line for line in to_dot(scenario).splitlines() if "otherwise" in line]
    assert fallbacks and all("style=dashed" in line for line in fallbacks)


def test_render_picks_the_format(scenario):
    assert render(scenario, "mermaid") == to_mermaid(scenario)
    assert render(scenario, "dot") == to_dot(scenario)


def test_long_client_lines_are_shortened(template_scenario):
    text = to_mermaid(template_scenario)
    assert "I'm not sure why I'm here, to be honest. My sis…" in text
    # The template has no unreachable node or dead end; its start is drawn as the start.
    assert ":::unreachable" not in text and ":::deadend" not in text and ":::start" in text
