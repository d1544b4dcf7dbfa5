"""Branch graphs of a scenario in Mermaid or Graphviz DOT.

Nodes are the client's lines; edges are branches, labelled with their conditions. The
start, endings, unreachable nodes and dead ends (no ending reachable) are styled apart.
"""

from __future__ import annotations

import json

from mitrainer.scenario.model import Branch, Scenario
from mitrainer.scenario.validate import dead_ends, reachable_from

FORMATS = ("mermaid", "dot")


def branch_label(branch: Branch) -> str:
    """A short human label for the condition of a branch ("otherwise" for the fallback)."""
    when = branch.when
    if when is None:
        return "otherwise"
    parts: list[str] = []
    if when.skills:
        parts.append(" | ".join(code.value for code in when.skills))
    if when.keywords:
        parts.append("says " + " | ".join(f"'{k}'" for k in when.keywords))
    if when.direction:
        parts.append(f"towards {when.direction.value}")
    if when.if_:
        parts.append(when.if_)
    return " & ".join(parts) or "always"


def _classify(scenario: Scenario) -> dict[str, str]:
    reachable = reachable_from(scenario, scenario.start) if scenario.start in scenario.nodes else set()
    stuck = set(dead_ends(scenario))
    kinds: dict[str, str] = {}
    for nid, node in scenario.nodes.items():
        if nid not in reachable:
            kinds[nid] = "unreachable"
        elif node.is_ending:
            kinds[nid] = "ending"
        elif nid in stuck:
            kinds[nid] = "deadend"
        elif nid == scenario.start:
            kinds[nid] = "start"
        else:
            kinds[nid] = "node"
    return kinds


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_mermaid(scenario: Scenario) -> str:
    kinds = _classify(scenario)
    ids = {nid: f"n{i}" for i, nid in enumerate(scenario.nodes)}
    out = ["flowchart TD"]
    for nid, node in scenario.nodes.items():
        title = nid if node.ending is None else f"{nid} [{node.ending.outcome}]"
        label = f"{title}<br/>{_short(node.client)}".replace('"', "#quot;")
        shape = ('(["', '"])') if node.is_ending else ('["', '"]')
        out.append(f"    {ids[nid]}{shape[0]}{label}{shape[1]}:::{kinds[nid]}")
    for nid, node in scenario.nodes.items():
        for branch in node.responses:
            if branch.goto in ids:
                label = branch_label(branch).replace('"', "#quot;").replace("|", "#124;")
                out.append(f'    {ids[nid]} -->|"{label}"| {ids[branch.goto]}')
    out += [
        "    classDef start fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px",
        "    classDef node fill:#f8fafc,stroke:#64748b",
        "    classDef ending fill:#dcfce7,stroke:#15803d,stroke-width:2px",
        "    classDef unreachable fill:#f1f5f9,stroke:#94a3b8,stroke-dasharray:4 3,color:#64748b",
        "    classDef deadend fill:#fee2e2,stroke:#b91c1c,stroke-width:2px",
    ]
    return "\n".join(out) + "\n"


_DOT_STYLE = {
    "start": 'shape=box, style="rounded,filled,bold", fillcolor="#dbeafe", color="#1d4ed8"',
    "node": 'shape=box, style="rounded,filled", fillcolor="#f8fafc", color="#64748b"',
    "ending": 'shape=doubleoctagon, style=filled, fillcolor="#dcfce7", color="#15803d"',
    "unreachable": 'shape=box, style="rounded,dashed", color="#94a3b8", fontcolor="#64748b"',
    "deadend": 'shape=box, style="rounded,filled,bold", fillcolor="#fee2e2", color="#b91c1c"',
}


def _dot_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid DOT quoted string, escapes included


def to_dot(scenario: Scenario) -> str:
    kinds = _classify(scenario)
    out = [f"digraph {_dot_string(scenario.id)} {{", "    rankdir=TB;", '    node [fontname="Helvetica"];',
           '    edge [fontname="Helvetica", fontsize=10];']
    for nid, node in scenario.nodes.items():
        title = nid if node.ending is None else f"{nid} [{node.ending.outcome}]"
        out.append(f"    {_dot_string(nid)} [label={_dot_string(title + chr(10) + _short(node.client))}, "
                   f"{_DOT_STYLE[kinds[nid]]}];")
    for nid, node in scenario.nodes.items():
        for branch in node.responses:
            if branch.goto in scenario.nodes:
                style = ", style=dashed" if branch.when is None else ""
                out.append(f"    {_dot_string(nid)} -> {_dot_string(branch.goto)} "
                           f"[label={_dot_string(branch_label(branch))}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def render(scenario: Scenario, fmt: str) -> str:
    return to_mermaid(scenario) if fmt == "mermaid" else to_dot(scenario)
